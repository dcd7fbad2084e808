"""Pseudonyms everywhere a name can surface (issue #11).

Every sample of every tracker and five hand-written exports (Jira CSV, Jira
JSON, GitHub JSON, Linear CSV, Asana CSV, with names in every place their
tracker puts them) are read plainly, their people's spellings are gathered
independently of :mod:`workfw.privacy` (the sample organisation's roster,
person objects in the raw JSON, the canonical people columns, each fixture's
own list), and no spelling may survive pseudonymising: not in any cell of the
tasks, history or raw rows, the import report, the loader's rejected-row
preview, any figure, finding, or the HTML and JSON report (URLs excepted).
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import plotly.offline
import pyarrow as pa
import pytest

import workfw as wf
from workfw import workspace
from workfw.flow import charts as flow_charts
from workfw.privacy.text import COMMON_WORDS
from workfw.reporting.analysis import _analyse, _to_json
from workfw.reporting.html import render
from workfw.cli import main as cli
from workfw.errors import OptionError, WorkfwError
from workfw.export import ImportReport, TaskExport
from workfw.privacy import pseudonym_map, pseudonymise
from workfw.reporting import FRAMEWORKS, diagnose_all
from workfw.samples._generator import _people
from workfw.schema import conform_events, conform_tasks
from workfw.widgets._loader import report_html as loader_html

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_FILES = Path(wf.__file__).resolve().parents[1] / "data" / "samples"
URL = re.compile(r"(?:https?|ftp)://[^\s\"'<>\\]+")
PLOTLY_JS = plotly.offline.get_plotlyjs()
PSEUDONYM = re.compile(r"(?:Person|Agent) \d{2}")

#: Each fixture and every spelling of every person in it, as its tracker writes them.
FIXTURE_PEOPLE = {
    "privacy_jira.csv": [
        "Zoe Quint", "Petra Lindqvist", "Omar Haddad", "Hugo Bright", "Ines Carvalho", "zoe.quint@shop.example",
        "hugo.bright@shop.example", "acc-petra-0001", "acc-zoe-0002", "acc-omar-0003", "acc-hugo-0004",
        "acc-ines-0005"],
    "privacy_jira.json": [
        "Dana Lee", "Eli Moss", "Fay Wong", "Gil Ortiz", "dana.lee@pay.example", "eli.moss@pay.example",
        "fay.wong@pay.example", "gil.ortiz@pay.example", "5b10a2844c20165700ede21g", "6c21b3955d31276811fef32h",
        "7d32c4a66e42387922ae043i", "8e43d5b77f53498a33bf154j"],
    "privacy_github.json": [
        "Hana Qureshi", "Ivo Petrov", "Jas Kaur", "hqureshi", "ivo-petrov", "jkaur", "MDQ6VXNlcjU4MzIzMQ==",
        "MDQ6VXNlcjU4MzIzMg==", "MDQ6VXNlcjU4MzIzMw=="],
    "privacy_linear.csv": [
        "Ana Silva", "Ben Okoro", "Dave Kim", "ana.silva@example.com", "ben@example.com", "dave.kim@example.com",
        "carla.mendes@example.com"],
    "privacy_asana.csv": [
        "Kim Novak", "Luca Romano", "Mira Shah", "Nils Berg", "kim.novak@studio.example", "mira.shah@studio.example"],
}
#: Keys of JSON cells and raw columns that hold free text (titles, descriptions, comment bodies).
FREE_TEXT_KEYS = {"body", "description", "text"}
FREE_TEXT_FIELDS = ("title", "description")


@pytest.fixture(autouse=True)
def _workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WORKFW_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


# ------------------------------------------------------------------------------------------ gathering spellings

def _json_people(value: Any, out: set[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _json_people(item, out)
    elif isinstance(value, dict):
        if {"displayName", "emailAddress", "accountId", "login", "fullName", "username"} & set(value):
            for key in ("displayName", "emailAddress", "accountId", "login", "name", "fullName", "username", "id"):
                if isinstance(value.get(key), (str, int)) and not isinstance(value.get(key), bool):
                    out.add(str(value[key]))
        if value.get("field") == "assignee":
            out.update(str(value[k]) for k in ("from", "to", "fromString", "toString") if value.get(k))
        for item in value.values():
            _json_people(item, out)


def _spellings(export: TaskExport, extra: Iterable[str] = ()) -> set[str]:
    """People's spellings in a plain import: canonical columns, raw person objects, plus ``extra``."""
    found = set(extra)
    tasks, events = export.tasks, export.events
    found.update(tasks["assignee"].dropna())
    found.update(tasks["reporter"].dropna())
    found.update(name for names in tasks["assignees"] for name in names)
    if len(events):
        found.update(events["author"].dropna())
        moves = events[events["field"] == "assignee"]
        found.update(moves["old"].dropna())
        found.update(moves["new"].dropna())
    for col in export.raw.columns:
        for cell in export.raw[col].dropna().unique():
            if isinstance(cell, str) and cell.startswith(("[", "{")) and ("login" in cell or "accountId" in cell):
                _json_people(json.loads(cell), found)
    return {s.strip() for s in map(str, found) if len(s.strip()) >= 3 and not s.strip().isdigit()}


