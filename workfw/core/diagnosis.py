"""The shape every framework diagnosis shares, and the plumbing to fill it.

A framework module (``workfw.c4_flywheel`` ...) lists its signals as
:class:`SignalSpec` objects.  :func:`run_signals` computes them on a prepared
task table; a signal that the export cannot support raises
:class:`NotMeasurable` with the reason, which becomes a coverage row and an
``NA`` score, never a 0.  :class:`Diagnosis` bundles the summary, signals,
findings, coverage and caveats with the framework's figure.

The top of :mod:`workfw.core`: it builds on every other core module and none
of them imports it.
"""
from __future__ import annotations

import copy
import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workfw.core.cache import cached, tables_held_still
# The task-table side stays importable from here too, for older code and the tests; signal authors import
# everything from :mod:`workfw.core`.
from workfw.core.context import Context, Measured, NotMeasurable, member, prepare  # noqa: F401
from workfw.core.facts import has_value, ids_at, in_category
from workfw.core.fields import HISTORY, field_gap  # noqa: F401
from workfw.core.options import DEFAULTS  # noqa: F401
from workfw.core.rows import origin, per_row  # noqa: F401
from workfw.core.severity import BY_LATE_CAPTURE, SEVERITIES, spread_severity  # noqa: F401
from workfw.core.threads import side_by_side
from workfw.errors import OptionError
from workfw.statuses import known_categories, move_categories

__all__ = ["Diagnosis", "SignalSpec", "run_signals", "summarise", "make_findings", "SIGNAL_COLUMNS", "late_capture",
           "common_caveats", "TOO_LITTLE"]

#: Columns of :attr:`Diagnosis.signals`: ``unit`` says what ``value`` counts and ``rule`` how it became ``score``.
SIGNAL_COLUMNS: tuple[str, ...] = ("element", "signal", "value", "score", "n", "fields", "how", "unit", "rule")


