"""Collecting a group's answers: response files, copy-paste codes and survey CSVs."""
from __future__ import annotations

import json
import multiprocessing
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from workfw.assessment import (AssessmentFileError, Response, ResponseCodeError, bank_template, decode_response,
                               encode_response, load_bank, load_responses, read_codes, read_survey, responses_frame,
                               save_response, survey_template, write_survey)
from workfw.errors import OptionError

FIXTURES = Path(__file__).parent / "fixtures"
C4_IDS = load_bank("c4_flywheel")["id"].tolist()


def _c4(name, values, *, team=None, at="2024-03-05T09:15:22Z"):
    """A C4 response; "skip" leaves the statement out (skipped), None is "don't know"."""
    return Response(name, "c4_flywheel", {k: v for k, v in zip(C4_IDS, values) if v != "skip"}, at, team)


GROUP = [
    _c4("Ana", [4, 5, None, 2, 3, 4, 5, 5, 4, 3, 3, 3], team="Ops"),
    _c4("Ana", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], team="Data", at="2024-03-05T09:20:00Z"),
    _c4("Zoë Ünal", [None] * 6 + [5] * 6, at="2024-03-05T10:00:59Z"),
    _c4("=cmd|' /C calc'!A0", [2, 4, 4, 1, "skip", 2, 4, 4, 4, 5, 1, "skip"], team="-ops"),
]


def _answers(frame: pd.DataFrame) -> list[tuple]:
    keep = ["participant", "team", "framework", "statement_id", "element", "answer", "submitted_at"]
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame[keep].itertuples(index=False)]


# --- Response ------------------------------------------------------------------------------------------------

def test_response_normalises_time_answers_and_names():
    r = Response("  Sam Lee ", "c4_flywheel", {"c4-clar-1": 4.0, "c4-clar-2": None, "c4-clar-3": float("nan")},
                 "2024-03-05T10:15:22.987+01:00", team=" ")
    assert r.participant == "Sam Lee" and r.team is None
    assert r.answers == {"c4-clar-1": 4, "c4-clar-2": None, "c4-clar-3": None}
    assert r.submitted_at == "2024-03-05T09:15:22Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", Response("P1", "visibility", {}).submitted_at)


@pytest.mark.parametrize("answer", [0, 6, 3.5, True, "4"])
def test_response_rejects_answers_off_the_scale(answer):
    with pytest.raises(OptionError, match=f"statement 'c4-clar-1' has answer {re.escape(repr(answer))}"):
        Response("Sam", "c4_flywheel", {"c4-clar-1": answer})


def test_response_rejects_missing_name_and_unknown_framework():
    with pytest.raises(OptionError, match="participant=' '"):
        Response(" ", "c4_flywheel", {})
    with pytest.raises(OptionError, match="framework='c4'"):
        Response("Sam", "c4", {})
    with pytest.raises(OptionError, match="submitted_at='yesterday'"):
        Response("Sam", "c4_flywheel", {}, "yesterday")


# --- files in a shared folder -----------------------------------------------------------------------------------

def test_save_and_load_round_trip_keeps_both_participants_called_ana(tmp_path):
    paths = [save_response(r, tmp_path) for r in GROUP]
    names = sorted(p.name for p in paths)
    assert len(set(names)) == 4
    assert [re.sub(r"-[0-9a-f]{8}\.json$", "", n) for n in names] == ["ana", "ana", "cmd-c-calc-a0", "zoe-unal"]
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
    frame = load_responses(tmp_path)
    assert frame.attrs["skipped"] == []
    assert sorted(_answers(frame)) == sorted(_answers(responses_frame(GROUP)))
    ana = frame[frame["team"] == "Ops"]
    assert ana["answer"].iloc[:2].tolist() == [4, 5] and pd.isna(ana["answer"].iloc[2])
    assert ana["statement_id"].tolist() == C4_IDS
    assert ana["submitted_at"].iloc[0] == pd.Timestamp("2024-03-05 09:15:22", tz="UTC")
    assert json.loads(paths[2].read_text(encoding="utf-8"))["participant"] == "Zoë Ünal"


def _save_many(args: tuple[str, int]) -> list[str]:
    folder, worker = args
    return [save_response(_c4("Same Name", [worker % 5 + 1] * 12), folder).name for _ in range(20)]