def _roster() -> set[str]:
    """Every spelling of the sample organisation's people, and the Trello boards' member ids and handles."""
    out: set[str] = set()
    for person in _people().values():
        out |= {person.name, person.email, person.username, person.account_id}
    for path in SAMPLE_FILES.glob("trello_*.json"):
        for member in json.loads(path.read_text(encoding="utf-8"))["members"]:
            out |= {member["fullName"], member["username"], member["id"]}
    return out


class _Names:
    """Spellings to look for: case-insensitive, as whole words; single names as written."""

    def __init__(self, spellings: Iterable[str], *, tokens: bool = False) -> None:
        self.spellings = sorted({s.casefold() for s in spellings if len(s) >= 3})
        self.tokens = sorted({w for s in spellings if " " in s and "@" not in s for w in s.split()
                              if len(w) >= 3 and w.casefold() not in COMMON_WORDS}) if tokens else []

    def find(self, text: str) -> set[str]:
        # A substring test first (in C), the word-boundary regex only for the few candidates.
        low = text.casefold()
        out = {m.group() for s in self.spellings if s in low
               for m in re.finditer(r"(?<![\w.-])" + re.escape(s) + r"(?![\w-])", text, re.IGNORECASE)}
        return out | {t for t in self.tokens if t in text and re.search(r"\b" + re.escape(t) + r"\b", text)}


def _decoded(text: str) -> str:
    """Text as a reader sees it: HTML entities and JSON \\u escapes decoded, URLs and plotly.js removed."""
    text = text.replace(PLOTLY_JS, "")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return URL.sub(" ", html.unescape(text))


def _strip_free_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_free_text(v) for k, v in value.items() if k not in FREE_TEXT_KEYS}
    if isinstance(value, list):
        return [_strip_free_text(v) for v in value]
    return value


def _cell_texts(export: TaskExport, *, free_text: bool = True) -> Iterable[tuple[str, str]]:
    """``(where, text)``: per column of tasks, events and raw rows, its distinct cells, one per line."""
    fields = dict(zip(export.report.field_map["column"], export.report.field_map["field"]))
    for name, frame in (("tasks", export.tasks), ("events", export.events), ("raw", export.raw)):
        for col in frame.columns:
            free = (col in FREE_TEXT_FIELDS if name == "tasks"
                    else name == "raw" and str(fields.get(col, "")).split(" ")[0] in FREE_TEXT_FIELDS)
            if free and not free_text:
                continue
            cells = dict.fromkeys(" | ".join(map(str, c)) if isinstance(c, (list, np.ndarray)) else str(c)
                                  for c in frame[col].dropna().tolist())
            if not free_text:
                cells = [json.dumps(_strip_free_text(json.loads(t)), ensure_ascii=False)
                         if t.startswith(("[{", "{")) else ";".join(t.split(";")[:2]) if col.startswith("Comment")
                         else t for t in cells]  # Jira comments: date;accountId;text
            yield f"{name}.{col}", "\n".join(cells)


def _leaks(texts: Iterable[tuple[str, str]], names: _Names) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for where, text in texts:
        if found := names.find(_decoded(text)):
            out.setdefault(where, set()).update(found)
    return out


