"""The words of the report's stage-based flow measures: a sentence a manager reads, or why it is not measurable.

:func:`reading` turns the tables of :func:`workfw.reporting.flow_measures.measure`
into one block per measure (a sentence with numbers rounded for reading, or the
reason it is not measurable; a table for the page; the JSON numbers), so the
page and the JSON say the same thing.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from workfw import flow
from workfw.reporting.flow_measures import BACKTEST, LEVEL, WEEKS
from workfw.reporting.parts import plain

__all__ = ["reading"]

#: Sprints listed in the table, newest last.
_SPRINTS = 6


def _days(value: Any) -> str:
    """Days for reading: one decimal below ten, whole days from ten on."""
    days = float(value)
    return f"{days:.1f}" if days < 10 else f"{days:,.0f}"


def _count(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"


def _day(value: Any) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _tasks(count: int) -> str:
    return f"{count:,} task" + ("" if count == 1 else "s")


def _why(text: Any) -> str:
    """A reason as a clause: the template adds the full stop."""
    return str(text).strip().rstrip(".")


def _part(*, sentence: str | None = None, reason: str | None = None, table: pd.DataFrame | None = None,
          columns: list[str] | None = None, headers: list[str] | None = None,
          data: dict[str, Any] | None = None) -> dict[str, Any]:
    """One block of the section: a sentence or the reason it is not measurable, a table, its JSON numbers."""
    if reason is not None:
        reason = _why(reason)
    json_part = {"sentence": sentence, **(data or {})} if reason is None else {"not_measurable": reason,
                                                                               **(data or {})}
    return {"sentence": sentence, "reason": reason, "table": table, "columns": columns, "headers": headers,
            "json": plain(json_part)}


def _table_reason(frame: pd.DataFrame, default: str) -> str | None:
    """Why a table holds nothing to read: its own reason, the reason on every row, or ``default`` when empty."""
    if "reason" in frame.attrs:
        return str(frame.attrs["reason"])
    if "reason" in frame.columns and len(frame) and frame["reason"].notna().all():
        return str(frame["reason"].iloc[0])
    return default if frame.empty else None


def _stages(smap: pd.DataFrame, *, chosen: bool) -> dict[str, Any]:
    reason = smap.attrs.get("reason")
    if reason is not None or smap.empty:
        return _part(reason=reason or "the export names no status, so there are no workflow stages")
    rows = []
    for stage in (*flow.STAGES, "unplaced"):
        names = [str(s) for s in smap.loc[smap["stage"] == stage, "status"]]
        if names or stage != "unplaced":
            rows.append({"stage": stage, "statuses": ", ".join(names) or "(none)"})
    table = pd.DataFrame(rows)
    point = smap.attrs.get("commitment")
    source = "kept with the export" if chosen else "learnt from the whole export"
    data = {"commitment": point, "source": source, "definition": smap.attrs.get("stage_definition"),
            "statuses": smap[["status", "category", "stage", "commitment", "source"]].astype(object).to_dict("records")}
    if point is None:
        return _part(reason="no status of the export is in progress (active or waiting), so there is no commitment "
                            "point", table=table, columns=["stage", "statuses"], headers=["Stage", "Statuses"],
                     data=data)
    how = ("The stages are the ones chosen in the start notebook's status map and kept with the export."
           if chosen else "Every status was given a stage from its category and its name (an in-progress status "
           "whose name says the work waits, such as “Ready for QA”, is waiting; the other in-progress statuses are "
           "active), learnt from the whole export so that every team is read the same way.")
    sentence = (f"Work counts as committed from the moment it enters “{point}”: that is the commitment point. "
                f"{how} The service level, time in stage, flow efficiency, net flow and sprints below use this one "
                "definition.")
    return _part(sentence=sentence, table=table, columns=["stage", "statuses"], headers=["Stage", "Statuses"],
                 data=data)


def _time_in_stage(tis: pd.DataFrame, window: str, *, queues: bool) -> dict[str, Any]:
    reason = _table_reason(tis, f"no task with status history was finished {window}")
    if reason is not None:
        return _part(reason=reason)
    pct = flow.time_in_stage_percentiles(tis, levels=(50, LEVEL))
    if not queues:
        # No queue status: the waiting row would be a measured-looking 0 for time the map cannot see.
        pct["days"] = pct["days"].where(pct["stage"] != "waiting")
    wide = pct.pivot(index="stage", columns="level", values="days").reindex(["before commitment", "active",
                                                                              "waiting"])
    shown = lambda v: "not measurable" if pd.isna(v) else _days(v)  # noqa: E731
    table = pd.DataFrame({"stage": wide.index, "median": wide[50.0].map(shown).to_numpy(),
                          "high": wide[float(LEVEL)].map(shown).to_numpy()})
    n = int(pct["n"].max())
    left = sum(tis.attrs.get("left_out", {}).values())
    before = f"({_days(wide.loc['before commitment', 50.0])} days before it)"
    if queues:
        sentence = (f"The {_tasks(n)} finished {window} spent a median of {_days(wide.loc['active', 50.0])} days "
                    f"active and {_days(wide.loc['waiting', 50.0])} days waiting after commitment {before}; "
                    f"{LEVEL}% of them waited {_days(wide.loc['waiting', float(LEVEL)])} days or less.")
    else:
        sentence = (f"The {_tasks(n)} finished {window} spent a median of {_days(wide.loc['active', 50.0])} days "
                    f"in progress after commitment {before}. Waiting time is not measurable: no status is staged "
                    "as waiting, so time in a queue cannot be told apart from active time.")
    if left:
        sentence += f" {_tasks(left)} without status history are left out."
    return _part(sentence=sentence, table=table, columns=["stage", "median", "high"],
                 headers=["Stage", "Median days", f"{LEVEL}th percentile (days)"],
                 data={"tasks": n, "left_out": left, "waiting_measurable": queues,
                       "percentiles": pct[["stage", "level", "days", "n"]].astype(object).to_dict("records")})


def _efficiency(fe: pd.DataFrame, weekly: pd.DataFrame, window: str, *, queues: bool) -> dict[str, Any]:
    if not queues:
        # workfw.flow's reason names the Python option; a manager's next step is notebook 06's control.
        return _part(reason="no status is staged as waiting (a queue such as “Ready for QA”), so waiting cannot "
                            "be told apart from work and every task would score 100%; mark the queue statuses "
                            "under Waiting statuses in notebook 06 to measure it")
    reason = _table_reason(fe, f"no task with status history was finished {window}")
    values = fe["flow_efficiency"].dropna().astype(float) if reason is None else pd.Series(dtype=float)
    if reason is None and values.empty:
        reason = f"no task finished {window} spent any time committed (each went straight from to do to done)"
    if reason is not None:
        return _part(reason=reason)
    active, waiting = float(fe["active_days"].sum()), float(fe["waiting_days"].sum())
    pooled, median = active / (active + waiting), float(values.median())
    sentence = (f"Of the time the {_tasks(len(values))} finished {window} spent between commitment and done, "
                f"{pooled:.0%} was active work and {1 - pooled:.0%} waiting; the median task was worked on "
                f"{median:.0%} of its time.")
    if pooled < 0.5:
        sentence += (" Work spends more time waiting than being worked on: shorter queues would shorten cycle times "
                     "more than working faster.")
    per_week = weekly[["period", "tasks", "flow_efficiency"]].astype(object).to_dict("records") \
        if {"period", "flow_efficiency"} <= set(weekly.columns) else []
    return _part(sentence=sentence, data={"tasks": len(values), "median": median, "pooled": pooled,
                                          "per_week": per_week})


def _service_level(sle: pd.DataFrame) -> dict[str, Any]:
    reason = _table_reason(sle, "no finished task to read a service level from")
    if reason is not None:
        return _part(reason=reason)
    row = sle[sle["level"] == LEVEL].iloc[0]
    half = sle[sle["level"] == 50]
    days = _days(row["days"])
    sentence = (f"{LEVEL}% of the {_tasks(int(row['samples']))} finished from {_day(row['window_start'])} to "
                f"{_day(row['window_end'])} took {days} days or less from commitment to done"
                + (f" (half took {_days(half['days'].iloc[0])} days or less)" if len(half) else "")
                + f": plan with “{LEVEL}% within {days} days”.")
    opened = int(row["open_items"])
    if opened == 0:
        sentence += " No task is in progress now."
    else:
        past = int(row["past"])
        sentence += (f" {past:,} of the {_tasks(opened)} in progress ({past / opened:.0%}) "
                     f"{'is' if past == 1 else 'are'} already older than that"
                     + (": look at those first." if past else "."))
    table = pd.DataFrame({"level": [f"{v:g}%" for v in sle["level"]], "days": sle["days"].map(_days),
                          "past": sle["past"].astype(object),
                          "share": sle["past_share"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}")})
    return _part(sentence=sentence, table=table, columns=["level", "days", "past", "share"],
                 headers=["Finished tasks", "Within (days)", "Tasks in progress already older",
                          "Share of tasks in progress"],
                 data={"window_start": row["window_start"], "window_end": row["window_end"],
                       "samples": int(row["samples"]), "open_items": opened,
                       "levels": sle[["level", "days", "past", "past_share"]].astype(object).to_dict("records")})


def _net_flow(nf: pd.DataFrame) -> dict[str, Any]:
    reason = _table_reason(nf, "no week to count")
    if reason is not None:
        return _part(reason=reason)
    arrived, left = int(nf["arrivals"].sum()), int(nf["departures"].sum())
    cancelled, net = int(nf["cancelled"].sum()), int(nf["net_flow"].sum())
    change = (f"grew by {net:,}" if net > 0 else f"shrank by {-net:,}" if net < 0 else "stayed level")
    sentence = (f"In the {len(nf)} weeks from {_day(nf['period'].iloc[0])}, {_tasks(arrived)} crossed the commitment "
                f"point and {left:,} left it, done or cancelled ({cancelled:,} cancelled): work in progress {change}.")
    if net > 0:
        sentence += " More work is starting than finishing, so it will wait longer unless starting slows down."
    return _part(sentence=sentence, data={"arrivals": arrived, "departures": left, "cancelled": cancelled,
                                          "net_flow": net, "per_week": nf[["period", "arrivals", "departures",
                                                                           "cancelled", "net_flow"]]
                                          .astype(object).to_dict("records")})


def _forecast(fc: pd.DataFrame) -> dict[str, Any]:
    basis = {k: fc[k].iloc[0] for k in ("window_start", "window_end", "samples", "completed") if k in fc} \
        if len(fc) else {}
    data = {"until": fc.attrs.get("until"), **basis,
            "items": fc[["likelihood", "items"]].astype(object).to_dict("records") if "items" in fc else []}
    reason = _table_reason(fc, "no forecast")
    if reason is not None:
        return _part(reason=reason, data=data)
    row = fc[fc["likelihood"] == LEVEL].iloc[0]
    sentence = (f"In {LEVEL}% of 10,000 simulated runs at least {_tasks(int(row['items']))} are finished by "
                f"{_day(fc.attrs['until'])}, if the pace of the last {WEEKS} weeks holds. The runs sample the "
                f"daily throughput of {_day(row['window_start'])} to {_day(row['window_end'])}: "
                f"{int(row['samples']):,} days in which {_tasks(int(row['completed']))} were finished.")
    return _part(sentence=sentence, data=data)


def _verdict(rate: float) -> str:
    if rate >= LEVEL / 100 - 0.1:
        return f"as often as its {LEVEL}% claims, or more: trust it as stated."
    if rate >= 0.5:
        return f"less often than its {LEVEL}% claims: read it as optimistic."
    return (f"far less often than its {LEVEL}% claims: the future has not looked like the sampled past, so do not "
            "plan on it alone.")


def _backtest(bt: pd.DataFrame, rates: pd.DataFrame) -> dict[str, Any]:
    settings = {"level": LEVEL, "history_weeks": WEEKS, **BACKTEST}
    scored = rates[rates["scored"] > 0] if "scored" in rates else rates.iloc[0:0]
    if scored.empty:
        why = bt["reason"].dropna() if "reason" in bt else pd.Series(dtype=object)
        reason = bt.attrs.get("reason") or (f"none of the forecasts made from past dates could be scored yet ("
                                            f"{_why(why.iloc[0]) if len(why) else 'no past date to forecast from'})")
        return _part(reason=reason, data={"settings": settings})
    parts = [f"{int(r.hits):,} of {int(r.scored):,} times ({r.hit_rate:.0%}) for “{r.forecast}”"
             for r in scored.itertuples()]
    lead = scored.iloc[0]
    sentence = (f"How far to trust it: the same forecast made from {int(lead['origins']):,} past dates, every "
                f"{BACKTEST['every_weeks']} weeks over the last {BACKTEST['over_weeks']} weeks, each from the "
                f"{WEEKS} weeks of throughput before its day, came true " + " and ".join(parts) + f". The "
                f"“{lead['forecast']}” forecast comes true " + _verdict(float(lead["hit_rate"])))
    table = rates.assign(rate=rates["hit_rate"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
    return _part(sentence=sentence, table=table, columns=["forecast", "origins", "scored", "hits", "rate"],
                 headers=["Forecast", "Past dates", "Outcome known", "Came true", "Hit rate"],
                 data={"settings": settings,
                       "hit_rate": rates[["forecast", "level", "origins", "scored", "hits", "hit_rate"]]
                       .astype(object).to_dict("records")})


def _sprints(sc: pd.DataFrame) -> dict[str, Any]:
    reason = _table_reason(sc, "no work item has an iteration (sprint, cycle or iteration path), so there are no "
                               "sprints")
    if reason is not None:
        return _part(reason=f"velocity and sprint completion: {_why(reason)}")
    by = sc.attrs.get("by")
    group = [by] if by else []
    # Velocity is the done column of sprint completion (items done per sprint, as workfw.flow.velocity counts
    # them): read from the one table rather than rebuilding every timeline a second time.
    vel = sc[[*group, "iteration", "done", "points_done"]].rename(columns={"done": "items_done"})
    # Per team, each team's latest sprints: the newest rows of the table would be the last teams' only.
    last = sc.groupby(by, sort=False).tail(_SPRINTS) if by else sc.tail(_SPRINTS)
    done = vel.loc[last.index]
    points = sc.attrs.get("points_reason")
    shares = last["completed_share"].dropna().astype(float)
    if by:
        groups = int(last[by].nunique())
        lead = (f"Sprints are counted per {by}, as {by}s name their sprints alike. Over up to the last {_SPRINTS} "
                f"sprints of each of the {groups:,} {by}s ({len(last):,} sprints)")
    else:
        lead = f"Over the last {len(last)} sprints ({last['iteration'].iloc[0]} to {last['iteration'].iloc[-1]})"
    sentence = (f"{lead} a median of {_count(done['items_done'].median())} items were done per sprint"
                + ("" if points else f" ({_count(done['points_done'].astype(float).median())} points)")
                + (f", and a median of {shares.median():.0%} of a sprint's committed scope was completed."
                   if len(shares) else "."))
    left_out = int(sum(sc.attrs.get("left_out", {}).values())) if by else 0
    if left_out:
        sentence += f" {left_out:,} work item{'' if left_out == 1 else 's'} with a sprint but no {by} left out."
    if points:
        sentence += f" Points: {_why(points)}."
    sentence += (" Sprint dates are not in the export: a sprint's scope is the work whose current sprint it is, so "
                 "work carried over counts in its last sprint only, and the newest sprint may still be running.")
    table = last.assign(share=last["completed_share"].map(lambda v: "" if pd.isna(v) else f"{float(v):.0%}"),
                        points=last["points_done"].map(lambda v: "" if pd.isna(v) else _count(v)))
    grouping = {"by": by, "groups": groups, "left_out": left_out} if by else {}
    return _part(sentence=sentence, table=table, columns=[*group, "iteration", "committed", "done", "share", "points"],
                 headers=[*(g.capitalize() for g in group), "Sprint", "Committed items", "Done", "Completed",
                          "Points done"],
                 data={"points_not_measurable": points, **grouping,
                       "velocity": vel.astype(object).to_dict("records"),
                       "completion": sc.astype(object).to_dict("records")})


def _queues(smap: pd.DataFrame) -> bool:
    """Whether the stage map has a waiting status, without which waiting time cannot be measured."""
    return bool("stage" in smap and (smap["stage"] == "waiting").any())


def reading(measured: dict[str, Any], *, as_of: pd.Timestamp) -> dict[str, dict[str, Any]]:
    """Sentences, tables and JSON numbers of :func:`measure`'s tables, one block per measure.

    Parameters
    ----------
    measured : dict
        The result of :func:`measure`.
    as_of : pandas.Timestamp
        The report's reference time.

    Returns
    -------
    dict
        ``stages, time_in_stage, efficiency, service_level, net_flow, forecast, backtest, sprints``, each
        ``{"sentence", "reason", "table", "columns", "headers", "json"}``: ``reason`` (not measurable, why) is
        set instead of ``sentence`` when the export cannot feed it; ``json`` is JSON-ready.
    """
    queues = _queues(measured["stages"])
    window = f"in the last {WEEKS} weeks ({_day(measured['since'])} to {_day(as_of)})"
    return {
        "stages": _stages(measured["stages"], chosen=measured["chosen"]),
        "time_in_stage": _time_in_stage(measured["time_in_stage"], window, queues=queues),
        "efficiency": _efficiency(measured["efficiency"], measured["efficiency_weekly"], window, queues=queues),
        "service_level": _service_level(measured["service_level"]),
        "net_flow": _net_flow(measured["net_flow"]),
        "forecast": _forecast(measured["forecast"]),
        "backtest": _backtest(measured["backtest"], measured["hit_rate"]),
        "sprints": _sprints(measured["sprints"]),
    }