def test_concurrent_writers_lose_nothing(tmp_path):
    with ThreadPoolExecutor(max_workers=8) as pool:
        thread_names = [n for names in pool.map(_save_many, [(str(tmp_path), w) for w in range(8)]) for n in names]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(4) as pool:
        process_names = [n for names in pool.map(_save_many, [(str(tmp_path), w) for w in range(4)]) for n in names]
    assert len(thread_names) == 160 and len(process_names) == 80
    assert len(set(thread_names) | set(process_names)) == 240
    frame = load_responses(tmp_path)
    assert frame["response"].nunique() == 240 and len(frame) == 240 * 12
    # worker w answered w % 5 + 1 everywhere: 8 threads give 1,2,3,4,5,1,2,3; 4 processes 1,2,3,4
    per_answer = frame.groupby("answer").size() // 12
    assert per_answer.to_dict() == {1: 60, 2: 60, 3: 60, 4: 40, 5: 20}


def test_broken_files_raise_naming_the_file_or_are_listed_with_warn(tmp_path):
    save_response(GROUP[0], tmp_path)
    (tmp_path / "cut.json").write_text('{"format": "workfw-response", "version": 1, "partic', encoding="utf-8")
    (tmp_path / "bank.json").write_text(json.dumps({"statements": []}), encoding="utf-8")
    bad_answer = GROUP[0].to_dict() | {"answers": {"c4-clar-1": 7}}
    (tmp_path / "seven.json").write_text(json.dumps(bad_answer), encoding="utf-8")
    unknown = GROUP[0].to_dict() | {"answers": {"c4-nope-1": 3}}
    (tmp_path / "unknown.json").write_text(json.dumps(unknown), encoding="utf-8")
    with pytest.raises(AssessmentFileError) as info:
        load_responses(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'bank.json'}, the top level: found format=None; "
                                      "expected format='workfw-response'")
    with pytest.raises(AssessmentFileError, match=r"cut\.json, line 1, column 45: found invalid JSON"):
        load_responses([tmp_path / "cut.json"])
    with pytest.raises(AssessmentFileError, match=r"seven\.json, its content: found .*'c4-clar-1' has answer 7"):
        load_responses([tmp_path / "seven.json"])
    with pytest.raises(AssessmentFileError, match=r"unknown\.json, its content: .*\['c4-nope-1'\]"):
        load_responses([tmp_path / "unknown.json"])
    frame = load_responses(tmp_path, errors="warn")
    assert frame["participant"].unique().tolist() == ["Ana"]
    skipped = {Path(s["file"]).name: s["reason"] for s in frame.attrs["skipped"]}
    assert sorted(skipped) == ["bank.json", "cut.json", "seven.json", "unknown.json"]
    assert "invalid JSON" in skipped["cut.json"]
    with pytest.raises(AssessmentFileError, match="no such file or folder"):
        load_responses(tmp_path / "missing")


# --- copy-paste codes --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("framework", ["c4_flywheel", "coordination_stack", "value_pyramid", "visibility"])
def test_codes_round_trip_exactly(framework):
    ids = load_bank(framework)["id"].tolist()
    values = [[None, 1, 2, 3, 4, 5, "skip"][i % 7] for i in range(len(ids))]
    answers = {sid: v for sid, v in zip(ids, values) if v != "skip"}
    response = Response("Zoë Ünal", framework, answers, "2024-03-05T09:15:22Z", team="Équipe 7")
    code = encode_response(response)
    prefix = {"c4_flywheel": "C4", "coordination_stack": "CS", "value_pyramid": "VP", "visibility": "WV"}[framework]
    assert re.fullmatch(rf"WF2-{prefix}-[A-Z2-7]+-[A-Z2-7]{{4}}", code)
    assert len(code) <= 64  # 30-32 bytes for a 10-byte name and a 9-byte team
    assert decode_response(code) == response
    # Pasted from a chat: lower case, wrapped, with 0/1 typed for O/I.
    sloppy = " " + code.lower()[:15] + "\n" + code.lower()[15:].replace("o", "0").replace("i", "1") + " "
    assert decode_response(sloppy, framework=framework) == response