def _analysis_texts(export: TaskExport, *, text: bool) -> Iterable[tuple[str, str]]:
    """The report's HTML and JSON, every framework figure and findings table, every flow chart."""
    analysis = _analyse(export, assessment=None, pseudonymise=True, pseudonymise_text=text,
                        frameworks=tuple(FRAMEWORKS), as_of=None, progress=None, options={},
                        extra_steps=["flow charts"])
    for name, diag in analysis.diagnoses.items():
        yield f"{name}.figure", diag.figure().to_json()
        yield f"{name}.findings", diag.findings.to_json()
    flow = analysis.flow
    for chart in (flow_charts.cycle_time_scatter(flow["cycle"]), flow_charts.aging_wip_chart(flow["aging"]),
                  flow_charts.throughput_chart(flow["throughput"]), flow_charts.cumulative_flow_chart(flow["cfd"]),
                  flow_charts.forecast_chart(flow["forecast"])):
        yield "flow chart", chart.to_json()
    yield "report.html", render(analysis)
    yield "report.json", json.dumps(_to_json(analysis), ensure_ascii=False)


def _all_texts(hidden: TaskExport, *, free_text: bool = True) -> Iterable[tuple[str, str]]:
    yield from _cell_texts(hidden, free_text=free_text)
    yield "report", json.dumps(hidden.report.to_dict(), ensure_ascii=False)
    yield "loader preview", loader_html(hidden)


# ------------------------------------------------------------------------------------------ every sample

SAMPLES = list(wf.list_samples()["name"])


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_keeps_no_real_name_anywhere(name):
    export = wf.load_sample(name)
    names = _Names(_spellings(export, _roster()))
    assert names.find("\n".join(export.tasks["assignee"].dropna()))  # the plain import shows them
    hidden = pseudonymise(export)
    assert _leaks(_all_texts(hidden), names) == {}
    assert _leaks(_analysis_texts(export, text=False), names) == {}
    assert set(hidden.tasks["assignee"].dropna()) <= set(pseudonym_map(export).values())
    assert hidden.tasks["assignee"].dropna().str.fullmatch(r"(?:Person|Agent) \d{2}").all()


def test_every_sample_file_is_covered():
    files = {f for fs in wf.list_samples()["files"] for f in fs.split(", ")}
    assert files == {p.name for p in SAMPLE_FILES.iterdir() if p.suffix in (".csv", ".json")}


# ------------------------------------------------------------------------------------------ hand-written exports

@pytest.mark.parametrize("fixture", sorted(FIXTURE_PEOPLE))
def test_fixture_keeps_no_spelling_outside_free_text(fixture):
    export = wf.read_export(FIXTURES / fixture)
    listed = FIXTURE_PEOPLE[fixture]
    names = _Names(_spellings(export, listed))
    plain = _leaks(_cell_texts(export), names)
    assert {m.casefold() for ms in plain.values() for m in ms} >= {s.casefold() for s in listed}
    hidden = pseudonymise(export)
    assert _leaks(_all_texts(hidden, free_text=False), names) == {}
    assert _leaks(_analysis_texts(export, text=False), names) == {}


@pytest.mark.parametrize("fixture", sorted(FIXTURE_PEOPLE))
def test_fixture_in_text_keeps_no_name_even_in_free_text(fixture):
    export = wf.read_export(FIXTURES / fixture)
    names = _Names(_spellings(export, FIXTURE_PEOPLE[fixture]), tokens=True)
    hidden = pseudonymise(export, in_text=True)
    assert _leaks(_all_texts(hidden), names) == {}
    assert _leaks(_analysis_texts(export, text=True), names) == {}


