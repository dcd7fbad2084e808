"""Numbers people read: a diagnosis' signals as a table for a room, not for a programmer.

:func:`signal_view` turns :attr:`workfw.core.diagnosis.Diagnosis.signals` into one
row per signal with the value in its unit (``53%``, ``12 days``, ``4``), the
score as a whole number, the rule that turns the value into the score, the
full sentence on how it is measured and, where it is not measurable, why.
:func:`format_value` is the one place a signal's value is written out.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["UNITS", "format_value", "signal_view", "SIGNAL_VIEW_COLUMNS", "loop_reading", "coverage_view",
           "environment_view", "HEADERS", "plain_headers"]

#: Column names of workfw's own tables as a room reads them.
HEADERS: dict[str, str] = {
    "task_id": "Task", "title": "Title", "team": "Team", "status": "Status", "assignee": "Owner",
    "updated": "Last updated", "element": "Element", "score": "Score", "why": "Why", "try_next": "Try next",
    "perceived": "Team's view", "measured": "Data", "gap": "Gap", "prompt": "To discuss",
    "scenario": "Scenario", "wip": "In progress", "throughput_per_week": "Finished per week",
    "cycle_time_days": "Cycle time (days)", "backlog": "Open tasks", "p50": "Done by (50% likely)",
    "p85": "Done by (85% likely)", "p95": "Done by (95% likely)", "sample": "Sample",
}

#: What a signal's value counts, and how it is written.
UNITS: dict[str, str] = {
    "share": "a share of tasks, written as a percentage",
    "days": "a number of days",
    "count": "a count",
    "ratio": "one number over another, written as × (1× is even)",
    "per 100": "a rate per 100",
    "people": "a number of people",
}

SIGNAL_VIEW_COLUMNS: tuple[str, ...] = ("Element", "Signal", "Measured", "Tasks", "Score", "Scored as",
                                        "What it measures", "Not measurable because")


def format_value(value: Any, unit: str) -> str:
    """Write a signal's value in its unit: ``0.531763`` share -> ``"53%"``, ``12.4`` days -> ``"12 days"``.

    Parameters
    ----------
    value : float or None
        The raw value (a share 0-1, days, a count...); NA gives ``""``.
    unit : str
        One of :data:`UNITS`.

    Returns
    -------
    str
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    if unit == "share":
        percent = number * 100
        # "0%" for 0.3% would read as "none at all"; say it is under one percent instead.
        return "under 1%" if 0 < percent < 0.5 else ("over 99%" if 99.5 <= percent < 100 else f"{percent:.0f}%")
    if unit == "days":
        return f"{number:.0f} day" if round(number) == 1 else f"{number:.0f} days"
    if unit == "ratio":
        return f"{number:.2f}×"
    if unit == "per 100":
        return f"{number:.1f} per 100"
    if unit == "people":
        return f"{number:.1f} people"
    return f"{number:,.0f}"


def _with_options(how: str, options: dict[str, Any]) -> str:
    """``how`` with option names replaced by the values used ("for stale_days" -> "for 30 days")."""
    for name, value in options.items():
        if name not in how or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        shown = f"{value:g}"
        how = how.replace(f"{name} days", f"{shown} days")
        how = how.replace(name, f"{shown} days" if name.endswith("_days") else shown)
    return how


def signal_view(diagnosis: Any) -> pd.DataFrame:
    """One readable row per signal of a diagnosis.

    Parameters
    ----------
    diagnosis : Diagnosis
        From any framework's ``diagnose``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIGNAL_VIEW_COLUMNS`: the value in its unit, the task
        count behind it, the score as a whole number (``"not measurable"``
        where it is NA), the value-to-score rule, the full "how" sentence and
        the reason a signal could not be measured. No index to read past.
    """
    signals = diagnosis.signals
    reasons = dict(zip(zip(diagnosis.coverage["element"], diagnosis.coverage["signal"]),
                       diagnosis.coverage["reason"]))
    rows = []
    for row in signals.itertuples(index=False):
        measured = not pd.isna(row.score)
        rows.append({
            "Element": row.element,
            "Signal": row.signal,
            "Measured": format_value(row.value, row.unit) if measured else "",
            "Tasks": f"{int(row.n):,}" if measured else "",
            "Score": f"{float(row.score):.0f}" if measured else "not measurable",
            "Scored as": row.rule,
            "What it measures": _with_options(row.how, diagnosis.options),
            "Not measurable because": "" if measured else str(reasons.get((row.element, row.signal), "")),
        })
    return pd.DataFrame(rows, columns=list(SIGNAL_VIEW_COLUMNS))


