"""Trello board JSON through wf.read_export (auto detection)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workfw as wf
from workfw.errors import EmptyExportError, ExportReadError, OptionError, UnknownFormatError
from workfw.io import FORMATS

FIXTURE = Path(__file__).parent / "fixtures" / "trello_board.json"

C1, C2, C3, C4, C5, C6 = ("57ab3d400000000000000001", "57ac8e000000000000000002", "57aa00000000000000000003",
                          "57ad00000000000000000004", "579000000000000000000005", "57a9f0000000000000000006")
TEMPLATE = "57ad00000000000000000007"


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def board() -> wf.TaskExport:
    return wf.read_export(FIXTURE)


def _task(export: wf.TaskExport, task_id: str) -> pd.Series:
    rows = export.tasks.loc[export.tasks["task_id"] == task_id]
    assert len(rows) == 1
    return rows.iloc[0]


def _write(tmp_path: Path, doc: object, name: str = "board.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path


def test_cards_become_tasks_and_template_is_rejected(board):
    assert board.report.source == "trello-json"
    assert board.tasks["task_id"].tolist() == [C1, C2, C3, C4, C5, C6]
    assert board.report.rows_read == 7
    assert board.report.rows_read == len(board.tasks) + board.report.merged + board.report.rejected
    assert (board.report.merged, board.report.rejected) == (0, 1)
    rejected = board.raw.loc[board.raw["_outcome"] == "rejected"]
    assert rejected["_row"].tolist() == [7]
    assert rejected["id"].tolist() == [TEMPLATE]
    assert rejected["_reason"].tolist() == ["template card, not a task"]
    assert board.raw["_row"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_status_is_list_name_with_categories(board):
    got = dict(zip(board.tasks["task_id"], zip(board.tasks["status"], board.tasks["status_category"])))
    assert got == {C1: ("Done", "done"), C2: ("Doing", "in_progress"), C3: ("To Do", "todo"),
                   C4: ("Old ideas", "todo"), C5: ("Done", "done"), C6: ("Review", "in_progress")}
    rules = dict(zip(board.report.status_map["status"], board.report.status_map["rule"]))
    assert rules == {"Done": "tracker default", "Doing": "tracker default", "To Do": "tracker default",
                     "Old ideas": "keyword", "Review": "keyword"}


def test_created_comes_from_the_card_id(board):
    assert _task(board, C1)["created"] == _utc("2016-08-10 14:42:08")
    assert _task(board, C5)["created"] == _utc("2016-07-20 22:49:36")
    assert str(board.tasks["created"].dtype) == "datetime64[ns, UTC]"
    note = dict(zip(board.report.field_map["column"], board.report.field_map["field"]))["id"]
    assert "Unix seconds" in note


def test_card_fields(board):
    c1, c2, c5 = _task(board, C1), _task(board, C2), _task(board, C5)
    assert c1["title"] == "Fix login redirect"
    assert c1["description"] == "Users land on a 404 after signing in."
    assert pd.isna(c2["description"])
    assert (c1["task_type"], c1["project"]) == ("Card", "Website Relaunch")
    assert c1["assignees"] == ["Ana Lima"] and c1["assignee"] == "Ana Lima"
    assert c2["assignees"] == ["Ana Lima", "Ben Okafor"]
    assert c5["assignees"] == ["Ben Okafor"]
    assert c1["labels"] == ["Bug"]
    assert c2["labels"] == ["green"]
    assert (c1["comments"], _task(board, C6)["comments"]) == (2, 4)
    assert c1["due"] == _utc("2016-08-20 12:00")
    assert c1["updated"] == _utc("2016-08-13 17:30")
    assert c1["url"] == "https://trello.com/c/AbCd1234/1-fix-login-redirect"
    progress = dict(zip(board.raw["id"], board.raw["checklist_progress"]))
    assert (progress[C1], progress[C2]) == ("3/3", "1/2")
    assert pd.isna(progress[C3])


def test_actions_become_events(board):
    ev = board.events
    assert len(ev) == 11
    c1 = ev[ev["task_id"] == C1]
    assert c1["field"].tolist() == ["created", "assignee", "status", "status", "status"]
    moves = c1[c1["field"] == "status"]
    # The action calls the list "In Progress" (its old name); events use the list's current name.
    assert list(zip(moves["old"], moves["new"])) == [("To Do", "Doing"), ("Doing", "Review"), ("Review", "Done")]
    assert moves["at"].tolist() == [_utc("2016-08-11 16:26:14.123"), _utc("2016-08-12 10:00"), _utc("2016-08-13 17:30")]
    assert c1.iloc[0][["new", "author"]].tolist() == ["To Do", "Ana Lima"]
    added = ev[(ev["task_id"] == C2) & (ev["field"] == "assignee")]
    assert added[["old", "new", "author"]].iloc[0].tolist()[1:] == ["Ben Okafor", "Ana Lima"]
    assert pd.isna(added["old"].iloc[0])
    archived = ev[ev["field"] == "archived"]
    assert archived[["task_id", "old", "new"]].values.tolist() == [[C3, "false", "true"]]
    assert any("1 history entries belong to tasks not in the table" in w for w in board.report.warnings)


def test_started_and_completed_from_history(board):
    c1, c2, c5, c6 = (_task(board, t) for t in (C1, C2, C5, C6))
    assert (c1["started"], c1["started_basis"]) == (_utc("2016-08-11 16:26:14.123"), "history")
    assert (c1["completed"], c1["completed_basis"]) == (_utc("2016-08-13 17:30"), "history")
    assert (c2["started"], c2["started_basis"]) == (_utc("2016-08-14 09:00"), "history")
    assert pd.isna(c2["completed"]) and pd.isna(c2["completed_basis"])
    # Done without any history: completion falls back to the last activity.
    assert (c5["completed"], c5["completed_basis"]) == (_utc("2016-08-01 10:00"), "inferred")
    assert pd.isna(c5["started"])
    # History starts with the card already in Doing: its real start is before the file's window.
    assert pd.isna(c6["started"]) and pd.isna(c6["started_basis"])


def test_archived_cards_keep_their_list_by_default(board):
    c3 = _task(board, C3)
    assert (c3["status"], c3["status_category"]) == ("To Do", "todo")
    warnings = board.report.warnings
    assert any(w.startswith("Archived cards: 1.") for w in warnings)
    assert any("Cards in archived lists ['Old ideas']: 1." in w for w in warnings)
    assert any("due date marked complete in a list that is not done: 1." in w for w in warnings)


@pytest.mark.parametrize("choice", ["cancelled", "done"])
def test_archived_as_places_archived_cards(choice):
    export = wf.read_export(FIXTURE, archived_as=choice)
    c3 = _task(export, C3)
    assert (c3["status"], c3["status_category"]) == ("Archived", choice)
    assert (c3["completed"], c3["completed_basis"]) == (_utc("2016-08-16 08:00"), "history")
    assert _task(export, C1)["status"] == "Done"
    assert not any(w.startswith("Archived cards:") for w in export.report.warnings)


def test_archived_as_rejects_unknown_value():
    with pytest.raises(OptionError, match="archived_as='gone'"):
        wf.read_export(FIXTURE, archived_as="gone")


def test_done_lists_name_the_done_lists():
    export = wf.read_export(FIXTURE, done_lists=["review"])
    c1, c6 = _task(export, C1), _task(export, C6)
    assert (c6["status_category"], c6["completed"], c6["completed_basis"]) == ("done", _utc("2016-08-12 11:00"), "history")
    assert c1["status_category"] == "in_progress" and pd.isna(c1["completed"])
    assert any("Lists ['Done'] look done but are not in done_lists" in w for w in export.report.warnings)


def test_done_lists_must_name_board_lists():
    with pytest.raises(OptionError, match=r"done_lists names \['shipped'\].*'Doing'"):
        wf.read_export(FIXTURE, done_lists=["Shipped"])


def test_status_map_overrides_and_drives_completion():
    export = wf.read_export(FIXTURE, status_map={"Old ideas": "cancelled"})
    c4 = _task(export, C4)
    assert c4["status_category"] == "cancelled"
    # Created straight into the cancelled list: the creation is when it closed.
    assert (c4["completed"], c4["completed_basis"]) == (_utc("2016-08-11 22:45:20"), "history")


def test_coverage_window_is_reported(board):
    notes = [w for w in board.report.warnings if "history covers" in w]
    assert len(notes) == 1
    assert "The file's 13 actions: history covers 2016-08-10 14:42 UTC onwards" in notes[0]
    assert "Cards created before that: 3" in notes[0]


def test_action_cap_warning(tmp_path):
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    card = doc["cards"][0]
    start = _utc("2016-09-01")
    doc["actions"] = [{"id": f"a{i}", "type": "commentCard", "date": f"{start + pd.Timedelta(minutes=i):%Y-%m-%dT%H:%M:%S.000Z}",
                       "data": {"card": {"id": card["id"]}, "text": "ping"}} for i in range(1000)][::-1]
    export = wf.read_export(_write(tmp_path, doc))
    notes = [w for w in export.report.warnings if "history covers" in w]
    assert notes and notes[0].startswith("Trello embeds only the newest 1,000 actions, and this file holds 1,000: "
                                         "history covers 2016-09-01 00:00 UTC onwards")
    assert "Cards created before that: 6" in notes[0]
    assert len(export.events) == 0
    assert (_task(export, C1)["completed_basis"]) == "inferred"


def test_board_without_actions(tmp_path):
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    del doc["actions"]
    export = wf.read_export(_write(tmp_path, doc))
    assert len(export.events) == 0
    assert any(w.startswith("The export has no actions") for w in export.report.warnings)
    c1 = _task(export, C1)
    assert (c1["completed"], c1["completed_basis"]) == (_utc("2016-08-13 17:30"), "inferred")
    assert export.tasks["started"].isna().all()


def test_board_without_cards_is_empty(tmp_path):
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc["cards"] = []
    with pytest.raises(EmptyExportError, match="board.json, key 'cards'"):
        wf.read_export(_write(tmp_path, doc))


def test_broken_json_names_file_and_line(tmp_path):
    text = FIXTURE.read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"cards"') + 40], encoding="utf-8")
    with pytest.raises(ExportReadError, match=r"cut\.json, line \d+, column \d+: found broken JSON") as info:
        wf.read_export(path)
    assert isinstance(info.value, wf.WorkfwError)


def test_json_that_is_not_an_export(tmp_path):
    with pytest.raises(UnknownFormatError, match="other.json"):
        wf.read_export(_write(tmp_path, {"foo": 1}, "other.json"))


def test_sniff_is_specific():
    sniff = FORMATS["trello-json"].sniff
    assert sniff({"cards": [], "lists": []})
    assert not sniff({"issues": [{"key": "ABC-1", "fields": {"summary": "x"}}], "total": 1})
    assert not sniff({"cards": {"a": 1}, "lists": []})
    assert not sniff([{"cards": [], "lists": []}])


def test_saved_export_round_trips(board, tmp_path):
    saved = board.save(tmp_path / "board")
    again = wf.read_export(saved)
    assert again.tasks["task_id"].tolist() == board.tasks["task_id"].tolist()
    assert again.raw["checklist_progress"].tolist()[:2] == ["3/3", "1/2"]
    assert len(again.events) == 11


# The card-by-card reading the bulk _flow_times replaced: the reference its answers must equal.
def _flow_times_card_by_card(card_ids: pd.Series, final: pd.Series, events: pd.DataFrame,
                category: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Per card: ``started`` and ``completed`` read from list entries (NaT when history cannot tell)."""
    started = pd.Series(pd.NaT, index=card_ids.index, dtype="datetime64[ns, UTC]")
    completed = pd.Series(pd.NaT, index=card_ids.index, dtype="datetime64[ns, UTC]")
    flow = events[events["field"].isin(["created", "status"]) & events["new"].notna()]
    per_card = {tid: g for tid, g in flow.groupby("task_id", sort=False)}
    for idx, cid in card_ids.items():
        moves = per_card.get(cid)
        if moves is None:
            continue
        cats = [category.get(n, "todo") for n in moves["new"]]
        at = list(moves["at"])
        if (moves["field"] == "created").any():
            before = "todo"
        else:
            first_old = moves["old"].iloc[0]
            before = category.get(first_old, "todo") if isinstance(first_old, str) else "todo"
        if before == "todo":
            started[idx] = next((t for t, c in zip(at, cats) if c in ("in_progress", "done")), pd.NaT)
        if final[idx] in ("done", "cancelled"):
            run_start = len(cats)
            while run_start > 0 and cats[run_start - 1] in ("done", "cancelled"):
                run_start -= 1
            # A run reaching back to the start of a cut history began before the file's window.
            if run_start < len(cats) and (run_start > 0 or before not in ("done", "cancelled")):
                completed[idx] = at[run_start]
    return started, completed