def test_jira_csv_people_columns_and_comment_authors_are_replaced():
    export = wf.read_export(FIXTURES / "privacy_jira.csv")
    names = pseudonym_map(export, salt="s")
    raw = pseudonymise(export, salt="s").raw
    zoe, hugo, ines, petra = (names[n] for n in ("Zoe Quint", "Hugo Bright", "Ines Carvalho", "Petra Lindqvist"))
    first = raw.iloc[0]
    assert (first["Project lead"], first["Project lead id"], first["Watchers (2)"], first["Assignee Id"]) == (
        petra, petra, zoe, zoe)
    assert first["Custom field (Reviewers)"] == f"{hugo}, {ines}"
    assert first["Comment"] == f"03/Jan/24 10:00 AM;{hugo};Looks good to me, Hugo"
    assert first["Custom field (Lead time)"] == "Short"  # a 'lead' header that holds no people
    assert first["Description"].startswith("Zoe Quint leads this; ask Zoe or " + zoe)  # only the address
    rejected = raw[raw["_outcome"] == "rejected"].iloc[0]
    assert (rejected["Assignee"], rejected["Reporter"]) == (ines, hugo)
    assert raw.dtypes.equals(export.raw.dtypes)


def test_spellings_of_one_person_share_one_pseudonym():
    cases = {
        "privacy_jira.json": [("Dana Lee", "dana.lee@pay.example", "5b10a2844c20165700ede21g")],
        "privacy_github.json": [("Hana Qureshi", "hqureshi", "MDQ6VXNlcjU4MzIzMQ==")],
        "privacy_linear.csv": [("Ana Silva", "ana.silva@example.com"), ("Ben Okoro", "ben@example.com")],
        "privacy_asana.csv": [("Kim Novak", "kim.novak@studio.example")],
        "privacy_jira.csv": [("Zoe Quint", "acc-zoe-0002", "zoe.quint@shop.example")],
    }
    for fixture, people in cases.items():
        names = pseudonym_map(wf.read_export(FIXTURES / fixture), salt="s")
        for spellings in people:
            assert len({names[s] for s in spellings}) == 1, (fixture, spellings)
        assert len({names[p[0]] for p in people}) == len(people)
    azure = pseudonym_map(wf.load_sample("azure-devops"), salt="s")
    assert azure["Okafor, Maya <maya.okafor@kestrel.example>"] == azure["Maya Okafor"] == azure[
        "maya.okafor@kestrel.example"]


def test_history_changes_and_json_authors_are_replaced():
    export = wf.read_export(FIXTURES / "privacy_jira.json")
    names = pseudonym_map(export, salt="s")
    hidden = pseudonymise(export, salt="s")
    move = hidden.events[hidden.events["field"] == "assignee"].iloc[0]
    assert (move["old"], move["new"], move["author"]) == (names["Gil Ortiz"], names["Dana Lee"], names["Eli Moss"])
    item = json.loads(hidden.raw["changelog"].iloc[0])["histories"][0]["items"][0]
    assert (item["from"], item["fromString"], item["to"]) == (names["Gil Ortiz"],) * 2 + (names["Dana Lee"],)
    comment = json.loads(hidden.raw["comment"].iloc[0])["comments"][0]
    assert comment["body"] == f"Looks fine, [~{names['Dana Lee']}] please merge."  # a mention is an account
    picker = json.loads(hidden.raw["customfield_10050"].iloc[0])
    assert picker == {"accountId": names["Gil Ortiz"], "displayName": names["Gil Ortiz"],
                      "emailAddress": names["Gil Ortiz"]}


# ------------------------------------------------------------------------------------------ salts and numbering

def test_pseudonyms_are_stable_for_a_salt_and_differ_across_salts():
    export = wf.load_sample("jira")
    first, again = pseudonym_map(export, salt="one"), pseudonym_map(export, salt="one")
    other = pseudonym_map(export, salt=b"two")
    assert first == again
    assert first != other and set(first) == set(other)
    people = sorted(p.name for p in _people().values() if not p.is_bot)
    assert [first[p] for p in people] != [f"Person {i:02d}" for i in range(1, len(people) + 1)]
    assert sorted(first[p] for p in people) == [f"Person {i:02d}" for i in range(1, len(people) + 1)]
    assert {first[n] for n in ("Copilot", "Ops Bot", "Claude Agent", "dependabot[bot]")} == {
        "Agent 01", "Agent 02", "Agent 03", "Agent 04"}


def test_numbering_does_not_follow_alphabetical_order_for_any_of_several_salts():
    export = wf.read_export(FIXTURES / "privacy_jira.csv")
    people = sorted(["Zoe Quint", "Petra Lindqvist", "Omar Haddad", "Hugo Bright", "Ines Carvalho"])
    orders = {tuple(pseudonym_map(export, salt=f"salt-{i}")[p] for p in people) for i in range(6)}
    assert len(orders) > 1
    alphabetical = tuple(f"Person {i:02d}" for i in range(1, 6))
    assert sum(order == alphabetical for order in orders) <= 1


