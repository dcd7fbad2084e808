"""The C4 Flywheel (WMI, Brandon Hatton) measured on a tracker export.

Clarity -> Coordination -> Completion -> back to Clarity is a loop, with
Collaboration as the hub that powers it.  Following the cross-framework rules
(``frameworks.md`` section 5), Clarity is measured with the Coordination
Stack's Why and What signals, Coordination with its Who, When and How signals
(its "on time" moves to Completion, where C4 places it), and Completion with
the Work Value Pyramid's Progress and Outcomes signals plus completion-flow
signals of its own.  Collaboration is a weak proxy: most of it happens off the
tracker.  :func:`loop_trend` and :func:`loop_correlation` check whether the
loop turns: does clearer work this month come with more completion next month?
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import coordination_stack as _stack
from .coordination_stack import _days, _owned, _severity, _share
from .diagnosis import (DEFAULTS, Context, Diagnosis, Measured, NotMeasurable, SignalSpec, common_caveats,
                        make_findings, prepare, run_signals, summarise)
from .errors import OptionError

__all__ = ["ELEMENTS", "SIGNALS", "C4_DEFAULTS", "diagnose", "figure", "loop_trend", "loop_correlation",
           "loop_figure"]

ELEMENTS: tuple[str, ...] = ("Clarity", "Coordination", "Completion", "Collaboration")
_LOOP = ELEMENTS[:3]

#: Options of :func:`diagnose` beyond :data:`workfw.diagnosis.DEFAULTS`.
C4_DEFAULTS: dict[str, Any] = {
    "flow_days": 90,      # resolved / created is compared over this many days before as_of (None: whole export)
    "fresh_days": 14,     # passed to the Stack's "current" signal (Coordination)
}

_STACK_TO_C4 = {"Why": "Clarity", "What": "Clarity", "Who": "Coordination", "When": "Coordination",
                "How": "Coordination"}
_PYRAMID_TO_C4 = ("Progress", "Outcomes")
_MIN_LOOP_PERIODS = 4


def _relabel(spec: SignalSpec, element: str) -> SignalSpec:
    # The source element stays in the name, so a reader can trace a C4 signal back to its framework.
    return replace(spec, element=element, name=f"{spec.element}: {spec.name}")


def _pyramid() -> Any:
    """The Work Value Pyramid module, or None while it does not exist."""
    try:
        from . import value_pyramid
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.value_pyramid":
            raise
        return None
    return value_pyramid


# --- Completion (flow) ----------------------------------------------------------------------------

def _resolved_vs_created(ctx: Context) -> Measured:
    ctx.require("created")
    if not ctx.done.empty:
        ctx.require("completed", frame=ctx.done)
    days = ctx.options["flow_days"]
    start = ctx.tasks["created"].min() if days is None else ctx.as_of - pd.Timedelta(days=days)
    created = int((ctx.tasks["created"] >= start).sum())
    if created == 0:
        raise NotMeasurable(f"no task was created in the last {days} days")
    resolved = int((ctx.done["completed"] >= start).sum())
    ratio = resolved / created
    span = "in the export" if days is None else f"in the last {days} days"
    text = (f"{created} tasks were created and {resolved} finished {span}: work arrives faster than it "
            "is finished") if ratio < 1 else None
    return Measured(ratio, min(ratio, 1.0) * 100, created, [], text, _severity(min(ratio, 1.0) * 100))


def _stale(ctx: Context) -> Measured:
    ctx.require("updated")
    days = ctx.options["stale_days"]
    stale = ctx.open["updated"] < ctx.as_of - pd.Timedelta(days=days)
    return _share(stale, ctx.open["task_id"], healthy=False, empty="no open tasks",
                  finding="{bad} of {n} open tasks are stale (not updated in " + f"{days} days)")


def _aging(ctx: Context) -> Measured:
    ctx.require("created")
    doing = ctx.tasks[ctx.tasks["status_category"] == "in_progress"]
    if doing.empty:
        raise NotMeasurable("no task is in progress now")
    done = ctx.done[ctx.done["completed"].notna()]
    # Without a start time, creation stands in (frameworks.md: started = created), for both sides alike.
    cycle = _days(done["completed"], done["started"].fillna(done["created"])).dropna()
    if cycle.empty:
        raise NotMeasurable("no finished task has a completion time, so there is no cycle time to compare with")
    limit = ctx.options["aging_multiple"] * float(cycle.median())
    age = _days(ctx.as_of, doing["started"].fillna(doing["created"]))
    multiple = ctx.options["aging_multiple"]
    return _share(age > limit, doing["task_id"], healthy=False, empty="no task is in progress now",
                  finding="{bad} of {n} in-progress tasks are aging: in progress longer than "
                          f"{multiple:g} x the median cycle time ({limit:.0f} days)")


def _cancelled(ctx: Context) -> Measured:
    finished = ctx.tasks[ctx.tasks["status_category"].isin(["done", "cancelled"])]
    return _share(finished["status_category"] == "cancelled", finished["task_id"], healthy=False,
                  empty="no task is finished or cancelled",
                  finding="{bad} of {n} closed tasks were cancelled rather than done")


# --- Collaboration (weak proxy) ---------------------------------------------------------------------

def _commented(ctx: Context) -> Measured:
    ctx.require("comments")
    known = ctx.tasks[ctx.tasks["comments"].notna()]
    return _share(known["comments"] >= 1, known["task_id"], healthy=True, empty="no task has a comment count",
                  finding="{bad} of {n} tasks have no comment")


def _owner_pairs(tasks: pd.DataFrame) -> pd.DataFrame:
    """``row`` (position in ``tasks``) and ``person`` for every owner of every task."""
    assignee = tasks["assignee"].astype("string")
    sizes = tasks["assignees"].str.len().fillna(0).to_numpy()
    # Most tasks have one owner, named in ``assignee``; only the rest need the (slow) list explode.
    several = (sizes > 1) | (assignee.isna().to_numpy() & (sizes > 0))
    single = pd.DataFrame({"row": np.arange(len(tasks)), "person": assignee.to_numpy()})
    listed = pd.DataFrame({"row": np.flatnonzero(several), "person": tasks["assignees"].to_numpy()[several]})
    listed = listed.explode("person")
    pairs = pd.concat([single, listed.astype({"person": "string", "row": "int64"})], ignore_index=True).dropna()
    return pairs.astype({"person": "string"}).drop_duplicates(ignore_index=True)


def _reporter_not_owner(ctx: Context) -> Measured:
    ctx.require("reporter")
    _stack._require_any(ctx, "assignee", "assignees")
    pool = ctx.tasks[ctx.tasks["reporter"].notna() & _owned(ctx.tasks)].reset_index(drop=True)
    owners = _owner_pairs(pool)
    reporter = pool["reporter"].astype("string").to_numpy()[owners["row"].to_numpy()]
    mine = np.zeros(len(pool), dtype=bool)
    mine[owners["row"].to_numpy()[owners["person"].to_numpy() == reporter]] = True
    return _share(pd.Series(~mine, index=pool.index), pool["task_id"], healthy=True,
                  empty="no task has both a reporter and an owner",
                  finding="{bad} of {n} tasks are owned by the person who raised them")


def _people_per_item(ctx: Context) -> Measured:
    ctx.require_history()
    tasks, events = ctx.tasks, ctx.events
    handed = events[events["field"].str.casefold().isin(("assignee", "assignees"))]
    owners = _owner_pairs(tasks)
    position = pd.Index(tasks["task_id"])
    rows = [owners["row"].to_numpy(), np.arange(len(tasks)), position.get_indexer(events["task_id"]),
            position.get_indexer(handed["task_id"]), position.get_indexer(handed["task_id"])]
    names = [owners["person"], tasks["reporter"], events["author"], handed["old"], handed["new"]]
    person = pd.concat([n.astype("string").reset_index(drop=True) for n in names], ignore_index=True)
    row = np.concatenate(rows)
    codes, uniques = pd.factorize(person)
    keep = (codes >= 0) & (row >= 0)
    # Distinct (task, person) pairs, counted per task without building strings.
    key = pd.unique(row[keep].astype("int64") * (len(uniques) + 1) + codes[keep])
    counts = pd.Series(np.bincount(key // (len(uniques) + 1), minlength=len(tasks)), index=tasks.index)
    mean = float(counts.mean())
    # One person alone is no collaboration; three or more people per item scores full marks (inferred).
    score = float(np.clip((mean - 1) / 2, 0, 1) * 100)
    alone = tasks.loc[counts <= 1, "task_id"].astype(str).tolist()
    text = f"{len(alone)} of {len(counts)} tasks were touched by one person or nobody" if alone else None
    return Measured(mean, score, len(counts), alone, text, _severity(score))


def _homes(pairs: pd.DataFrame) -> pd.Series:
    ranked = (pairs.groupby(["person", "group"]).size().rename("k").reset_index()
              .sort_values(["person", "k", "group"], ascending=[True, False, True], kind="stable"))
    return ranked.drop_duplicates("person").set_index("person")["group"]


def _cross_team(ctx: Context) -> Measured:
    ctx.require("reporter")
    tasks = ctx.tasks
    group = (tasks["team"] if tasks["team"].nunique() >= 2 else tasks["project"]).astype("string")
    if group.nunique() < 2:
        raise NotMeasurable("the export holds a single team and project, so cross-team work cannot be seen")
    # A person's home team is where they own most work; people who own nothing are placed by what they raise.
    owners = _owner_pairs(tasks)
    owned = pd.DataFrame({"person": owners["person"].to_numpy(),
                          "group": group.to_numpy()[owners["row"].to_numpy()]}).dropna()
    raised = pd.DataFrame({"person": tasks["reporter"].astype("string"), "group": group}).dropna()
    homes = _homes(owned)
    homes = pd.concat([homes, _homes(raised).drop(homes.index, errors="ignore")])
    home = tasks["reporter"].astype("string").map(homes)
    pool = home.notna() & group.notna()
    if not pool.any():
        raise NotMeasurable("no task has both a reporter and a team")
    cross = (home != group)[pool]
    share = float(cross.mean())
    # About one item in five crossing teams shows teams work together; more is not scored higher (inferred).
    score = min(1.0, share / 0.20) * 100
    text = None if cross.any() else f"None of {len(cross)} tasks was raised by someone from another team"
    return Measured(share, score, len(cross), [], text, _severity(score))


def _own(element: str, name: str, fields: tuple[str, ...], how: str, compute) -> SignalSpec:
    return SignalSpec(element=element, name=name, fields=fields, how=how, compute=compute)


_ON_TIME = next(s for s in _stack.SIGNALS if s.name == "on time")
_COMPLETION_FLOW: tuple[SignalSpec, ...] = (
    _own("Completion", "resolved / created", ("created", "completed"),
         "Tasks finished over tasks created in the last flow_days days; 1 or more scores 100.",
         _resolved_vs_created),
    _relabel(_ON_TIME, "Completion"),
    _own("Completion", "stale", ("updated",),
         "Share of open tasks not updated for stale_days; lower is better.", _stale),
    _own("Completion", "aging WIP", ("started", "created", "completed"),
         "Share of in-progress tasks older than aging_multiple x the median cycle time; lower is better.",
         _aging),
    _own("Completion", "cancelled", ("status_category",),
         "Share of closed tasks that were cancelled; lower is better.", _cancelled),
)
_COLLABORATION: tuple[SignalSpec, ...] = (
    _own("Collaboration", "commented", ("comments",),
         "Share of tasks with at least one comment (weak proxy: most collaboration happens off the tracker).",
         _commented),
    _own("Collaboration", "reporter is not owner", ("reporter", "assignee"),
         "Share of tasks owned by someone other than who raised them (weak proxy).", _reporter_not_owner),
    _own("Collaboration", "people per item", ("reporter", "assignees", "events"),
         "Mean distinct people per task from owners, reporter and history authors; 1 scores 0, 3+ scores 100 "
         "(weak proxy).", _people_per_item),
    _own("Collaboration", "cross-team items", ("reporter", "team", "project"),
         "Share of tasks raised by someone whose home team differs from the task's; 20% or more scores 100 "
         "(weak proxy, inferred target).", _cross_team),
)


def _build_signals() -> tuple[tuple[SignalSpec, ...], bool]:
    stack = tuple(_relabel(s, _STACK_TO_C4[s.element]) for s in _stack.SIGNALS if s is not _ON_TIME)
    pyramid = _pyramid()
    borrowed = () if pyramid is None else tuple(
        _relabel(s, "Completion") for s in pyramid.SIGNALS if s.element in _PYRAMID_TO_C4)
    ordered = sorted(stack, key=lambda s: _LOOP.index(s.element))
    return tuple(ordered) + borrowed + _COMPLETION_FLOW + _COLLABORATION, pyramid is not None


SIGNALS, _HAS_PYRAMID = _build_signals()


def _split_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    pyramid = _pyramid()
    borrowed = dict(getattr(pyramid, "OPTIONS", {})) if pyramid is not None else {}
    known = {**borrowed, **C4_DEFAULTS}
    unknown = sorted(set(options) - set(DEFAULTS) - set(known))
    if unknown:
        raise OptionError(f"c4_flywheel got unknown options {unknown}; expected some of "
                          f"{sorted(set(DEFAULTS) | set(known))}. Next step: check the spelling.")
    own = {**known, **{k: v for k, v in options.items() if k in known}}
    if own["flow_days"] is not None and (not isinstance(own["flow_days"], (int, float)) or own["flow_days"] <= 0):
        raise OptionError(f"flow_days={own['flow_days']!r}; expected a positive number of days or None. "
                          "Next step: pass for example flow_days=90.")
    return {k: v for k, v in options.items() if k in DEFAULTS}, own


def _context(data: Any, as_of: Any, options: dict[str, Any]) -> Context:
    shared, own = _split_options(options)
    ctx = prepare(data, as_of=as_of, **shared)
    ctx.options.update(own)
    return ctx


def diagnose(data: Any, *, as_of: Any = None, **options: Any) -> Diagnosis:
    """Score Clarity, Coordination, Completion and Collaboration on an export.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export from :func:`workfw.read_export` or its canonical task table.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The shared options of :data:`workfw.diagnosis.DEFAULTS`
        (``stale_days=30``, ``substantive_words=15``, ``aging_multiple=2.0``,
        ``team=None``, ``project=None``, ``window=None``, ``actors="all"``,
        ``bots=()``); ``flow_days=90`` (the window of resolved / created;
        None for the whole export); ``fresh_days=14`` (the Stack's "current"
        signal); and the Work Value Pyramid's options its borrowed signals
        read (``period_days=30``, ``outcome_target=5.0``).

    Returns
    -------
    Diagnosis
        ``summary`` indexed by :data:`ELEMENTS`; ``figure()`` draws the flywheel.
    """
    ctx = _context(data, as_of, options)
    signals, coverage, results = run_signals(ctx, SIGNALS)
    summary = summarise(signals, ELEMENTS)
    caveats = common_caveats(ctx)
    caveats.append("Collaboration is a weak proxy: comments, hand-offs and cross-team items only hint at how "
                   "people help each other, which mostly happens outside the tracker.")
    if not _HAS_PYRAMID:
        caveats.append("Completion uses only flow signals: the Work Value Pyramid (workfw.value_pyramid) is not "
                       "available, so Progress and Outcomes are left out.")
    weakest = summary["score"].dropna()
    if len(weakest):
        element = str(weakest.astype(float).idxmin())
        caveats.append(f"The loop is weakest at {element} ({float(weakest.min()):.0f}); in a flywheel the "
                       "weakest element slows the others.")
    from ._c4_figure import figure as draw

    return Diagnosis("C4 Flywheel", ELEMENTS, summary, signals, make_findings(results), coverage, caveats,
                     ctx.as_of, dict(ctx.options), _draw=draw)


def figure(diagnosis: Diagnosis, **kwargs: Any) -> go.Figure:
    """Draw the flywheel: three arcs coloured by score around the Collaboration hub.

    See :func:`workfw._c4_figure.figure` for the keyword arguments.
    """
    from ._c4_figure import figure as draw

    return draw(diagnosis, **kwargs)


def loop_trend(data: Any, *, freq: str = "M", as_of: Any = None, **options: Any) -> pd.DataFrame:
    """Clarity, Coordination and Completion per period, each computed on the tasks created in it.

    Every period between the first and the last creation date has a row, so
    consecutive rows are consecutive periods (empty periods have NA scores).
    Each cohort is judged as it stands at ``as_of``.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its canonical task table.
    freq : str, default "M"
        A pandas period frequency: ``"M"`` (months), ``"Q"`` or ``"W"``.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        As for :func:`diagnose`.

    Returns
    -------
    pandas.DataFrame
        ``period`` (start, UTC), ``tasks`` and one score column per loop element.
    """
    ctx = _context(data, as_of, options)
    columns = ["period", "tasks", *_LOOP]
    created = ctx.tasks["created"]
    if created.isna().all():
        return pd.DataFrame(columns=columns)
    try:
        periods = created.dt.tz_convert(None).dt.to_period(freq)
    except ValueError as exc:
        raise OptionError(f"loop_trend: freq={freq!r} is not a pandas period frequency ({exc}); expected 'M', "
                          "'Q' or 'W'. Next step: pass freq='M' for months.") from exc
    loop_specs = tuple(s for s in SIGNALS if s.element in _LOOP)
    rows = []
    for period in pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq):
        cohort = ctx.tasks[periods == period].reset_index(drop=True)
        scores = dict.fromkeys(_LOOP, np.nan)
        if len(cohort):
            events = ctx.events[ctx.events["task_id"].isin(set(cohort["task_id"]))].reset_index(drop=True)
            signals, _, _ = run_signals(replace(ctx, tasks=cohort, events=events), loop_specs)
            scores = summarise(signals, _LOOP)["score"].to_dict()
        rows.append({"period": period.start_time.tz_localize("UTC"), "tasks": len(cohort), **scores})
    out = pd.DataFrame(rows, columns=columns)
    out[list(_LOOP)] = out[list(_LOOP)].astype("Float64")
    return out


def loop_correlation(trend_or_data: Any, **options: Any) -> float:
    """Correlation of Clarity in one period with Completion in the next (NaN with under 4 periods).

    Parameters
    ----------
    trend_or_data : pandas.DataFrame or TaskExport
        A :func:`loop_trend` table, or data to build one from.
    **options
        Passed to :func:`loop_trend` when data is given.

    Returns
    -------
    float
        Pearson correlation over consecutive period pairs with both scores;
        NaN when the trend has fewer than 4 periods with a Clarity or
        Completion score, fewer than 3 such pairs, or no variation.
    """
    is_trend = isinstance(trend_or_data, pd.DataFrame) and {"Clarity", "Completion"} <= set(trend_or_data.columns)
    trend = trend_or_data if is_trend else loop_trend(trend_or_data, **options)
    scored = trend[["Clarity", "Completion"]].astype(float)
    if int(scored.notna().any(axis=1).sum()) < _MIN_LOOP_PERIODS:
        return float("nan")
    pairs = pd.DataFrame({"clarity": scored["Clarity"], "next": scored["Completion"].shift(-1)}).dropna()
    if len(pairs) < _MIN_LOOP_PERIODS - 1 or pairs["clarity"].std() == 0 or pairs["next"].std() == 0:
        return float("nan")
    return float(pairs["clarity"].corr(pairs["next"]))


def loop_figure(trend: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Plot a :func:`loop_trend` table: one line per loop element, with the lagged correlation."""
    from ._c4_figure import loop_figure as draw

    return draw(trend, correlation=loop_correlation(trend), title=title)
