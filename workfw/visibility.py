"""Work Visibility Framework (WMI): five levels from Private to Organizational Visible.

Each task gets the highest level it meets (:func:`visibility_levels`).  Every
captured task is at least Personal System; the levels above build on Team
Visible, so an open task whose status is stale falls back to Personal System
even when it is linked to other teams or to a goal.  Private work is not in
any export: its signal is the late-capture share (work logged after the fact).

What each level's score means (0-100, higher is healthier):

- Private: 100 - late-capture % (finished work created already done, done within
  an hour, or never in progress).
- Personal System: 100 - share of open work stuck at Personal System by the personal rule
  (only one person ever touched it, or it sits in no shared project or team); unowned and
  stale items also sit at Personal System but are scored under Team Visible.
- Team Visible: % of open tasks with an owner and a status updated in the last
  ``stale_days``.
- Cross-functional Visible: % of open cross-team dependencies visible from both
  sides (the other team's item is in the export, owned and current).
- Organizational Visible: % of major open work (epics/goals and high-priority
  tasks) that rolls up to a goal.

The fit check flags under-visible work (open, high priority or blocking others,
yet at most Team Visible) and over-exposed work (open low-priority chores at
Organizational Visible).  Visibility here means common understanding, not
monitoring people.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._visibility_figure import figure, late_capture_figure, scored_figure, staleness_figure
from .diagnosis import (
    Context, Diagnosis, Measured, NotMeasurable, SignalSpec, common_caveats, late_capture, make_findings, prepare,
    run_signals, summarise,
)
from .errors import OptionError
from .value_pyramid import (
    _blocked_by_edges, _cached, _goal_links, _label_match, _member, _per_value, _position_of, _require_links,
    _split_options, _types,
)

__all__ = [
    "ELEMENTS", "SIGNALS", "diagnose", "visibility_levels", "staleness", "late_capture_by_week", "figure",
    "staleness_figure", "late_capture_figure", "scored_figure", "figures",
]

ELEMENTS: tuple[str, ...] = (
    "Private", "Personal System", "Team Visible", "Cross-functional Visible", "Organizational Visible",
)

_HIGH = frozenset({"highest", "high", "critical", "urgent", "blocker", "p0", "p1", "0", "1"})
_LOW = frozenset({"low", "lowest", "minor", "trivial", "p3", "p4", "p5", "4"})
_CHORE_TYPES = frozenset({"chore", "task", "sub task", "subtask", "meeting", "admin", "maintenance", "housekeeping"})
_CHORE_LABEL = r"(?i)^(?:chore|maintenance|housekeeping|meeting|admin)s?$"
_KEY_PREFIX = r"^([A-Za-z][A-Za-z0-9_]*)-\d+$"
_OPEN = ("todo", "in_progress")


def _priority_in(tasks: pd.DataFrame, words: frozenset[str]) -> np.ndarray:
    """True where the priority (or its first word: ``P1 - Critical``) is one of ``words``."""
    def match(values: pd.Series) -> pd.Series:
        text = values.str.lower().str.strip()
        return text.isin(words) | text.str.extract(r"^([a-z0-9]+)", expand=False).isin(words)

    return _per_value(tasks["priority"], match).fillna(False).astype(bool).to_numpy()


def _people_count(tasks: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """Distinct people named on each task: reporter, assignee(s) and history authors."""
    rows = [np.arange(len(tasks)), np.arange(len(tasks))]
    names = [tasks[col].to_numpy(dtype=object, na_value=None) for col in ("reporter", "assignee")]
    lengths = tasks["assignees"].map(len).to_numpy()
    if lengths.any():
        rows.append(np.repeat(np.arange(len(tasks)), lengths))
        names.append(np.fromiter((v for items in tasks["assignees"] for v in items), dtype=object,
                                 count=int(lengths.sum())))
    if not events.empty and events["author"].notna().any():
        authors = events.dropna(subset=["author"])
        where = _position_of(tasks, authors["task_id"].to_numpy(dtype=object))
        rows.append(where[where >= 0])
        names.append(authors["author"].to_numpy(dtype=object)[where >= 0])
    row = np.concatenate(rows)
    name = pd.Series(np.concatenate(names), dtype="string").str.strip().str.lower()
    codes, _ = pd.factorize(name)
    pairs = pd.DataFrame({"row": row, "name": codes})
    pairs = pairs[pairs["name"] >= 0].drop_duplicates()
    return np.bincount(pairs["row"].to_numpy(), minlength=len(tasks))


def _unit(tasks: pd.DataFrame) -> pd.Series:
    return tasks["team"].fillna(tasks["project"])


def _dependency_edges(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per blocked-by link: ``src`` waits on ``dst`` (row, -1 outside); ``cross`` across teams."""
    src, dst_id = _blocked_by_edges(tasks)
    frame = pd.DataFrame({"src": src, "dst_id": dst_id, "dst": _position_of(tasks, dst_id) if len(src) else src})
    if frame.empty:
        return frame.assign(cross=np.array([], dtype=bool))
    unit = _unit(tasks).to_numpy(dtype=object, na_value=None)
    known = frame["dst"].to_numpy() >= 0
    src_unit = unit[src]
    dst_unit = unit[np.where(known, frame["dst"].to_numpy(), 0)]
    same_table = known & pd.notna(src_unit) & pd.notna(dst_unit) & (src_unit != dst_unit)
    # A target outside the export is cross-project when its key prefix differs (ABC-1 waits on XYZ-9).
    src_prefix = pd.Series(tasks["task_id"].to_numpy(dtype=object)[src], dtype="string").str.extract(
        _KEY_PREFIX, expand=False).to_numpy(dtype=object, na_value=None)
    dst_prefix = pd.Series(dst_id, dtype="string").str.extract(_KEY_PREFIX, expand=False).to_numpy(
        dtype=object, na_value=None)
    outside = ~known & pd.notna(src_prefix) & pd.notna(dst_prefix) & (src_prefix != dst_prefix)
    frame["cross"] = np.asarray(same_table | outside, dtype=bool)
    return frame


