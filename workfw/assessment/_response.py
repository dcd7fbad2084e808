"""One participant's answers, saved as one small JSON file, and many read back as one long table.

Each participant gets their own file so that people answering at the same
time on a shared folder never write to the same file; see :func:`save_response`.

The file is JSON: ``{"format": "workfw-response", "version": 1, "participant",
"team", "framework", "submitted_at", "answers"}``, where ``answers`` maps a
statement id to 1-5, or to ``null`` for a deliberate "don't know".  A
statement the participant skipped is not listed at all, and has no row in
the long answer table.

Older files (written before skipped statements were kept apart) list every
statement and hold ``null`` for both "don't know" and skipped.  They load
unchanged, with ``null`` read as "don't know": that is what the format has
always said ``null`` means, and it keeps a past workshop's results as they
were reported.  Files without the skipped statements stay readable by older
workfw, which gives them no row either.
"""
from __future__ import annotations

import json
import math
import numbers
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from workfw.errors import OptionError
from workfw.files import create_once
from workfw.assessment._bank import FRAMEWORKS, framework_key, load_bank
from workfw.assessment._common import json_document
from workfw.assessment._errors import AssessmentFileError

__all__ = ["Response", "RESPONSE_COLUMNS", "save_response", "load_responses", "responses_frame",
           "pseudonymise_participants", "parse_response"]

#: Columns of the long answer table returned by :func:`load_responses`,
#: :func:`responses_frame` and :func:`~workfw.assessment.read_survey`.
RESPONSE_COLUMNS = ("response", "participant", "team", "framework", "statement_id", "element", "answer",
                    "submitted_at")

_FORMAT = "workfw-response"
_VERSION = 1
_MAX_NAME = 120
_ERRORS = ("raise", "warn")


def _now() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_answer(value: Any) -> int | None:
    """Return an answer as ``int`` 1-5 or ``None`` (don't know); raise ``ValueError`` otherwise."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or float(value) != int(value):
        raise ValueError(f"{value!r}")
    if not 1 <= int(value) <= 5:
        raise ValueError(f"{value!r}")
    return int(value)


def normalise_timestamp(value: Any) -> str:
    """Return ``value`` as ISO UTC text to the second (``2024-03-05T09:15:00Z``); naive values count as UTC."""
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise ValueError(f"{value!r}")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.floor("s").strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Response:
    """One participant's answers to one framework's statements.

    Parameters
    ----------
    participant : str
        Name or pseudonym as the participant typed it (kept verbatim, trimmed).
    framework : str
        Framework key, one of :data:`~workfw.assessment.FRAMEWORKS`.
    answers : mapping
        Statement id -> 1 to 5, or ``None`` for "don't know".  A statement
        left out was skipped (not answered at all).
    submitted_at : str, optional
        When the answers were given, ISO 8601; stored in UTC to the second
        (``"2024-03-05T09:15:00Z"``). Now when omitted; naive values count as UTC.
    team : str, optional
        The participant's team, for groups that mix teams.
    """

    participant: str
    framework: str
    answers: Mapping[str, int | None]
    submitted_at: str = field(default_factory=_now)
    team: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.participant, str) or not self.participant.strip():
            raise OptionError(f"Response: participant={self.participant!r}; expected a name or pseudonym. "
                              "Next step: ask the participant for any name, e.g. 'P1'.")
        if len(self.participant.strip()) > _MAX_NAME:
            raise OptionError(f"Response: participant name of {len(self.participant)} characters; expected at "
                              f"most {_MAX_NAME}. Next step: use a shorter name or a pseudonym.")
        if self.framework not in FRAMEWORKS:
            raise OptionError(f"Response: framework={self.framework!r}; expected one of {list(FRAMEWORKS)}. "
                              "Next step: pass the framework key, e.g. 'c4_flywheel'.")
        if not isinstance(self.answers, Mapping):
            raise OptionError(f"Response: answers is a {type(self.answers).__name__}; expected a dict of "
                              "statement id -> 1..5 or None. Next step: pass a dict.")
        answers: dict[str, int | None] = {}
        for sid, value in self.answers.items():
            try:
                answers[str(sid)] = normalise_answer(value)
            except ValueError:
                raise OptionError(f"Response of {self.participant!r}: statement {sid!r} has answer {value!r}; "
                                  "expected a whole number 1 to 5 or None for \"don't know\". Next step: "
                                  "correct that answer.") from None
        try:
            stamp = normalise_timestamp(self.submitted_at)
        except (ValueError, TypeError):
            raise OptionError(f"Response of {self.participant!r}: submitted_at={self.submitted_at!r}; expected an "
                              "ISO date-time such as '2024-03-05T09:15:00Z'. Next step: correct it or leave it "
                              "out for now.") from None
        team = (self.team.strip() or None) if isinstance(self.team, str) else self.team
        if team is not None and not isinstance(team, str):
            raise OptionError(f"Response of {self.participant!r}: team={self.team!r}; expected text or None.")
        object.__setattr__(self, "participant", self.participant.strip())
        object.__setattr__(self, "answers", answers)
        object.__setattr__(self, "submitted_at", stamp)
        object.__setattr__(self, "team", team)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document :func:`save_response` writes."""
        return {"format": _FORMAT, "version": _VERSION, "participant": self.participant, "team": self.team,
                "framework": self.framework, "submitted_at": self.submitted_at, "answers": dict(self.answers)}


