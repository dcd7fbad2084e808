"""Generate the sample organisation: four teams, goals, epics, tasks and their histories.

:func:`generate_organisation` is a pure function of the seed: it reads no
clock and iterates only over lists and insertion-ordered dicts, so every run
builds the same organisation and the writers produce the same bytes.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import numpy as np

from workfw.samples import _text
from workfw.samples._model import (
    EXPORT_AT, LAST_CREATED, ORG_DOMAIN, PERIOD_START, Comment, Event, Item,
    Organisation, Person, TeamInfo,
)
from workfw.samples._profiles import PROFILES, SEED, TeamProfile

__all__ = ["generate_organisation", "TEAMS"]

TEAMS: dict[str, TeamInfo] = {
    "Platform": TeamInfo("Platform", "PLAT", "PLT", "kestrel/platform", "maya-okafor", True),
    "Growth": TeamInfo("Growth", "GROW", "GRO", "kestrel/growth", "daniel-reyes", True),
    "Support": TeamInfo("Support", "SUP", "SUP", "kestrel/support", "grace-whitfield", False),
    "Data": TeamInfo("Data", "DATA", "DAT", "kestrel/data", "elena-petrova", True),
}
_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
_POINTS = (1, 2, 3, 5, 8, 13)


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower().replace("'", "")).strip("-").replace("--", "-")


def _hex_id(text: str, length: int = 24) -> str:
    # Derived from the name, not the random stream, so adding a person does not shift every other draw.
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _people() -> dict[str, Person]:
    people: dict[str, Person] = {}
    for team, names in _text.PEOPLE.items():
        for name in names:
            key = _slug(name)
            ascii_name = name.replace("é", "e").replace("á", "a").replace("'", "")
            email = ascii_name.lower().replace(" ", ".") + "@" + ORG_DOMAIN
            people[key] = Person(key, name, email, _hex_id(name), key, team)
    for name, username, team in _text.BOTS:
        key = _slug(username)
        people[key] = Person(key, name, f"{_slug(username)}@{ORG_DOMAIN}", _hex_id(name), username, team, True)
    return people


class _Builder:
    """Holds the random stream and the items while one organisation is built."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.people = _people()
        self.items: list[Item] = []
        # Generation-time links by list position; turned into uids once creation order is known.
        self.parent_pos: dict[int, int] = {}
        self.blocker_pos: dict[int, list[int]] = {}
        self.titles: dict[str, set[str]] = {}

    # -- time helpers -------------------------------------------------------------------------------
    def work_time(self, moment: datetime) -> datetime:
        """Move a moment into working hours (weekday, 08:00-18:59 UTC), keeping it no earlier."""
        t = moment.replace(microsecond=0)
        if t.hour >= 19:
            t = (t + _DAY).replace(hour=8, minute=int(self.rng.integers(0, 60)))
        elif t.hour < 8:
            t = t.replace(hour=8, minute=int(self.rng.integers(0, 60)))
        while t.weekday() >= 5:
            t = (t + _DAY).replace(hour=8 + int(self.rng.integers(0, 3)), minute=int(self.rng.integers(0, 60)))
        return t

    def random_moment(self, start: datetime, end: datetime) -> datetime:
        span = max((end - start).total_seconds(), 60.0)
        return self.work_time(start + timedelta(seconds=float(self.rng.uniform(0, span))))

    def choose(self, options: list[str] | tuple[str, ...], weights: tuple[float, ...] | None = None) -> str:
        p = None if weights is None else np.asarray(weights) / np.sum(weights)
        return options[int(self.rng.choice(len(options), p=p))]

    def team_people(self, team: str, *, bots: bool = False) -> list[str]:
        return [p.key for p in self.people.values() if p.team == team and p.is_bot == bots]

    def unique_title(self, team: str, title: str, created: datetime) -> str:
        """Return ``title``, told apart from earlier items of the team the way people do it.

        Asana and the GitHub task lists name parents and blockers by title, so
        titles must not repeat inside a team.
        """
        used = self.titles.setdefault(team, set())
        candidate = title
        if title in used:
            candidate = f"{title} ({created:%b %d})"
        n = 2
        while candidate in used:
            candidate, n = f"{title} ({created:%b %d} #{n})", n + 1
        used.add(candidate)
        return candidate

    def add(self, item: Item, parent_pos: int | None = None) -> int:
        self.items.append(item)
        pos = len(self.items) - 1
        if parent_pos is not None:
            self.parent_pos[pos] = parent_pos
        return pos

    # -- status paths -------------------------------------------------------------------------------
    def follow(self, item: Item, path: list[tuple[datetime, str]], author: str | None) -> None:
        """Append status changes that happened before the export, in order, one minute apart at least."""
        current, last = "To Do", item.created
        for at, status in path:
            at = max(self.work_time(at), last + timedelta(minutes=1))
            if at > EXPORT_AT:
                break
            who = author or item.reporter
            item.events.append(Event(at, "status", current, status, who))
            current, last = status, at

    def assign(self, item: Item, at: datetime, who: str | None) -> None:
        old = item.assignee
        if old != who and at <= EXPORT_AT:
            actor = who if who and not self.people[who].is_bot else item.reporter
            item.events.append(Event(at, "assignee", old, who, actor))
            item.events.sort(key=lambda e: e.at)


