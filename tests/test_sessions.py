"""Workshop sessions saved without names, read back, and compared element by element (issue #16 item 5)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workfw.assessment import (AssessmentFileError, Collection, Response, compare_figure, compare_sessions,
                               encode_response, list_sessions, load_bank, load_session, responses_frame, save_session)
from workfw.errors import OptionError

C4 = load_bank("c4_flywheel")["id"].tolist()  # 3 statements per element: Clarity, Coordination, Completion, Collab.
VP = load_bank("value_pyramid")["id"].tolist()
EVIL = "<img src=x onerror=alert(1)>"


def _c4(name: str, values: list, team: str | None = "Ops") -> Response:
    return Response(name, "c4_flywheel", {k: v for k, v in zip(C4, values) if v != "skip"},
                    "2026-09-10T09:00:00Z", team=team)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


def test_a_saved_session_reads_back_without_names(folder):
    frame = responses_frame([_c4("Ana Lopez", [4] * 12), _c4(EVIL, [None, 2, "skip"] + [5] * 9, team=None),
                             Response("Ana Lopez", "value_pyramid", dict.fromkeys(VP, 3))],
                            sources=["ana-lopez-1a2b.json", "x.json", "ana-lopez-9f9f.json"])
    path = save_session(frame, group=" Ops ", label="Q3 retro", when="2026-09-10 09:30", directory=folder)
    assert path == folder / "ops-q3-retro.json"
    text = path.read_text(encoding="utf-8")
    assert "Ana" not in text and "lopez" not in text and "img" not in text
    doc = json.loads(text)
    assert {k: doc[k] for k in ("format", "version", "group", "label", "when", "frameworks")} == {
        "format": "workfw-session", "version": 1, "group": "Ops", "label": "Q3 retro", "when": "2026-09-10T09:30:00Z",
        "frameworks": ["c4_flywheel", "value_pyramid"]}
    assert doc["answers"][0] == ["response 001", "Participant 01", "Ops", "c4_flywheel", "c4-clar-1", "Clarity", 4]
    assert [p.name for p in folder.iterdir()] == ["ops-q3-retro.json"]  # no temporary file left behind
    session = load_session("ops-q3-retro", directory=folder)
    assert (session.group, session.label, session.title) == ("Ops", "Q3 retro", "Q3 retro (2026-09-10)")
    assert session.frameworks == ("c4_flywheel", "value_pyramid")
    # The same person answering two frameworks stays one participant; answers and "don't know" are kept.
    got = session.responses
    assert got.groupby("participant")["framework"].nunique().to_dict() == {"Participant 01": 2, "Participant 02": 1}
    assert len(got) == len(frame) and got["answer"].isna().sum() == 1
    assert got["answer"].fillna(0).tolist() == frame["answer"].fillna(0).tolist()
    assert got["team"].isna().sum() == 11 + 9  # no team: the second participant's 11 answers, Ana's 9 of the pyramid


def test_compare_sessions_per_element_by_hand(folder):
    # Q3: Ana answers 2 everywhere, Ben 4; Collaboration only "don't know" -> not rated (NA, never 0).
    q3 = [_c4("Ana", [2] * 9 + [None] * 3), _c4("Ben", [4] * 9 + [None] * 3)]
    # Q4: 5, 4, 3 on Clarity; 1 on the rest; Collaboration rated 3 by one person.
    q4 = [_c4("Cy", [5] * 3 + [1] * 6 + [3] * 3), _c4("Dee", [4] * 3 + [1] * 6 + ["skip"] * 3),
          _c4("Eli", [3] * 3 + [1] * 6 + ["skip"] * 3)]
    save_session(responses_frame(q3), group="Ops", label="Q3", when="2026-09-10", directory=folder)
    save_session(responses_frame(q4), group="Ops", label="Q4", when="2026-12-03", directory=folder)
    table = compare_sessions(folder / "ops-q3.json", folder / "ops-q4.json")
    assert table.columns.tolist() == ["element", "earlier", "later", "change", "earlier_answers", "later_answers",
                                      "earlier_participants", "later_participants"]
    rows = table.set_index("element")
    # Clarity: Q3 mean 3 -> 50; Q4 mean 4 -> 75.  Coordination and Completion: 50 -> 0.
    assert rows.loc["Clarity", ["earlier", "later", "change"]].tolist() == [50.0, 75.0, 25.0]
    assert rows.loc["Completion", ["earlier", "later", "change"]].tolist() == [50.0, 0.0, -50.0]
    assert pd.isna(rows.loc["Collaboration", "earlier"]) and rows.loc["Collaboration", "later"] == 50.0
    assert pd.isna(rows.loc["Collaboration", "change"])
    assert rows["earlier_answers"].tolist() == [6, 6, 6, 0] and rows["later_answers"].tolist() == [9, 9, 9, 3]
    assert rows["earlier_participants"].tolist() == [2, 2, 2, 2] and rows["later_participants"].tolist() == [3, 3, 3, 1]
    assert table.attrs == {"framework": "c4_flywheel", "earlier": "Q3 (2026-09-10)", "later": "Q4 (2026-12-03)"}
    fig = compare_figure(table)
    assert [t.name for t in fig.data] == ["Earlier: Q3 (2026-09-10)", "Later: Q4 (2026-12-03)"]
    assert list(fig.data[0].text) == ["50", "50", "50", "n/a"] and list(fig.data[1].y) == [75.0, 0.0, 0.0, 50.0]
    assert fig.data[0].marker.color[3] == "#D9D9D9"  # not rated: grey, not a red 0


def test_sessions_of_different_frameworks_are_refused_with_both_named(folder):
    save_session(responses_frame([_c4("Ana", [3] * 12)]), group="Ops", label="Q3", when="2026-09-10",
                 directory=folder)
    later = responses_frame([Response("Ben", "value_pyramid", dict.fromkeys(VP, 4))])
    with pytest.raises(OptionError, match=r"the earlier session 'Q3 \(2026-09-10\)' has answers to C4 Flywheel, the "
                                          r"later 'later \(\)' to Work Value Pyramid; expected the same framework"):
        compare_sessions(folder / "ops-q3.json", later)
    with pytest.raises(OptionError, match=r"the later session .* has answers to Work Value Pyramid, not C4 Flywheel.*"
                                          r"Next step"):
        compare_sessions(folder / "ops-q3.json", later, framework="c4_flywheel")


@pytest.mark.parametrize("content, where, found", [
    ('{"format": "workfw-session", "version": 1, "group": "Ops"', "line 1, column", "invalid JSON"),
    ('{"format": "workfw-response", "version": 1}', "the top level", "format='workfw-response'"),
    ('{"format": "workfw-session", "version": 9}', "key 'version'", "found 9; expected 1"),
    ('{"format": "workfw-session", "version": 1, "group": "Ops", "label": "Q3", "when": "2026-09-10T00:00:00Z", '
     '"answers": [["r", "P", null, "c4_flywheel", "c4-clar-1", "Clarity", 7]]}', "answer 1", "answer 7"),
])
def test_an_unreadable_session_names_the_file_what_was_found_and_the_next_step(folder, content, where, found):
    folder.mkdir()
    (folder / "broken.json").write_text(content, encoding="utf-8")
    with pytest.raises(AssessmentFileError) as caught:
        load_session(folder / "broken.json")
    message = str(caught.value)
    assert message.startswith(str(folder / "broken.json")) and where in message and found in message
    assert "Next step:" in message
    listed = list_sessions(directory=folder)
    assert listed.empty and listed.attrs["skipped"] == [{"file": "broken.json", "reason": message}]


def test_a_missing_session_and_bad_options_say_what_to_do(folder):
    with pytest.raises(AssessmentFileError, match=r"no-such\.json, the whole path: found no such file; .*list_sess"):
        load_session(folder / "no-such.json")
    frame = responses_frame([_c4("Ana", [3] * 12)])
    with pytest.raises(OptionError, match="group=' '; expected the group's name"):
        save_session(frame, group=" ", directory=folder)
    with pytest.raises(OptionError, match="the answer table is empty"):
        save_session(frame.iloc[0:0], group="Ops", directory=folder)
    save_session(frame, "first", group="Ops", directory=folder)
    with pytest.raises(OptionError, match=r"first\.json already exists.*overwrite=True"):
        save_session(frame, "first", group="Ops", directory=folder)
    save_session(responses_frame([_c4("Ana", [5] * 12)]), "first", group="Ops", directory=folder, overwrite=True)
    assert load_session("first", directory=folder).responses["answer"].unique().tolist() == [5]


def test_list_sessions_of_one_group_oldest_first_from_a_collection(folder, tmp_path):
    collection = Collection(["c4_flywheel"], tmp_path / "responses")
    collection.add_codes(" ".join(encode_response(_c4(n, [3] * 12)) for n in ("Ana", "Ben")))
    save_session(collection, group="Ops", label="Q4", when="2026-12-03", directory=folder)
    save_session(collection, group="ops", label="Q3", when="2026-09-10", directory=folder)
    save_session(collection, group="Data", label="Q3", when="2026-09-11", directory=folder)
    listed = list_sessions(group="OPS ", directory=folder)
    assert listed[["name", "group", "label", "participants"]].values.tolist() == [
        ["ops-q3", "ops", "Q3", 2], ["ops-q4", "Ops", "Q4", 2]]
    assert list_sessions(directory=folder)["name"].tolist() == ["ops-q3", "data-q3", "ops-q4"]
    assert list_sessions(directory=tmp_path / "none").empty