def loop_reading(trend: pd.DataFrame) -> str:
    """How to read the C4 loop chart of a :func:`workfw.c4_flywheel.loop_trend` table, in plain words.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``period``, ``tasks`` and the Clarity, Coordination and Completion scores.

    Returns
    -------
    str
        A sentence on what the chart can and cannot say: too few months for
        a correlation, or the correlation with how to read it.
    """
    from workfw.c4_flywheel import MIN_SHOWN_PAIRS, loop_correlation, loop_pairs

    pairs = loop_pairs(trend)
    if pairs < MIN_SHOWN_PAIRS:
        return (f"Only {pairs} months have a Clarity score followed by a Completion score; a correlation needs at "
                f"least {MIN_SHOWN_PAIRS}, so read the lines by eye: does Completion rise a month or two "
                "after Clarity does?")
    r = loop_correlation(trend)
    if math.isnan(r):
        return "The scores hardly move from month to month, so there is no relation to read."
    strength = "weak" if abs(r) < 0.3 else ("moderate" if abs(r) < 0.6 else "strong")
    direction = ("clearer months tend to be followed by better completion, as the flywheel says" if r > 0 else
                 "clearer months tend to be followed by weaker completion: ask what else changed in those months "
                 "(a release crunch, new people, a change in how work is logged)")
    return (f"Over {pairs} months the relation is {strength} (r = {r:.2f}): {direction}. A correlation over a "
            "handful of months is a question for the room, not proof that one causes the other.")


def coverage_view(coverage: pd.DataFrame) -> pd.DataFrame:
    """A :func:`workfw.coverage.coverage_table` for reading: ``12 of 13 signals (92%)`` and the full reasons.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``framework, element, measurable, signals, share, missing``.

    Returns
    -------
    pandas.DataFrame
        ``Framework, Element, Measurable, What the export lacks``: every
        missing signal with its reason, never cut short.
    """
    def counted(row: Any) -> str:
        if not row.signals:
            return "no signals"
        return f"{row.measurable} of {row.signals} signals ({format_value(row.share, 'share')})"

    return pd.DataFrame({
        "Framework": coverage["framework"].to_numpy(),
        "Element": coverage["element"].to_numpy(),
        "Measurable": [counted(row) for row in coverage.itertuples(index=False)],
        "What the export lacks": coverage["missing"].fillna("").to_numpy(),
    })


def environment_view(checks: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """A sentence and a table for :func:`workfw.check_environment`: what to fix first, never a traceback.

    Returns
    -------
    tuple of (str, pandas.DataFrame)
        ``"Everything is ready."`` or how many checks failed, and the table
        (``Check, Found, Fix``) with failures first.
    """
    failed = checks[~checks["ok"].astype(bool)]
    sentence = ("Everything is ready." if failed.empty else
                f"{len(failed)} of {len(checks)} checks failed: the Fix column says what to do, then run this "
                "notebook again.")
    ordered = pd.concat([failed, checks[checks["ok"].astype(bool)]])
    table = pd.DataFrame({"Check": ordered["check"].to_numpy(),
                          "Ready": ordered["ok"].map({True: "yes", False: "no"}).to_numpy(),
                          "Found": ordered["found"].astype(str).to_numpy(), "Fix": ordered["fix"].to_numpy()})
    return sentence, table


def plain_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with workfw's column names in plain words (:data:`HEADERS`; others: ``a_b`` -> ``A b``).

    For workfw's own tables only: a raw export's columns keep the names the tracker gave them.
    """
    def plain(name: Any) -> Any:
        if not isinstance(name, str):
            return name
        return HEADERS.get(name, name[:1].upper() + name[1:].replace("_", " ") if name.islower() else name)

    return frame.rename(columns=plain)
