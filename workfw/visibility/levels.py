"""Work Visibility internals: the level each task reaches, its kind of work, and the fit check.

The framework asks for *appropriate* visibility, not the most.  Each open task
is one kind of work (:data:`~workfw.visibility.definition.KINDS`), and each kind
has a range of levels that fits it (:data:`~workfw.visibility.definition.APPROPRIATE`): major work should be
seen beyond its team, routine work in the team's shared system, and a
low-priority chore need not reach organisation-wide views.  The framework's own
fit check sits inside it: under-visible = high priority or blocking others yet
at most Team Visible (major work below its range), over-exposed = a low-priority
chore at Organizational Visible (above its range).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workfw.core import (OPEN, Context, blocked_by_links, cached, cached_goal_link_table, column_codes, column_text,
                         distinct_counts, flat_list, id_column, label_match, large_text, link_arrays, list_counts,
                         position_of, side_by_side, type_words, value_flags, values_at)
from workfw.visibility.definition import (CHORE_LABEL, CHORE_TYPES, ELEMENTS, FIT_HIGH, FIT_LOW, HIGH_PRIORITIES,
                                          KEY_PREFIX, KINDS, LOW_PRIORITIES)

__all__: list[str] = []

# Codes of the kinds of work, in KINDS order.
_MAJOR, _ROUTINE, _CHORE = range(3)


def _levels(ctx: Context) -> pd.DataFrame:
    """:func:`_levels_frame` of the context, kept on its tasks and history (it reads ``as_of`` and ``stale_days``)."""
    stale_days = int(ctx.options["stale_days"])
    return cached((ctx.tasks, ctx.events), "visibility levels",
                  lambda: _levels_frame(ctx.tasks, ctx.events, ctx.as_of, stale_days), params=(ctx.as_of, stale_days))


def _priority_in(tasks: pd.DataFrame, words: frozenset[str]) -> np.ndarray:
    """True where the priority (or its first word: ``P1 - Critical``) is one of ``words``."""
    def match(values: pd.Series) -> pd.Series:
        text = values.str.lower().str.strip()
        return text.isin(words) | text.str.extract(r"^([a-z0-9]+)", expand=False).isin(words)

    return value_flags(tasks["priority"], match)


def _at_most_one_person(tasks: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """True where a task names at most one distinct person: reporter, assignee(s) and history authors."""
    n = len(tasks)
    # Where people are named: (the row of each name, None for one per task in table order; the names).  Names
    # stay in pyarrow: a million tasks name three million people.
    sources: list[tuple[np.ndarray | None, pa.Array]] = [(None, column_text(tasks, "reporter")),
                                                         (None, column_text(tasks, "assignee"))]
    listed_rows, listed = flat_list(tasks, "assignees")
    if len(listed_rows):
        sources.append((listed_rows, listed))
    if not events.empty and events["author"].notna().any():
        authors = events.dropna(subset=["author"])
        where = position_of(tasks, authors["task_id"].to_numpy(dtype=object))
        sources.append((where[where >= 0], large_text(authors["author"][where >= 0])))
    # Each source is coded on its own (a few thousand distinct names each: hashing them apart is ~3x cheaper
    # than hashing all of them together), then every distinct spelling is trimmed and lower-cased once.
    coded = [column_codes(tasks, "reporter"), column_codes(tasks, "assignee")]
    coded += [pc.dictionary_encode(names) for _, names in sources[2:]]
    spelled = pc.dictionary_encode(pc.utf8_lower(pc.utf8_trim_whitespace(
        pa.chunked_array([c.dictionary for c in coded], type=pa.large_string()).combine_chunks())))
    person_of = spelled.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    ends = np.cumsum([len(c.dictionary) for c in coded])
    codes = [np.append(person_of[end - len(c.dictionary):end], -1)[pc.fill_null(c.indices, -1).to_numpy(
        zero_copy_only=False)] for c, end in zip(coded, ends)]
    # At most one person <=> every person named on the row is the one first found there (or none is named).
    first = np.full(n, -1, dtype=np.int64)
    for (rows, _), code in zip(sources, codes):
        at = np.arange(n) if rows is None else rows
        take = (code >= 0) & (first[at] < 0)
        first[at[take]] = code[take]
    several = np.zeros(n, dtype=bool)
    for (rows, _), code in zip(sources, codes):
        at = np.arange(n) if rows is None else rows
        several[at[(code >= 0) & (code != first[at])]] = True
    return ~several


def _unit(tasks: pd.DataFrame) -> pd.Series:
    return tasks["team"].fillna(tasks["project"])


def _dependency_edges(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per blocked-by link: ``src`` waits on ``dst`` (row, -1 outside); ``cross`` across teams.

    Kept per table: callers must not change it.
    """
    return cached(tasks, "blocked-by edges", lambda: _edges_of(tasks))