def _reporter_elsewhere(tasks: pd.DataFrame) -> pd.Series:
    """True when the reporter mostly works (is assigned) in another team than the task's."""
    unit = _unit(tasks)
    pairs = pd.DataFrame({"person": tasks["assignee"], "unit": unit}).dropna()
    if pairs.empty:
        return pd.Series(False, index=tasks.index)
    counts = pairs.value_counts().reset_index(name="n").sort_values(["person", "n", "unit"],
                                                                   ascending=[True, False, True], kind="stable")
    home = counts.drop_duplicates("person").set_index("person")["unit"]
    reporter_home = tasks["reporter"].map(home)
    return (reporter_home.notna() & unit.notna() & (reporter_home != unit)).fillna(False).astype(bool)


def _levels_frame(tasks: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp, stale_days: int) -> pd.DataFrame:
    n = len(tasks)
    category = tasks["status_category"].astype(object)
    is_open = category.isin(_OPEN).to_numpy()
    owner = (tasks["assignee"].notna() | tasks["assignees"].map(len).gt(0)).to_numpy()
    owners_known = bool(owner.any())
    if not owners_known:
        owner = np.ones(n, dtype=bool)  # an export without assignees cannot show ownership; a caveat says so
    shared = (tasks["team"].notna() | tasks["project"].notna()).to_numpy()
    has_status = category.notna().to_numpy()
    dated = tasks["updated"].fillna(tasks["created"])
    if dated.isna().all():
        fresh = np.ones(n, dtype=bool)  # freshness cannot be judged; a caveat says so
    else:
        recent = (dated >= as_of - pd.Timedelta(days=stale_days)).fillna(False).astype(bool).to_numpy()
        fresh = ~is_open | recent
    # Without any assignee, "only one person touched it" cannot be told from "nobody recorded the owner".
    solo = owners_known & (_people_count(tasks, events) <= 1) & (tasks["comments"].fillna(0) == 0).to_numpy() & (
        tasks["watchers"].fillna(0) <= 1).to_numpy()
    team_ok = shared & owner & has_status & fresh

    edges = _cached(tasks, "edges", _dependency_edges)
    cross_edges = edges[edges["cross"]]
    waits_on_other = np.zeros(n, dtype=bool)
    waits_on_other[cross_edges["src"].to_numpy()] = True
    others_wait = np.zeros(n, dtype=bool)
    others_wait[cross_edges.loc[cross_edges["dst"] >= 0, "dst"].to_numpy()] = True
    reporter_other = _reporter_elsewhere(tasks).to_numpy()
    links = _cached(tasks, "links", _goal_links)
    is_goal = links["is_goal"].to_numpy()
    rolls = links["rolls_up"].to_numpy()

    stale_text = f"stale: open and not updated for over {stale_days} days"
    conditions = [
        team_ok & is_goal, team_ok & rolls, team_ok & waits_on_other, team_ok & others_wait,
        team_ok & reporter_other, team_ok, solo & ~shared, ~shared, ~owner, ~fresh, ~has_status,
    ]
    ranks = [5, 5, 4, 4, 4, 3, 2, 2, 2, 2, 2]
    epic_text = links["epic_id"].fillna("a goal").to_numpy(dtype=object)
    reasons = [
        "is an epic, milestone or goal item", "rolls up to " + epic_text, "depends on another team's item",
        "another team's item depends on it", "reported from another team", "shared project, owner and current status",
        "one person only, in no shared project or team", "in no shared project or team", "no owner", stale_text,
        "no status",
    ]
    rank = np.select(conditions, ranks, default=2)
    reason = np.select(conditions, [np.broadcast_to(np.asarray(r, dtype=object), n) for r in reasons],
                       default="personal system")

    blocks_others = np.zeros(n, dtype=bool)
    if len(edges):
        waiting = edges.loc[is_open[edges["src"].to_numpy()] & (edges["dst"] >= 0).to_numpy(), "dst"]
        blocks_others[waiting.to_numpy()] = True
    high = _priority_in(tasks, _HIGH)
    low = _priority_in(tasks, _LOW)
    chore = (_types(tasks).isin(_CHORE_TYPES).fillna(False).astype(bool)
             | _label_match(tasks, _CHORE_LABEL)).to_numpy()
    return pd.DataFrame({
        "task_id": tasks["task_id"].to_numpy(),
        "level": pd.Categorical.from_codes(rank - 1, categories=list(ELEMENTS)),
        "reason": pd.array(reason, dtype="string"),
        "under_visible": is_open & (high | blocks_others) & (rank <= 3),
        "over_exposed": is_open & (rank == 5) & low & chore & ~is_goal,
        # Kept for the Personal System signal; visibility_levels drops the private columns.
        "_personal_rule": solo | ~shared,
    })


