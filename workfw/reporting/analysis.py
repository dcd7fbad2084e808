"""The one analysis behind the offline report's page and its JSON, and the JSON form of it.

:func:`_analyse` pseudonymises when asked, runs every chosen framework
(:func:`workfw.all_frameworks.diagnose_all`), the flow metrics and the group's
self-assessment once, and returns an :class:`_Analysis` that both the page
(:mod:`workfw.reporting.html`) and :func:`_to_json` read, so the two always
agree.  The names stay private to :mod:`workfw.reporting`, whose public
functions are the way in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

from workfw import flow as metrics
from workfw.assessment import aggregate, group_gap, perception_gap
from workfw.charts import subset
from workfw.core.diagnosis import prepare
from workfw.errors import OptionError
from workfw.all_frameworks import Progress, as_export, diagnose_all, route_options
from workfw.frameworks import FRAMEWORKS, check_frameworks
from workfw.privacy import pseudonymise as hide
from workfw.reporting.change import change_data, change_json
from workfw.reporting.flow_measures import measure, stage_basis
from workfw.reporting.flow_reading import reading
from workfw.reporting.parts import export_summary, plain
from workfw.version import __version__

__all__: list[str] = []

_JSON_TAG = "workfw-diagnosis/1"


#: The options that select tasks (the rest are thresholds): the flow section follows them too.
_FILTER_OPTIONS = ("team", "project", "window", "actors", "bots")


@dataclass
class _Analysis:
    """Everything the page and the JSON show, computed once."""

    export: Any
    as_of: pd.Timestamp
    pseudonymised: bool
    diagnoses: dict[str, Any]
    pseudonymised_text: bool = False
    flow: dict[str, Any] = field(default_factory=dict)
    flow_filters: dict[str, Any] = field(default_factory=dict)
    assessment: dict[str, dict[str, Any]] = field(default_factory=dict)
    change: dict[str, Any] | None = None
    steps: "_Steps | None" = None


class _Steps:
    """Counts steps for a ``progress`` callback; a no-op without one."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, step: str) -> None:
        if self.progress is not None:
            self.progress(step, self.done, self.total)
        self.done += 1

    def finish(self) -> None:
        if self.progress is not None:
            self.progress("done", self.total, self.total)


def _resolve_as_of(as_of: Any, diagnoses: dict[str, Any], tasks: pd.DataFrame) -> pd.Timestamp:
    if as_of is not None:
        try:
            stamp = pd.Timestamp(as_of)
        except (ValueError, TypeError) as exc:
            raise OptionError(f"report: as_of={as_of!r} is not a date; expected for example '2024-07-01'. "
                              "Next step: pass an ISO date.") from exc
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if diagnoses:
        return next(iter(diagnoses.values())).as_of
    return prepare(tasks).as_of


def _flow(export: Any, as_of: pd.Timestamp, steps: _Steps, whole: Any = None) -> dict[str, Any]:
    steps("flow metrics")
    dated = [c for c in ("created", "updated", "started", "completed") if c in export.tasks]
    if not dated or not export.tasks[dated].notna().to_numpy().any():
        # An export without dates (a saved filter's default columns) has no flow to measure: say so rather
        # than stop the whole report.
        return {"reason": "the export has no created, updated, started or completed dates, so flow (cycle "
                          "time, work in progress, throughput, forecast) is not measurable"}
    whole = export if whole is None else whole
    # One clock for the whole section: cycle times, ages and the service level all start at the commitment
    # point of the stage definition the section states (kept by the user, else learnt).
    smap = stage_basis(whole)
    staged = smap if not smap.empty else None
    cycle = metrics.cycle_times(export, stages=staged)
    # The stage measures, the forecast (with the throughput it sampled) and its backtest, read once for both outputs.
    more = measure(export, whole, as_of=as_of, cycles=cycle, stages=smap)
    return {
        "cycle": cycle, "percentiles": metrics.percentiles(cycle),
        "aging": metrics.aging_wip(export, as_of=as_of, cycles=cycle, stages=staged),
        "throughput": metrics.throughput(export, freq="W"), "cfd": metrics.cumulative_flow(export, freq="D"),
        "forecast": more["forecast"], "more": more, "reading": reading(more, as_of=as_of),
    }