def _edges_of(tasks: pd.DataFrame) -> pd.DataFrame:
    src, dst_id, dst = blocked_by_links(tasks)
    frame = pd.DataFrame({"src": src, "dst_id": dst_id, "dst": dst})
    if frame.empty:
        return frame.assign(cross=np.array([], dtype=bool))
    unit, _ = pd.factorize(_unit(tasks))  # teams compared as codes; -1: neither team nor project
    known = dst >= 0
    src_unit = unit[src]
    dst_unit = np.where(known, unit[np.where(known, dst, 0)], -1)
    cross = known & (src_unit >= 0) & (dst_unit >= 0) & (src_unit != dst_unit)
    # A target outside the export is cross-project when its key prefix differs (ABC-1 waits on XYZ-9).
    away = np.flatnonzero(~known)
    if len(away):
        src_prefix = _key_prefix(column_text(tasks, "task_id").take(pa.array(src[away], type=pa.int64())))
        dst_prefix = _key_prefix(pa.array(dst_id[away], type=pa.large_string(), from_pandas=True))
        cross[away] = pd.notna(src_prefix) & pd.notna(dst_prefix) & (src_prefix != dst_prefix)
    frame["cross"] = cross
    return frame


def _key_prefix(ids: pa.Array) -> np.ndarray:
    """The project prefix of each issue key (``ABC`` of ``ABC-12``), None where an id is not a key."""
    named = KEY_PREFIX.replace("^(", "^(?P<prefix>", 1)
    return pc.struct_field(pc.extract_regex(ids, named), "prefix").to_numpy(zero_copy_only=False)