def check_against_bank(response: Response, bank: pd.DataFrame, *, where: str) -> None:
    """Raise when ``response`` answers statements the bank does not have."""
    known = set(bank["id"])  # once: a bank column costs a copy of its attrs each time it is read
    unknown = [sid for sid in response.answers if sid not in known]
    if unknown:
        raise OptionError(f"{where}: answers name statement ids {unknown[:5]} that the {response.framework} bank "
                          f"does not have; expected ids such as {bank['id'].tolist()[:3]}. Next step: answer with "
                          "the ids of load_bank(...), or pass bank= for an edited bank.")


class _Banks:
    """Bank per framework key for one call: an edited bank where given, else the built-in one."""

    def __init__(self, bank: pd.DataFrame | str | Path | None) -> None:
        self._cache: dict[str, pd.DataFrame] = {}
        if bank is not None:
            frame = bank if isinstance(bank, pd.DataFrame) else load_bank(bank)
            self._cache[framework_key(frame)] = frame

    def __call__(self, key: str) -> pd.DataFrame:
        if key not in self._cache:
            self._cache[key] = load_bank(key)
        return self._cache[key]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "participant"


def save_response(response: Response, folder: str | Path, *, bank: pd.DataFrame | str | Path | None = None) -> Path:
    """Save one participant's answers as a new JSON file in ``folder``.

    The file is written with :func:`workfw.files.create_once`, so a reader
    never sees half a file and a file already there is never replaced.  Its
    name is a slug of the participant's name plus 8 random hex digits
    (``sam-lee-3f9a0c12.json``), drawn from the operating system's random
    source, and a name already taken is never reused: two participants called
    the same, or two processes saving at the same moment, each get their own
    file.

    Parameters
    ----------
    response : Response
        The answers.
    folder : str or pathlib.Path
        The shared folder (created when missing).
    bank : DataFrame or path, optional
        An edited or translated bank; the built-in one by default.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    workfw.files.FileWriteError
        When the folder cannot be created or written (also an ``OSError``).
    """
    if not isinstance(response, Response):
        raise OptionError(f"save_response: got a {type(response).__name__}; expected a Response. "
                          "Next step: build one with Response(participant=..., framework=..., answers=...).")
    check_against_bank(response, _Banks(bank)(response.framework), where="save_response")
    target_dir = Path(folder)
    data = (json.dumps(response.to_dict(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    stem = _slug(response.participant)
    for _ in range(100):
        target = target_dir / f"{stem}-{secrets.token_hex(4)}.json"
        # create_once never replaces a file, even one another process creates at this very moment.
        if create_once(target, data):
            return target
    raise OptionError(f"save_response: found no free file name in {target_dir} after 100 tries; expected a "
                      "writable folder. Next step: check the folder is not full or read-only.")


def _files(folder_or_files: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(folder_or_files, (str, Path)):
        path = Path(folder_or_files)
        if path.is_dir():
            # Dot-files are save_response's temporary files (and editor/OS clutter).
            return sorted(p for p in path.glob("*.json") if not p.name.startswith("."))
        if not path.exists():
            raise AssessmentFileError(str(path), "the whole path", "no such file or folder",
                                      "a folder of response files or a response .json file",
                                      "check the path (the notebooks use the workspace's 'responses' folder)")
        return [path]
    return [Path(p) for p in folder_or_files]


def read_response_file(path: Path, banks: _Banks | None = None) -> Response:
    """Read one file written by :func:`save_response`; raise :class:`AssessmentFileError` naming the problem."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise AssessmentFileError(name, "the whole file", "no such file", "a response .json file",
                                  "check the path") from exc
    return parse_response(data, name=name, banks=banks)


def parse_response(data: bytes | str, *, name: str, banks: _Banks | None = None) -> Response:
    """Read the content of a response file (e.g. an upload); raise :class:`AssessmentFileError` naming ``name``."""
    banks = banks or _Banks(None)
    try:
        text = bytes(data).decode("utf-8-sig") if isinstance(data, (bytes, bytearray, memoryview)) else str(data)
    except UnicodeDecodeError as exc:
        raise AssessmentFileError(name, "the whole file", "bytes that are not UTF-8 text",
                                  "a response file written by save_response",
                                  "remove the file from the folder") from exc
    doc = json_document(text, name=name, form=_FORMAT, version=_VERSION,
                        written_by="a response file written by save_response",
                        fix="ask the participant to submit again, then delete this file",
                        fix_format="keep only response files in the folder (a statement bank or other JSON "
                                   "belongs elsewhere)",
                        fix_version="update workfw, or ask the participant to submit again")
    missing = [k for k in ("participant", "framework", "answers", "submitted_at") if k not in doc]
    if missing:
        raise AssessmentFileError(name, f"key {missing[0]!r}", "nothing", "participant, framework, answers and "
                                  "submitted_at", "ask the participant to submit again, then delete this file")
    try:
        response = Response(participant=doc["participant"], framework=doc["framework"], answers=doc["answers"],
                            submitted_at=doc["submitted_at"], team=doc.get("team"))
        check_against_bank(response, banks(response.framework), where=name)
    except OptionError as exc:
        raise AssessmentFileError(name, "its content", str(exc).split("; expected")[0],
                                  "values as save_response writes them",
                                  "ask the participant to submit again, then delete this file") from exc
    return response


def load_responses(folder_or_files: str | Path | Iterable[str | Path], *, errors: str = "raise",
                   bank: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Read participants' response files into one long table.

    Parameters
    ----------
    folder_or_files : path or iterable of paths
        A folder (every ``*.json`` in it, except dot-files) or a list of files.
    errors : {"raise", "warn"}
        ``"raise"`` (default) stops at the first broken file with an
        :class:`AssessmentFileError` naming it; ``"warn"`` reads the rest and
        lists each broken file and the reason in ``.attrs["skipped"]``.
    bank : DataFrame or path, optional
        An edited or translated bank for the files of its framework.

    Returns
    -------
    pandas.DataFrame
        :data:`RESPONSE_COLUMNS`, one row per answered statement (skipped
        statements have none); ``answer`` is ``Int64`` with NA for "don't
        know"; ``response`` is the file name.
        ``attrs["skipped"]``: list of ``{"file", "reason"}``.
    """
    if errors not in _ERRORS:
        raise OptionError(f"load_responses: errors={errors!r}; expected one of {list(_ERRORS)}.")
    banks = _Banks(bank)
    responses, sources, skipped = [], [], []
    for path in _files(folder_or_files):
        try:
            responses.append(read_response_file(path, banks))
        except AssessmentFileError as exc:
            if errors == "raise":
                raise
            skipped.append({"file": str(path), "reason": str(exc)})
            continue
        sources.append(path.name)
    frame = responses_frame(responses, sources=sources, bank=bank)
    frame.attrs["skipped"] = skipped
    return frame


def responses_frame(responses: Iterable[Response], *, sources: Iterable[str] | None = None,
                    bank: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Turn :class:`Response` objects (e.g. decoded codes) into the long answer table.

    Parameters
    ----------
    responses : iterable of Response
    sources : iterable of str, optional
        What to put in the ``response`` column (file names...); ``"response N"`` by default.
    bank : DataFrame or path, optional
        An edited or translated bank.

    Returns
    -------
    pandas.DataFrame
        :data:`RESPONSE_COLUMNS`, statements in bank order within each
        response; skipped statements have no row.
    """
    banks = _Banks(bank)
    responses = list(responses)
    labels = list(sources) if sources is not None else [f"response {i}" for i in range(1, len(responses) + 1)]
    rows, pairs = [], {}
    for label, response in zip(labels, responses):
        statements = banks(response.framework)
        check_against_bank(response, statements, where=f"responses_frame ({label})")
        if response.framework not in pairs:  # a bank column costs a copy of its attrs each time it is read
            pairs[response.framework] = list(zip(statements["id"], statements["element"]))
        for sid, element in pairs[response.framework]:
            if sid in response.answers:
                rows.append((label, response.participant, response.team, response.framework, sid, element,
                             response.answers[sid], response.submitted_at))
    return long_frame(rows)


def long_frame(rows: list[tuple]) -> pd.DataFrame:
    """Build the typed long answer table from tuples in :data:`RESPONSE_COLUMNS` order."""
    frame = pd.DataFrame(rows, columns=list(RESPONSE_COLUMNS), dtype=object)
    out = frame.drop(columns=["answer", "submitted_at"]).astype("string")
    out["answer"] = pd.array([pd.NA if v is None else v for v in frame["answer"]], dtype="Int64")
    out["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601").astype(
        "datetime64[ns, UTC]")
    return out[list(RESPONSE_COLUMNS)]


def pseudonymise_participants(responses: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with participant names replaced by ``Participant 01``... in alphabetical order.

    For screens shared in a workshop; the same name always gets the same pseudonym.
    """
    names = sorted(responses["participant"].dropna().unique())
    mapping = {name: f"Participant {i:02d}" for i, name in enumerate(names, start=1)}
    out = responses.copy()
    out["participant"] = out["participant"].map(mapping).astype("string")
    return out