def _quarter_start(quarter: int) -> datetime:
    return datetime(2026, 3 * (quarter - 1) + 1, 1, tzinfo=timezone.utc)


def _goals_and_epics(b: _Builder, team: str) -> tuple[list[int], list[tuple[int, datetime, datetime]]]:
    lead = TEAMS[team].lead
    goals: list[tuple[int, int]] = []
    for quarter, title in _text.GOALS[team]:
        created = b.work_time(max(PERIOD_START, _quarter_start(quarter) - timedelta(days=float(b.rng.uniform(3, 10)))))
        goal = Item(0, team, 0, "goal", "Initiative", title, _text.goal_description(team, title), lead, created,
                    initial_assignee=lead, labels=[f"okr-2026-q{quarter}"],
                    priority="Highest" if team == "Platform" else None)
        goals.append((quarter, b.add(goal)))
    epics = []
    names = _text.EPICS[team]
    starts = np.linspace(0, 268, len(names)) + b.rng.uniform(-6, 6, len(names))
    for name, offset in zip(names, starts):
        start = PERIOD_START + timedelta(days=float(max(offset, 1.0)))
        end = start + timedelta(days=float(b.rng.uniform(45, 100)))
        quarter = (start.month - 1) // 3 + 1
        goal_pos = min(goals, key=lambda g: abs(g[0] - quarter))[1] if goals else None
        goal_title = b.items[goal_pos].title if goal_pos is not None else None
        created = b.work_time(max(PERIOD_START, start - timedelta(days=float(b.rng.uniform(1, 7)))))
        if goal_pos is not None:  # a goal is written down before the epics that serve it
            created = max(created, b.items[goal_pos].created + timedelta(minutes=float(b.rng.uniform(20, 90))))
        epic = Item(0, team, 0, "epic", "Epic", name, _text.epic_description(team, name, goal_title, b.rng),
                    lead, created, initial_assignee=lead,
                    priority="High" if team == "Platform" else None)
        epics.append((b.add(epic, goal_pos), start, end))
    return [g[1] for g in goals], epics