@dataclass(frozen=True)
class SignalSpec:
    """One measurable signal of a framework element.

    Attributes
    ----------
    element : str
        The framework element it informs.
    name : str
        Short name shown in tables.
    required : tuple of str
        Fields it cannot do without: canonical task columns, ``"a|b"`` when
        either will do, and :data:`HISTORY` (``"events"``) for the status
        history.  :func:`run_signals` makes the signal NA, with the field named
        in the reason, when the tasks leave one of them empty.  Signals that
        split open from finished work require ``status_category``.
    how : str
        One sentence on how it is computed.
    compute : callable
        ``compute(ctx) -> Measured``; raises :class:`NotMeasurable`.
    optional : tuple of str
        Fields that refine the signal when the export has them (same notation).
    unit : str
        What ``value`` counts, a key of :data:`workfw.readable.UNITS`: ``"share"``
        (0-1), ``"days"``, ``"count"``, ``"ratio"``, ``"per 100"`` or ``"people"``.
    rule : str
        How the value becomes the 0-100 score, in words.  Empty for a share
        scored as itself, or as 100 minus itself when ``how`` says "lower is
        better" (see :attr:`scored_as`).
    """

    element: str
    name: str
    required: tuple[str, ...]
    how: str
    compute: Callable[[Context], Measured]
    optional: tuple[str, ...] = ()
    unit: str = "share"
    rule: str = ""

    @property
    def scored_as(self) -> str:
        """The value-to-score rule in words, e.g. ``"score = 100 - the share"``."""
        if self.rule:
            return self.rule
        if self.unit == "share":
            return "score = 100 - the share" if "lower is better" in self.how else "score = the share"
        return "see how it is measured"

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field it reads, required ones first, alternatives spelled out (for display)."""
        return tuple(dict.fromkeys(f for need in (*self.required, *self.optional) for f in need.split("|")))


def run_signals(ctx: Context, specs: Sequence[SignalSpec]) -> tuple[pd.DataFrame, pd.DataFrame, list[Measured]]:
    """Compute every signal; return ``(signals, coverage, results)``.

    A signal whose required fields (:attr:`SignalSpec.required`) the filtered
    tasks leave empty is not computed: it is NA, and the coverage reason names
    the field.  ``signals`` has one row per spec (``element, signal, value,
    score, n, fields, how, unit, rule``); ``coverage`` says per signal whether it was
    measurable and why not.
    """
    with tables_held_still():
        return _run_signals(ctx, specs)


def _run_signals(ctx: Context, specs: Sequence[SignalSpec]) -> tuple[pd.DataFrame, pd.DataFrame, list[Measured]]:
    rows, cover, results = [], [], []
    _work_out_ahead(ctx, specs)
    for spec in specs:
        try:
            if ctx.tasks.empty:
                raise NotMeasurable("no tasks match the current filters")
            gap = _missing(ctx, spec)
            if gap is not None:
                raise NotMeasurable(gap)
            res = _computed(ctx, spec)
            value, score, n = float(res.value), float(np.clip(res.score, 0, 100)), int(res.n)
            cover.append((spec.element, spec.name, True, "measured"))
            results.append((spec, res))
        except NotMeasurable as exc:
            value, score, n = np.nan, np.nan, 0
            cover.append((spec.element, spec.name, False, exc.reason))
        rows.append((spec.element, spec.name, value, score, n, ", ".join(spec.fields), spec.how, spec.unit,
                     spec.scored_as))
    signals = pd.DataFrame(rows, columns=list(SIGNAL_COLUMNS))
    signals[["value", "score"]] = signals[["value", "score"]].astype("Float64")
    coverage = pd.DataFrame(cover, columns=["element", "signal", "measurable", "reason"])
    return signals, coverage, results


def _work_out_ahead(ctx: Context, specs: Sequence[SignalSpec]) -> None:
    """Compute every measurable signal, leaving each result in the memo: on worker threads for a large table.

    Two signals run side by side on two cores (see :mod:`workfw.core.threads`),
    and :func:`run_signals` then reads every result from the memo in order, so
    the tables and findings are those of a run on one thread.  An error other
    than :class:`NotMeasurable` is raised here, the first in the signals' order.
    """
    def work_out(spec: SignalSpec) -> None:
        # Which fields a table leaves empty is kept per table too, so that check is work shared out as well.
        if _missing(ctx, spec) is not None:
            return
        try:
            _computed(ctx, spec)
        except NotMeasurable:
            pass  # kept in the memo as its reason

    side_by_side([partial(work_out, spec) for spec in specs], tasks=len(ctx.tasks))


def _missing(ctx: Context, spec: SignalSpec) -> str | None:
    """The reason the first required field of ``spec`` is missing, or None (each check is cached per table)."""
    for need in spec.required:
        reason = field_gap(ctx, need)
        if reason is not None:
            return reason
    return None


class _Reads(Mapping):
    """A read-only view of the options that notes which ones a signal reads.

    A signal gets its own copy of the context with this view as ``options``, so
    its result can be reused when other options change and the caller's context
    is never touched.  ``in``, iteration and ``len`` read no option.
    """

    __slots__ = ("_options", "read")

    def __init__(self, options: Mapping[str, Any]) -> None:
        self._options = options
        self.read: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._options[key]
        self.read[key] = value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._options.get(key, default)
        self.read[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._options

    def __iter__(self) -> Iterator[str]:
        return iter(self._options)

    def __len__(self) -> int:
        return len(self._options)


# Signal results per task table and history: ``compute`` -> [(as_of, options read, result or reason)].  A signal
# is a function of the table, its history, ``as_of`` and the options it reads, so when a view moves one
# threshold only the signals that read it run again.  Kept on the table and its history, so they die with either.
_RESULTS = ("signal results",)
_KEEP_RESULTS = 6


def _computed(ctx: Context, spec: SignalSpec) -> Measured:
    earlier = cached((ctx.tasks, ctx.events), _RESULTS, dict).setdefault(spec.compute, [])
    for stamp, read, outcome in earlier:
        if stamp == ctx.as_of and all(k in ctx.options and _same(ctx.options[k], v) for k, v in read.items()):
            if isinstance(outcome, Measured):
                return outcome
            raise NotMeasurable(outcome)
    # The signal reads its own copy of the context (the per-table values already worked out come along).
    reads = _Reads(ctx.options)
    view = copy.copy(ctx)
    view.options = reads
    try:
        outcome: Measured | str = spec.compute(view)
    except NotMeasurable as exc:
        outcome = exc.reason
    earlier.append((ctx.as_of, reads.read, outcome))
    del earlier[:-_KEEP_RESULTS]
    if isinstance(outcome, str):
        raise NotMeasurable(outcome)
    return outcome


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return a is b


#: The reason of an element score left NA because too few of its signals could be measured.
TOO_LITTLE = "too little of this element is measurable"


def summarise(signals: pd.DataFrame, elements: Sequence[str], *, min_share: float = 0.5) -> pd.DataFrame:
    """Mean score per element, indexed by ``elements`` in order.

    An element is scored only when at least ``min_share`` of its signals
    (equally weighted) were measurable; otherwise its score is NA and
    ``reason`` says so and names the signals that were not measurable (the
    coverage table says why each was not).  A mean over a lone measurable
    signal of several would pass one proxy off as the whole element.

    Parameters
    ----------
    signals : pandas.DataFrame
        :func:`run_signals`' signal table (``element``, ``signal``, ``score``).
    elements : sequence of str
        The framework's elements in order.
    min_share : float, default 0.5
        Share of an element's signals that must be measurable for a score.

    Returns
    -------
    pandas.DataFrame
        ``score`` (0-100 or NA), ``signals_measured``, ``signals_total`` and
        ``reason`` (NA where the element is scored).
    """
    order = list(elements)
    grouped = signals.groupby("element", sort=False)
    score = grouped["score"].mean().reindex(order).astype("Float64")
    measured = grouped["score"].count().reindex(order).fillna(0).astype(int)
    total = grouped["score"].size().reindex(order).fillna(0).astype(int)
    enough = (measured > 0) & (measured >= min_share * total)
    reason = pd.Series(pd.NA, index=score.index, dtype="string")
    for element in score.index[~enough.to_numpy()]:
        rows = signals[signals["element"] == element]
        missing = rows.loc[rows["score"].isna().to_numpy(dtype=bool), "signal"].tolist()
        listed = f"; not measurable: {', '.join(missing)}" if missing else ""
        of = int(total[element])
        reason[element] = f"{TOO_LITTLE} ({int(measured[element])} of {of} signal{'s' if of != 1 else ''}{listed})"
    score = score.where(enough.to_numpy(), pd.NA)
    out = pd.DataFrame({"score": score.round(1), "signals_measured": measured, "signals_total": total,
                        "reason": reason})
    out.index.name = "element"
    return out


def make_findings(results: list[tuple[SignalSpec, Measured]], extra: Sequence[dict] = ()) -> pd.DataFrame:
    """Collect the findings of signal results, most severe first.

    Signal findings get severities that spread (:func:`spread_severity`);
    ``extra`` rows (a root cause, a fit check) keep the severity they carry.
    """
    found = [(s, r) for s, r in results if r.finding]
    severity = spread_severity([r.score for _, r in found], [r.severity for _, r in found])
    rows = [{"severity": level, "element": s.element, "signal": s.name, "finding": r.finding,
             "tasks": len(r.task_ids), "task_ids": list(r.task_ids)} for (s, r), level in zip(found, severity)]
    rows += list(extra)
    frame = pd.DataFrame(rows, columns=["severity", "element", "signal", "finding", "tasks", "task_ids"])
    frame["severity"] = pd.Categorical(frame["severity"], categories=list(SEVERITIES), ordered=True)
    return frame.sort_values(["severity", "tasks"], ascending=[True, False], kind="stable").reset_index(drop=True)


@dataclass
class Diagnosis:
    """A framework's reading of an export.

    Attributes
    ----------
    framework : str
        Framework name, e.g. ``"C4 Flywheel"``.
    elements : tuple of str
        The framework's elements in order.
    summary : pandas.DataFrame
        Indexed by ``elements``: ``score`` (0-100 or NA), ``share`` where the
        framework classifies tasks into levels, signal counts and ``reason``
        (why a score is NA: too few of its signals were measurable).
    signals : pandas.DataFrame
        One row per signal: element, signal, value, score, n, fields, how, unit, rule.
    findings : pandas.DataFrame
        severity, element, signal, finding, tasks, task_ids; most severe first.
    coverage : pandas.DataFrame
        element, signal, measurable, reason.
    caveats : list of str
        Notes that condition every score (late capture, missing links...).
    as_of : pandas.Timestamp
        Reference time used.
    options : dict
        Options used.
    """

    framework: str
    elements: tuple[str, ...]
    summary: pd.DataFrame
    signals: pd.DataFrame
    findings: pd.DataFrame
    coverage: pd.DataFrame
    caveats: list[str]
    as_of: pd.Timestamp
    options: dict[str, Any]
    _draw: Callable[["Diagnosis"], go.Figure] | None = field(default=None, repr=False)

    def figure(self, **kwargs: Any) -> go.Figure:
        """Return the framework's diagram coloured by this diagnosis' scores."""
        if self._draw is None:
            raise OptionError(f"{self.framework}: this diagnosis has no figure function. "
                              "Next step: build it with the framework module's diagnose().")
        return self._draw(self, **kwargs)

    def scores(self) -> dict[str, float | None]:
        """Element -> score (None where not measurable)."""
        return {k: (None if pd.isna(v) else float(v)) for k, v in self.summary["score"].items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for scripts and agents."""
        def records(frame: pd.DataFrame) -> list[dict]:
            clean = frame.astype(object).where(frame.notna(), None)
            return clean.to_dict("records")

        return {
            "framework": self.framework, "as_of": self.as_of.isoformat(), "elements": list(self.elements),
            "summary": records(self.summary.reset_index()), "signals": records(self.signals),
            "findings": records(self.findings.assign(severity=self.findings["severity"].astype(str))),
            "coverage": records(self.coverage), "caveats": list(self.caveats),
            "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.options.items()
                        if not isinstance(v, (pd.Timestamp,))},
        }

    def _repr_html_(self) -> str:
        caveats = "".join(f"<li>{html.escape(c)}</li>" for c in self.caveats)
        return (f"<b>{html.escape(self.framework)}</b> as of {self.as_of:%Y-%m-%d}"
                f"{self.summary.to_html(escape=True)}" + (f"<ul>{caveats}</ul>" if caveats else ""))


