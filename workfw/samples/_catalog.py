"""The list of shipped samples: which files, which reader, what each export can show."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workfw.samples._sheets import AZURE_TZ

__all__ = ["Sample", "SAMPLES", "DEFAULT_SAMPLE", "TEAM_ORDER"]

TEAM_ORDER = ("Platform", "Growth", "Support", "Data")
DEFAULT_SAMPLE = "jira-api"


@dataclass(frozen=True)
class Sample:
    """One shipped sample export.

    Attributes
    ----------
    name : str
        What :func:`workfw.samples.load_sample` is called with.
    tracker : str
        The tool and export it imitates.
    source : str
        The ``read_export`` format that reads it.
    files : tuple of str
        File names inside ``data/samples``.
    teams : tuple of str or None
        Per file, the team to record when the file itself names none
        (Asana, Trello and GitHub exports carry no team), else None.
    shows : str
        What this export can show, in plain words.
    options : dict
        Read options the export needs (for example the exporting user's time zone).
    """

    name: str
    tracker: str
    source: str
    files: tuple[str, ...]
    teams: tuple[str | None, ...]
    shows: str
    options: dict[str, Any] = field(default_factory=dict)


def _per_team(prefix: str, suffix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{t.lower()}.{suffix}" for t in TEAM_ORDER)


SAMPLES: dict[str, Sample] = {s.name: s for s in (
    Sample("jira-api", "Jira Cloud REST search (expand=changelog)", "jira-json", ("jira_api.json",),
           (None,), "everything: goals (Initiative) > epics > stories > sub-tasks, every status and assignee "
           "change with its time, comments, blockers, estimates, sprints, due dates"),
    Sample("jira", "Jira Cloud CSV, all fields (one export per project)", "jira-csv", _per_team("jira", "csv"),
           TEAM_ORDER, "the same hierarchy, comments, blockers, sprints and estimates; no dated history, only "
           "'Status Category Changed', 'Resolved' and the encoded '[CHART] Time in Status'"),
    Sample("asana", "Asana project CSV (one per team project)", "asana-csv", _per_team("asana", "csv"),
           TEAM_ORDER, "epics as parent tasks, board column, completion day (dates only); no goals, no history, "
           "no start time, no comments"),
    Sample("trello", "Trello board JSON (one board per team)", "trello-json", _per_team("trello", "json"),
           TEAM_ORDER, "list moves and comments from the newest 1,000 actions per board; epics and goals only as "
           "labels, sub-tasks as checklist items; dropped cards are archived",
           {"archived_as": "cancelled"}),
    Sample("github", "GitHub issues (gh issue list --json for Growth, REST for the others)", "github-json",
           _per_team("github", "json"), TEAM_ORDER,
           "open/closed with close reason, milestones as goals (their due date is the only due date), progress "
           "labels, comments; no start time or history; REST files list pull requests too"),
    Sample("linear", "Linear workspace CSV (30 columns)", "linear-csv", ("linear.csv",), (None,),
           "started/completed/canceled timestamps, projects (epics) and initiatives (goals), sub-issues, cycles; "
           "no history, no comments, no blockers"),
    Sample("azure-devops", "Azure DevOps query CSV (Agile process)", "azure-devops-csv", ("azure_devops.csv",),
           (None,), "Epic > Feature > Story > Task, activated/resolved/closed dates in the user's local time, "
           "comment counts; no history, no blockers", {"tz": AZURE_TZ}),
)}