def _creation_times(b: _Builder, team: str, p: TeamProfile) -> list[tuple[datetime, bool]]:
    """Creation moments of the team's tasks; True marks work logged after the fact."""
    n_late = int(round(p.n_tasks * p.late_share))
    span = (LAST_CREATED - PERIOD_START).total_seconds()
    times = [(b.random_moment(PERIOD_START + timedelta(seconds=float(s)), PERIOD_START + timedelta(seconds=float(s) + 60)),
              False) for s in np.sort(b.rng.uniform(0, span, p.n_tasks - n_late))]
    times = [(min(t, LAST_CREATED), late) for t, late in times]
    if team == "Data":
        fridays = [PERIOD_START + timedelta(days=4 + 7 * w) for w in range(42)]
        chosen = sorted(b.rng.choice(len(fridays), size=min(len(fridays), max(1, n_late // 7)), replace=False))
        per = np.diff(np.linspace(0, n_late, len(chosen) + 1).round().astype(int))
        for idx, count in zip(chosen, per):
            at = fridays[int(idx)].replace(hour=15, minute=int(b.rng.integers(0, 50)))
            for _ in range(int(count)):
                at += timedelta(minutes=float(b.rng.uniform(1, 6)))
                times.append((at.replace(microsecond=0), True))
    else:
        times += [(b.random_moment(PERIOD_START, LAST_CREATED), True) for _ in range(n_late)]
    return sorted(times, key=lambda x: x[0])


def _task(b: _Builder, team: str, p: TeamProfile, created: datetime, late: bool,
          epics: list[tuple[int, datetime, datetime]]) -> None:
    rng = b.rng
    humans = b.team_people(team)
    bot = b.team_people(team, bots=True)[0]
    kind = b.choose([k for k, _ in p.kinds], tuple(w for _, w in p.kinds))
    is_bot = not late and rng.random() < p.bot_share
    reporter = b.choose(humans)
    labels = [str(x) for x in rng.choice(_text.LABELS[team], size=int(rng.integers(0, 3)), replace=False)]
    if is_bot and team == "Platform":
        kind, title, reporter, labels = "Task", _text.bump_title(rng), bot, ["dependencies"]
    elif is_bot and team == "Support":
        kind, title, reporter, labels = "Task", _text.bot_title(team, rng), bot, ["alert"]
    elif is_bot:
        title = _text.bot_title(team, rng)
    else:
        title = _text.title_for(team, kind, rng)
    parent = None
    epics = [e for e in epics if b.items[e[0]].created < created]  # only epics that exist already
    if epics and rng.random() < p.parent_share:
        if is_bot and team == "Platform":
            parent = next((e for e in epics if b.items[e[0]].title == "Supply chain security"), epics[0])[0]
        else:
            active = [e[0] for e in epics if e[1] - 14 * _DAY <= created <= e[2]]
            parent = int(active[int(rng.integers(len(active)))]) if active else min(
                epics, key=lambda e: abs((e[1] - created).total_seconds()))[0]
    title = b.unique_title(team, title, created)
    item = Item(0, team, 0, "task", kind, title, _text.description_for(team, title, kind, rng), reporter, created,
                labels=labels)
    if rng.random() < p.priority_share:
        item.priority = b.choose(_PRIORITIES, (0.05, 0.25, 0.45, 0.2, 0.05))
    if rng.random() < p.estimate_share and kind not in ("Meeting", "Chore"):
        item.estimate = float(b.choose(tuple(str(x) for x in _POINTS), (0.15, 0.25, 0.25, 0.2, 0.1, 0.05)))
    if rng.random() < p.due_share:
        item.due = (created + timedelta(days=float(rng.uniform(*p.due_days)))).date()
    pos = b.add(item, parent)
    if late:
        _late_path(b, item, reporter)
    elif is_bot and team in ("Platform", "Support"):
        owner = bot if team == "Platform" or rng.random() < 0.6 else b.choose(humans)
        item.initial_assignee = owner
        start = created + timedelta(hours=float(rng.uniform(0.3, 30 if team == "Platform" else 2)))
        done = start + timedelta(hours=float(rng.uniform(4, 72) if team == "Platform" else rng.uniform(1.5, 8)))
        b.follow(item, [(start, "In Progress"), (done, "Done")], owner)
    else:
        _lifecycle(b, item, p, bot if is_bot else None)
    if kind == "Story" and item.started and rng.random() < p.subtask_share:
        for _ in range(int(rng.integers(2, 5))):
            _subtask(b, item, pos)


def _late_path(b: _Builder, item: Item, who: str) -> None:
    item.initial_assignee = who
    minutes = b.rng.uniform(0, 2) if b.rng.random() < 0.5 else b.rng.uniform(8, 55)
    at = item.created + timedelta(minutes=float(minutes))
    item.events.append(Event(at.replace(microsecond=0) if at > item.created else item.created + timedelta(seconds=30),
                             "status", "To Do", "Done", who))


def _lifecycle(b: _Builder, item: Item, p: TeamProfile, agent: str | None) -> None:
    rng, team = b.rng, item.team
    humans = b.team_people(team)
    if agent:
        item.initial_assignee = agent
    elif rng.random() < p.assign_at_create:
        item.initial_assignee = b.choose(humans)
    if rng.random() < p.cancel_share:
        b.follow(item, [(item.created + timedelta(days=float(rng.exponential(20))), "Won't Do")], None)
        return
    start = item.created + timedelta(days=float(rng.exponential(p.wait_days)))
    if start <= EXPORT_AT and item.initial_assignee is None and rng.random() < p.assign_at_start:
        b.assign(item, b.work_time(start), b.choose(humans))
    owner = item.assignee
    cycle = timedelta(days=float(rng.lognormal(np.log(p.cycle_days), p.cycle_sigma)))
    cycle = max(cycle, timedelta(hours=2.5))
    path = [(start, "In Progress")]
    stalled = rng.random() < p.stall_share
    if rng.random() < p.review_share:
        path.append((start + cycle * float(rng.uniform(0.6, 0.9)), "In Review"))
    if not stalled:
        path.append((start + cycle, "Done"))
    b.follow(item, path, owner)
    if rng.random() < p.reassign_share:
        end = item.resolved or EXPORT_AT
        for _ in range(int(rng.integers(1, 3))):
            at = b.random_moment(item.created, end)
            if at < end:
                b.assign(item, at, None if rng.random() < 0.25 else b.choose(humans))
    if stalled and item.started and p.stale_stalls:
        quiet = EXPORT_AT - timedelta(days=float(rng.uniform(31, 90)))
        if item.started < quiet:
            item.touched.append(b.work_time(quiet) if b.work_time(quiet) < EXPORT_AT - 30 * _DAY else quiet)


def _subtask(b: _Builder, parent: Item, parent_pos: int) -> None:
    rng = b.rng
    created = b.work_time(parent.created + timedelta(days=float(rng.uniform(0.05, 2))))
    if created >= LAST_CREATED:
        return
    step = b.choose(("design", "implementation", "tests", "rollout", "docs", "cleanup", "monitoring"))
    title = b.unique_title(parent.team, f"{parent.title}: {step}", created)
    sub = Item(0, parent.team, 0, "subtask", "Sub-task", title, "", parent.reporter, created,
               initial_assignee=parent.assignee or parent.initial_assignee, priority=parent.priority,
               estimate=float(b.choose(("1", "2", "3"))) if parent.estimate is not None else None)
    b.add(sub, parent_pos)
    started, resolved = parent.started, parent.resolved
    if started is None:
        return
    start = max(started, created) + timedelta(hours=float(rng.uniform(1, 48)))
    if parent.category == "cancelled":
        b.follow(sub, [(resolved, "Won't Do")], parent.reporter)
    elif resolved is not None:
        done = start + (resolved - start) * float(rng.uniform(0.3, 0.95)) if resolved > start else start + _HOUR
        b.follow(sub, [(start, "In Progress"), (done, "Done")], sub.initial_assignee)
    else:
        path = [(start, "In Progress")]
        if rng.random() < 0.5:
            path.append((start + timedelta(days=float(rng.uniform(1, 15))), "Done"))
        b.follow(sub, path, sub.initial_assignee)


def _roll_up(b: _Builder, parents: list[int]) -> None:
    """Move epics and goals through the workflow as their children move."""
    children: dict[int, list[Item]] = {pos: [] for pos in parents}
    for child, parent in b.parent_pos.items():
        if parent in children:
            children[parent].append(b.items[child])
    for pos in parents:
        item, kids = b.items[pos], children[pos]
        starts = [k.started for k in kids if k.started]
        path = [(min(starts), "In Progress")] if starts else []
        closed = [k.resolved for k in kids]
        if kids and all(closed):
            done = max(closed) + timedelta(days=float(b.rng.uniform(0.5, 6)))
            if item.level == "goal" and done < item.created + 80 * _DAY:
                done = item.created + 80 * _DAY
            path.append((done, "Done"))
        b.follow(item, path, item.initial_assignee)


def _comments_and_people(b: _Builder, team: str, p: TeamProfile, positions: list[int]) -> None:
    rng = b.rng
    humans = b.team_people(team)
    for pos in positions:
        item = b.items[pos]
        end = item.resolved or EXPORT_AT
        if item.touched and p.stale_stalls:
            end = min(item.touched)
        elif p.stale_stalls and item.category == "in_progress" and item.started:
            end = min(EXPORT_AT, item.started + 20 * _DAY)
        n = int(rng.poisson(p.comments_mean)) if item.level != "goal" else int(rng.integers(0, 3))
        if item.level == "task" and item.category == "in_progress" and p.keeps_posting and item.started:
            # Platform keeps posting on long-running work: aging, but never silent.
            at = item.started
            while (at := at + timedelta(days=float(rng.uniform(12, 28)))) < EXPORT_AT:
                item.comments.append(Comment(b.work_time(at), item.assignee or b.choose(humans),
                                             _text.comment_text(team, rng)))
        for _ in range(n):
            at = b.random_moment(item.created, end)
            if at <= min(end, EXPORT_AT):
                author = b.choose(humans)
                item.comments.append(Comment(at, author, _text.comment_text(team, rng)))
        item.comments = sorted((c for c in item.comments if c.at <= EXPORT_AT), key=lambda c: c.at)
        if item.category in ("todo", "in_progress") and item.level == "task" and not item.touched \
                and item.updated < EXPORT_AT - 30 * _DAY and rng.random() < p.grooming:
            at = b.random_moment(EXPORT_AT - 28 * _DAY, EXPORT_AT - _DAY)
            if team == "Growth":
                b.assign(item, at, None if item.assignee else b.choose(humans))
            else:
                item.touched.append(at)
        watchers = [item.reporter] + ([item.assignee] if item.assignee else [])
        watchers += [str(x) for x in rng.choice(humans, size=min(len(humans), int(rng.poisson(p.watchers_mean))),
                                                replace=False)]
        item.watchers = [w for w in dict.fromkeys(watchers) if not b.people[w].is_bot]


def _blockers(b: _Builder, team: str, p: TeamProfile, positions: list[int], others: dict[str, list[int]]) -> None:
    rng = b.rng
    for i, pos in enumerate(positions):
        if i < 5 or rng.random() >= p.blocked_share:
            continue
        item = b.items[pos]
        pool = others.get("Platform", []) if team == "Data" and rng.random() < 0.3 else positions[:i]
        pool = [q for q in pool if b.items[q].created < item.created][-40:]
        if pool:
            b.blocker_pos[pos] = [pool[int(rng.integers(len(pool)))]]


def _number(b: _Builder) -> list[Item]:
    order = sorted(range(len(b.items)), key=lambda i: (b.items[i].created, i))
    counters: dict[str, int] = {t: 0 for t in TEAMS}
    uid_of: dict[int, int] = {}
    for uid, pos in enumerate(order, start=1):
        item = b.items[pos]
        counters[item.team] += 1
        item.uid, item.number = uid, counters[item.team]
        uid_of[pos] = uid
    for pos, parent in b.parent_pos.items():
        b.items[pos].parent = uid_of[parent]
    for pos, blockers in b.blocker_pos.items():
        b.items[pos].blocked_by = [uid_of[q] for q in blockers]
    return [b.items[pos] for pos in order]


def generate_organisation(seed: int = SEED) -> Organisation:
    """Build the sample organisation.

    Parameters
    ----------
    seed : int
        Seed of the ``numpy`` random generator; the default builds the
        organisation shipped in ``data/samples``.

    Returns
    -------
    Organisation
        People, teams and every item in creation order.
    """
    b = _Builder(seed)
    tasks_of: dict[str, list[int]] = {}
    for team, profile in PROFILES.items():
        goals, epics = _goals_and_epics(b, team)
        first = len(b.items)
        for created, late in _creation_times(b, team, profile):
            _task(b, team, profile, created, late, epics)
        tasks_of[team] = list(range(first, len(b.items)))
        _roll_up(b, [e[0] for e in epics])
        _roll_up(b, goals)
        _comments_and_people(b, team, profile, [*goals, *(e[0] for e in epics), *tasks_of[team]])
    for team, profile in PROFILES.items():
        work = [q for q in tasks_of[team] if b.items[q].level == "task"]
        _blockers(b, team, profile, work, {t: [q for q in v if b.items[q].level == "task"] for t, v in tasks_of.items()})
    for item in b.items:
        item.events.sort(key=lambda e: e.at)
    return Organisation(people=b.people, teams=dict(TEAMS), items=_number(b))