def _levels(ctx: Context) -> pd.DataFrame:
    stale_days = int(ctx.options["stale_days"])
    return _cached(ctx.tasks, "visibility", lambda t: _levels_frame(t, ctx.events, ctx.as_of, stale_days),
                   params=(ctx.as_of, stale_days, id(ctx.events)))


def visibility_levels(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Assign each task the highest visibility level it meets.

    Rules (each level above Personal System needs the one below it):

    - Personal System: every captured task; reasons say why it is not higher (only one
      person ever touched it and it is in no project or team, no owner, a stale open status).
    - Team Visible: in a project or team, with a status and an owner, and (when open)
      updated in the last ``stale_days``.
    - Cross-functional Visible: waits on, or is waited on by, an item of another team or
      project (blocked-by; for items outside the export, a different key prefix), or its
      reporter mostly works in another team.
    - Organizational Visible: an epic/milestone/goal item, or its parent chain reaches one,
      or it carries a goal label (``okr:...``).

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.diagnosis.DEFAULTS`; ``stale_days`` (default 30)
        sets freshness.

    Returns
    -------
    pandas.DataFrame
        ``task_id, level`` (categorical in :data:`ELEMENTS` order; never Private),
        ``reason``, ``under_visible`` and ``over_exposed`` (bool; open tasks only).
    """
    common, _ = _split_options(options, {}, "visibility_levels")
    return _levels(prepare(data, as_of=as_of, **common)).drop(columns="_personal_rule")


def staleness(data: Any, *, as_of: Any = None, bins: tuple[int, ...] = (7, 14, 30, 60, 90),
              **options: Any) -> pd.DataFrame:
    """Open tasks by days since their last update, for the staleness chart.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    bins : tuple of int, default (7, 14, 30, 60, 90)
        Bucket edges in days, increasing; buckets are ``[0, 7)``, ``[7, 14)`` ... ``[90, inf)``.
    **options
        The common options of :data:`workfw.diagnosis.DEFAULTS`; a bucket is ``stale`` when
        it starts at or after ``stale_days`` (default 30).

    Returns
    -------
    pandas.DataFrame
        ``bucket, from_days, to_days, todo, in_progress, tasks, share, stale``; a last
        ``no date`` bucket appears only when some open task has no update or creation date.
    """
    edges = [int(b) for b in bins]
    if not edges or edges[0] <= 0 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise OptionError(f"staleness: bins={tuple(bins)!r}; expected increasing positive day counts such as "
                          "(7, 14, 30, 60, 90). Next step: pass bins in that form.")
    common, _ = _split_options(options, {}, "staleness")
    ctx = prepare(data, as_of=as_of, **common)
    work = ctx.open
    days = (ctx.as_of - work["updated"].fillna(work["created"])).dt.total_seconds() / 86400
    lower = [0, *edges]
    upper = [*edges, np.inf]
    labels = [f"{a}-{b} days" for a, b in zip(lower, edges)] + [f"{edges[-1]}+ days"]
    bucket = pd.cut(days, bins=[-np.inf, *edges, np.inf], right=False, labels=labels)
    bucket = bucket.cat.add_categories(["no date"]).fillna("no date")
    table = pd.crosstab(bucket, work["status_category"].astype(str)).reindex(
        index=[*labels, "no date"], columns=list(_OPEN), fill_value=0)
    table = table.rename_axis(index="bucket", columns=None).reset_index()
    table["from_days"] = pd.array([*lower, pd.NA], dtype="Float64")
    table["to_days"] = pd.array([*upper, pd.NA], dtype="Float64")
    table["tasks"] = table["todo"] + table["in_progress"]
    total = table["tasks"].sum()
    table["share"] = (table["tasks"] / total if total else table["tasks"] * np.nan).astype("Float64")
    table["stale"] = (table["from_days"] >= int(ctx.options["stale_days"])).fillna(False).astype(bool)
    if table.iloc[-1]["tasks"] == 0:
        table = table.iloc[:-1]
    return table[["bucket", "from_days", "to_days", "todo", "in_progress", "tasks", "share", "stale"]]


def late_capture_by_week(data: Any, *, as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Finished work per completion week and how much of it was logged after the fact.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time (only used by the ``window`` filter).
    **options
        The common options of :data:`workfw.diagnosis.DEFAULTS`.

    Returns
    -------
    pandas.DataFrame
        ``week`` (Monday, UTC), ``done``, ``late``, ``late_share``; the rule is
        :func:`workfw.diagnosis.late_capture`.  Empty when nothing finished has a completion time.
    """
    common, _ = _split_options(options, {}, "late_capture_by_week")
    ctx = prepare(data, as_of=as_of, **common)
    _, late_ids = late_capture(ctx)
    done = ctx.done.dropna(subset=["completed"])
    day = done["completed"].dt.floor("D")
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    frame = pd.DataFrame({"week": week, "late": _member(done["task_id"], late_ids).astype(int)})
    out = frame.groupby("week").agg(done=("late", "size"), late=("late", "sum")).reset_index()
    out["late_share"] = (out["late"] / out["done"]).astype("Float64")
    return out


# --------------------------------------------------------------------------- signals

def _severity(bad_share: float) -> str:
    return "high" if bad_share >= 0.5 else "medium" if bad_share >= 0.2 else "low"


def _require_open(ctx: Context) -> np.ndarray:
    is_open = ctx.tasks["status_category"].isin(_OPEN).to_numpy()
    if not is_open.any():
        raise NotMeasurable("no open tasks")
    return is_open


def _private(ctx: Context) -> Measured:
    share, ids = late_capture(ctx)
    if share is None:
        raise NotMeasurable("no finished task has both a creation and a completion time")
    finding = None
    if ids:
        finding = (f"{len(ids)} of {len(ctx.done)} finished tasks were logged after the fact (created already "
                   "done, done within an hour, or never in progress)")
    severity = "high" if share >= 0.15 else "medium" if share >= 0.05 else "low"
    return Measured(share, 100 - share * 100, len(ctx.done), ids, finding, severity)


def _personal(ctx: Context) -> Measured:
    is_open = _require_open(ctx)
    levels = _levels(ctx)
    stuck = is_open & (levels["level"] == "Personal System").to_numpy() & levels["_personal_rule"].to_numpy()
    share = float(stuck.sum() / is_open.sum())
    ids = ctx.tasks.loc[stuck, "task_id"].tolist()
    finding = None
    if ids:
        finding = (f"{len(ids)} of {int(is_open.sum())} open tasks are kept to one person or sit in no shared "
                   "project or team")
    return Measured(share, 100 - share * 100, int(is_open.sum()), ids, finding, _severity(share))


def _team(ctx: Context) -> Measured:
    is_open = _require_open(ctx)
    tasks = ctx.tasks
    owner = tasks["assignee"].notna() | tasks["assignees"].map(len).gt(0)
    if not owner.any():
        raise NotMeasurable("the export has no assignees")
    dated = tasks["updated"].fillna(tasks["created"])
    if dated.isna().all():
        raise NotMeasurable("the export has no update or creation dates")
    stale_days = int(ctx.options["stale_days"])
    fresh = (dated >= ctx.as_of - pd.Timedelta(days=stale_days)).fillna(False).astype(bool)
    good = is_open & (owner & fresh).to_numpy()
    share = float(good.sum() / is_open.sum())
    ids = tasks.loc[is_open & ~good, "task_id"].tolist()
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(is_open.sum())} open tasks have no owner or no update in {stale_days} days"
    return Measured(share, share * 100, int(is_open.sum()), ids, finding, _severity(1 - share))


def _cross(ctx: Context) -> Measured:
    ctx.require("blocked_by")
    if _unit(ctx.tasks).isna().all() and ctx.tasks["task_id"].str.extract(_KEY_PREFIX, expand=False).isna().all():
        raise NotMeasurable("the export has no team or project, so cross-team links cannot be told apart")
    edges = _cached(ctx.tasks, "edges", _dependency_edges)
    is_open = ctx.tasks["status_category"].isin(_OPEN).to_numpy()
    edges = edges[edges["cross"] & is_open[edges["src"].to_numpy()]]
    if edges.empty:
        raise NotMeasurable("no open task waits on another team's or project's item")
    level_rank = _levels(ctx)["level"].cat.codes.to_numpy() + 1
    known = edges["dst"].to_numpy() >= 0
    safe = np.where(known, edges["dst"].to_numpy(), 0)
    both = known & (level_rank[safe] >= 3)
    share = float(both.mean())
    ids = sorted(set(ctx.tasks["task_id"].to_numpy()[edges["src"].to_numpy()[~both]]))
    finding = None
    if ids:
        finding = (f"{int((~both).sum())} of {len(edges)} open cross-team dependencies are visible from one side "
                   "only (the other item is missing from the export, unowned or stale)")
    return Measured(share, share * 100, len(edges), ids, finding, _severity(1 - share))


def _organizational(ctx: Context) -> Measured:
    tasks = ctx.tasks
    _require_links(ctx)
    links = _cached(tasks, "links", _goal_links)
    high = _priority_in(tasks, _HIGH)
    if not links["is_goal"].any() and tasks["priority"].isna().all():
        raise NotMeasurable("the export has neither issue types (to find epics) nor priorities")
    major = tasks["status_category"].isin(_OPEN).to_numpy() & (links["is_goal"].to_numpy() | high)
    if not major.any():
        raise NotMeasurable("no open epic, goal or high-priority task")
    rolled = major & links["rolls_up"].to_numpy()
    share = float(rolled.sum() / major.sum())
    ids = tasks.loc[major & ~rolled, "task_id"].tolist()
    finding = None
    if ids:
        finding = f"{len(ids)} of {int(major.sum())} open epics and high-priority tasks connect to no goal"
    return Measured(share, share * 100, int(major.sum()), ids, finding, _severity(1 - share))


SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec("Private", "late capture", ("created", "completed"),
               "Score = 100 - share of finished work logged after the fact (created already done, done within an "
               "hour, or never in progress).", _private),
    SignalSpec("Personal System", "open work kept personal", ("reporter", "assignee", "comments", "watchers",
                                                               "project", "team"),
               "Score = 100 - share of open tasks at Personal System that only one person ever touched (no "
               "comments, at most one watcher) or that sit in no shared project or team.", _personal),
    SignalSpec("Team Visible", "owner and fresh status", ("assignee", "updated"),
               "Share of open tasks with an owner and an update in the last stale_days.", _team),
    SignalSpec("Cross-functional Visible", "dependencies visible from both sides", ("blocked_by", "team", "project"),
               "Share of open cross-team blocked-by links whose other item is in the export and Team Visible "
               "or above.", _cross),
    SignalSpec("Organizational Visible", "major work on a goal", ("task_type", "priority", "parent_id", "labels"),
               "Share of open epics/goals and high-priority tasks whose parent chain reaches a goal.",
               _organizational),
)


# --------------------------------------------------------------------------- diagnose

def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Read an export through the Work Visibility Framework.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.diagnosis.DEFAULTS`: ``stale_days=30`` (open and not
        updated for this long falls back to Personal System), ``substantive_words=15``,
        ``aging_multiple=2.0``, ``team=None``, ``project=None``, ``window=None``,
        ``actors="all"``, ``bots=()``.

    Returns
    -------
    Diagnosis
        ``summary`` has ``score``, ``share`` (fraction of tasks per level; NA for Private,
        which no export can see), ``tasks``, ``under_visible`` and ``over_exposed``; the
        figure is the five-step staircase.
    """
    common, _ = _split_options(options, {}, "visibility.diagnose")
    ctx = prepare(data, as_of=as_of, **common)
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    levels = _levels(ctx) if not ctx.tasks.empty else pd.DataFrame(
        {"level": pd.Categorical([], categories=list(ELEMENTS)), "under_visible": [], "over_exposed": [],
         "task_id": []})
    counts = levels["level"].value_counts().reindex(list(ELEMENTS), fill_value=0).astype("Int64")
    counts["Private"] = pd.NA
    total = int(counts.sum())
    summary.insert(1, "share", (counts.astype("Float64") / total if total else counts.astype("Float64") * np.nan)
                   .round(3))
    summary.insert(2, "tasks", counts)
    for flag in ("under_visible", "over_exposed"):
        summary[flag] = levels.loc[levels[flag].astype(bool), "level"].value_counts().reindex(
            list(ELEMENTS), fill_value=0).astype("Int64")
    findings = make_findings(results, _fit_findings(levels))
    return Diagnosis(
        framework="Work Visibility", elements=ELEMENTS, summary=summary, signals=signals, findings=findings,
        coverage=coverage, caveats=common_caveats(ctx) + _caveats(ctx), as_of=ctx.as_of, options=ctx.options,
        _draw=figure,
    )


def _fit_findings(levels: pd.DataFrame) -> list[dict]:
    out = []
    under = levels.loc[levels["under_visible"].astype(bool), "task_id"].tolist()
    if under:
        out.append({"severity": "high", "element": "Cross-functional Visible", "signal": "fit check: under-visible",
                    "finding": f"{len(under)} open high-priority or blocking tasks are visible to their team at most",
                    "tasks": len(under), "task_ids": under})
    over = levels.loc[levels["over_exposed"].astype(bool), "task_id"].tolist()
    if over:
        out.append({"severity": "low", "element": "Organizational Visible", "signal": "fit check: over-exposed",
                    "finding": f"{len(over)} open low-priority chores are pushed up to organizational view",
                    "tasks": len(over), "task_ids": over})
    return out


def _caveats(ctx: Context) -> list[str]:
    out = ["Private work never reaches an export, so the Private score rests on the late-capture share; "
           "pair it with the self-assessment."]
    tasks = ctx.tasks
    if not tasks.empty and tasks["updated"].fillna(tasks["created"]).isna().all():
        out.append("The export has no update dates, so stale items could not be told apart from current ones.")
    if not tasks.empty and tasks["assignee"].isna().all() and tasks["assignees"].map(len).eq(0).all():
        out.append("The export has no assignees, so levels ignore ownership and no item is judged kept to one "
                   "person.")
    if not tasks.empty and tasks["blocked_by"].map(len).eq(0).all():
        out.append("No blocked-by links were found, so Cross-functional visibility rests on reporters from other "
                   "teams only.")
    out.append("Exports do not say who watches or comments, so outside watchers cannot lift an item to "
               "Cross-functional Visible.")
    return out


def figures(data: Any, *, as_of: Any = None, **options: Any) -> list:
    """Visibility's charts beyond its diagram, filtered like :func:`diagnose`: staleness and late capture.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the selection.
    **options
        The options of :func:`diagnose`; ``stale_days`` shades the stale buckets.

    Returns
    -------
    list of plotly.graph_objects.Figure
        Open tasks by days since their last update, and finished work per week logged after the fact.
    """
    common, _ = _split_options(options, {}, "visibility.figures")
    ctx = prepare(data, as_of=as_of, **common)
    return [staleness_figure(staleness(data, as_of=as_of, **common)),
            late_capture_figure(late_capture_by_week(data, as_of=ctx.as_of, **common))]
