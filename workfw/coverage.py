"""What an export lets each framework see, and how trackers compare."""
from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from workfw.export import TaskExport
from workfw.files import atomic_write_text
from workfw.frameworks import REGISTRY

__all__ = ["FRAMEWORK_MODULES", "coverage_table", "coverage_matrix", "compare_trackers", "write_shipped_comparison"]

#: Display name -> module, in the workbook's order.
FRAMEWORK_MODULES = {f.title: f.module_name for f in REGISTRY}


def coverage_table(export: TaskExport | pd.DataFrame, *, as_of: Any = None) -> pd.DataFrame:
    """Per framework element: how many of its signals this export can compute, and why not.

    Returns
    -------
    pandas.DataFrame
        ``framework, element, measurable, signals, share, missing`` where
        ``missing`` names the signals that cannot be computed with their reasons.
    """
    rows = []
    for framework, module_name in FRAMEWORK_MODULES.items():
        module = importlib.import_module(module_name)
        cov = module.diagnose(export, as_of=as_of).coverage
        for element in module.ELEMENTS:
            part = cov[cov["element"] == element]
            gaps = part[~part["measurable"]]
            rows.append((framework, element, int(part["measurable"].sum()), len(part),
                         float(part["measurable"].mean()) if len(part) else 0.0,
                         "; ".join(f"{s}: {r}" for s, r in zip(gaps["signal"], gaps["reason"]))))
    return pd.DataFrame(rows, columns=["framework", "element", "measurable", "signals", "share", "missing"])


def coverage_matrix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Turn ``{label: coverage_table(...)}`` into a matrix: labels x ``"Framework: Element"`` shares."""
    columns = None
    rows = {}
    for label, table in tables.items():
        keys = table["framework"].str.replace("Work ", "", regex=False) + ": " + table["element"]
        rows[label] = pd.Series(table["share"].to_numpy(), index=keys.to_numpy())
        columns = columns or list(keys)
    return pd.DataFrame(rows).T.reindex(columns=columns)


_COMPARED: dict[tuple[str, ...], pd.DataFrame] = {}
#: The comparison of all bundled samples, computed once and shipped: the samples never change, and
#: computing it takes tens of seconds that the start notebook should not spend on every run.
#: tests/test_coverage_shipped.py recomputes it, so it cannot drift from the code.
_SHIPPED = "tracker_coverage.csv"


def _shipped() -> pd.DataFrame | None:
    path = resources.files("workfw").joinpath(_SHIPPED)
    if not path.is_file():
        return None
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, index_col=0)


def write_shipped_comparison(path: str | Path | None = None) -> Path:
    """Recompute the comparison of all bundled samples and write the file :func:`compare_trackers` ships.

    Run it after changing a diagnosis or the samples (the test that guards it says so).
    """
    target = Path(path) if path is not None else Path(__file__).with_name(_SHIPPED)
    atomic_write_text(target, compare_trackers(recompute=True).round(6).to_csv())
    return target


def compare_trackers(samples: Iterable[str] | None = None, *, recompute: bool = False,
                     progress: Callable[[str, float], None] | None = None) -> pd.DataFrame:
    """Coverage of every framework element for the same organisation exported from each tracker.

    Parameters
    ----------
    samples : iterable of str, optional
        Sample names (default: all of :func:`workfw.samples.list_samples`).
    recompute : bool, default False
        Compute from the samples even when the shipped comparison of all samples could be used.
    progress : callable, optional
        ``progress(sample_name, fraction_done)`` before each sample and ``("done", 1.0)`` at the end.
        The bundled samples never change, so results are kept for the session and a repeat call is instant.

    Returns
    -------
    pandas.DataFrame
        Rows are tracker samples, columns ``"Framework: Element"``, values the
        share of that element's signals the export allows (0-1).
    """
    from workfw.samples import list_samples, load_sample

    names = tuple(samples) if samples is not None else tuple(list_samples()["name"])
    shipped = None if recompute or samples is not None else _shipped()
    if shipped is not None and list(shipped.index) == list(names):
        _COMPARED.setdefault(names, shipped)
    elif recompute:
        _COMPARED.pop(names, None)
    if names not in _COMPARED:
        tables = {}
        for i, name in enumerate(names):
            if progress is not None:
                progress(name, i / max(len(names), 1))
            tables[name] = coverage_table(load_sample(name))
        _COMPARED[names] = coverage_matrix(tables)
    if progress is not None:
        progress("done", 1.0)
    return _COMPARED[names].copy()
