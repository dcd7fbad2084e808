"""People versus bots and AI agents."""
from __future__ import annotations

import pandas as pd
import pytest

from workfw.actors import actor_kind, classify_actors, is_agent
from workfw.core.diagnosis import prepare
from workfw.export import ImportReport, TaskExport
from workfw.schema import conform_events, conform_tasks


@pytest.mark.parametrize("name", [
    "dependabot[bot]", "github-actions[bot]", "devin-ai-integration[bot]", "Renovate Bot", "renovate",
    "Dependabot", "SlackBot", "GitHub Copilot", "copilot-swe-agent", "Claude", "Claude Code", "OpenAI Codex",
    "Devin", "GPT-4o", "ChatGPT", "AI Agent", "Jira Automation", "Automation for Jira", "release bot",
])
def test_agents_are_recognised(name):
    assert is_agent(name) is True


@pytest.mark.parametrize("name", [
    "Ann Lee", "Claude Monet", "Devin Smith", "Abbott Kinney", "Robotics Team", "Egypt Jones", "Reagent Lab",
    "", "   ", None, pd.NA, float("nan"),
])
def test_people_and_blanks_are_not_agents(name):
    assert is_agent(name) is False


def test_extra_names_are_agents_case_insensitively():
    assert is_agent("Jenkins CI", extra=["jenkins"]) is True
    assert is_agent("release train", extra=["Release Train"]) is True
    assert is_agent("Ann", extra=["Jenkins", None]) is False


@pytest.fixture
def export() -> TaskExport:
    tasks = conform_tasks(pd.DataFrame({
        "task_id": ["1", "2", "3", "4", "5"],
        "status": ["Done", "Done", "To Do", "To Do", "Doing"],
        "status_category": ["done", "done", "todo", "todo", "in_progress"],
        "assignee": ["Ann", "Copilot", None, "Ann", None],
        "assignees": [["Ann"], ["Copilot", "Ann"], [], ["Ann"], ["Jenkins"]],
        "created": ["2024-01-01"] * 5,
    }))
    events = conform_events(pd.DataFrame({
        "task_id": ["1", "1", "2"], "at": ["2024-01-02", "2024-01-03", "2024-01-02"], "field": ["status"] * 3,
        "old": ["To Do", "Doing", "To Do"], "new": ["Doing", "Done", "Done"],
        "author": ["Jira Automation", "Ann", "Jira Automation"],
    }))
    return TaskExport(tasks=tasks, events=events, raw=pd.DataFrame(),
                      report=ImportReport(source="test", file="t.csv", rows_read=5))


def test_classify_actors_counts_tasks_and_events(export):
    out = classify_actors(export, extra=["jenkins"])
    assert out["name"].tolist() == ["Ann", "Copilot", "Jenkins", "Jira Automation"]
    assert out["kind"].tolist() == ["person", "agent", "agent", "agent"]
    assert out["tasks"].tolist() == [3, 1, 1, 0]  # Ann: tasks 1, 2 (co-assignee) and 4
    assert out["events"].tolist() == [1, 0, 0, 2]


def test_actor_kind_is_aligned_and_na_when_unassigned(export):
    tasks = export.tasks.set_axis([10, 11, 12, 13, 14])
    kinds = actor_kind(tasks)
    assert kinds.index.tolist() == [10, 11, 12, 13, 14]
    assert kinds.tolist()[:2] == ["person", "agent"] and pd.isna(kinds.iloc[2])
    assert kinds.iloc[4] == "person"  # first of assignees stands in for an empty assignee
    assert actor_kind(tasks, extra=["Jenkins"]).iloc[4] == "agent"


def test_diagnosis_prepare_filters_by_actor_kind(export):
    agents = prepare(export, actors="agents")
    people = prepare(export, actors="people", bots=("Ann",))
    assert agents.tasks["task_id"].tolist() == ["2"]
    assert people.tasks["task_id"].tolist() == ["3", "5"]  # unassigned tasks are not agents' work