def test_workspace_salt_is_made_once_and_used_by_default(_workspace):
    export = wf.read_export(FIXTURES / "privacy_linear.csv")
    salt = workspace.pseudonym_salt()
    assert len(salt) == 32 and (_workspace / "pseudonym_salt").read_text().strip() == salt.hex()
    assert workspace.pseudonym_salt() == salt
    assert pseudonym_map(export) == pseudonym_map(export, salt=salt)
    workspace.clear()
    assert workspace.pseudonym_salt() == salt
    assert not list(_workspace.glob("*.tmp"))


def test_damaged_salt_file_names_the_fix(_workspace):
    _workspace.mkdir(parents=True)
    (_workspace / "pseudonym_salt").write_text("not hex")
    with pytest.raises(WorkfwError, match="pseudonym_salt.*expected 64 hex digits.*delete the file"):
        workspace.pseudonym_salt()


def _salt_hex(_: int) -> str:
    from workfw.privacy import pseudonym_salt

    return pseudonym_salt().hex()


def test_notebooks_starting_at_once_share_one_private_salt(_workspace):
    import multiprocessing
    import os

    from workfw import files, privacy

    # The salt lives below the workspace (privacy may not import it) and stays reachable from there.
    assert workspace.pseudonym_salt is privacy.pseudonym_salt and workspace.workspace_dir is files.workspace_dir
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(4) as pool:
        salts = pool.map(_salt_hex, range(12))
    assert len(set(salts)) == 1 and (_workspace / "pseudonym_salt").read_text().strip() == salts[0]
    assert not [p.name for p in _workspace.iterdir() if p.name.startswith(".")]  # no temporary files left
    if os.name == "posix":
        assert (_workspace / "pseudonym_salt").stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_salt_of_the_wrong_type_is_refused():
    with pytest.raises(OptionError, match="salt is a int; expected None"):
        pseudonymise(wf.read_export(FIXTURES / "privacy_asana.csv"), salt=7)


# ------------------------------------------------------------------------------------------ behaviour

def _typed_export() -> TaskExport:
    """Three tasks whose raw rows hold people in columns of every dtype."""
    tasks = conform_tasks(pd.DataFrame({
        "task_id": ["T1", "T2", "T3"], "title": ["Grant access for Oliver", "Ask Ann Lee", "Plain"],
        "assignee": ["Oliver Grant", "Ann Lee", None], "reporter": ["Ann Lee", "Ann Lee", "Bot Helper"],
        "assignees": [["Oliver Grant"], ["Ann Lee", "Oliver Grant"], []]}))
    raw = pd.DataFrame({
        "Owner": pd.Series(["Oliver Grant", "Ann Lee", None], dtype=pd.ArrowDtype(pa.string())),
        "Lead": pd.Series(["Ann Lee", "Ann Lee", "Oliver Grant"], dtype="category"),
        "Helpers": pd.Series([["Ann Lee"], ["Oliver Grant", "x"], []], dtype=object),
        "Note": pd.Series(["ann.lee@corp.example wrote", None, "n/a"], dtype="string[python]"),
        "Meta": pd.Series([{"login": "olig", "name": "Oliver Grant"}, None, 3], dtype=object),
        "Count": [1, 2, 3], "task_id": ["T1", "T2", "T3"], "_row": [2, 3, 4]})
    events = conform_events(pd.DataFrame({"task_id": ["T1"], "at": [pd.Timestamp("2024-01-02", tz="UTC")],
                                          "field": ["assignee"], "old": ["Ann Lee"], "new": ["Oliver Grant"],
                                          "author": ["Ann Lee"]}))
    report = ImportReport(source="generic-csv", file="t.csv", rows_read=3,
                          warnings=["Column 'Owner': 'Ann Lee' looks like a person; mail ann.lee@corp.example."])
    return TaskExport(tasks=tasks, events=events, raw=raw, report=report)


