"""Flow inputs and options shared by every flow metric: status history, dates, levels, groups and periods."""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd
import pyarrow as pa

from workfw.actors import actor_kind
from workfw.core.context import as_utc, member, reference_time
from workfw.errors import OptionError, SchemaError
from workfw.schema import empty_events

# Private helpers only: the public flow names are in workfw.flow.
__all__: list[str] = ["rows_since"]


def _status_events(data: Any, tasks: pd.DataFrame) -> pd.DataFrame:
    events = getattr(data, "events", None)
    if events is None or len(events) == 0:
        return empty_events()
    keep = (events["field"] == "status") & events["at"].notna() & member(events["task_id"], tasks["task_id"])
    return events.loc[keep.fillna(False)].sort_values(["task_id", "at"], kind="stable").reset_index(drop=True)


def _utc(value: Any, *, name: str) -> pd.Timestamp:
    return as_utc(value, name=name)


def _now(data: Any, tasks: pd.DataFrame) -> pd.Timestamp:
    """:func:`workfw.core.context.reference_time` of the export, the "now" its diagnoses use too."""
    stamp = reference_time(tasks, getattr(data, "events", None))
    if stamp is None:
        raise SchemaError("tasks: found no created, updated, started or completed time on any task and no dated "
                          "history; expected at least one timestamp to date the metric. Next step: pass "
                          "as_of='YYYY-MM-DD'.")
    return stamp


def _resolve_as_of(as_of: Any, data: Any, tasks: pd.DataFrame) -> pd.Timestamp:
    return _now(data, tasks) if as_of is None else _utc(as_of, name="as_of")


def _check_levels(levels: Iterable[float]) -> list[float]:
    out = sorted({float(x) for x in levels})
    if not out or out[0] <= 0 or out[-1] >= 100:
        raise OptionError(f"levels={tuple(levels)!r}; expected percentages strictly between 0 and 100, "
                          "such as (50, 70, 85, 95). Next step: pass levels in that range.")
    return out


def _level_name(level: float) -> str:
    return f"{level:g}"


def _group_values(tasks: pd.DataFrame, by: str | None, bots: Iterable[str]) -> pd.Series | None:
    """The value each task has for ``by`` ("kind" or a task column), "(none)" when missing."""
    if by is None:
        return None
    if by == "kind":
        values = actor_kind(tasks, extra=bots)
    elif by in tasks.columns and _single_valued(tasks[by]):
        values = tasks[by].astype("string")
    else:
        allowed = ["kind"] + [c for c in ("team", "project", "assignee", "task_type", "priority", "source")
                              if c in tasks.columns]
        raise OptionError(f"by={by!r}: not a single-valued column of the task table; expected one of {allowed}. "
                          "Next step: pass by='kind' or by='team'.")
    return values.fillna("(none)")


def _single_valued(values: pd.Series) -> bool:
    """Whether no cell of ``values`` holds a list (a text or number column cannot: only object ones are looked at)."""
    if values.dtype != object:
        arrow = values.dtype.pyarrow_dtype if isinstance(values.dtype, pd.ArrowDtype) else None
        return arrow is None or not (pa.types.is_list(arrow) or pa.types.is_large_list(arrow))
    return not values.map(lambda v: isinstance(v, list)).any()


def _periods(freq: str) -> str:
    alias = {"ME": "M", "MS": "M", "QE": "Q", "QS": "Q", "YE": "Y", "YS": "Y"}.get(freq, freq)
    try:
        pd.Period("2024-01-01", freq=alias)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"freq={freq!r} is not a calendar period; expected 'D' (day), 'W' (week from Monday) "
                          "or 'M' (month). Next step: pass one of those.") from exc
    return alias


def _naive(stamps: pd.Series) -> pd.Series:
    return stamps.dt.tz_convert("UTC").dt.tz_localize(None)


def _uses_stages(start: str, stages: Any, commitment: Any) -> bool:
    """Whether a stage definition sets the clock; it and a ``start`` other than 'started' are exclusive."""
    staged = stages is not None or commitment is not None
    if staged and start != "started":
        raise OptionError(f"start={start!r} was given with a stage definition, which has its own commitment point; "
                          "expected one of them. Next step: leave start out, or drop stages= and commitment=.")
    return staged


def rows_since(frame: pd.DataFrame, column: str, since: pd.Timestamp) -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` is on or after ``since``, with the frame's attrs kept.

    The window the flow views and the report draw ("the last 12 weeks") over a metric's table.

    Parameters
    ----------
    frame : pandas.DataFrame
        A flow table (cycle times, flow efficiency, net flow...); it is not changed.
    column : str
        The date column to cut on; a frame without it, or an empty one, comes back as it is.
    since : pandas.Timestamp
        The first instant kept (tz-aware); compared as naive when the column is naive.

    Returns
    -------
    pandas.DataFrame
        The kept rows, index reset; rows with no date in ``column`` are left out.
    """
    if frame.empty or column not in frame.columns:
        return frame
    values = pd.to_datetime(frame[column])
    start = since if values.dt.tz is not None else since.tz_localize(None)
    kept = frame[(values >= start).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    return kept