def _reporter_elsewhere(tasks: pd.DataFrame) -> pd.Series:
    """True when the reporter mostly works (is assigned) in another team than the task's."""
    # People and units compared as codes, units numbered in name order: a person's home is the unit they are
    # assigned most in, the first name on a tie (a value_counts and sort of a million text pairs is slow).
    unit_code, units = pd.factorize(_unit(tasks), sort=True)
    owner = column_codes(tasks, "assignee")
    person = pc.fill_null(owner.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    paired = (person >= 0) & (unit_code >= 0)
    if not paired.any():
        return pd.Series(False, index=tasks.index)
    pair, count = distinct_counts(person[paired] * len(units) + unit_code[paired])
    who, where = pair // len(units), pair % len(units)
    order = np.lexsort((where, -count, who))
    who, where = who[order], where[order]
    first = np.ones(len(who), dtype=bool)
    first[1:] = who[1:] != who[:-1]
    home = np.full(len(owner.dictionary) + 1, -1, dtype=np.int64)  # the last: no home known
    home[who[first]] = where[first]
    reporter = pc.fill_null(pc.index_in(column_text(tasks, "reporter"), value_set=owner.dictionary),
                            -1).to_numpy(zero_copy_only=False)
    reporter_home = home[reporter]
    return pd.Series((reporter_home >= 0) & (unit_code >= 0) & (reporter_home != unit_code), index=tasks.index)


def _levels_frame(tasks: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp, stale_days: int) -> pd.DataFrame:
    n = len(tasks)
    category = tasks["status_category"]
    is_open = category.isin(OPEN).to_numpy(dtype=bool)
    owner = tasks["assignee"].notna().to_numpy() | (list_counts(tasks, "assignees") > 0)
    owners_known = bool(owner.any())
    if not owners_known:
        owner = np.ones(n, dtype=bool)  # an export without assignees cannot show ownership; a caveat says so
    shared = (tasks["team"].notna() | tasks["project"].notna()).to_numpy()
    has_status = category.notna().to_numpy(dtype=bool)
    dated = tasks["updated"].fillna(tasks["created"])
    if dated.isna().all():
        fresh = np.ones(n, dtype=bool)  # freshness cannot be judged; a caveat says so
    else:
        recent = (dated >= as_of - pd.Timedelta(days=stale_days)).fillna(False).astype(bool).to_numpy()
        fresh = ~is_open | recent
    # Who is named and where they work do not depend on the reference time or stale_days: kept per table, so
    # moving a threshold or the window's end does not work them out again.  These facts are independent of
    # each other: on a large table they are worked out side by side.
    one_person, reporter_other, edges, high, low, chore = side_by_side([
        lambda: cached((tasks, events), "at most one person", lambda: _at_most_one_person(tasks, events)),
        lambda: cached(tasks, "reported from elsewhere", lambda: _reporter_elsewhere(tasks).to_numpy()),
        lambda: _dependency_edges(tasks),
        lambda: _priority_in(tasks, HIGH_PRIORITIES),
        lambda: _priority_in(tasks, LOW_PRIORITIES),
        lambda: (type_words(tasks).isin(CHORE_TYPES).fillna(False).astype(bool)
                 | label_match(tasks, CHORE_LABEL)).to_numpy(),
    ], tasks=n)
    # Without any assignee, "only one person touched it" cannot be told from "nobody recorded the owner".
    solo = owners_known & one_person & (tasks["comments"].fillna(0) == 0).to_numpy() & (
        tasks["watchers"].fillna(0) <= 1).to_numpy()
    team_ok = shared & owner & has_status & fresh

    cross_edges = edges[edges["cross"]]
    waits_on_other = np.zeros(n, dtype=bool)
    waits_on_other[cross_edges["src"].to_numpy()] = True
    others_wait = np.zeros(n, dtype=bool)
    others_wait[cross_edges.loc[cross_edges["dst"] >= 0, "dst"].to_numpy()] = True
    links = link_arrays(tasks)
    is_goal, rolls = links.is_goal, links.rolls_up

    conditions = [
        team_ok & is_goal, team_ok & rolls, team_ok & waits_on_other, team_ok & others_wait,
        team_ok & reporter_other, team_ok, solo & ~shared, ~shared, ~owner, ~fresh, ~has_status,
    ]
    ranks = np.array([5, 5, 4, 4, 4, 3, 2, 2, 2, 2, 2, 2])
    rule = np.select(conditions, list(range(len(conditions))), default=len(conditions))
    rank = ranks[rule]

    blocks_others = np.zeros(n, dtype=bool)
    if len(edges):
        waiting = edges.loc[is_open[edges["src"].to_numpy()] & (edges["dst"] >= 0).to_numpy(), "dst"]
        blocks_others[waiting.to_numpy()] = True
    kind = np.select([is_goal | high | blocks_others | waits_on_other, low & chore], [_MAJOR, _CHORE],
                     default=_ROUTINE).astype(np.int8)
    return pd.DataFrame({
        "task_id": id_column(tasks),
        "level": pd.Categorical.from_codes(rank - 1, categories=list(ELEMENTS)),
        # The framework's fit check: high priority or blocking others, yet at most Team Visible (a subset of
        # major work below its levels, which also counts stale epics and work waiting on another team) ...
        "under_visible": is_open & (high | blocks_others) & (rank <= 3),
        # ... and a low-priority chore above the levels that fit it (Organizational Visible).
        "over_exposed": is_open & (kind == _CHORE) & (rank > FIT_HIGH[kind]),
        # Kept for the Personal System signal and the fit table; visibility_levels drops the private columns
        # and spells the rule out as a reason (a diagnosis reads no reason: a million texts cost ~0.2 s).
        "_personal_rule": solo | ~shared,
        "_kind": kind,
        "_rule": rule.astype(np.int8),
    })


def _reasons(tasks: pd.DataFrame, levels: pd.DataFrame, stale_days: int) -> pd.api.extensions.ExtensionArray:
    """Why each task is at its level, in words.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The task table ``levels`` was worked out on (the epic a task rolls up to is named).
    levels : pandas.DataFrame
        :func:`_levels_frame` of ``tasks``: ``_rule`` is the first rule each task met.
    stale_days : int
        The ``stale_days`` the levels were worked out with.

    Returns
    -------
    pandas.api.extensions.ExtensionArray
        A string array, one reason per task.
    """
    reasons = pa.array([
        "is an epic, milestone or goal item", None, "depends on another team's item",
        "another team's item depends on it", "reported from another team", "shared project, owner and current status",
        "one person only, in no shared project or team", "in no shared project or team", "no owner",
        f"stale: open and not updated for over {stale_days} days", "no status", "personal system",
    ], type=pa.large_string())
    rule = levels["_rule"].to_numpy()
    # Reasons as codes into a table, joined with the epic's id in pyarrow only for "rolls up to".
    reason = pa.DictionaryArray.from_arrays(pa.array(rule, type=pa.int8()), reasons).cast(pa.large_string())
    if (rule == 1).any():
        epic = large_text(cached_goal_link_table(tasks)["epic_id"].fillna("a goal"))
        rolls_text = pc.binary_join_element_wise(pa.scalar("rolls up to ", pa.large_string()), epic,
                                                 pa.scalar("", pa.large_string()))
        reason = pc.if_else(pa.array(rule == 1), rolls_text, reason)
    return pd.array(reason, dtype="string")


def _fit_table(tasks: pd.DataFrame, levels: pd.DataFrame, *, examples: int = 5) -> pd.DataFrame:
    """Open tasks per kind of work and level, with the share of the kind and how the level fits it.

    Parameters
    ----------
    tasks : pandas.DataFrame
        The task table ``levels`` was worked out on (titles for the examples).
    levels : pandas.DataFrame
        :func:`_levels_frame` of ``tasks``.
    examples : int, default 5
        Tasks named per cell that does not fit (below or above its kind's range).

    Returns
    -------
    pandas.DataFrame
        One row per kind (``All open work`` first, then :data:`KINDS`) and level from Personal
        System up: ``kind, level, tasks, open`` (open tasks of the kind), ``share`` (tasks / open;
        NaN without open tasks), ``fit`` (``below``, ``appropriate``, ``above``; empty for all open
        work), ``under_visible`` and ``over_exposed`` (open tasks the fit check flags),
        ``example_ids`` and ``example_titles`` (lists, for cells that do not fit).
    """
    observed = list(ELEMENTS[1:])
    is_open = tasks["status_category"].isin(OPEN).to_numpy()
    rank = levels["level"].cat.codes.to_numpy()[is_open] + 1
    kind = levels["_kind"].to_numpy()[is_open]
    width = len(observed)
    # One bincount over kind x level: the explorer redraws this on every filter change.
    cells = np.bincount(kind.astype(np.int64) * width + (rank - 2), minlength=len(KINDS) * width)
    counts = np.vstack([cells.reshape(len(KINDS), width).sum(axis=0), cells.reshape(len(KINDS), width)])
    ranks = np.arange(2, 2 + width)
    fit = [[""] * width] + [
        ["below" if r < FIT_LOW[k] else "above" if r > FIT_HIGH[k] else "appropriate" for r in ranks]
        for k in range(len(KINDS))]
    flags = {}
    for flag in ("under_visible", "over_exposed"):
        marked = levels[flag].to_numpy(dtype=bool)[is_open]
        per_cell = np.bincount(kind[marked].astype(np.int64) * width + (rank[marked] - 2),
                               minlength=len(KINDS) * width).reshape(len(KINDS), width)
        flags[flag] = np.vstack([per_cell.sum(axis=0), per_cell])
    rows_open = np.flatnonzero(is_open)
    under = levels["under_visible"].to_numpy(dtype=bool)[is_open]
    picks: list[np.ndarray] = []
    for row, names in enumerate(fit):
        for column, verdict in enumerate(names):
            found = np.array([], dtype=np.int64)
            if verdict in ("below", "above") and counts[row, column]:
                found = np.flatnonzero((kind == row - 1) & (rank == column + 2))
                # Under-visible tasks lead: they are what the fit check names.
                found = found[np.argsort(~under[found], kind="stable")][:examples]
            picks.append(rows_open[found])
    # The named rows are read as text in one take: a whole column to objects costs more than the table.
    chosen = np.concatenate(picks)
    ids = [str(v) for v in values_at(tasks["task_id"], chosen)]
    titles = [None if v is None else str(v) for v in values_at(tasks["title"], chosen)]
    ends = np.cumsum([len(p) for p in picks])
    example_ids = [ids[end - len(p):end] for p, end in zip(picks, ends)]
    example_titles = [titles[end - len(p):end] for p, end in zip(picks, ends)]
    totals = counts.sum(axis=1, keepdims=True)
    share = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    return pd.DataFrame({
        "kind": np.repeat(["All open work", *KINDS], width),
        "level": observed * (len(KINDS) + 1),
        "tasks": counts.ravel().astype(np.int64),
        "open": np.repeat(totals.ravel(), width).astype(np.int64),
        "share": share.ravel(),
        "fit": [v for names in fit for v in names],
        "under_visible": flags["under_visible"].ravel().astype(np.int64),
        "over_exposed": flags["over_exposed"].ravel().astype(np.int64),
        "example_ids": example_ids,
        "example_titles": example_titles,
    })
