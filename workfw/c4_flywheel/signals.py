"""The C4 Flywheel's own signals: flow context beside Completion, and the Collaboration proxies.

Clarity and Coordination borrow the Coordination Stack's signals and
Completion the Work Value Pyramid's (:func:`relabel`); :mod:`workfw.c4_flywheel`
assembles them with :data:`FLOW_SIGNALS` and :data:`COLLABORATION_SIGNALS`.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.c4_flywheel.definition import FLOW_CONTEXT
from workfw.coordination_stack.signals import SIGNALS as STACK_SIGNALS
from workfw.core import (HISTORY, NAT, OPEN, Context, Measured, NotMeasurable, SignalSpec, cached, column_text,
                         days_between, days_to_as_of, distinct_counts, flat_list, gap_days, has_value, in_category, list_counts,
                         origin, owned_flags, per_row, require_any, selected_positions, severity_of_score, share_of,
                         stamped_at_or_after, stamped_before, started_or_created)

__all__ = ["relabel", "ON_TIME", "FLOW_SIGNALS", "COLLABORATION_SIGNALS"]


# --- Completion (flow) ----------------------------------------------------------------------------

def _resolved_vs_created(ctx: Context) -> Measured:
    ctx.require("created")
    done = in_category(ctx, "done")
    if done.any() and not (done & has_value(ctx, "completed")).any():
        raise NotMeasurable("the export leaves 'completed' empty on every task")
    days = ctx.options["flow_days"]
    start = ctx.tasks["created"].min() if days is None else ctx.as_of - pd.Timedelta(days=days)
    created = int(stamped_at_or_after(ctx, "created", start).sum())
    if created == 0:
        raise NotMeasurable(f"no task was created in the last {days} days")
    resolved = int((done & stamped_at_or_after(ctx, "completed", start)).sum())
    ratio = resolved / created
    span = "in the export" if days is None else f"in the last {days} days"
    text = (f"{created} tasks were created and {resolved} finished {span}: work arrives faster than it "
            "is finished") if ratio < 1 else None
    return Measured(ratio, min(ratio, 1.0) * 100, created, [], text, severity_of_score(min(ratio, 1.0) * 100))


def _stale(ctx: Context) -> Measured:
    ctx.require("updated")
    days = ctx.options["stale_days"]
    stale = stamped_before(ctx, "updated", ctx.as_of - pd.Timedelta(days=days))
    return share_of(ctx, stale, in_category(ctx, *OPEN), healthy=False, empty="no open tasks",
                     finding="{bad} of {n} open tasks are stale (not updated in " + f"{days} days)")


def _cycle_days(tasks: pd.DataFrame) -> np.ndarray:
    """Days from start (or creation) to completion; NaN where either is missing."""
    columns = [tasks[c].array for c in ("completed", "started", "created")]
    if not all(isinstance(c, pd.arrays.DatetimeArray) and c.unit == "ns" and str(c.tz) == str(columns[0].tz)
               for c in columns):
        return days_between(tasks["completed"], started_or_created(tasks)).to_numpy(dtype=float, na_value=np.nan)
    # Nanosecond columns of one zone: the same differences as the column arithmetic, taken only where both
    # ends are known (half the tasks or fewer are finished), without building three datetime columns.
    done, started, created = (c.asi8 for c in columns)
    since = np.where(started != NAT, started, created)
    known = (done != NAT) & (since != NAT)
    days = np.full(len(done), np.nan)
    days[known] = gap_days(done[known] - since[known])
    return days


def _aging(ctx: Context) -> Measured:
    ctx.require("created")
    doing = in_category(ctx, "in_progress")
    if not doing.any():
        raise NotMeasurable("no task is in progress now")
    cycle = per_row(ctx.tasks, "cycle days", _cycle_days)[in_category(ctx, "done") & has_value(ctx, "completed")]
    cycle = cycle[~np.isnan(cycle)]
    if not len(cycle):
        raise NotMeasurable("no finished task has a completion time, so there is no cycle time to compare with")
    limit = ctx.options["aging_multiple"] * float(pd.Series(cycle).median())
    with np.errstate(invalid="ignore"):
        aging = days_to_as_of(ctx, "started or created") > limit
    multiple = ctx.options["aging_multiple"]
    return share_of(ctx, aging, doing, healthy=False, empty="no task is in progress now",
                     finding="{bad} of {n} in-progress tasks are aging: in progress longer than "
                             f"{multiple:g} x the median cycle time ({limit:.0f} days)")


def _cancelled(ctx: Context) -> Measured:
    return share_of(ctx, in_category(ctx, "cancelled"), in_category(ctx, "done", "cancelled"), healthy=False,
                     empty="no task is finished or cancelled",
                     finding="{bad} of {n} closed tasks were cancelled rather than done")


# --- Collaboration (weak proxy) ---------------------------------------------------------------------

def _commented(ctx: Context) -> Measured:
    ctx.require("comments")
    commented = (ctx.tasks["comments"] >= 1).fillna(False).to_numpy(dtype=bool)
    return share_of(ctx, commented, has_value(ctx, "comments"), healthy=True, empty="no task has a comment count",
                     finding="{bad} of {n} tasks have no comment")


def _owner_pairs(tasks: pd.DataFrame) -> pd.DataFrame:
    """``row`` (position in ``tasks``) and ``person`` for every owner of every task."""
    found = origin(tasks)
    if found is None:
        return cached(tasks, "owner pairs", lambda: _pairs_of(tasks))
    # A filtered table: the pairs of the whole export, found once, kept at the selected rows.
    base = found[0]
    pairs = cached(base, "owner pairs", lambda: _pairs_of(base))
    row = selected_positions(found)[pairs["row"].to_numpy()]
    keep = row >= 0
    return pd.DataFrame({"row": row[keep], "person": pairs["person"].array[keep]})


def _pairs_of(tasks: pd.DataFrame) -> pd.DataFrame:
    assignee = tasks["assignee"].astype("string")
    item_rows, items = flat_list(tasks, "assignees")
    sizes = list_counts(tasks, "assignees")
    # Most tasks have one owner, named in ``assignee``; only the rest need their lists read.
    several = (sizes > 1) | (assignee.isna().to_numpy() & (sizes > 0))
    chosen = several[item_rows]
    listed = items.filter(pa.array(chosen))
    row = np.concatenate([np.arange(len(tasks)), item_rows[chosen]])
    person = pa.concat_arrays([column_text(tasks, "assignee"), listed])
    # Each (row, person) pair once, kept where first named.  The assignees come first, one per row, so only a
    # listed owner can repeat a pair: the task's own assignee, or an earlier item of its list (pairs compared
    # as one integer each).
    coded = pc.dictionary_encode(person)
    code = pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(tasks)
    own, extra, extra_row = code[:n], code[n:], row[n:]
    named = np.flatnonzero(extra >= 0)
    pair = extra_row[named] * (len(coded.dictionary) + 1) + extra[named]
    first = (extra[named] != own[extra_row[named]]) & ~pd.Series(pair).duplicated().to_numpy()
    keep = np.concatenate([np.flatnonzero(own >= 0), n + named[first]])
    out = pd.DataFrame({"row": row[keep], "person": pd.array(person.take(pa.array(keep)), dtype="string"),
                        "code": code[keep]})
    out.attrs["people"] = coded.dictionary  # the name of each code
    return out


def _owner_codes(tasks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """``(row, person, people)``: :func:`_owner_pairs` with each person as a code, and how many codes there are."""
    found = origin(tasks)
    table = tasks if found is None else found[0]
    pairs = cached(table, "owner pairs", lambda: _pairs_of(table))
    row, person = pairs["row"].to_numpy(), pairs["code"].to_numpy()
    if found is not None:
        row = selected_positions(found)[row]
        row, person = row[row >= 0], person[row >= 0]
    return row, person, len(pairs.attrs["people"])


def _reporter_codes(tasks: pd.DataFrame) -> np.ndarray:
    """Each task's reporter in the code space of :func:`_owner_codes` (people who own nothing after them; -1: none)."""
    def build(frame: pd.DataFrame) -> np.ndarray:
        people = cached(frame, "owner pairs", lambda: _pairs_of(frame)).attrs["people"]
        reporter = column_text(frame, "reporter")
        code = pc.fill_null(pc.index_in(reporter, value_set=people), -1).to_numpy(zero_copy_only=False)
        code = code.astype(np.int64)
        others = (code < 0) & reporter.is_valid().to_numpy(zero_copy_only=False)
        code[others] = len(people) + pd.factorize(reporter.filter(pa.array(others)).to_numpy(zero_copy_only=False))[0]
        return code

    return per_row(tasks, "reporter person code", build)


