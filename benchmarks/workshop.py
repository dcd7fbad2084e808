"""A workshop of 500 (issue #16): a seeded room's answers by every route, and how long collecting them takes.

``generate_room(n, seed)`` makes ``n`` participants' answers to the C4 Flywheel (and, for a third of them,
the Work Value Pyramid), sent as short codes in a chat log, as answer files and as rows of one survey CSV,
with exact duplicates across routes and typos, and returns the truth to check a collection against.
``tests/test_assessment_load.py`` checks the counting; ``python -m benchmarks.workshop`` times collecting and
aggregating 500 and 5,000 participants and writes the figures under "Issue #16: a workshop of 500" in the
notes part of ``benchmarks/results.md``.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Room", "generate_room", "collect_room", "time_room", "main", "FRAMEWORKS", "HEADING"]

#: The workshop's frameworks: everyone answers the first, a third also the second.
FRAMEWORKS = ("c4_flywheel", "value_pyramid")
HEADING = "### Issue #16: a workshop of 500"
_TEAMS = ("Platform", "Data", "Growth", "Support", None)
_NAMES = ("Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farah", "Gus", "Hélène", "Ines", "Jo")
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CHAT = ("Here is mine:", "sorry, late!", "ok done", "is this the right code?", "lunch at 12?", "thanks all",
         "WF is great", "answered on my phone", "👍", "mine again, the first one was cut")


@dataclass
class Room:
    """A room's answers by route, and what a correct collection must find.

    Attributes
    ----------
    codes : str
        A chat log: codes one per line among chatter, some pasted twice, some with a typo.
    files : list of (str, bytes)
        Answer files as uploads (some uploaded twice, one with an unknown statement id, some cut short).
    survey : bytes
        One survey CSV with both frameworks' columns (some cells out of range).
    truth : list of Response
        Every valid response, once, with the answers that are valid (an out-of-range cell is left out).
    duplicates : int
        Submissions that repeat a response already sent by another route or twice by one route.
    rejected : dict
        Expected rejections by kind: ``checksum``, ``out_of_range``, ``unknown_statement``, ``malformed_json``.
    """

    codes: str = ""
    files: list[tuple[str, bytes]] = field(default_factory=list)
    survey: bytes = b""
    truth: list = field(default_factory=list)
    duplicates: int = 0
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("checksum", "out_of_range", "unknown_statement", "malformed_json"), 0))


def _answers(rng: random.Random, ids: list[str]) -> dict[str, int | None]:
    """1-5 mostly, some "don't know" (None), some skipped (left out); never empty."""
    out: dict[str, int | None] = {}
    for sid in ids:
        roll = rng.random()
        if roll < 0.05:
            continue  # skipped
        out[sid] = None if roll < 0.10 else rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 3, 3, 2))[0]
    return out or {ids[0]: 3}


def _typo(code: str, rng: random.Random) -> str:
    """Change one character of the base32 body: the checksum then no longer matches."""
    head, body, check = code[:7], code[7:-5], code[-5:]
    # Not the last two characters: the final one may carry only padding bits, which base32 decoding ignores.
    at = rng.randrange(len(body) - 2)
    while body[at] == "-":
        at = rng.randrange(len(body) - 2)
    new = rng.choice([c for c in _B32 if c != body[at].upper()])
    return head + body[:at] + new + body[at + 1:] + check


def generate_room(n: int = 500, *, seed: int = 16) -> Room:
    """``n`` participants' answers by three routes, with duplicates and typos, and the truth (see :class:`Room`).

    Participants are split about 40 % codes, 30 % answer files, 30 % survey rows.  Among them, about 4 %
    each: a code with a typo (its only submission: rejected), a file with an unknown statement id
    (rejected), a file cut short (rejected), a survey cell of 7 (that cell rejected, the rest counted);
    and duplicates: a file also sent as a code, a code pasted twice, a file uploaded twice, a survey row
    also sent as a code.
    """
    from workfw.assessment import Response, encode_response, load_bank, survey_headers_csv

    rng = random.Random(seed)
    ids = {key: load_bank(key)["id"].tolist() for key in FRAMEWORKS}
    room = Room()
    chat: list[str] = []
    headers = {key: next(csv.reader(io.StringIO(survey_headers_csv(key).decode("utf-8-sig")))) for key in FRAMEWORKS}
    survey_rows: list[list[str]] = []
    for i in range(n):
        name = f"{_NAMES[i % len(_NAMES)]} {i:05d}"
        team = _TEAMS[rng.randrange(len(_TEAMS))]
        when = f"2026-12-03T{9 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        keys = FRAMEWORKS if rng.random() < 1 / 3 else FRAMEWORKS[:1]
        responses = [Response(name, key, _answers(rng, ids[key]), when, team=team) for key in keys]
        route, fate = rng.random(), rng.random()
        if route < 0.4:  # codes in the chat
            for response in responses:
                code = encode_response(response)
                if fate < 0.04:
                    chat.append(_typo(code, rng))
                    room.rejected["checksum"] += 1
                    continue
                chat += [rng.choice(_CHAT), f"{name}: {code}" if rng.random() < 0.5 else code]
                room.truth.append(response)
                if fate > 0.96:
                    chat.append(code.lower())  # pasted again (as some chat tools lower-case it)
                    room.duplicates += 1
        elif route < 0.7:  # answer files
            for number, response in enumerate(responses):
                data = (json.dumps(response.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
                upload = f"answers-{i:05d}-{number}.json"
                if fate < 0.04:
                    doc = response.to_dict()
                    doc["answers"] = {**doc["answers"], f"{ids[response.framework][0][:3]}zzz-9": 3}
                    room.files.append((upload, json.dumps(doc).encode("utf-8")))
                    room.rejected["unknown_statement"] += 1
                    continue
                if fate > 0.96:
                    room.files.append((upload, data[: len(data) // 2]))
                    room.rejected["malformed_json"] += 1
                    continue
                room.files.append((upload, data))
                room.truth.append(response)
                if 0.50 < fate < 0.54:
                    chat.append(encode_response(response))  # the same answers again, as a code
                    room.duplicates += 1
                elif 0.54 <= fate < 0.58:
                    room.files.append((f"copy of {upload}", data))
                    room.duplicates += 1
        else:  # one row of the survey
            cells: dict[str, list[str]] = {}
            for response in responses:
                given = [sid for sid in ids[response.framework] if sid in response.answers]
                row = ["" if sid not in response.answers else "Don't know" if response.answers[sid] is None
                       else str(response.answers[sid]) for sid in ids[response.framework]]
                answers = dict(response.answers)
                if fate < 0.04 and response.framework == FRAMEWORKS[0] and len(given) > 1:
                    wrong = rng.choice(given)
                    row[ids[response.framework].index(wrong)] = "7"
                    del answers[wrong]  # that cell is left out; the rest of the row counts
                    room.rejected["out_of_range"] += 1
                cells[response.framework] = row
                valid = Response(name, response.framework, answers, when, team=team)
                room.truth.append(valid)
                if fate > 0.96 and len(answers) == len(response.answers):
                    chat.append(encode_response(valid))  # sent twice: once in the form, once as a code
                    room.duplicates += 1
            blank = {key: [""] * len(ids[key]) for key in FRAMEWORKS}
            survey_rows.append([when.replace("T", " ").rstrip("Z"), name, team or "",
                                *cells.get(FRAMEWORKS[0], blank[FRAMEWORKS[0]]),
                                *cells.get(FRAMEWORKS[1], blank[FRAMEWORKS[1]])])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Timestamp", "Name", "Team", *headers[FRAMEWORKS[0]][3:], *headers[FRAMEWORKS[1]][3:]])
    writer.writerows(survey_rows)
    room.survey = out.getvalue().encode("utf-8-sig")
    room.codes = "\n".join(chat)
    return room


def collect_room(room: Room, directory: str | Path):
    """Feed every route of ``room`` to a :class:`~workfw.assessment.Collection` in ``directory``; return it."""
    from workfw.assessment import Collection

    collection = Collection(FRAMEWORKS, directory)
    collection.add_codes(room.codes)
    collection.add_files(room.files)
    collection.add_survey(room.survey, name="workshop-form.csv")
    return collection


def time_room(n: int, *, seed: int = 16, repeats: int = 3) -> dict[str, float]:
    """Median seconds to collect ``n`` participants (codes, files, survey; files written) and to aggregate them."""
    from workfw.assessment import aggregate

    room = generate_room(n, seed=seed)
    collect, total = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            collection = collect_room(room, Path(tmp) / "responses")
            t1 = time.perf_counter()
            frame = collection.responses
            for key in FRAMEWORKS:
                aggregate(frame, framework=key)
            t2 = time.perf_counter()
        collect.append(t1 - t0)
        total.append(t2 - t0)
    return {"participants": n, "responses": len(room.truth), "collect_s": statistics.median(collect),
            "aggregate_s": statistics.median(t - c for t, c in zip(total, collect)),
            "total_s": statistics.median(total)}


def _notes(results: list[dict[str, float]], machine: str) -> str:
    lines = [HEADING, "", f"`python -m benchmarks.workshop` ({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
             f"{machine}; load average {os.getloadavg()[0]:.1f} at the end). A seeded room "
             "(`benchmarks/workshop.py`): codes in a chat log, answer files and one survey CSV, with duplicates "
             "across routes and typos; a third also answer the Work Value Pyramid. Collecting writes every accepted "
             "answer file to the responses folder (fsync included). Median of 3 runs.", "",
             "| participants | responses | collect s | aggregate s | total s | target |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        target = "under 2 s" if r["participants"] <= 500 else "—"
        lines.append(f"| {r['participants']:,} | {r['responses']:,} | {r['collect_s']:.2f} | {r['aggregate_s']:.2f} | "
                     f"{r['total_s']:.2f} | {target} |")
    lines += ["", "`aggregate s` includes building the answer table (`Collection.responses`) and `aggregate` for both "
              "frameworks. Most of the time at 5,000 is the disk: every accepted answer file is written with an "
              "fsync, 8 at a time (about 5 ms each on this machine's disk, one at a time). Before issue #16's fixes "
              "500 participants took 4.7 s to collect: `check_against_bank` rebuilt the bank's id set for every "
              "answer, each code and file read the built-in bank again, a duplicate was looked for by comparing "
              "with every response so far, files were fsynced one after the other, and `read_survey` read cell by "
              "cell with `.at`."]
    return "\n".join(lines) + "\n"


def write_notes(path: Path, text: str) -> None:
    """Put ``text`` under :data:`HEADING` in the notes part of ``path``, replacing an earlier run's section."""
    from benchmarks._report import NOTES_MARKER

    old = path.read_text() if path.exists() else NOTES_MARKER + "\n"
    if NOTES_MARKER not in old:
        old += "\n" + NOTES_MARKER + "\n"
    head, notes = old.split(NOTES_MARKER, 1)
    if HEADING in notes:
        before, rest = notes.split(HEADING, 1)
        ends = [i for i in (rest.find("\n### "), rest.find("\n## ")) if i >= 0]
        after = rest[min(ends):].lstrip("\n") if ends else ""
        notes = before + text + ("\n" + after if after else "")
    elif "\n### " in notes:  # newest first: before the earlier sections
        at = notes.index("\n### ") + 1
        notes = notes[:at] + text + "\n" + notes[at:]
    else:
        notes = notes.rstrip("\n") + "\n\n" + text
    path.write_text(head + NOTES_MARKER + notes)


def main(argv: list[str] | None = None) -> int:
    """Time 500 and 5,000 participants and write the figures into the notes of benchmarks/results.md."""
    from benchmarks._report import machine

    parser = argparse.ArgumentParser(prog="python -m benchmarks.workshop", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000", help="participants, comma-separated (default 500,5000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results.md")
    args = parser.parse_args(argv)
    results = [time_room(int(n)) for n in args.sizes.split(",") if n.strip()]
    for r in results:
        sys.stderr.write(f"[workshop] {r['participants']:,} participants: collect {r['collect_s']:.2f} s, "
                         f"aggregate {r['aggregate_s']:.2f} s\n")
    write_notes(args.out, _notes(results, machine()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
