"""Before and after, element by element, with an interval from a bootstrap over tasks (:func:`compare`).

Two ways to get a *before* and an *after*:

- two exports (``compare(before, after)``): each diagnosed as of its own reference time, over all
  its tasks (or the team chosen);
- one export split at a date (``compare(export, split_at=date)``): *before* is the diagnosis of the
  export as it stood at the split (:func:`workfw.change.state_at`: later tasks absent, statuses and
  dates wound back) over the tasks created by then (``window=(first task, split)``), *after* the
  diagnosis as of the export's end over the tasks open or active after the split
  (``window=(split, end)``).

The bootstrap
-------------
The tasks are what varies: a score computed over 40 tasks moves when a handful of them change.
Each of ``n_boot`` rounds draws the selected tasks again with replacement and diagnoses both sides
again, unchanged in every other way.  Tasks on both sides (the same id in both exports, or active on
both sides of the split) are drawn once for both, so what they share does not read as noise; tasks
on one side only are drawn within that side, so each side keeps its size.  A task drawn twice
appears twice (the copy gets a new id and the same history).  A task that other tasks name as
their parent or blocker is kept once in every round instead: a copy would have no children and
leaving it out would cut its children's links, which moved link-based scores in every round (on the
sample, Progress' intervals missed its own difference).  Intervals of link-based scores (Why,
Progress, Outcomes, Cross-functional Visible) are therefore somewhat narrow.  The interval is the central ``level``
share of the differences (percentile bootstrap).  A difference is ``changed`` when its interval
excludes 0, ``within noise`` when it holds 0, and ``not measurable`` when either side has no score.

Each round costs two full diagnoses of new tables (no per-table cache helps): about 0.4 s for the
four frameworks on the 2,500 tasks of the sample organisation, so the default :data:`N_BOOT` of 40
takes about 15 s (measured on a shared two-core machine; one framework about a quarter of that).
With under a hundred rounds the ends of a 90% interval are rough; raise ``n_boot`` for a decision
that matters.

The tasks behind the largest moves (:func:`movers`) are read from the findings, which name the tasks
behind each problem: per element, the tasks named after but not before (newly flagged: they pulled
the score down) and those named before but not after (no longer flagged: their fix lifted it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workfw.all_frameworks import as_export, diagnose_all, route_options
from workfw.change._common import ChangeError, _check_no_window, _chosen, _score_rows, _span, _utc
from workfw.core.context import prepare
from workfw.core.options import DEFAULTS
from workfw.core.rewind import state_at
from workfw.export import TaskExport

__all__ = ["compare", "movers", "N_BOOT", "COMPARE_COLUMNS", "MOVER_COLUMNS", "STATUSES"]

#: Default bootstrap rounds (see the module docstring for the cost).
N_BOOT = 40
#: What a difference is called.
STATUSES: tuple[str, ...] = ("changed", "within noise", "not measurable")
#: Columns of :func:`compare`.
COMPARE_COLUMNS: tuple[str, ...] = ("framework", "element", "before", "after", "difference", "low", "high",
                                    "tasks_before", "tasks_after", "status", "reason")
#: Columns of :func:`movers`.
MOVER_COLUMNS: tuple[str, ...] = ("framework", "element", "difference", "direction", "task_id", "title")
#: Tasks listed per element and direction.
_MOVER_LIMIT = 5
_COPY = "#copy"


@dataclass
class _Side:
    """One side of a comparison: the export, its point in time and its date window."""

    export: TaskExport
    as_of: pd.Timestamp | None
    window: tuple[pd.Timestamp, pd.Timestamp] | None
    label: str

    def options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {**options, "window": self.window} if self.window is not None else dict(options)


def _sides(before: Any, after: Any, split_at: Any, allow_disjoint: bool) -> tuple[_Side, _Side, str]:
    if (after is None) == (split_at is None):
        raise ChangeError("compare: expected either a second export (after=...) or a date to split one export "
                          f"at (split_at=...), got {'both' if after is not None else 'neither'}. Next step: pass "
                          "exactly one of them.")
    if split_at is not None:
        export = as_export(before)
        first, now = _span(export)
        split = _utc(split_at, "split_at", "compare")
        if first is None or now is None or not first < split < now:
            dates = "no creation dates" if first is None or now is None else f"dates {first:%Y-%m-%d} to {now:%Y-%m-%d}"
            raise ChangeError(f"compare: split_at={split:%Y-%m-%d} is outside the export "
                              f"({export.report.file}: {dates}); expected a date after its first task and before "
                              "its last activity. Next step: pass a split date inside that range.")
        return (_Side(state_at(export, split), split, (first, split), f"the tasks created by {split:%Y-%m-%d}"),
                _Side(export, now, (split, now), f"the tasks open or active after {split:%Y-%m-%d}"), "split")
    old, new = as_export(before), as_export(after)
    if old.report.source != new.report.source:
        raise ChangeError(f"compare: the exports come from different trackers ({old.report.file}: "
                          f"{old.report.source}, {new.report.file}: {new.report.source}); expected two exports "
                          "of the same tracker, whose signals read the same fields. Next step: export both from "
                          "the same tracker, or compare each with itself using split_at=.")
    if not allow_disjoint and not old.tasks["task_id"].isin(set(new.tasks["task_id"])).any():
        raise ChangeError(f"compare: {old.report.file} and {new.report.file} share no task id; expected two "
                          "exports of the same work at two times. Next step: check the files, or pass "
                          "allow_disjoint=True if they really are one team's work in two periods.")
    return (_Side(old, None, None, f"{old.report.file}"), _Side(new, None, None, f"{new.report.file}"),
            "two exports")


def compare(before: Any, after: Any = None, *, split_at: Any = None, frameworks: str | Iterable[str] | None = None,
            n_boot: int = N_BOOT, seed: int = 0, level: float = 0.9, allow_disjoint: bool = False,
            top: int = 3, **options: Any) -> pd.DataFrame:
    """Each element's score before and after, the difference and its bootstrap interval.

    See the module docstring for the two ways to compare and the bootstrap.

    Parameters
    ----------
    before : TaskExport, pandas.DataFrame or path
        The earlier export, or the one export to split.
    after : TaskExport, pandas.DataFrame or path, optional
        The later export (or give ``split_at``).
    split_at : timestamp-like, optional
        Split ``before`` at this date instead.
    frameworks : str or iterable of str, optional
        Framework keys; every framework when None.
    n_boot : int, default :data:`N_BOOT`
        Bootstrap rounds (at least 10).
    seed : int, default 0
        Seed of the draws: the same seed gives the same intervals.
    level : float, default 0.9
        Share of the bootstrap differences the interval covers.
    allow_disjoint : bool, default False
        Compare two exports that share no task id.
    top : int, default 3
        How many elements (largest moves first) :func:`movers` lists tasks for.
    **options
        As :func:`workfw.all_frameworks.diagnose_all` (``team=``, thresholds...), except ``window``.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARE_COLUMNS`: ``before``/``after`` scores (NaN when not measurable), ``difference``
        (after - before), ``low``/``high`` (the interval), ``tasks_before``/``tasks_after`` (tasks each
        side is computed over), ``status`` (:data:`STATUSES`) and ``reason`` (why not measurable).
        ``attrs``: ``mode``, ``before_label``, ``after_label``, ``n_boot``, ``seed``, ``level``,
        ``rule`` and ``movers`` (records for :func:`movers`).

    Raises
    ------
    ChangeError
        Neither or both of ``after`` and ``split_at``; a split date outside the export; exports of
        different trackers or with no task in common; ``n_boot`` below 10; ``level`` outside (0, 1).
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise ChangeError(f"compare: n_boot={n_boot!r}; expected a whole number of at least 10 bootstrap rounds. "
                          f"Next step: pass n_boot={N_BOOT}.")
    if not 0 < float(level) < 1:
        raise ChangeError(f"compare: level={level!r}; expected a share between 0 and 1. Next step: pass level=0.9.")
    _check_no_window(options, "compare")
    chosen = _chosen(frameworks, "compare")
    route_options(chosen, options)
    old, new, mode = _sides(before, after, split_at, allow_disjoint)
    points = [diagnose_all(s.export, as_of=s.as_of, frameworks=chosen, **s.options(options)) for s in (old, new)]
    for side, diags in zip((old, new), points):
        side.as_of = next(iter(diags.values())).as_of
    filters = {k: v for k, v in options.items() if k in DEFAULTS}
    selected = [prepare(s.export, as_of=s.as_of, **s.options(filters)).tasks["task_id"] for s in (old, new)]
    rows_b, rows_a = _score_rows(points[0]), _score_rows(points[1])
    boot = _bootstrap((old, new), selected, chosen, options, int(n_boot), np.random.default_rng(seed))
    out = _table(rows_b, rows_a, boot, float(level), (len(selected[0]), len(selected[1])))
    out.attrs.update(mode=mode, before_label=old.label, after_label=new.label, n_boot=int(n_boot), seed=seed,
                     level=float(level), rule=_rule(mode, int(n_boot), float(level)),
                     movers=_movers(out, points, (old, new), top))
    return out


def _rule(mode: str, n_boot: int, level: float) -> str:
    sides = ("before: the tasks created by the split, as of the split; after: the tasks open or active after it, "
             "as of the export's end" if mode == "split" else "each export as of its own end")
    return (f"{sides}. Interval: {level:.0%} of {n_boot} bootstrap rounds over tasks; "
            "'changed' when it excludes 0")


def _bootstrap(sides: tuple[_Side, _Side], selected: list[pd.Series], chosen: list[str], options: dict[str, Any],
               n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_boot, 2, elements)`` scores of both sides in each round (NaN where not measurable)."""
    ids_b, ids_a = (pd.Index(s.astype(object)) for s in selected)
    union = ids_b.union(ids_a, sort=False)
    # A task others point at (a parent, a blocker) stays once in every round: a copy under a new id would have no
    # children, and leaving it out would cut its children's links, so link-based scores would drift in every round.
    anchored = union.isin(_pointed_at(sides))
    both, in_b, in_a = union.isin(ids_b) & union.isin(ids_a), union.isin(ids_b), union.isin(ids_a)
    groups = [np.flatnonzero(mask & ~anchored) for mask in (both, in_b & ~both, in_a & ~both)]
    shared = sides[0].export is sides[1].export
    out = []
    for _ in range(n_boot):
        copies = anchored.astype(np.int64)
        for group in groups:
            if len(group):
                np.add.at(copies, group[rng.integers(0, len(group), len(group))], 1)
        drawn = pd.Series(copies, index=union)
        scores, built = [], None
        for side in sides:
            if built is None or not shared:
                built = _resampled(side.export, drawn)
            diags = diagnose_all(built, as_of=side.as_of, frameworks=chosen, **side.options(options))
            scores.append([r["score"] for r in _score_rows(diags)])
        out.append(scores)
    return np.asarray(out, dtype=float)


def _pointed_at(sides: tuple[_Side, _Side]) -> set[str]:
    """Ids of tasks that another task names as its parent or as blocking it, on either side."""
    out: set[str] = set()
    for export in {id(s.export): s.export for s in sides}.values():
        tasks = export.tasks
        out.update(str(v) for v in tasks["parent_id"].dropna())
        out.update(str(v) for cell in tasks["blocked_by"] for v in (cell if isinstance(cell, list) else []))
    return out


def _resampled(export: TaskExport, drawn: pd.Series) -> TaskExport:
    """The export with each drawn task repeated as often as drawn (copies get new ids), the rest once."""
    tasks = export.tasks
    ids = tasks["task_id"].astype(object)
    weights = ids.map(drawn).fillna(1).astype(np.int64).to_numpy()
    positions = np.repeat(np.arange(len(tasks)), weights)
    copy_no = np.arange(len(positions)) - np.repeat(np.cumsum(weights) - weights, weights)
    original = ids.to_numpy()[positions]
    new_ids = np.array([i if k == 0 else f"{i}{_COPY}{k}" for i, k in zip(original, copy_no)], dtype=object)
    table = tasks.take(positions).reset_index(drop=True)
    table["task_id"] = pd.Series(new_ids, dtype=tasks["task_id"].dtype)
    events = export.events
    if len(events):
        pairs = pd.DataFrame({"task_id": pd.Series(original, dtype=events["task_id"].dtype), "_new": new_ids})
        events = pairs.merge(events, on="task_id", how="inner")
        events = events.assign(task_id=events["_new"].astype(export.events["task_id"].dtype))[
            list(export.events.columns)]
    return TaskExport(tasks=table, events=events, raw=pd.DataFrame(index=table.index), report=export.report)


def _table(rows_b: list[dict], rows_a: list[dict], boot: np.ndarray, level: float,
           counts: tuple[int, int]) -> pd.DataFrame:
    tail = (1 - level) / 2
    records = []
    for j, (b, a) in enumerate(zip(rows_b, rows_a)):
        diffs = boot[:, 1, j] - boot[:, 0, j]
        diffs = diffs[~np.isnan(diffs)]
        low = high = diff = float("nan")
        reason = None
        if np.isnan(b["score"]) or np.isnan(a["score"]):
            status = "not measurable"
            reason = "; ".join(f"{name}: {r['reason']}" for name, r in (("before", b), ("after", a)) if r["reason"])
        elif len(diffs) < boot.shape[0] / 2:
            status, diff = "not measurable", round(a["score"] - b["score"], 1)
            reason = f"measurable in only {len(diffs)} of {boot.shape[0]} bootstrap rounds, so no interval"
        else:
            diff = round(a["score"] - b["score"], 1)
            low, high = (round(float(q), 1) for q in np.quantile(diffs, [tail, 1 - tail]))
            status = "changed" if low > 0 or high < 0 else "within noise"
        records.append({"framework": b["framework"], "element": b["element"], "before": b["score"],
                        "after": a["score"], "difference": diff, "low": low, "high": high,
                        "tasks_before": counts[0], "tasks_after": counts[1], "status": status, "reason": reason})
    return pd.DataFrame(records, columns=list(COMPARE_COLUMNS))


def _flagged(diag: Any, element: str) -> list[str]:
    """Task ids named by the element's findings, in the findings' order, without repeats."""
    found = diag.findings[diag.findings["element"] == element]
    return list(dict.fromkeys(str(i) for ids in found["task_ids"] for i in ids))


def _movers(table: pd.DataFrame, points: list[dict[str, Any]], sides: tuple[_Side, _Side],
            top: int) -> list[dict[str, Any]]:
    measured = table[table["status"] != "not measurable"]
    order = measured.assign(size=measured["difference"].abs()).sort_values("size", ascending=False, kind="stable")
    titles = [s.export.tasks.set_index(s.export.tasks["task_id"].astype(object))["title"] for s in sides]
    out = []
    for row in order.head(max(int(top), 0)).itertuples():
        before = _flagged(points[0][row.framework], row.element)
        after = _flagged(points[1][row.framework], row.element)
        for direction, ids, title in (("newly flagged", [i for i in after if i not in set(before)], titles[1]),
                                      ("no longer flagged", [i for i in before if i not in set(after)], titles[0])):
            for task in ids[:_MOVER_LIMIT]:
                name = title.get(task)
                out.append({"framework": row.framework, "element": row.element, "difference": row.difference,
                            "direction": direction, "task_id": task,
                            "title": None if name is None or pd.isna(name) else str(name)})
    return out


def movers(comparison: pd.DataFrame) -> pd.DataFrame:
    """The tasks behind the largest moves of a :func:`compare` table.

    For the ``top`` elements with the largest difference: up to five tasks the element's findings name
    after but not before (``newly flagged``) and before but not after (``no longer flagged``).

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        :data:`MOVER_COLUMNS`; empty when no finding changed.

    Raises
    ------
    ChangeError
        When ``comparison`` is not a :func:`compare` table.
    """
    if not isinstance(comparison, pd.DataFrame) or "movers" not in comparison.attrs:
        raise ChangeError(f"movers: found a {type(comparison).__name__} without the movers of a comparison; "
                          "expected the table wf.change.compare returned. Next step: pass that table, unchanged.")
    return pd.DataFrame(list(comparison.attrs["movers"]), columns=list(MOVER_COLUMNS))