def _reporter_not_owner(ctx: Context) -> Measured:
    ctx.require("reporter")
    require_any(ctx, "assignee", "assignees")
    pool = has_value(ctx, "reporter") & per_row(ctx.tasks, "owned", owned_flags).to_numpy(dtype=bool)
    mine = per_row(ctx.tasks, "reported by an owner", _reported_by_owner)
    return share_of(ctx, ~mine, pool, healthy=True, empty="no task has both a reporter and an owner",
                     finding="{bad} of {n} tasks are owned by the person who raised them")


def _reported_by_owner(tasks: pd.DataFrame) -> np.ndarray:
    """True where the task's reporter is one of its owners."""
    # The same pairs "cross-team items" uses: found once per table, not once per signal.  Names are compared as
    # codes of one space: a reporter who owns nothing, or none, never has an owner's code.
    owners = cached(tasks, "owner pairs", lambda: _pairs_of(tasks))
    rows = owners["row"].to_numpy()
    same = owners["code"].to_numpy() == _reporter_codes(tasks)[rows]
    mine = np.zeros(len(tasks), dtype=bool)
    mine[rows[same]] = True
    return mine


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
    return Measured(mean, score, len(counts), alone, text, severity_of_score(score))


def _homes(person: np.ndarray, group: np.ndarray, *, people: int, groups: int) -> np.ndarray:
    """Each person's home group: where they have the most pairs, the first group on a tie; -1 without any."""
    keep = (person >= 0) & (group >= 0)
    pairs, counts = distinct_counts(person[keep] * groups + group[keep])
    who, where = pairs // groups, pairs % groups
    order = np.lexsort((where, -counts, who))
    who, where = who[order], where[order]
    first = np.ones(len(who), dtype=bool)
    first[1:] = who[1:] != who[:-1]
    home = np.full(people, -1, dtype=np.int64)
    home[who[first]] = where[first]
    return home


