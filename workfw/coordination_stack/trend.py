"""Coordination Stack over time: how much open work had an owner (Who) and a due date (When), per period."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workfw.coordination_stack.definition import ASSIGNEE_FIELDS, DUE_FIELDS
from workfw.core import DEFAULTS, prepare
from workfw.errors import OptionError
from workfw.style import FONT, escape_text, series_colours, use_template

__all__ = ["open_work_coverage", "open_work_coverage_figure"]

_COLUMNS = ["open", "with_owner", "with_due", "owner_share", "due_share"]
_FREQS = {"W": "W-SUN", "M": "M"}


def _filled(values: pd.Series) -> np.ndarray:
    text = values.astype("string").str.strip()
    return (text.notna() & (text != "") & (text != "[]")).to_numpy(dtype=bool)


def _segments(tasks: pd.DataFrame, events: pd.DataFrame, fields: tuple[str, ...],
              now: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(row, start, end, flag)``: spans of time in which each task had (flag) the field filled.

    Without history a task keeps its current value for all time; with history
    the value before the first recorded change is that change's ``old``.
    """
    n = len(tasks)
    lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    mine = pd.DataFrame()
    if events is not None and not events.empty:
        mine = events[events["field"].astype("string").str.casefold().isin(fields).fillna(False)
                      & events["at"].notna()]
        where = pd.Index(tasks["task_id"]).get_indexer(mine["task_id"])
        mine = mine.assign(_row=where)[where >= 0].sort_values(["_row", "at"], kind="stable")
    keep = np.ones(n, dtype=bool)
    parts = []
    if len(mine):
        rows = mine["_row"].to_numpy()
        at = mine["at"].astype("int64").to_numpy()
        first = np.r_[True, rows[1:] != rows[:-1]]
        last = np.r_[rows[1:] != rows[:-1], True]
        keep[rows] = False  # tasks with history get one span per recorded value instead of "forever"
        new_flag = _filled(mine["new"])
        new_flag[last] = now[rows[last]]  # the current value wins over the last logged one
        parts.append((rows[first], np.full(int(first.sum()), lo), at[first], _filled(mine["old"])[first]))
        parts.append((rows, at, np.where(last, hi, np.r_[at[1:], hi]), new_flag))
    idx = np.flatnonzero(keep)
    parts.insert(0, (idx, np.full(len(idx), lo), np.full(len(idx), hi), now[idx]))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))  # type: ignore[return-value]


