"""What the scores-over-time and the before/after comparison share: the error, option checks, score rows."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from workfw.core.context import as_utc, reference_time
from workfw.errors import OptionError
from workfw.frameworks import FRAMEWORKS, check_frameworks, get_framework

__all__ = ["ChangeError", "SCORE_COLUMNS"]

#: Columns of :func:`workfw.change.scores_over_time` (one row per period, framework and element).
SCORE_COLUMNS: tuple[str, ...] = ("period", "period_end", "framework", "element", "score", "tasks", "reason")


class ChangeError(OptionError):
    """A request for scores over time or a before/after comparison the exports cannot answer.

    Raised for a split date outside the export's dates, two exports of different trackers or with no task in
    common, or a frequency other than months and quarters.  The message names what was found, what was
    expected and the next step.
    """


def _chosen(frameworks: str | Iterable[str] | None, caller: str) -> list[str]:
    """The framework keys asked for (every framework when None), checked."""
    return check_frameworks(tuple(FRAMEWORKS) if frameworks is None else frameworks, caller=caller)


def _check_no_window(options: Mapping[str, Any], caller: str) -> None:
    """These functions set the date window themselves; a caller's own would silently fight it."""
    if options.get("window") is not None:
        raise ChangeError(f"{caller}: got window={options['window']!r}; expected no window, because {caller} "
                          "chooses the dates of each point itself. Next step: leave window out (use split_at= "
                          "or as_of= to choose dates).")


def _utc(value: Any, name: str, caller: str) -> pd.Timestamp:
    """A timestamp-like value as a UTC timestamp, or a :class:`ChangeError` naming the argument."""
    return as_utc(value, name=name, caller=caller, error=ChangeError)


def _span(export: Any) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First creation date and the reference time ("now") of an export; None where it has no dates."""
    tasks = export.tasks
    first = tasks["created"].min() if "created" in tasks and tasks["created"].notna().any() else None
    now = reference_time(tasks, export.events)
    if first is not None:
        first = pd.Timestamp(first)
        first = first.tz_localize("UTC") if first.tzinfo is None else first.tz_convert("UTC")
    return first, now


def _elements(key: str) -> tuple[str, ...]:
    """A framework's elements in order."""
    return tuple(get_framework(key).module().ELEMENTS)


def _score_rows(diagnoses: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One dict per framework and element: ``framework, element, score`` (NaN when not measurable), ``reason``."""
    rows = []
    for key, diag in diagnoses.items():
        summary = diag.summary
        for element in _elements(key):
            score = summary.at[element, "score"] if element in summary.index else pd.NA
            reason = summary.at[element, "reason"] if "reason" in summary and element in summary.index else pd.NA
            measured = not pd.isna(score)
            rows.append({"framework": key, "element": element, "score": float(score) if measured else float("nan"),
                         "reason": None if measured else (str(reason) if not pd.isna(reason) else
                                                          "not measurable from this export")})
    return rows