def late_capture(ctx: Context) -> tuple[float | None, list[str]]:
    """Share of finished work that was logged after the fact, and those task ids.

    A done task counts as logged after the fact when it was created already
    finished or finished within an hour of creation, or (with history) when it
    reached done without ever being in progress.  Returns ``(None, [])`` when
    nothing is finished or the export has no creation and completion times.
    """
    done = in_category(ctx, "done")
    if not (done.any() and (done & has_value(ctx, "created")).any() and (done & has_value(ctx, "completed")).any()):
        return None, []
    quick = per_row(ctx.tasks, "finished within an hour", lambda t: (
        (t["completed"] - t["created"]) <= pd.Timedelta(hours=1)).fillna(False).to_numpy(dtype=bool))
    late = done & quick
    if not ctx.events.empty:
        status_events = ctx.events[ctx.events["field"] == "status"]
        # Each move's target placed as the whole export places it (a filter must not move a status).
        table = ctx.tasks if ctx.base is None else ctx.base
        known = cached((table, ctx.events), "status categories", lambda: known_categories(table, ctx.events))
        worked = move_categories(status_events["new"], status_events.get("new_category"), known).eq(
            "in_progress").fillna(False)
        done_ids = ctx.tasks.loc[done, "task_id"]
        touched = member(done_ids, status_events["task_id"]).to_numpy(dtype=bool)
        through_work = member(done_ids, status_events.loc[worked.to_numpy(dtype=bool), "task_id"])
        late[done] |= touched & ~through_work.to_numpy(dtype=bool)
    ids = ids_at(ctx, late)
    return len(ids) / int(done.sum()), ids


def common_caveats(ctx: Context) -> list[str]:
    """Caveats every diagnosis carries: late capture and a missing parent/goal link."""
    out = []
    share, _ = late_capture(ctx)
    if share is not None:
        high = BY_LATE_CAPTURE.of_share(share) == "high"
        level = "so every score here is likely optimistic" if high else "a small share"
        out.append(f"{share:.0%} of finished work was logged after the fact (created already done, or done "
                   f"within an hour, or never in progress): {level}. The export sees only work that was captured.")
    if "parent_id" in ctx.tasks and ctx.tasks["parent_id"].isna().all():
        out.append("No task has a parent, epic or goal link in this export, so Why, Progress and Organizational "
                   "visibility cannot be measured from the data; rely on the self-assessment for them.")
    return out
