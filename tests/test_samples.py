"""The sample organisation: deterministic files, native layouts, importable, patterns visible."""
from __future__ import annotations

import csv
import fnmatch
import io
import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import workfw.samples as samples
from workfw.errors import OptionError, SampleNotFoundError
from workfw.io import FORMATS
from workfw.samples._catalog import SAMPLES
from workfw.samples._writers import write_samples

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "samples"
EXPORT_AT = pd.Timestamp("2026-10-30 17:00", tz="UTC")
NAMES = ["jira-api", "jira", "asana", "trello", "github", "linear", "azure-devops"]

#: rows read, tasks, rejected rows (GitHub REST pull requests) and history rows per sample, as shipped.
SHIPPED = {
    "jira-api": (2524, 2524, 0), "jira": (2524, 2524, 0), "asana": (2510, 2510, 0), "trello": (2180, 2180, 0),
    "github": (2611, 2510, 101), "linear": (2471, 2510, 0), "azure-devops": (2524, 2524, 0),
}


def _need_reader(name: str) -> None:
    source = SAMPLES[name].source
    if source not in FORMATS:
        pytest.skip(f"reader {source!r} is not registered yet")


@pytest.fixture(scope="module")
def jira_api() -> pd.DataFrame:
    _need_reader("jira-api")
    return samples.load_sample().tasks


def test_list_samples_names_files_and_default():
    table = samples.list_samples()
    assert table["name"].tolist() == NAMES
    assert table.loc[table["default"], "name"].tolist() == ["jira-api"]
    assert dict(zip(table["name"], table["n_files"])) == {
        "jira-api": 1, "jira": 4, "asana": 4, "trello": 4, "github": 4, "linear": 1, "azure-devops": 1}
    assert table.set_index("name").loc["trello", "files"] == (
        "trello_platform.json, trello_growth.json, trello_support.json, trello_data.json")


def test_sample_path_single_file_and_one_file_per_team():
    assert samples.sample_path("linear") == DATA / "linear.csv"
    assert samples.sample_path() == DATA / "jira_api.json"
    assert [p.name for p in samples.sample_path("jira")] == [
        "jira_platform.csv", "jira_growth.csv", "jira_support.csv", "jira_data.csv"]


def test_unknown_sample_names_the_valid_ones():
    with pytest.raises(SampleNotFoundError, match="'jira-xml'.*'jira-api'.*'azure-devops'"):
        samples.load_sample("jira-xml")
    with pytest.raises(SampleNotFoundError, match="'nope'"):
        samples.sample_path("nope")


def test_dataframe_instead_of_a_name_explains_what_to_do():
    with pytest.raises(OptionError, match="You passed a pandas DataFrame.*wf.read_export"):
        samples.load_sample(pd.DataFrame({"a": [1]}))
    with pytest.raises(OptionError, match="found int 3"):
        samples.load_sample(3)
    with pytest.raises(OptionError, match="always read as 'linear-csv'"):
        samples.load_sample("linear", source="generic-csv")


def test_generation_is_byte_identical(tmp_path):
    written = write_samples(tmp_path, names=["linear", "azure-devops", "trello"])
    assert [p.name for p in written] == ["linear.csv", "azure_devops.csv", "trello_platform.json",
                                         "trello_growth.json", "trello_support.json", "trello_data.json"]
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), path.name
    assert not list(tmp_path.glob(".*"))  # each file was moved into place whole, no temporary file left


def test_generate_jira_csv_streams_the_rows_asked_for(tmp_path):
    target = samples.generate_jira_csv(tmp_path / "big" / "jira.csv", tasks=30)
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 31 and rows[0][-1] == "Custom field (Team)"
    assert sorted(p.name for p in target.parent.iterdir()) == ["jira.csv"]
    with pytest.raises(OptionError, match="expected a whole number of at least 1"):
        samples.generate_jira_csv(tmp_path / "none.csv", tasks=0)


def test_every_data_file_ships_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["workfw.sample_data"] == "data/samples"
    assert "workfw.sample_data" in config["packages"]
    patterns = config["package-data"]["workfw.sample_data"]
    files = sorted(p.name for p in DATA.iterdir() if p.is_file() and p.name != "__init__.py")
    catalogued = sorted(f for s in SAMPLES.values() for f in s.files)
    assert files == catalogued
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []
    assert sum((DATA / f).stat().st_size for f in files) < 20_000_000


def test_jira_csv_native_layout():
    text = (DATA / "jira_platform.csv").read_text(encoding="utf-8")
    header, first = next(csv.reader(io.StringIO(text))), None
    assert header[:5] == ["Summary", "Issue key", "Issue id", "Issue Type", "Status"]
    assert header[-5:] == ["Parent", "Parent key", "Parent summary", "Status Category", "Status Category Changed"]
    assert header.count("Labels") >= 2 and header.count("Comment") >= 2 and header.count("Sprint") >= 2
    assert header.count("Inward issue link (Blocks)") >= 1
    rows = list(csv.DictReader(io.StringIO(text)))
    first = next(r for r in rows if r["Issue key"] == "PLAT-1")
    assert (first["Summary"], first["Issue Type"], first["Created"]) == (
        "Cut deploy lead time to under one day", "Initiative", "05/Jan/26 8:38 AM")
    second = next(r for r in rows if r["Issue key"] == "PLAT-2")
    assert (second["Issue Type"], second["Parent key"], second["Parent"]) == ("Epic", "PLAT-1", first["Issue id"])
    assert all(re.fullmatch(r"\d{2}/[A-Z][a-z]{2}/\d{2} \d{1,2}:\d{2} [AP]M", r["Updated"]) for r in rows)