def _count(ends: np.ndarray, groups: np.ndarray, n_groups: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """How many spans ``[start, end)`` contain each period end, per group (a groups x periods array)."""
    diff = np.zeros((n_groups, len(ends) + 1), dtype=np.int64)
    first = np.searchsorted(ends, start, side="left")
    after = np.searchsorted(ends, end, side="left")
    ok = after > first
    np.add.at(diff, (groups[ok], first[ok]), 1)
    np.add.at(diff, (groups[ok], after[ok]), -1)
    return np.cumsum(diff, axis=1)[:, :-1]


def open_work_coverage(data: Any, *, freq: str = "W", by: str | None = "team", as_of: Any = None,
                       **options: Any) -> pd.DataFrame:
    """Share of open work with an owner and with a due date at the end of each period.

    A task is open at a moment from its creation until it is finished
    (``completed``, else ``updated`` for done and cancelled tasks).  Its owner and
    due date at that moment come from the history when the export has one
    (assignee and due-date changes), else from its current values, which makes
    older periods read as they look today.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        An export or its canonical task table.
    freq : {"W", "M"}, default "W"
        Weeks (starting Monday) or months.
    by : str or None, default "team"
        A task column to split by (``"team"``, ``"project"``), or None for one series.
    as_of : timestamp-like, optional
        Reference time; defaults to the latest timestamp in the data.
    **options
        The common options of :data:`workfw.core.DEFAULTS` (``team``, ``window``, ``actors``...).

    Returns
    -------
    pandas.DataFrame
        ``period`` (start, tz-naive UTC), ``[by]``, ``open, with_owner, with_due,
        owner_share, due_share``; each count is taken at the period's end (or at
        ``as_of`` for the last period).  Shares are NA where nothing was open.
    """
    if freq not in _FREQS:
        raise OptionError(f"open_work_coverage: freq={freq!r}; expected 'W' (weeks) or 'M' (months). "
                          "Next step: pass freq='W'.")
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise OptionError(f"open_work_coverage got unknown options {unknown}; expected some of {sorted(DEFAULTS)}. "
                          "Next step: check the spelling.")
    ctx = prepare(data, as_of=as_of, **options)
    # A task without a status category is neither open nor closed, so it counts in no period.
    tasks = ctx.tasks[(ctx.tasks["created"].notna() & ctx.tasks["status_category"].notna()).to_numpy(dtype=bool)]
    tasks = tasks.reset_index(drop=True)
    if by is not None and by not in tasks.columns:
        raise OptionError(f"open_work_coverage: by={by!r} is not a task column; expected 'team', 'project' or "
                          "None. Next step: pass by='team'.")
    columns = ["period"] + ([by] if by else []) + _COLUMNS
    if tasks.empty:
        return pd.DataFrame(columns=columns)
    as_of_ns = ctx.as_of.value
    created = tasks["created"].astype("int64").to_numpy()
    finished = tasks["status_category"].isin(["done", "cancelled"]).to_numpy()
    closed_at = tasks["completed"].fillna(tasks["updated"]).fillna(tasks["created"])
    closed = np.where(finished, closed_at.astype("int64").to_numpy(), np.iinfo(np.int64).max)
    naive = tasks["created"].dt.tz_convert("UTC").dt.tz_localize(None)
    periods = pd.period_range(naive.min().to_period(freq), ctx.as_of.tz_convert("UTC").tz_localize(None)
                              .to_period(freq), freq=freq)
    starts = periods.start_time
    ends = np.minimum((periods.end_time + pd.Timedelta(1, "ns")).tz_localize("UTC").astype("int64"), as_of_ns)
    ends = np.asarray(ends, dtype=np.int64) - 1  # a task closed exactly at the period's end is no longer open
    keys = tasks[by].astype("string").fillna("(none)") if by else pd.Series("all", index=tasks.index)
    codes, names = pd.factorize(keys, sort=True)
    counts = {"open": _count(ends, codes, len(names), created, closed)}
    owner_now = (tasks["assignee"].notna() | tasks["assignees"].map(len).gt(0)).to_numpy()
    for name, fields, now in (("with_owner", ASSIGNEE_FIELDS, owner_now),
                              ("with_due", DUE_FIELDS, tasks["due"].notna().to_numpy())):
        row, start, end, flag = _segments(tasks, ctx.events, fields, now)
        row, start, end = row[flag], start[flag], end[flag]
        counts[name] = _count(ends, codes[row], len(names), np.maximum(start, created[row]),
                              np.minimum(end, closed[row]))
    frame = pd.DataFrame({
        "period": np.tile(starts.to_numpy(), len(names)),
        "_group": np.repeat(np.asarray(names, dtype=object), len(periods)),
        **{k: v.reshape(-1) for k, v in counts.items()},
    })
    open_ = frame["open"].where(frame["open"] > 0)
    frame["owner_share"] = (frame["with_owner"] / open_).astype("Float64")
    frame["due_share"] = (frame["with_due"] / open_).astype("Float64")
    if by:
        frame = frame.rename(columns={"_group": by})
        frame[by] = frame[by].astype("string")
    else:
        frame = frame.drop(columns="_group")
    frame = frame.sort_values(["period"] + ([by] if by else []), kind="stable").reset_index(drop=True)
    frame.attrs["basis"] = "history" if ctx.events is not None and not ctx.events.empty else "current values"
    return frame[columns]


def open_work_coverage_figure(table: pd.DataFrame, *, title: str | None = None, height: int = 420) -> go.Figure:
    """Two panels: share of open work with an owner (Who) and with a due date (When), one line per group.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`open_work_coverage`.
    title : str, optional
        Chart title.
    height : int, default 420
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per group and panel; hover gives the share and the open count.
    """
    fixed = {"period", *_COLUMNS}
    by = next((c for c in table.columns if c not in fixed), None)
    groups = table[by].astype("string").fillna("(none)") if by else pd.Series("all", index=table.index)
    colours = series_colours(groups.unique())
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=("with an owner (Who)", "with a due date (When)"))
    for key in sorted(groups.unique()):
        part = table[groups == key]
        for col, (share, count) in enumerate((("owner_share", "with_owner"), ("due_share", "with_due")), start=1):
            fig.add_trace(go.Scatter(
                x=part["period"], y=part[share].astype(float), mode="lines", name=escape_text(key),
                legendgroup=escape_text(key), showlegend=col == 1, line=dict(color=colours.get(key, "#888"), width=2),
                customdata=np.stack([part[count].to_numpy(), part["open"].to_numpy()], axis=-1),
                hovertemplate="%{fullData.name}<br>%{x|%Y-%m-%d}: %{y:.0%} (%{customdata[0]} of %{customdata[1]} "
                              "open)<extra></extra>"), row=1, col=col)
    basis = table.attrs.get("basis")
    heading = title or ("Share of open work with an owner and a due date, per period"
                        + (f"<br><sup>owners and dates from {basis}</sup>" if basis else ""))
    if table.empty:
        fig.add_annotation(text="No task has a creation date, so open work cannot be followed over time.",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_yaxes(title_text="share of open tasks", row=1, col=1)
    use_template(fig).update_layout(title=dict(text=heading), font=FONT, height=height,
                      legend=dict(orientation="h", y=-0.18), margin=dict(t=100))
    return fig
