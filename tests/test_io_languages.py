"""Exports in other languages and encodings (issue #14): dates, headers, encodings and status words."""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from babel.dates import format_datetime

import workfw as wf
from workfw.errors import OptionError
from workfw.io import status_rules
from workfw.io._jira_headers import header_translations
from workfw.io._locale import JIRA_LANGUAGES
from workfw.io._status import keyword_category

FIXTURES = Path(__file__).parent / "fixtures"
#: Languages the issue names; every language of JIRA_LANGUAGES is tested below too.
NAMED = ("pl", "ja", "zh", "ko", "cs", "hu", "fi", "sv", "tr", "it", "nl", "pt", "de", "fr", "es", "ru")
#: One stamp per month, in the morning and the evening, on days up to 28 and past 12 (day-first is decided).
STAMPS = [dt.datetime(2026, month, 13 + month, 9 + 12 * (month % 2), 4 * month) for month in range(1, 13)]


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _utc(stamp: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(stamp, tz="UTC")


def test_the_named_languages_are_all_offered() -> None:
    assert set(NAMED) <= set(JIRA_LANGUAGES)
    assert set(NAMED) <= set(header_translations())


@pytest.mark.parametrize("language", JIRA_LANGUAGES)
@pytest.mark.parametrize("pattern", ["dd/MMM/yy h:mm a", "dd/MMMM/yyyy HH:mm", "d/LLL/yy h:mm a"])
def test_jira_dates_written_with_babels_names_read_back(language: str, pattern: str) -> None:
    written = [format_datetime(s, pattern, locale=language) for s in STAMPS]
    rows = [[f"P-{i}", f"Task {i}", "To Do", text, text] for i, text in enumerate(written)]
    export = wf.read_export(_csv(["Issue key", "Summary", "Status", "Created", "Updated"], rows),
                            name=f"jira_{language}.csv")
    assert export.tasks["created"].tolist() == [_utc(s) for s in STAMPS], written
    assert export.tasks["updated"].tolist() == [_utc(s) for s in STAMPS]
    assert not any("could not be read" in w for w in export.report.warnings)


def test_polish_and_japanese_examples_of_the_issue() -> None:
    data = _csv(["Issue key", "Summary", "Status", "Created"],
                [["P-1", "a", "To Do", "25/lut/26 10:17 PM"], ["P-2", "b", "To Do", "25/2月/26 10:17 PM"],
                 ["P-3", "c", "To Do", "3/2月/26 9:05 午前"], ["P-4", "d", "To Do", "3/lis/26 9:05 AM"]])
    created = wf.read_export(data, name="jira.csv").tasks["created"].tolist()
    assert created == [pd.Timestamp("2026-02-25 22:17", tz="UTC"), pd.Timestamp("2026-02-25 22:17", tz="UTC"),
                       pd.Timestamp("2026-02-03 09:05", tz="UTC"), pd.Timestamp("2026-11-03 09:05", tz="UTC")]


def test_bulk_dates_keep_time_zone_day_order_and_row_messages() -> None:
    data = _csv(["Issue key", "Summary", "Status", "Created", "Resolved"],
                [["P-1", "a", "Done", "03/04/2024 10:00", "2024-04-05T08:00:00+02:00"],
                 ["P-2", "b", "Done", "13/04/2024 23:30", "not a date"],
                 ["P-3", "c", "To Do", "31/10/2024 02:30", ""]] +
                [[f"Q-{i}", "x", "Done", "01/05/2024 09:00", "02/05/2024 10:00"] for i in range(30)])
    export = wf.read_export(data, name="berlin.csv", tz="Europe/Berlin")
    t = export.tasks.set_index("task_id")
    assert t.loc["P-1", "created"] == pd.Timestamp("2024-04-03 08:00", tz="UTC")      # day first, CEST
    assert t.loc["P-2", "created"] == pd.Timestamp("2024-04-13 21:30", tz="UTC")
    assert t.loc["P-3", "created"] == pd.Timestamp("2024-10-31 01:30", tz="UTC")      # CET
    assert t.loc["P-1", "completed"] == pd.Timestamp("2024-04-05 06:00", tz="UTC")    # its own offset wins
    warning = next(w for w in export.report.warnings if "could not be read" in w)
    assert "'Resolved'" in warning and "row 3" in warning and "'not a date'" in warning


@pytest.mark.parametrize("language", sorted(header_translations()))
def test_localised_jira_headers_are_recognised(language: str) -> None:
    table = header_translations()[language]
    first: dict[str, str] = {}
    for translated, english in table.items():
        first.setdefault(english, translated)
    wanted = ["Issue key", "Summary", "Status", "Priority", "Assignee", "Created", "Labels", "Description"]
    headers = [first[h] for h in wanted]
    data = _csv(headers, [["K-1", "Title one", "Done", "High", "Ana", "2026-01-02 10:00", "ui", "Text"],
                          ["K-2", "Title two", "To Do", "Low", "", "2026-01-03 11:00", "", ""]])
    export = wf.read_export(data, name=f"{language}.csv")
    assert export.report.source == "jira-csv"
    t = export.tasks
    assert t["task_id"].tolist() == ["K-1", "K-2"]
    assert t["title"].tolist() == ["Title one", "Title two"]
    assert t["priority"].tolist() == ["High", "Low"]
    assert t["assignee"].tolist()[0] == "Ana" and t["labels"].tolist() == [["ui"], []]
    assert t["created"].tolist() == [pd.Timestamp("2026-01-02 10:00", tz="UTC"),
                                     pd.Timestamp("2026-01-03 11:00", tz="UTC")]
    fields = dict(zip(export.report.field_map["column"], export.report.field_map["field"]))
    assert fields[first["Summary"]] == "title" and fields[first["Status"]] == "status"


ENCODED = {
    "jira_ru_cp1251.csv": ("cp1251", "ОПС-1", "Исправить ошибку входа в систему", "Сделать", "todo",
                           pd.Timestamp("2026-01-05 09:30", tz="UTC")),
    "jira_ja_cp932.csv": ("cp932", "PRJ-2", "請求書の出力を追加する", "進行中", "in_progress",
                          pd.Timestamp("2026-02-03 12:41", tz="UTC")),
    "jira_zh_gb18030.csv": ("gb18030", "PRJ-3", "提高搜索速度", "待测试", "in_progress",
                            pd.Timestamp("2026-03-04 14:52", tz="UTC")),
    "jira_pl_iso8859_2.csv": ("iso8859_2", "PRJ-1", "Naprawić błąd logowania użytkowników", "Do zrobienia", "todo",
                              pd.Timestamp("2026-01-05 10:30", tz="UTC")),
    "jira_fr_cp1252.csv": ("cp1252", "PRJ-4", "Réécrire le résumé des notifications", "Terminé", "done",
                           pd.Timestamp("2026-04-02 17:03", tz="UTC")),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encoded_exports_are_detected_and_named_in_the_report(name: str) -> None:
    encoding, key, title, status, category, created = ENCODED[name]
    export = wf.read_export(FIXTURES / name)
    note = next(w for w in export.report.warnings if "not UTF-8" in w)
    assert f"read as {encoding} (" in note and "% sure" in note and "charset-normalizer" in note
    row = export.tasks.set_index("task_id").loc[key]
    assert (row["title"], row["status"], row["status_category"], row["created"]) == (title, status, category, created)
    assert "\ufffd" not in "".join(export.tasks["title"])


def test_large_non_utf8_file_takes_the_careful_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workfw.io as wio

    monkeypatch.setattr(wio, "_LARGE_FILE", 10)
    path = tmp_path / "ru.csv"
    path.write_bytes((FIXTURES / "jira_ru_cp1251.csv").read_bytes())
    export = wf.read_export(path)
    assert len(export.tasks) == 10 and any("read as cp1251" in w for w in export.report.warnings)


@pytest.mark.parametrize("status, category", [
    ("Ready for QA", "in_progress"), ("Ready to Deploy", "in_progress"), ("Queued for release", "in_progress"),
    ("Deployed to Staging", "in_progress"), ("Awaiting review", "in_progress"), ("Reopened", "in_progress"),
    ("Ready", "todo"), ("Ready for development", "todo"), ("Not done", "todo"), ("Deployed", "done"),
    ("Released", "done"), ("Won't do", "cancelled"),
    ("por hacer", "todo"), ("haciendo", "in_progress"), ("terminado", "done"), ("finalizado", "done"),
    ("em andamento", "in_progress"), ("concluído", "done"), ("в работе", "in_progress"), ("сделано", "done"),
    ("готово", "done"), ("Сделать", "todo"), ("Протестировано", "in_progress"), ("Можно тестировать", "in_progress"),
    ("in Arbeit", "in_progress"), ("erledigt", "done"), ("en cours", "in_progress"), ("terminé", "done"),
    ("YAPILACAK", "todo"), ("Tamamlandı", "done"), ("Työn alla", "in_progress"), ("Valmis", "done"),
    ("Att göra", "todo"), ("Pågår", "in_progress"), ("Hotovo", "done"), ("Folyamatban", "in_progress"),
    ("Da fare", "todo"), ("Gereed", "done"), ("진행 중", "in_progress"), ("完了", "done"), ("处理中", "in_progress"),
])
def test_status_words(status: str, category: str) -> None:
    assert keyword_category(status) == category


def test_jira_ready_for_qa_and_reopened_read_through_an_export() -> None:
    data = _csv(["Issue key", "Summary", "Status"], [["A-1", "a", "Ready for QA"], ["A-2", "b", "Reopened"],
                                                     ["A-3", "c", "Queued for release"], ["A-4", "d", "Done"]])
    export = wf.read_export(data, name="jira.csv")
    assert export.tasks["status_category"].tolist() == ["in_progress", "in_progress", "in_progress", "done"]


def test_spanish_trello_board_with_list_moves_gets_cycle_times() -> None:
    export = wf.read_export(FIXTURES / "trello_es_board.json")
    t = export.tasks.set_index("title")
    assert t["status_category"].astype(str).value_counts().to_dict() == {"done": 4, "in_progress": 3, "todo": 1}
    assert t.loc["Corregir el error de pago", ["started", "completed"]].tolist() == [
        pd.Timestamp("2026-03-09 12:00", tz="UTC"), pd.Timestamp("2026-03-13 12:00", tz="UTC")]
    table = export.report.status_map.set_index("status")
    assert table.loc["HACIENDO", "rule"] == "keyword (es)"
    # ZONA GRIS says nothing; it sits between HACIENDO and PRUEBAS on the board.
    assert table.loc["ZONA GRIS", ["status_category", "rule"]].tolist() == ["in_progress",
                                                                           "board order (a guess to confirm)"]
    assert any("ZONA GRIS -> in_progress" in w for w in export.report.warnings)
    cycle = wf.flow.cycle_times(export)
    assert len(cycle) == 4 and cycle["cycle_time_days"].notna().all()


def test_unplaced_statuses_get_no_category_and_most_unplaced_withholds_all() -> None:
    mapping = {"task_id": "ID", "title": "Title", "status": "Status"}
    few = _csv(["ID", "Title", "Status"], [["1", "a", "Fase A"], ["2", "b", "Done"], ["3", "c", "To Do"]])
    export = wf.read_export(few, source="generic-csv", mapping=mapping)
    cats = export.tasks["status_category"].astype(object).where(export.tasks["status_category"].notna(), None)
    assert cats.tolist() == [None, "done", "todo"]
    assert export.report.status_map.set_index("status").loc["Fase A", "rule"] == "unplaced"
    most = _csv(["ID", "Title", "Status"], [["1", "a", "Fase A"], ["2", "b", "Fase B"], ["3", "c", "Done"]])
    export = wf.read_export(most, source="generic-csv", mapping=mapping)
    assert export.tasks["status_category"].isna().all()
    assert any("2 of 3 tasks have a status no rule places" in w for w in export.report.warnings)
    signals = wf.coordination_stack.diagnose(export).signals
    needs_category = signals[signals["fields"].astype(str).str.contains("status_category")]
    assert len(needs_category) > 0 and needs_category["value"].isna().all()
    mapped = wf.read_export(most, source="generic-csv", mapping=mapping,
                            status_map={"Fase A": "todo", "Fase B": "in_progress"})
    assert mapped.tasks["status_category"].tolist() == ["todo", "in_progress", "done"]


def test_status_rules_table_can_be_read_and_overridden() -> None:
    rules = status_rules()
    assert list(rules.columns) == ["category", "language", "pattern", "note"]
    assert {"en", "es", "ru", "ja"} <= set(rules["language"])
    data = _csv(["ID", "Title", "Status"], [["1", "a", "Fase A"], ["2", "b", "Done"]])
    mine = pd.concat([pd.DataFrame([{"category": "in_progress", "language": "team", "pattern": "^fase",
                                     "note": "our stages"}]), rules], ignore_index=True)
    export = wf.read_export(data, source="generic-csv", mapping={"task_id": "ID", "status": "Status"},
                            status_rules=mine)
    assert export.tasks["status_category"].tolist() == ["in_progress", "done"]
    assert export.report.status_map.set_index("status").loc["Fase A", "rule"] == "keyword (team)"
    assert keyword_category("Fase A") is None      # only inside that read
    with pytest.raises(OptionError, match=r"status_rules, row 1: category 'finished'"):
        wf.read_export(data, source="generic-csv", mapping={"task_id": "ID", "status": "Status"},
                       status_rules=mine.assign(category=["finished"] + list(mine["category"][1:])))


def test_azure_html_table_cells_stay_apart() -> None:
    html = ("<div>Scope</div><table><tr><th>Field</th><th>Value</th></tr>"
            "<tr><td>Owner</td><td>Alice</td></tr></table>")
    data = _csv(["ID", "Work Item Type", "Title", "State", "Description"], [["1", "Task", "a", "Active", html]])
    export = wf.read_export(data, name="ado.csv")
    assert export.tasks["description"].tolist() == ["Scope\nField | Value\nOwner | Alice"]


def test_azure_state_no_rule_places_is_guessed_from_dates() -> None:
    data = _csv(["ID", "Work Item Type", "Title", "State", "Activated Date", "Closed Date"],
                [["1", "Task", "a", "Phase Omega", "2/12/2026 11:04:23 AM", "2/14/2026 10:00:00 AM"],
                 ["2", "Task", "b", "Phase Omega", "2/12/2026 11:04:23 AM", "2/15/2026 10:00:00 AM"],
                 ["3", "Task", "c", "Active", "2/13/2026 09:00:00 AM", ""]])
    export = wf.read_export(data, name="ado.csv")
    assert export.tasks["status_category"].tolist() == ["done", "done", "in_progress"]
    table = export.report.status_map.set_index("status")
    assert table.loc["Phase Omega", "rule"] == "dates of its items (a guess to confirm)"
    assert export.tasks["completed"].notna().tolist() == [True, True, False]
