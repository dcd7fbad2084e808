"""A stage definition kept with an export, and the rules of the loader's stage editor.

The stages :func:`workfw.flow.stage_map` learns are a guess.  A user confirms or changes them in
the start notebook's status map (:class:`workfw.widgets.DataLoader`); the definition they chose
travels with the export in its import report (``report.stages`` and ``report.commitment``, plain
data), so the workspace keeps it and every notebook measures with the same one::

    kept = wf.flow.kept_stages(export)          # {"stages": {...}, "commitment": ...}
    wf.flow.cycle_times(export, **kept)         # the clock starts at that commitment point
    wf.flow.aging_wip(export, **kept)

The editor's widgets only call the functions here: :func:`edit_stages` (one status's stage),
:func:`commitment_choices` (which statuses can be the commitment point), :func:`keep_stages`
(a copy of the export keeping the definition) and :func:`stage_overview` (the definition in a
table a room reads).  Every one checks the result through :func:`workfw.flow.stage_map`, so a
definition the metrics would refuse is refused here first, with the same message.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping

import pandas as pd

from workfw.errors import OptionError
from workfw.statuses import status_key
from workfw.flow.stage_rules import _COMMITTED, _UNPLACED, STAGES, stage_map

__all__ = ["kept_stages", "keep_stages", "edit_stages", "commitment_choices", "stage_overview"]


def kept_stages(export: Any) -> dict[str, Any]:
    """The stage definition kept with ``export``, as keyword arguments of the flow metrics.

    Parameters
    ----------
    export : TaskExport
        An export; one without a kept definition (or a plain task table) gives the learnt one.

    Returns
    -------
    dict
        ``{"stages": {status: stage, ...}, "commitment": str or None}``: the statuses the user
        staged (empty when none) and the commitment status they chose (None: the learnt one).
        ``stage_map(export, **kept_stages(export))`` is the definition; passing it to
        :func:`workfw.flow.cycle_times` or :func:`workfw.flow.aging_wip` starts their clock at
        its commitment point.
    """
    report = getattr(export, "report", None)
    return {"stages": dict(getattr(report, "stages", None) or {}), "commitment": getattr(report, "commitment", None)}


def _mapping(stages: Any, *, where: str) -> dict[str, str]:
    """``stages`` as a new dict; a stage_map table or a list is refused (only a status's own stage is kept)."""
    if stages is None:
        return {}
    if not isinstance(stages, Mapping):
        raise OptionError(f"{where}: stages= found a {type(stages).__name__}; expected a mapping of status name to "
                          "stage, such as {'Code Review': 'waiting'}. Next step: pass a dict.")
    return dict(stages)


def _yours(smap: pd.DataFrame) -> dict[str, str]:
    """The stages a user gave, by the export's spelling of each status."""
    mine = smap[(smap["source"] == "yours").to_numpy(dtype=bool)]
    return dict(zip(mine["status"].astype(str), mine["stage"].astype(str)))


def keep_stages(export: Any, *, stages: Mapping[str, str] | None = None, commitment: str | None = None) -> Any:
    """A copy of ``export`` whose import report keeps this stage definition (the tables are shared, not copied).

    Parameters
    ----------
    export : TaskExport
        The export the definition is for.
    stages : mapping of str to str, optional
        Your stage for some statuses (see :func:`workfw.flow.stage_map`); None or empty keeps the
        learnt stages.
    commitment : str, optional
        The commitment status; None keeps the learnt one.

    Returns
    -------
    TaskExport
        The same tasks, history and raw rows under a report whose ``stages`` and ``commitment``
        hold the definition, spelled as the export spells each status.

    Raises
    ------
    OptionError
        ``export`` is not a TaskExport, or the definition is one :func:`workfw.flow.stage_map`
        refuses (the message says why and what to do).
    """
    if not hasattr(export, "report") or not hasattr(export, "with_report"):
        raise OptionError(f"keep_stages: found a {type(export).__name__}; expected a TaskExport, whose import "
                          "report keeps the definition. Next step: pass the result of wf.read_export.")
    smap = stage_map(export, stages=_mapping(stages, where="keep_stages"), commitment=commitment)
    point = smap.attrs["commitment"] if commitment is not None else None
    return export.with_report(dataclasses.replace(export.report, stages=_yours(smap), commitment=point))


def edit_stages(data: Any, *, stages: Mapping[str, str] | None = None, commitment: str | None = None,
                status: str, stage: str | None) -> dict[str, str]:
    """Your stages with one status changed, checked against the export.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export the statuses belong to.
    stages : mapping of str to str, optional
        Your stages so far (not changed: a new dict is returned).
    commitment : str, optional
        The commitment status in force.
    status : str
        The status to change (compared stripped and case-blind).
    stage : str or None
        Its new stage, among :data:`workfw.flow.STAGES`; None gives it back its learnt stage.

    Returns
    -------
    dict of str to str
        Your stages after the change, by the export's spelling of each status.

    Raises
    ------
    OptionError
        An unknown status or stage, or a change that leaves the commitment point on a status
        that is no longer committed (such as staging the commitment status *done*).
    """
    key = status_key(status) if isinstance(status, str) else None
    new = {k: v for k, v in _mapping(stages, where="edit_stages").items() if status_key(k) != key}
    if stage is not None:
        new[status] = stage
    return _yours(stage_map(data, stages=new, commitment=commitment))


def commitment_choices(smap: pd.DataFrame) -> list[str]:
    """The statuses that can be the commitment point, in workflow order.

    Parameters
    ----------
    smap : pandas.DataFrame
        A :func:`workfw.flow.stage_map` table.

    Returns
    -------
    list of str
        Committed (active or waiting) statuses, and the before-commitment statuses that were not
        staged by you (choosing one moves the commitment point earlier, as
        :func:`workfw.flow.stage_map` describes).  Done, cancelled and unplaced statuses never are.
    """
    if not isinstance(smap, pd.DataFrame) or not {"status", "stage", "source"} <= set(smap.columns):
        raise OptionError("commitment_choices: expected the table of wf.flow.stage_map (columns status, stage, "
                          "source). Next step: pass wf.flow.stage_map(export).")
    stage, source = smap["stage"].astype(str), smap["source"].astype(str)
    ok = stage.isin(_COMMITTED) | ((stage == "before commitment") & (source != "yours"))
    return [str(s) for s in smap.loc[ok.to_numpy(dtype=bool), "status"]]


def stage_overview(smap: pd.DataFrame) -> pd.DataFrame:
    """The stage definition as a short table: which statuses are in each stage, and the commitment point.

    Parameters
    ----------
    smap : pandas.DataFrame
        A :func:`workfw.flow.stage_map` table.

    Returns
    -------
    pandas.DataFrame
        ``stage, statuses``: one row per stage of :data:`workfw.flow.STAGES` in order (``statuses``
        in workflow order, joined with ", ", or "(none)"), a row ``unplaced`` when some status has
        no stage, and a last row ``commitment point``.  Names are the export's text: escape them
        before showing them as HTML.
    """
    if not isinstance(smap, pd.DataFrame) or not {"status", "stage", "commitment"} <= set(smap.columns):
        raise OptionError("stage_overview: expected the table of wf.flow.stage_map (columns status, stage, "
                          "commitment). Next step: pass wf.flow.stage_map(export).")
    names, stages = smap["status"].astype(str), smap["stage"].astype(str)
    shown = list(STAGES) + ([_UNPLACED] if (stages == _UNPLACED).any() else [])
    rows = [(s, ", ".join(names[(stages == s).to_numpy()]) or "(none)") for s in shown]
    point = names[smap["commitment"].astype(bool).to_numpy()]
    rows.append(("commitment point", point.iloc[0] if len(point) else "(none)"))
    return pd.DataFrame(rows, columns=["stage", "statuses"]).astype("string")