def test_code_of_a_partial_answer_keeps_skipped_apart_from_dont_know():
    code = encode_response(Response("P1", "value_pyramid", {"vp-prog-2": 5, "vp-acti-1": None},
                                    "2024-01-01T00:00:00Z"))
    decoded = decode_response(code)
    assert decoded.answers == {"vp-acti-1": None, "vp-prog-2": 5}  # the other 7 statements were skipped
    assert decoded.team is None and decoded.participant == "P1"


# Made by workfw before skipped statements were kept apart: WF1 packs 0 for "don't know" and skipped alike.
OLD_CODE = "WF1-C4-BRM4HXUPMXTOFKQHJ5WGIICBNZQQGT3QOM-VQNY"
OLD_FILE = {"format": "workfw-response", "version": 1, "participant": "Old Ana", "team": "Ops",
            "framework": "c4_flywheel", "submitted_at": "2024-03-05T09:15:22Z",
            "answers": dict(zip(C4_IDS, [4, None, 5, 2, 3, 4, 5, 5, 4, 3, 3, 1]))}


def test_older_codes_and_files_still_load_with_their_null_read_as_dont_know(tmp_path):
    old = decode_response(OLD_CODE)
    assert (old.participant, old.team, old.submitted_at) == ("Old Ana", "Ops", "2024-03-05T09:15:22Z")
    assert old.answers == OLD_FILE["answers"] and old.answers["c4-clar-2"] is None and len(old.answers) == 12
    (tmp_path / "old-ana.json").write_text(json.dumps(OLD_FILE), encoding="utf-8")
    frame = load_responses(tmp_path)
    assert len(frame) == 12 and frame["answer"].isna().sum() == 1  # one "don't know", nothing skipped
    # Both routes of the same old answers are one response to the collector.
    from workfw.assessment import parse_response, response_key

    assert response_key(old) == response_key(parse_response(json.dumps(OLD_FILE), name="old-ana.json"))


def _typo(code: str) -> str:
    """The code with its 6th data character changed, as a mistyped copy would be."""
    head, data, check = code.rsplit("-", 2)
    swapped = data[:5] + ("B" if data[5] != "B" else "C") + data[6:]
    return f"{head}-{swapped}-{check}"