def test_flow_times_in_bulk_equal_the_card_by_card_reading() -> None:
    from workfw.io.trello import _flow_times

    rng = np.random.default_rng(11)
    names = ["Backlog", "Doing", "Review", "Done", "Dropped", "Odd list"]
    category = {"Backlog": "todo", "Doing": "in_progress", "Review": "in_progress", "Done": "done",
                "Dropped": "cancelled"}
    rows = []
    for card in range(300):
        for move in range(int(rng.integers(0, 6))):
            field = "created" if move == 0 and rng.random() < 0.4 else "status"
            old = pd.NA if field == "created" or rng.random() < 0.2 else names[int(rng.integers(0, len(names)))]
            new = pd.NA if rng.random() < 0.05 else names[int(rng.integers(0, len(names)))]
            at = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=int(rng.integers(0, 5000)))
            rows.append((f"c{card}", at, field, old, new, "ann"))
        if rng.random() < 0.1:
            rows.append((f"c{card}", pd.Timestamp("2024-06-01", tz="UTC"), "assignee", pd.NA, "bob", "ann"))
    events = pd.DataFrame(rows, columns=["task_id", "at", "field", "old", "new", "author"])
    events = events.sort_values(["task_id", "at"], kind="stable").reset_index(drop=True)
    card_ids = pd.Series([f"c{i}" for i in range(320)], index=range(5, 325), dtype="string")
    final = pd.Series(rng.choice(["todo", "in_progress", "done", "cancelled", None], 320), index=card_ids.index)
    got = _flow_times(card_ids, final, events, category)
    expected = _flow_times_card_by_card(card_ids, final, events, category)
    for g, e in zip(got, expected):
        pd.testing.assert_series_equal(g, e, check_names=False)
    assert got[0].notna().sum() > 20 and got[1].notna().sum() > 20  # the comparison covers real answers


