"""The sample organisation as plain Python objects, before any tracker format.

The generator fills these dataclasses; each writer renders them in one
tracker's native export format.  Times are UTC ``datetime`` values, due dates
are ``date`` values, and people are referred to by their ``key``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "ORG_NAME", "ORG_DOMAIN", "PERIOD_START", "LAST_CREATED", "EXPORT_AT", "SPRINT_DAYS", "WORKFLOW",
    "STATUS_CATEGORY", "Person", "TeamInfo", "Event", "Comment", "Item", "Organisation", "sprint_of",
]

ORG_NAME = "Kestrel Labs"
ORG_DOMAIN = "kestrel.example"
PERIOD_START = datetime(2026, 1, 5, tzinfo=timezone.utc)
#: No item is created after this moment.
LAST_CREATED = datetime(2026, 10, 30, 12, 0, tzinfo=timezone.utc)
#: The moment every sample export is taken.
EXPORT_AT = datetime(2026, 10, 30, 17, 0, tzinfo=timezone.utc)
SPRINT_DAYS = 14

#: The organisation's one workflow; each writer renames the statuses for its tracker.
WORKFLOW = ("To Do", "In Progress", "In Review", "Done", "Won't Do")
STATUS_CATEGORY = {"To Do": "todo", "In Progress": "in_progress", "In Review": "in_progress",
                   "Done": "done", "Won't Do": "cancelled"}


@dataclass(frozen=True)
class Person:
    """Someone (or some bot) who works in the trackers.

    Attributes
    ----------
    key : str
        Stable short id used inside the model.
    name : str
        Display name, for example ``"Maya Okafor"`` or ``"dependabot[bot]"``.
    email : str
        Work e-mail address.
    account_id : str
        A Jira-Cloud-like 24-hex account id.
    username : str
        Login or handle (GitHub, Trello).
    team : str
        Home team.
    is_bot : bool
        True for bots and AI agents.
    """

    key: str
    name: str
    email: str
    account_id: str
    username: str
    team: str
    is_bot: bool = False

    @property
    def first(self) -> str:
        """First name (the whole name for a bot)."""
        return self.name if self.is_bot else self.name.split(" ", 1)[0]

    @property
    def last(self) -> str:
        """Family name (empty for a bot)."""
        return "" if self.is_bot else self.name.split(" ", 1)[1]


@dataclass(frozen=True)
class TeamInfo:
    """A team: its name, tracker keys and lead."""

    name: str
    jira_key: str
    linear_key: str
    repo: str
    lead: str
    uses_sprints: bool


@dataclass(frozen=True)
class Event:
    """One change: ``field`` is ``"status"`` or ``"assignee"`` (people by key, None = unassigned)."""

    at: datetime
    field: str
    old: str | None
    new: str | None
    author: str


@dataclass(frozen=True)
class Comment:
    """One comment on an item."""

    at: datetime
    author: str
    body: str


@dataclass
class Item:
    """A goal, epic, task or sub-task, with its whole history.

    Attributes
    ----------
    uid : int
        Global creation-order number (1 = first item created in the organisation).
    team : str
        Owning team.
    number : int
        Creation-order number inside the team (the issue-key number).
    level : {"goal", "epic", "task", "subtask"}
        Place in the hierarchy.
    kind : str
        Item type: ``Initiative``, ``Epic``, ``Story``, ``Task``, ``Bug``, ``Sub-task``, ``Chore`` or ``Meeting``.
    initial_assignee : str or None
        Person key set when the item was created; later changes are events.
    events : list of Event
        Status and assignee changes after creation, oldest first.
    """

    uid: int
    team: str
    number: int
    level: str
    kind: str
    title: str
    description: str
    reporter: str
    created: datetime
    initial_assignee: str | None = None
    parent: int | None = None
    labels: list[str] = field(default_factory=list)
    priority: str | None = None
    estimate: float | None = None
    due: date | None = None
    events: list[Event] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    watchers: list[str] = field(default_factory=list)
    blocked_by: list[int] = field(default_factory=list)
    touched: list[datetime] = field(default_factory=list)

    def status_events(self) -> list[Event]:
        """Status changes, oldest first."""
        return [e for e in self.events if e.field == "status"]

    @property
    def status(self) -> str:
        """Workflow status at export time."""
        moves = self.status_events()
        return moves[-1].new if moves else "To Do"

    @property
    def category(self) -> str:
        """Canonical status category at export time."""
        return STATUS_CATEGORY[self.status]

    @property
    def assignee(self) -> str | None:
        """Person key assigned at export time."""
        current = self.initial_assignee
        for e in self.events:
            if e.field == "assignee":
                current = e.new
        return current

    @property
    def started(self) -> datetime | None:
        """First move into an in-progress status."""
        for e in self.status_events():
            if STATUS_CATEGORY[e.new] == "in_progress":
                return e.at
        return None

    @property
    def resolved(self) -> datetime | None:
        """Time of the last move into Done or Won't Do, when that is the current status."""
        moves = self.status_events()
        if moves and STATUS_CATEGORY[moves[-1].new] in ("done", "cancelled"):
            return moves[-1].at
        return None

    @property
    def category_changed(self) -> datetime:
        """Last change of status category (creation when it never changed), as Jira records it."""
        last = self.created
        for e in self.status_events():
            if STATUS_CATEGORY[e.old] != STATUS_CATEGORY[e.new]:
                last = e.at
        return last

    @property
    def updated(self) -> datetime:
        """Last change of any kind."""
        stamps = [self.created, *(e.at for e in self.events), *(c.at for c in self.comments), *self.touched]
        return max(stamps)


@dataclass
class Organisation:
    """Everything the writers need: people, teams and items in creation order."""

    people: dict[str, Person]
    teams: dict[str, TeamInfo]
    items: list[Item]

    def by_uid(self) -> dict[int, Item]:
        """Items keyed by ``uid``."""
        return {i.uid: i for i in self.items}

    def of_team(self, team: str) -> list[Item]:
        """The team's items in creation order."""
        return [i for i in self.items if i.team == team]


def sprint_of(moment: datetime) -> int:
    """Number (1-based) of the two-week sprint that contains ``moment``."""
    return int((moment - PERIOD_START) / timedelta(days=SPRINT_DAYS)) + 1