def test_bad_codes_say_what_is_wrong(tmp_path):
    code = encode_response(GROUP[0])
    with pytest.raises(ResponseCodeError, match=r"the checksum does not match\. Next step: check for a typo"):
        decode_response(_typo(code))
    with pytest.raises(ResponseCodeError, match="wrong length|checksum"):
        decode_response(code[:-6] + code[-4:])
    with pytest.raises(ResponseCodeError, match="answers the C4 Flywheel statements, not Work Visibility"):
        decode_response(code, framework="visibility")
    with pytest.raises(ResponseCodeError, match="framework code 'XX' is unknown"):
        decode_response(code.replace("-C4-", "-XX-"))
    with pytest.raises(ResponseCodeError, match="not a workfw response code"):
        decode_response("hello there")
    with pytest.raises(ResponseCodeError, match=r"format 'WF9' is not one this workfw reads \(WF1, WF2\)"):
        decode_response(code.replace("WF2", "WF9"))
    # An edited bank with a 13th statement cannot take a 12-answer code.
    doc = json.loads(bank_template("c4_flywheel", tmp_path / "c4_plus.json").read_text(encoding="utf-8"))
    doc["statements"].append(dict(doc["statements"][0], id="c4-clar-4", text="Extra."))
    (tmp_path / "c4_plus.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ResponseCodeError, match="it holds 12 answers but the C4 Flywheel bank here has 13 statements"):
        decode_response(code, bank=tmp_path / "c4_plus.json")


def test_read_codes_from_pasted_chat():
    codes = [encode_response(r) for r in GROUP[:3]]
    chat = (f"[10:01] Ana: {codes[0]}\n[10:02] Ana (data): {codes[1]}\n[10:02] Ana: {codes[0]} (again)\n"
            f"[10:03] Zoë: {codes[2]}\n[10:04] Max: {_typo(codes[0])}\n")
    with pytest.raises(ResponseCodeError, match="Code 5 of the pasted text: .*check for a typo"):
        read_codes(chat)
    frame = read_codes(chat, errors="warn")
    assert frame["response"].unique().tolist() == ["code 1", "code 2", "code 4"]
    assert frame.attrs["duplicates"] == [codes[0]]
    assert len(frame.attrs["skipped"]) == 1 and "checksum" in frame.attrs["skipped"][0]["reason"]
    assert sorted(_answers(frame)) == sorted(_answers(responses_frame(GROUP[:3])))


# --- survey CSV ----------------------------------------------------------------------------------------------------

# Ana picked "Don't know" (None); Cy left two cells empty: skipped, so those statements have no row.
GOOGLE = {
    "Ana": [4, 5, None, 2, 3, 4, 5, 5, 4, 3, 3, 3],
    "Ben": [2, 4, 4, 1, 2, 2, 4, 4, 4, 5, 1, 3],
    "cy@example.org": [5, 5, 5, 3, 3, 3, 2, 4, 4, 5],
}


def test_google_forms_csv_matches_grid_headers_labels_and_numbers():
    frame = read_survey(FIXTURES / "survey_google_c4.csv", framework="c4_flywheel")
    got = {name: [None if pd.isna(a) else int(a) for a in part["answer"]]
           for name, part in frame.groupby("participant", sort=False)}
    assert got == GOOGLE
    assert frame.attrs["unmatched_columns"] == ["Anything else you want to tell us?"]
    assert frame.attrs["missing_statements"] == [] and frame.attrs["ignored_columns"] == []
    columns = frame.attrs["columns"]
    assert columns["How true is each statement for our team? [\u201cDone\u201d is agreed before work starts.]"] \
        == "c4-clar-2"
    assert columns["Every item has one clear owner *"] == "c4-coor-1"
    assert columns["4. We know the due dates and dependencies of our work."] == "c4-coor-2"
    assert columns["c4-comp-3 Rework"] == "c4-comp-3"
    firsts = frame.groupby("participant", sort=False)["submitted_at"].first()
    assert firsts.tolist() == [pd.Timestamp("2024-03-05 09:15:22", tz="UTC"),
                               pd.Timestamp("2024-03-05 12:02:03", tz="UTC"),
                               pd.Timestamp("2024-03-05 12:30:00", tz="UTC")]
    assert frame.groupby("participant", sort=False)["team"].first().tolist() == ["Ops", "Ops", "Data"]
    assert frame["response"].iloc[0] == "survey_google_c4.csv row 2"


def test_microsoft_forms_excel_csv_with_numbered_headers():
    frame = read_survey(FIXTURES / "survey_msforms_stack.csv", framework="coordination_stack")
    assert frame["participant"].unique().tolist() == ["Zoë", "José"]
    assert frame.attrs["ignored_columns"] == ["ID", "Start time"]
    assert frame.attrs["unmatched_columns"] == []
    assert frame["submitted_at"].unique().tolist() == [pd.Timestamp("2024-03-14 16:05:09", tz="UTC"),
                                                      pd.Timestamp("2024-03-14 16:07:45", tz="UTC")]
    when = frame[(frame["participant"] == "José") & (frame["element"] == "When")]["answer"]
    assert when.isna().tolist() == [True, False, False] and when.iloc[1:].tolist() == [2, 2]
    assert any("cp1252" in w for w in frame.attrs["warnings"])


def test_bad_survey_cell_names_file_row_and_column():
    path = FIXTURES / "survey_broken_c4.csv"
    with pytest.raises(AssessmentFileError) as info:
        read_survey(path, framework="c4_flywheel")
    assert str(info.value).startswith(f"{path}, row 3, column 'Every item has one clear owner.': found 'Maybe'; "
                                      "expected an answer 1-5")
    frame = read_survey(path, framework="c4_flywheel", errors="warn")
    assert frame.attrs["skipped"] == [{"row": 3, "column": "Every item has one clear owner.", "value": "Maybe",
                                       "reason": "not an answer 1-5 or a known label"}]
    assert len(frame) == 23 and "c4-coor-1" not in frame[frame["participant"] == "Eli"]["statement_id"].tolist()


def test_survey_with_no_statement_columns_or_a_repeated_one_is_refused():
    head = "Timestamp,Name,Every item has one clear owner.,c4-coor-1 again\n2024-03-05 10:00,Dee,4,4\n"
    with pytest.raises(AssessmentFileError, match="columns 'Every item has one clear owner.' and 'c4-coor-1 again'"):
        read_survey(head.encode(), framework="c4_flywheel", name="dup.csv")
    with pytest.raises(AssessmentFileError, match=r"vp\.csv, the header row: found no column matching a Work Value"):
        read_survey(head.encode(), framework="value_pyramid", name="vp.csv")
    with pytest.raises(AssessmentFileError, match=r"empty\.csv, the whole file: found no content"):
        read_survey(b"", framework="c4_flywheel", name="empty.csv")


def test_survey_template_headers(tmp_path):
    path = survey_template("value_pyramid", tmp_path / "form.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").rstrip("\r\n")
    assert header.split(",")[:4] == ["Timestamp", "Name", "Team", "Our recurring activity has a clear purpose. "
                                     "(vp-acti-1)"]
    assert header.count("(vp-") == 9
    with pytest.raises(OptionError, match="already exists"):
        survey_template("value_pyramid", path)


def test_translated_bank_survey_is_matched_by_translated_text_and_labels(tmp_path):
    path = bank_template("value_pyramid", tmp_path / "vp_de.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    for item in doc["statements"]:
        item["text"] = f"Aussage {item['id'][-1]} zu {item['element']}: übersetzt."
    doc["scale"]["labels"] = {"1": "Stimme gar nicht zu", "2": "Stimme nicht zu", "3": "Teils teils",
                              "4": "Stimme zu", "5": "Stimme voll zu"}
    doc["scale"]["dont_know"] = "Weiß nicht"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    texts = [s["text"] for s in doc["statements"]]
    cells = ["Stimme voll zu", "Weiß nicht", "Teils teils", "stimme zu", "2", "Stimme gar nicht zu", "5", "4", "3"]
    csv_text = "Zeitstempel,Name," + ",".join(f"Frage [{t}]" for t in texts) + "\n2024-03-05,Jo," + ",".join(cells)
    frame = read_survey(csv_text.encode("utf-8"), framework=path, name="de.csv")
    assert [None if pd.isna(a) else int(a) for a in frame["answer"]] == [5, None, 3, 4, 2, 1, 5, 4, 3]
    assert frame.attrs["unmatched_columns"] == ["Zeitstempel"]


def test_round_trips_through_file_code_and_survey_give_identical_answers(tmp_path):
    expected = sorted(_answers(responses_frame(GROUP)))
    for response in GROUP:
        save_response(response, tmp_path / "shared")
    from_files = load_responses(tmp_path / "shared")
    from_codes = read_codes("\n".join(encode_response(r) for r in GROUP))
    survey = write_survey(GROUP, tmp_path / "survey.csv")
    assert "'=cmd|' /C calc'!A0" in survey.read_text(encoding="utf-8-sig")  # guarded in the file
    from_survey = read_survey(survey, framework="c4_flywheel")
    assert from_survey.attrs["unmatched_columns"] == []
    for frame in (from_files, from_codes, from_survey):
        assert sorted(_answers(frame)) == expected


# --- a workshop's collection ---------------------------------------------------------------------------------------

def _upload(name, data):
    """One file in the value format of ipywidgets 8's FileUpload."""
    return {"name": name, "type": "", "size": len(data), "content": memoryview(data),
            "last_modified": pd.Timestamp("2024-03-05", tz="UTC").to_pydatetime()}


def test_collection_gathers_files_codes_and_surveys_and_counts_each_response_once(tmp_path):
    from workfw.assessment import Collection

    folder = tmp_path / "responses"
    ana_file = save_response(GROUP[0], tmp_path / "elsewhere")
    collection = Collection(["c4_flywheel", "coordination_stack"], folder)
    added = collection.add_files([_upload("ana.json", ana_file.read_bytes()),
                                  _upload("ms.csv", (FIXTURES / "survey_msforms_stack.csv").read_bytes())])
    assert (added.accepted, added.duplicates, added.rejected) == (3, 0, [])
    # The code of Ana's file and the same file again are the same answers: counted once.
    again = collection.add_codes(f"Ana: {encode_response(GROUP[0])}\nZoë: {encode_response(GROUP[2])}")
    assert (again.accepted, again.duplicates) == (1, 1)
    assert collection.add_files([_upload("copy.json", ana_file.read_bytes())]).duplicates == 1
    summary = collection.summary().set_index("framework")
    assert summary["responses"].to_dict() == {"c4_flywheel": 2, "coordination_stack": 2}
    assert sorted(collection.responses["participant"].unique()) == ["Ana", "José", "Zoë", "Zoë Ünal"]
    # Everything accepted was kept in the folder: a new collection (a restarted notebook) finds it all.
    assert sorted(p.name for p in (folder / "surveys").iterdir()) == ["ms.csv"]
    assert len(list(folder.glob("*.json"))) == 2
    reread = Collection(["c4_flywheel", "coordination_stack"], folder)
    assert _answers(reread.responses) == _answers(collection.responses)


def test_collection_names_what_it_rejects_and_keeps_the_rest(tmp_path):
    from workfw.assessment import Collection

    collection = Collection(["c4_flywheel"], tmp_path)
    stack = Response("Kim", "coordination_stack", {"cs-why-1": 3})
    good = encode_response(GROUP[3])
    added = collection.add_codes(f"{good} {good[:-1]}X {encode_response(stack)}")
    assert added.accepted == 1
    reasons = [r.reason for r in added.rejected]
    assert "checksum does not match" in reasons[0]
    assert reasons[1].startswith("these are answers to Coordination Stack, which this workshop did not choose")
    files = collection.add_files([_upload("cut.json", b'{"format": "workfw-response", "vers'),
                                  _upload("broken.csv", (FIXTURES / "survey_broken_c4.csv").read_bytes()),
                                  _upload("photo.csv", bytes(range(256)) * 4)])
    sources = [r.source for r in files.rejected]
    assert sources == ["cut.json", "broken.csv row 3", "photo.csv"]
    assert "line 1, column 31: found invalid JSON" in files.rejected[0].reason
    assert files.rejected[1].reason.startswith("column 'Every item has one clear owner.': found 'Maybe'")
    assert files.rejected[2].reason.startswith("no column matches a statement of C4 Flywheel")
    # Dee and Eli from the broken survey still count; Eli without the one bad cell.
    frame = collection.responses
    assert sorted(frame["participant"].unique()) == ["=cmd|' /C calc'!A0", "Dee", "Eli"]
    assert len(frame[frame["participant"] == "Eli"]) == 11
    assert collection.add_codes("no codes in here").rejected[0].source == "pasted text"


def test_collection_keeps_an_upload_name_inside_its_folder(tmp_path):
    from workfw.assessment import Collection

    folder = tmp_path / "deep" / "responses"
    collection = Collection(["coordination_stack"], folder)
    collection.add_files([_upload("../../../evil.csv", (FIXTURES / "survey_msforms_stack.csv").read_bytes())])
    assert [p.name for p in (folder / "surveys").iterdir()] == ["evil.csv"]
    assert not (tmp_path / "evil.csv").exists()
    # A new download under the same name replaces the earlier copy: nobody is counted twice.
    collection.add_files([_upload("evil.csv", (FIXTURES / "survey_msforms_stack.csv").read_bytes())])
    assert collection.summary()["responses"].tolist() == [2]


def _save_distinct(args: tuple[str, int]) -> None:
    folder, worker = args
    for i in range(15):
        save_response(_c4(f"P{worker}-{i}", [(worker + i) % 5 + 1] * 12), folder)


def test_collection_reads_participants_saving_at_the_same_time(tmp_path):
    from workfw.assessment import Collection

    collection = Collection(["c4_flywheel"], tmp_path)
    with ThreadPoolExecutor(max_workers=6) as pool:
        # Read the folder again and again while six participants save 15 responses each.
        futures = [pool.submit(_save_distinct, (str(tmp_path), w)) for w in range(6)]
        while not all(f.done() for f in futures):
            assert collection.refresh().rejected == []  # never a half-written file
        [f.result() for f in futures]
    collection.refresh()
    frame = collection.responses
    assert frame["response"].nunique() == 90 and frame["participant"].nunique() == 90
    assert int(frame["answer"].sum()) == 12 * sum((w + i) % 5 + 1 for w in range(6) for i in range(15))
