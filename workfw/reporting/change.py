"""The report's "Did it change?" section: its data (:func:`change_data`), its JSON and its page view.

Given ``compare_to=`` (an earlier export: the report's own export is *after*) or ``split_at=`` (the
report's export split at that date), :func:`workfw.change.compare` reads each element before and
after with a bootstrap interval.  The other export is pseudonymised exactly as the report's own, so
the section shows no real name the rest of the report hides.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import pandas as pd
from markupsafe import Markup

from workfw.all_frameworks import as_export
from workfw.change import ChangeError, compare, difference_figure, movers
from workfw.frameworks import FRAMEWORKS
from workfw.privacy import pseudonymise as hide
from workfw.reporting.parts import plain

__all__ = ["COMPARE_OPTIONS", "change_data", "change_json", "change_view"]


#: What a report may pass on to :func:`workfw.change.compare` besides the exports.
COMPARE_OPTIONS: tuple[str, ...] = ("n_boot", "seed", "level", "allow_disjoint")


def change_data(export: Any, *, compare_to: Any, split_at: Any, frameworks: list[str], options: Mapping[str, Any],
                pseudonymise: bool, pseudonymise_text: bool,
                compare_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Compare the report's export with ``compare_to``, or split it at ``split_at``.

    Parameters
    ----------
    export : TaskExport
        The report's export, already pseudonymised when asked.
    compare_to : TaskExport or path, optional
        The earlier export.
    split_at : timestamp-like, optional
        The date to split ``export`` at.
    frameworks : list of str
        The report's frameworks.
    options : mapping
        The report's diagnose options.
    pseudonymise, pseudonymise_text : bool
        As the report: applied to ``compare_to`` too.
    compare_options : mapping, optional
        Any of :data:`COMPARE_OPTIONS`, passed to :func:`workfw.change.compare`.

    Returns
    -------
    dict
        ``table`` (:func:`workfw.change.compare`) and ``movers`` (:func:`workfw.change.movers`).

    Raises
    ------
    ChangeError
        When both ``compare_to`` and ``split_at`` are given, ``compare_options`` holds an unknown name, or
        :func:`workfw.change.compare` refuses the inputs.
    """
    extra = dict(compare_options or {})
    unknown = sorted(set(extra) - set(COMPARE_OPTIONS))
    if unknown:
        raise ChangeError(f"report: compare_options has {unknown}; expected some of {list(COMPARE_OPTIONS)}. "
                          "Next step: check the spelling (for example compare_options={'n_boot': 200}).")
    if compare_to is not None and split_at is not None:
        raise ChangeError("report: got both compare_to= and split_at=; expected one way to find a before and an "
                          "after. Next step: pass only compare_to (an earlier export) or only split_at (a date).")
    if compare_to is not None:
        earlier = as_export(compare_to)
        if pseudonymise or pseudonymise_text:
            earlier = hide(earlier, in_text=bool(pseudonymise_text))
        table = compare(earlier, export, frameworks=frameworks, **extra, **options)
    else:
        table = compare(export, split_at=split_at, frameworks=frameworks, **extra, **options)
    return {"table": table, "movers": movers(table)}


def change_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The section as JSON-ready data: the sides, the bootstrap, one record per element, the movers."""
    table = data["table"]
    attrs = table.attrs
    return plain({
        "mode": attrs["mode"], "before": attrs["before_label"], "after": attrs["after_label"],
        "n_boot": attrs["n_boot"], "seed": attrs["seed"], "level": attrs["level"], "rule": attrs["rule"],
        "elements": table.astype(object).to_dict("records"),
        "movers": data["movers"].astype(object).to_dict("records"),
    })


def _signed(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):+.1f}"


def _score(value: Any) -> str:
    return "not measurable" if value is None or pd.isna(value) else f"{float(value):.0f}"


def change_view(data: Mapping[str, Any], draw: Callable[[Any], Markup]) -> dict[str, Any]:
    """What ``change.html.j2`` shows: a sentence, the figure, the table and the tasks behind the largest moves.

    Parameters
    ----------
    data : mapping
        From :func:`change_data`.
    draw : callable
        The report's figure numbering (:class:`workfw.reporting.figures.FigureNumbers`).

    Returns
    -------
    dict
        Plain values and DataFrames; the template escapes every text.
    """
    table, attrs = data["table"], data["table"].attrs
    shown = pd.DataFrame({
        "framework": table["framework"].map(lambda k: FRAMEWORKS.get(k, k)), "element": table["element"],
        "before": table["before"].map(_score), "after": table["after"].map(_score),
        "difference": table["difference"].map(_signed),
        "interval": [f"{_signed(lo)} to {_signed(hi)}" if not pd.isna(lo) else ""
                     for lo, hi in zip(table["low"], table["high"])],
        "tasks": [f"{b} / {a}" for b, a in zip(table["tasks_before"], table["tasks_after"])],
        "status": table["status"], "reason": table["reason"].fillna(""),
    })
    counts = table["status"].value_counts()
    sentence = (f"{int(counts.get('changed', 0))} of {len(table)} elements changed beyond noise, "
                f"{int(counts.get('within noise', 0))} moved within noise and "
                f"{int(counts.get('not measurable', 0))} are not measurable on one side or both.")
    found = data["movers"]
    moved = found.assign(framework=found["framework"].map(lambda k: FRAMEWORKS.get(k, k)),
                         difference=found["difference"].map(_signed))
    return {"before": attrs["before_label"], "after": attrs["after_label"], "rule": attrs["rule"],
            "sentence": sentence, "figure": draw(difference_figure(table)), "table": shown, "movers": moved}