def test_board_members_or_labels_that_are_no_list_are_named_not_a_crash() -> None:
    """Found by the property tests: a board whose 'labels' was a number stopped the import with a TypeError."""
    path = wf.sample_path("trello")
    doc = json.loads(Path(path[0] if isinstance(path, list) else path).read_text(encoding="utf-8"))
    doc["labels"], doc["members"] = 1, "x"
    export = wf.read_export(json.dumps(doc).encode(), name="board.json")
    assert len(export.tasks) == len(doc["cards"])
    named = [w for w in export.report.warnings if w.startswith("Key ")]
    assert len(named) == 2 and "'labels' holds '1'" in named[1] and "'members'" in named[0]


def test_cards_without_ids_are_rejected_rows_not_a_crash() -> None:
    # Archive times were mapped through the card ids: with none at all the map gave NaN, which is no time.
    paths = wf.sample_path("trello")
    board = json.loads(Path(paths[0] if isinstance(paths, list) else paths).read_text(encoding="utf-8"))
    board["cards"] = [{k: v for k, v in card.items() if k != "id"} for card in board["cards"]]
    export = wf.read_export(json.dumps(board).encode(), name="no_ids.json")
    assert export.tasks.empty and export.report.rejected == len(board["cards"])
    assert (export.raw["_reason"] == "no task id in this row").all()