def test_every_dtype_keeps_its_type_and_loses_its_names():
    export = _typed_export()
    before = (export.tasks.copy(deep=True), export.raw.copy(deep=True), list(export.report.warnings))
    names = pseudonym_map(export, salt="s")
    ann, oli = names["Ann Lee"], names["Oliver Grant"]
    hidden = pseudonymise(export, salt="s")
    raw = hidden.raw
    assert raw.dtypes.astype(str).tolist() == export.raw.dtypes.astype(str).tolist()
    assert raw["Owner"].tolist()[:2] == [oli, ann] and raw["Lead"].tolist() == [ann, ann, oli]
    assert raw["Helpers"].tolist() == [[ann], [oli, "x"], []]
    assert raw["Note"].iloc[0] == f"{ann} wrote"
    assert raw["Meta"].iloc[0] == {"login": oli, "name": oli} and raw["Meta"].iloc[2] == 3
    assert hidden.tasks["assignees"].tolist() == [[oli], [ann, oli], []]
    assert hidden.report.warnings == [f"Column 'Owner': '{ann}' looks like a person; mail {ann}."]
    assert names["Bot Helper"] == "Agent 01" and names["olig"] == oli
    # the input is untouched
    assert export.tasks.equals(before[0]) and export.raw.equals(before[1])
    assert export.report.warnings == before[2]


def test_in_text_replaces_names_in_titles_but_not_everyday_words():
    export = _typed_export()
    names = pseudonym_map(export, salt="s")
    plain = pseudonymise(export, salt="s")
    assert plain.tasks["title"].tolist() == ["Grant access for Oliver", "Ask Ann Lee", "Plain"]
    texted = pseudonymise(export, salt="s", in_text=True)
    assert texted.tasks["title"].tolist() == [f"Grant access for {names['Oliver Grant']}",
                                              f"Ask {names['Ann Lee']}", "Plain"]


def test_pseudonymising_changes_no_measurement():
    export = wf.load_sample("jira-api")
    plain, hidden = diagnose_all(export), diagnose_all(pseudonymise(export, in_text=True))
    for name, diag in plain.items():
        columns = ["element", "signal", "value", "score", "n"]
        assert diag.signals[columns].reset_index(drop=True).equals(
            hidden[name].signals[columns].reset_index(drop=True)), name


def test_pseudonymising_twice_changes_nothing_more():
    export = wf.read_export(FIXTURES / "privacy_jira.json")
    once = pseudonymise(export, salt="s")
    twice = pseudonymise(once, salt="other")
    assert twice.tasks.equals(once.tasks) and twice.raw.equals(once.raw) and twice.events.equals(once.events)


# ------------------------------------------------------------------------------------------ where users switch it on

def test_cli_pseudonymise_text_hides_names_in_titles_too():
    import io

    out, err = io.StringIO(), io.StringIO()
    code = cli(["report", str(FIXTURES / "privacy_github.json"), "--json", "-o", "-", "--pseudonymise-text", "-q"],
               stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    data = json.loads(out.getvalue())
    assert data["pseudonymised"] is True and data["pseudonymised_text"] is True
    text = _decoded(out.getvalue())
    assert not any(s.casefold() in text.casefold() for s in FIXTURE_PEOPLE["privacy_github.json"])


def test_loader_switches_save_settings_and_hide_rejected_rows(_workspace):
    from workfw import widgets as ww

    path = FIXTURES / "privacy_jira.csv"
    loader = ww.DataLoader(path=str(path))
    shown = "".join(o.get("data", {}).get("text/html", "") for o in loader.report_out.outputs)
    assert "Ines Carvalho" in shown  # the rejected row's assignee, shown while the switch is off
    loader.pseudonymise.value = True
    loader.pseudonymise_text.value = True
    assert workspace.settings()["pseudonymise"] is True and workspace.settings()["pseudonymise_text"] is True
    shown = "".join(o.get("data", {}).get("text/html", "") for o in loader.report_out.outputs)
    assert "Ines Carvalho" not in shown and "Hugo Bright" not in shown and PSEUDONYM.search(shown)
    current = workspace.current(str(path))
    assert current.raw["Description"].iloc[0].startswith(pseudonym_map(loader.export)["Zoe Quint"])
    assert current.tasks.equals(loader.shown.tasks)
