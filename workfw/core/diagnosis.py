"""The shape every framework diagnosis shares, and the plumbing to fill it.

A framework module (``workfw.c4_flywheel`` ...) lists its signals as
:class:`SignalSpec` objects.  :func:`run_signals` computes them on a prepared
task table; a signal that the export cannot support raises
:class:`NotMeasurable` with the reason, which becomes a coverage row and an
``NA`` score, never a 0.  :class:`Diagnosis` bundles the summary, signals,
findings, coverage and caveats with the framework's figure.
"""
from __future__ import annotations

import html
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# The task table side (filtering, per-table caches) lives in ._context, which must not import this module;
# its names, and the caches and helpers by their old private names, stay importable from here.
from workfw.core.context import (  # noqa: F401
    _FILTERS, _KEEP_FILTERS, _ORIGIN, _PER_ROW, _PREPARED, DEFAULTS, HISTORY, Context, Measured, NotMeasurable,
    _arrow_text, _latest, _per_table, _remember, field_gap, member, origin, per_row, prepare,
)
from workfw.errors import OptionError

__all__ = [
    "Diagnosis", "SignalSpec", "Measured", "NotMeasurable", "Context", "prepare", "run_signals",
    "summarise", "make_findings", "spread_severity", "SIGNAL_COLUMNS", "per_row", "origin", "late_capture",
    "common_caveats", "member", "SEVERITIES", "DEFAULTS", "HISTORY", "field_gap", "TOO_LITTLE",
]

SEVERITIES = ("high", "medium", "low")

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
    rows, cover, results = [], [], []
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


def _missing(ctx: Context, spec: SignalSpec) -> str | None:
    """The reason the first required field of ``spec`` is missing, or None (each check is cached per table)."""
    for need in spec.required:
        reason = field_gap(ctx, need)
        if reason is not None:
            return reason
    return None


class _Reads(dict):
    """The options dict, noting which options a signal reads (so its result can be reused when others change)."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.read: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        self.read[key] = value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key, default)
        self.read[key] = value
        return value


# Signal results per task table: ``compute`` -> [(as_of, events id, options read, result or reason)].  A signal
# is a function of the table, its history, ``as_of`` and the options it reads, so when a view moves one
# threshold only the signals that read it run again.  Entries die with the table.
_RESULTS: dict[int, tuple[weakref.ref, dict]] = {}
_KEEP_RESULTS = 6


def _computed(ctx: Context, spec: SignalSpec) -> Measured:
    tasks = ctx.tasks
    hit = _RESULTS.get(id(tasks))
    if hit is None or hit[0]() is not tasks:
        def _drop(_: weakref.ref, ident: int = id(tasks)) -> None:
            _RESULTS.pop(ident, None)

        hit = _RESULTS[id(tasks)] = (weakref.ref(tasks, _drop), {})
    earlier = hit[1].setdefault(spec.compute, [])
    for stamp, events, read, outcome in earlier:
        if stamp == ctx.as_of and events is ctx.events and all(
                k in ctx.options and _same(ctx.options[k], v) for k, v in read.items()):
            if isinstance(outcome, Measured):
                return outcome
            raise NotMeasurable(outcome)
    options, reads = ctx.options, _Reads(ctx.options)
    ctx.options = reads
    try:
        outcome: Measured | str = spec.compute(ctx)
    except NotMeasurable as exc:
        outcome = exc.reason
    finally:
        ctx.options = options
    earlier.append((ctx.as_of, ctx.events, reads.read, outcome))
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


#: Most findings of one diagnosis that may be "high", and the share of them that may be "high" or "medium":
#: when nearly every finding is high, nothing stands out in a room.
_MOST_HIGH, _SHARE_HIGH, _SHARE_MEDIUM = 3, 0.25, 0.4


def spread_severity(scores: Sequence[float], own: Sequence[str]) -> list[str]:
    """Severities that spread: a few high, some medium, the rest low.

    A finding keeps its own severity (from its score) or a milder one set by
    its rank among the diagnosis' findings, worst score first: at most
    :data:`_MOST_HIGH` and a quarter of them may be high, and 40% high or
    medium.  So a finding is high only when it is both bad and among the worst.

    Parameters
    ----------
    scores : sequence of float
        Each finding's signal score (0-100, lower is worse).
    own : sequence of str
        Each finding's severity from its score alone.

    Returns
    -------
    list of str
        The severity of each finding, in the given order.
    """
    n = len(scores)
    high = min(_MOST_HIGH, max(1, round(n * _SHARE_HIGH)))
    medium = max(high, round(n * _SHARE_MEDIUM))
    order = sorted(range(n), key=lambda i: (float(scores[i]), i))
    out = list(own)
    for rank, i in enumerate(order):
        cap = "high" if rank < high else "medium" if rank < medium else "low"
        out[i] = max(own[i], cap, key=SEVERITIES.index)
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
    from workfw.core.facts import has_value, ids_at, in_category

    done = in_category(ctx, "done")
    if not (done.any() and (done & has_value(ctx, "created")).any() and (done & has_value(ctx, "completed")).any()):
        return None, []
    quick = per_row(ctx.tasks, "finished within an hour", lambda t: (
        (t["completed"] - t["created"]) <= pd.Timedelta(hours=1)).fillna(False).to_numpy(dtype=bool))
    late = done & quick
    if not ctx.events.empty:
        from workfw.flow.times import _categoriser, _categories_of

        status_events = ctx.events[ctx.events["field"] == "status"]
        # Each move's target placed in a category the way flow does it, once per status name.
        worked = _categories_of(status_events["new"], _categoriser(ctx.tasks)) == "in_progress"
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
        level = "so every score here is likely optimistic" if share >= 0.15 else "a small share"
        out.append(f"{share:.0%} of finished work was logged after the fact (created already done, or done "
                   f"within an hour, or never in progress): {level}. The export sees only work that was captured.")
    if "parent_id" in ctx.tasks and ctx.tasks["parent_id"].isna().all():
        out.append("No task has a parent, epic or goal link in this export, so Why, Progress and Organizational "
                   "visibility cannot be measured from the data; rely on the self-assessment for them.")
    return out