def test_trello_keeps_only_the_newest_1000_actions():
    board = json.loads((DATA / "trello_support.json").read_text(encoding="utf-8"))
    dates = [a["date"] for a in board["actions"]]
    assert len(dates) == 1000 and dates == sorted(dates, reverse=True)
    card = board["cards"][0]
    created = pd.Timestamp(int(card["id"][:8], 16), unit="s", tz="UTC")
    assert created == pd.Timestamp("2026-01-05 08:24:33", tz="UTC")
    assert [lst["name"] for lst in board["lists"]] == ["Inbox", "Doing", "Waiting on customer", "Done"]


def test_linear_and_azure_headers_and_dates():
    linear = (DATA / "linear.csv").read_text(encoding="utf-8").split("\n", 2)
    assert len(next(csv.reader([linear[0]]))) == 30
    assert re.search(r"Mon Jan 05 2026 08:24:33 GMT\+0000 \(GMT\)", linear[1])
    azure = (DATA / "azure_devops.csv").read_bytes()
    assert azure.startswith(b"ID,Work Item Type,Title,Assigned To,State,") and not azure.endswith(b"\n")
    # 08:24:33 UTC is 03:24:33 in New York in January; identities are "Last, First <email>".
    assert b'"Nowak, Julia <julia.nowak@kestrel.example>"' in azure and b'"1/5/2026 3:24:33 AM"' in azure


@pytest.mark.parametrize("name", NAMES)
def test_every_sample_loads_through_its_reader(name):
    _need_reader(name)
    export = samples.load_sample(name)
    report, tasks = export.report, export.tasks
    assert report.rows_read + report.synthetic == len(tasks) + report.merged + report.rejected
    assert (report.rows_read, len(tasks), report.rejected) == SHIPPED[name]
    assert tasks["task_id"].is_unique
    assert sorted(tasks["team"].dropna().unique()) == ["Data", "Growth", "Platform", "Support"]
    assert tasks["team"].notna().all()
    span = tasks["created"].max() - tasks["created"].min()
    assert span >= pd.Timedelta(days=270)
    assert tasks["created"].max() < EXPORT_AT
    assert len(tasks) >= (2100 if name == "trello" else 2400)


def test_load_sample_returns_a_fresh_copy():
    _need_reader("linear")
    first = samples.load_sample("linear")
    first.tasks.loc[0, "title"] = "changed"
    assert samples.load_sample("linear").tasks.loc[0, "title"] == "Bug report: the billing address"


def test_jira_api_history_of_one_story(jira_api):
    _need_reader("jira-api")
    export = samples.load_sample()
    story = export.tasks.set_index("task_id").loc["PLAT-3"]
    assert (story["title"], story["task_type"], story["parent_id"], story["status"]) == (
        "Split the staging environment", "Story", "PLAT-2", "Done")
    moves = export.events[(export.events["task_id"] == "PLAT-3") & (export.events["field"] == "status")]
    assert moves["new"].tolist() == ["In Progress", "In Review", "Done"]
    assert story["started"] == moves["at"].iloc[0] and story["completed"] == moves["at"].iloc[-1]


def _by_team(tasks: pd.DataFrame, values: pd.Series) -> pd.Series:
    return values.groupby(tasks["team"]).mean()


def test_designed_patterns_are_visible_in_plain_pandas(jira_api):
    t = jira_api
    open_ = t["status_category"].isin(["todo", "in_progress"])
    assigned = t.loc[open_, "assignee"].notna().groupby(t.loc[open_, "team"]).mean()
    assert assigned.idxmin() == "Growth" and assigned["Growth"] < 0.75 <= assigned.drop("Growth").min()
    no_parent = _by_team(t, t["parent_id"].isna())
    assert no_parent.idxmax() == "Support" and no_parent["Support"] > 0.8 and no_parent["Platform"] < 0.05
    stale = open_ & (t["updated"] < EXPORT_AT - pd.Timedelta(days=30))
    stale_count = stale.groupby(t["team"]).sum()
    assert stale_count.idxmax() == "Data" and stale_count["Data"] > 2 * stale_count.drop("Data").max()
    late = (t["status_category"] == "done") & (t["completed"] - t["created"] <= pd.Timedelta(hours=1))
    late_count = late.groupby(t["team"]).sum()
    assert late_count.idxmax() == "Data" and late_count["Data"] >= 100 and late_count["Platform"] == 0
    late_days = t.loc[late & (t["team"] == "Data"), "created"].dt.day_name().value_counts()
    assert late_days.index[0] == "Friday"
    done = t["status_category"] == "done"
    cycle = (t["completed"] - t["started"]).dt.total_seconds()[done].groupby(t.loc[done, "team"]).median()
    wip = (t["status_category"] == "in_progress").groupby(t["team"]).sum()
    assert cycle.idxmax() == "Platform" and wip.idxmax() == "Platform"
    words = t["description"].fillna("").str.split().str.len()
    assert _by_team(t, words >= 15).idxmax() == "Platform"
    assert _by_team(t, t["description"].fillna("").str.contains("so that")).idxmax() == "Platform"
    comments = t["comments"].astype(float).groupby(t["team"]).mean()
    assert comments.idxmax() == "Support"
    bots = {"dependabot[bot]": "Platform", "Copilot": "Growth", "Ops Bot": "Support", "Claude Agent": "Data"}
    for bot, team in bots.items():
        assert t.loc[t["assignee"] == bot, "team"].unique().tolist() == [team]