def _assessment(assessment: Any, diagnoses: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Framework -> {"group": answers per element or None, "gap": the perception gap, "responses": the answers}."""
    if isinstance(assessment, pd.DataFrame):
        if "framework" not in assessment.columns:
            raise OptionError("report: the assessment table has no 'framework' column; expected the long answer "
                              "table of workfw.assessment.load_responses or read_survey. Next step: pass that table.")
        answered = set(assessment["framework"].dropna())
        return {name: {"group": aggregate(assessment, framework=name),
                       "gap": group_gap(diag, assessment, framework=name),
                       "responses": assessment[assessment["framework"] == name]}
                for name, diag in diagnoses.items() if name in answered}
    if not isinstance(assessment, Mapping):
        raise OptionError(f"report: assessment is a {type(assessment).__name__}; expected the answer table of "
                          "workfw.assessment.load_responses or a dict framework -> perceived scores table. "
                          "Next step: pass load_responses(folder).")
    out = {}
    for name, perceived in assessment.items():
        if name not in FRAMEWORKS:
            raise OptionError(f"report: assessment names framework {name!r}; expected some of {list(FRAMEWORKS)}. "
                              "Next step: key the dict by framework module name.")
        if not isinstance(perceived, pd.DataFrame) or "perceived" not in perceived.columns:
            raise OptionError(f"report: assessment[{name!r}] has no 'perceived' column; expected the table of "
                              "workfw.assessment.perceived_scores (indexed by element). Next step: pass that table.")
        if name in diagnoses:
            out[name] = {"group": None, "gap": perception_gap(diagnoses[name], perceived)}
    return out


def _analyse(export: Any, *, assessment: Any, pseudonymise: bool, frameworks: Iterable[str], as_of: Any,
             progress: Progress | None, options: Mapping[str, Any], extra_steps: list[str],
             pseudonymise_text: bool = False, compare_to: Any = None, split_at: Any = None,
             compare_options: Mapping[str, Any] | None = None) -> _Analysis:
    chosen = check_frameworks(frameworks)
    route_options(chosen, options)  # fail on a typo before any work
    export = as_export(export)
    pseudonymise = bool(pseudonymise or pseudonymise_text)
    changed = compare_to is not None or split_at is not None
    total = int(pseudonymise) + len(chosen) + 1 + int(assessment is not None) + int(changed) + len(extra_steps)
    steps = _Steps(progress, total)
    if pseudonymise:
        steps("pseudonymising names")
        export = hide(export, in_text=bool(pseudonymise_text))
    if as_of is not None:
        as_of = _resolve_as_of(as_of, {}, export.tasks)
    diagnoses = diagnose_all(export, as_of=as_of, frameworks=chosen,
                             progress=lambda step, i, n: steps(step), **options)
    stamp = _resolve_as_of(as_of, diagnoses, export.tasks)
    analysis = _Analysis(export=export, as_of=stamp, pseudonymised=pseudonymise, diagnoses=diagnoses,
                         pseudonymised_text=bool(pseudonymise_text))
    # The flow section reads the same selection as the diagnoses: one team's report must not show the whole
    # organisation's cycle times under that team's scores.
    filters = {k: options[k] for k in _FILTER_OPTIONS if options.get(k) is not None}
    analysis.flow = _flow(subset(export, **filters) if filters else export, stamp, steps, whole=export)
    analysis.flow_filters = filters
    if assessment is not None:
        steps("assessment")
        analysis.assessment = _assessment(assessment, diagnoses)
    if changed:
        steps("did it change?")
        analysis.change = change_data(export, compare_to=compare_to, split_at=split_at, frameworks=chosen,
                                      options=options, pseudonymise=pseudonymise, pseudonymise_text=pseudonymise_text,
                                      compare_options=compare_options)
    analysis.steps = steps
    return analysis


# --------------------------------------------------------------------------- JSON


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return plain(frame[present].astype(object).to_dict("records"))


#: JSON key -> block of :func:`workfw.reporting.flow_reading.reading` (the forecast and backtest go together).
_FLOW_PARTS = {"stages": "stages", "service_level": "service_level", "net_flow": "net_flow",
               "time_in_stage": "time_in_stage", "flow_efficiency": "efficiency", "sprints": "sprints"}


def _to_json(analysis: _Analysis) -> dict[str, Any]:
    flow = analysis.flow
    read = flow.get("reading", {})
    return plain({
        "format": _JSON_TAG, "workfw_version": __version__, "as_of": analysis.as_of,
        "pseudonymised": analysis.pseudonymised, "pseudonymised_text": analysis.pseudonymised_text,
        "export": export_summary(analysis.export),
        **({"change": change_json(analysis.change)} if analysis.change is not None else {}),
        "diagnoses": {name: d.to_dict() for name, d in analysis.diagnoses.items()},
        "flow": {"not_measurable": flow["reason"]} if "reason" in flow else {
            "selection": analysis.flow_filters,
            "finished_tasks": len(flow["cycle"]),
            "cycle_time_percentiles": _records(flow["percentiles"], ["level", "days", "n"]),
            "cycle_time_basis": flow["cycle"]["basis"].value_counts().to_dict(),
            "in_progress": len(flow["aging"]),
            "aging_bands": flow["aging"]["percentile_band"].value_counts(sort=False).to_dict(),
            "oldest_in_progress": _records(flow["aging"].head(20),
                                           ["task_id", "title", "status", "age_days", "percentile_band", "basis"]),
            "throughput_per_week": _records(flow["throughput"].tail(26), ["period", "count"]),
            "forecast": {**read["forecast"]["json"], "reason": read["forecast"]["reason"],
                         "backtest": read["backtest"]["json"]},
            **{key: read[part]["json"] for key, part in _FLOW_PARTS.items()},
        },
        "assessment": {name: {"gap": _records(part["gap"], ["element", "perceived", "measured", "gap", "mean",
                                                              "spread", "agreement", "count", "dont_know", "prompt"]),
                              **({"participants": int(part["responses"]["response"].nunique())}
                                 if part.get("responses") is not None else {})}
                       for name, part in analysis.assessment.items()},
    })