def _cross_team(ctx: Context) -> Measured:
    ctx.require("reporter")
    tasks = ctx.tasks
    group = (tasks["team"] if tasks["team"].nunique() >= 2 else tasks["project"]).astype("string")
    if group.nunique() < 2:
        raise NotMeasurable("the export holds a single team and project, so cross-team work cannot be seen")
    # A person's home team is where they own most work; people who own nothing are placed by what they raise.
    # People and teams are compared as codes; teams numbered in name order, so a tie goes to the first name.
    code, names = pd.factorize(group, sort=True)
    row, person, owners = _owner_codes(tasks)
    reporter = _reporter_codes(tasks)
    people = max(owners, int(reporter.max(initial=-1)) + 1)
    homes = _homes(person, code[row], people=people, groups=len(names))
    raised = _homes(reporter, code, people=people, groups=len(names))
    homes = np.where(homes >= 0, homes, raised)
    home = np.where(reporter >= 0, homes[np.maximum(reporter, 0)], -1) if people else np.full(len(tasks), -1)
    pool = (home >= 0) & (code >= 0)
    if not pool.any():
        raise NotMeasurable("no task has both a reporter and a team")
    cross = (home != code)[pool]
    share = float(cross.mean())
    # About one item in five crossing teams shows teams work together; more is not scored higher (inferred).
    score = min(1.0, share / 0.20) * 100
    text = None if cross.any() else f"None of {len(cross)} tasks was raised by someone from another team"
    return Measured(share, score, len(cross), [], text, severity_of_score(score))


# --- the flywheel's own signals -----------------------------------------------------------------

def relabel(spec: SignalSpec, element: str) -> SignalSpec:
    """``spec`` scoring ``element`` of the flywheel, named ``"<its own element>: <its name>"``.

    The source element stays in the name, so a reader can trace a C4 signal back to its framework.
    """
    return replace(spec, element=element, name=f"{spec.element}: {spec.name}")


def _own(element: str, name: str, required: tuple[str, ...], how: str, compute,
         optional: tuple[str, ...] = (), unit: str = "share", rule: str = "") -> SignalSpec:
    return SignalSpec(element=element, name=name, required=required, how=how, compute=compute, optional=optional,
                      unit=unit, rule=rule)


#: The Stack's "on time" signal, which the flywheel reads as flow context, not Coordination.
ON_TIME = next(s for s in STACK_SIGNALS if s.name == "on time")
# Required fields: without one the signal is NA (see SignalSpec); "a|b" when either will do.
# Throughput is activity, not completion (frameworks.md: "Completion = Outcomes, not throughput"): these read how
# work flows and sit beside Completion as context.
FLOW_SIGNALS: tuple[SignalSpec, ...] = (
    _own(FLOW_CONTEXT, "resolved / created", ("status_category", "created", "completed"),
         "Tasks finished over tasks created in the last flow_days days; 1 or more scores 100.",
         _resolved_vs_created, unit="ratio", rule="1× or more scores 100; below, score = ratio × 100"),
    relabel(ON_TIME, FLOW_CONTEXT),
    _own(FLOW_CONTEXT, "stale", ("status_category", "updated"),
         "Share of open tasks not updated for stale_days; lower is better.", _stale),
    _own(FLOW_CONTEXT, "aging WIP", ("status_category", "created", "completed"),
         "Share of in-progress tasks older than aging_multiple x the median cycle time; lower is better.",
         _aging, optional=("started",)),
    _own(FLOW_CONTEXT, "cancelled", ("status_category",),
         "Share of closed tasks that were cancelled; lower is better.", _cancelled),
)
COLLABORATION_SIGNALS: tuple[SignalSpec, ...] = (
    _own("Collaboration", "commented", ("comments",),
         "Share of tasks with at least one comment (weak proxy: most collaboration happens off the tracker).",
         _commented),
    _own("Collaboration", "reporter is not owner", ("reporter", "assignee|assignees"),
         "Share of tasks owned by someone other than who raised them (weak proxy).", _reporter_not_owner),
    _own("Collaboration", "people per item", (HISTORY,),
         "Mean distinct people per task from owners, reporter and history authors; 1 scores 0, 3+ scores 100 "
         "(weak proxy).", _people_per_item, optional=("reporter", "assignee", "assignees"),
         unit="people", rule="1 person scores 0, 3 or more score 100"),
    _own("Collaboration", "cross-team items", ("reporter", "team|project"),
         "Share of tasks raised by someone whose home team differs from the task's; 20% or more scores 100 "
         "(weak proxy, inferred target).", _cross_team, optional=("assignee", "assignees"),
         rule="20% or more scores 100; below, score = share / 20%"),
)
