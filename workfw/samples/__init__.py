"""The sample organisation: one fictional company exported from seven trackers.

Kestrel Labs has four teams (Platform, Growth, Support, Data) and about
2,500 work items created between 2026-01-05 and 2026-10-30, exported on
2026-10-30 17:00 UTC.  Each team has a problem designed in (see
``data/README.md``).  The same organisation is written in each tracker's
native export format, so a sample goes through the same importer as a
user's own file.

Examples
--------
>>> import workfw as wf
>>> export = wf.load_sample()            # Jira REST JSON with full history  # doctest: +SKIP
>>> wf.list_samples()[["name", "tracker"]]  # doctest: +SKIP
>>> wf.read_export(wf.sample_path("linear"))  # doctest: +SKIP
"""
from __future__ import annotations

import copy
import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pandas as pd

from workfw.errors import OptionError, SampleNotFoundError
from workfw.export import TaskExport, combine_exports
from workfw.samples._catalog import DEFAULT_SAMPLE, SAMPLES, Sample
from workfw.samples._scale import generate_jira_csv

__all__ = ["list_samples", "sample_path", "load_sample", "generate_jira_csv"]

_PACKAGE = "workfw.sample_data"


def _data_root() -> Traversable:
    try:
        return importlib.resources.files(_PACKAGE)
    except ModuleNotFoundError:
        # An editable install made before data/samples was packaged does not map workfw.sample_data;
        # a source checkout still has the files next to the package.
        checkout = Path(__file__).resolve().parents[2] / "data" / "samples"
        if checkout.is_dir():
            return checkout
        raise SampleNotFoundError(
            f"{_PACKAGE}: found no installed sample files; expected the package data shipped with workfw. "
            "Next step: reinstall workfw (pip install --force-reinstall workfw, or pip install -e . in a "
            "checkout).") from None


def _sample(name: Any) -> Sample:
    if isinstance(name, pd.DataFrame):
        raise OptionError(
            "load_sample accepts only the name of a sample (see wf.list_samples()). You passed a pandas "
            "DataFrame. If you have your own export, read the file with wf.read_export(path); if it is already "
            "a canonical task table, pass it straight to the framework diagnoses.")
    if not isinstance(name, str):
        raise OptionError(f"sample name: found {type(name).__name__} {name!r}; expected one of {sorted(SAMPLES)}. "
                          "Next step: pass a name from wf.list_samples()['name'].")
    if name not in SAMPLES:
        raise SampleNotFoundError(
            f"sample {name!r}: no such sample; expected one of {list(SAMPLES)}. Next step: pick a name from "
            "wf.list_samples(), or read your own file with wf.read_export(path).")
    return SAMPLES[name]


def list_samples() -> pd.DataFrame:
    """Return the shipped samples: name, tracker, reader format, files and what each export can show.

    Returns
    -------
    pandas.DataFrame
        One row per sample; ``default`` marks the one :func:`load_sample` reads without a name.
    """
    return pd.DataFrame(
        [(s.name, s.tracker, s.source, ", ".join(s.files), len(s.files), s.shows, s.name == DEFAULT_SAMPLE)
         for s in SAMPLES.values()],
        columns=["name", "tracker", "format", "files", "n_files", "shows", "default"])


def sample_path(name: str = DEFAULT_SAMPLE) -> Path | list[Path]:
    """Return the path of a sample's file, or the list of paths when it has one file per team.

    Parameters
    ----------
    name : str
        A name from :func:`list_samples`.

    Returns
    -------
    pathlib.Path or list of pathlib.Path
        Pass it to :func:`workfw.read_export` (a list reads and combines the files).

    Raises
    ------
    workfw.errors.SampleNotFoundError
        For an unknown name, or when workfw is installed in a form without real files.
    """
    sample = _sample(name)
    root = _data_root()
    if not isinstance(root, Path):
        raise SampleNotFoundError(
            f"sample {name!r}: workfw is installed inside an archive, so its samples have no path of their own; "
            "expected a normal (unzipped) install. Next step: use wf.load_sample(name), which reads them anyway.")
    paths = [root / f for f in sample.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SampleNotFoundError(f"sample {name!r}: files {missing} are missing; expected them in {root}. "
                                  "Next step: run `python -m workfw.samples` to write them again.")
    return paths[0] if len(paths) == 1 else paths


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(map(repr, value)))
    hash(value)
    return value


def _read(sample: Sample, options: dict[str, Any]) -> TaskExport:
    from workfw.io import read_export

    root = _data_root()
    exports = []
    for fname, team in zip(sample.files, sample.teams):
        per_file = {**sample.options, **options, "name": fname}
        if team is not None and "team" not in options:
            per_file["team"] = team
        exports.append(read_export((root / fname).read_bytes(), source=sample.source, **per_file))
    return combine_exports(exports)


#: (sample name, frozen options) -> export, newest last; small because each export holds ~2,500 tasks.
_CACHE: dict[tuple, TaskExport] = {}
_CACHE_SIZE = 8


def _copy(export: TaskExport) -> TaskExport:
    return TaskExport(tasks=export.tasks.copy(), events=export.events.copy(), raw=export.raw.copy(),
                      report=copy.deepcopy(export.report))


def load_sample(name: str | None = None, **read_options: Any) -> TaskExport:
    """Read a sample export of the Kestrel Labs organisation through its tracker's importer.

    Parameters
    ----------
    name : str, optional
        A name from :func:`list_samples`; default ``"jira-api"`` (Jira REST
        JSON, the richest sample: full status and assignee history).
    **read_options
        Passed to :func:`workfw.read_export` for every file (``tz``,
        ``status_map``, ``team``, format options...).  Options a sample needs
        (Azure DevOps' time zone, Trello's archived cards) are preset and can
        be overridden.

    Returns
    -------
    TaskExport
        A fresh copy: changing it does not change later calls (list cells
        such as ``labels`` are shared between copies; replace, don't mutate them).

    Raises
    ------
    workfw.errors.SampleNotFoundError
        For an unknown name; the message lists the valid ones.
    workfw.errors.OptionError
        For a DataFrame or another non-string name, or a ``source`` option.

    Examples
    --------
    >>> import workfw as wf
    >>> export = wf.load_sample("linear")  # doctest: +SKIP
    >>> export.tasks.groupby("team").size()  # doctest: +SKIP
    """
    sample = _sample(DEFAULT_SAMPLE if name is None else name)
    if "source" in read_options:
        raise OptionError(f"load_sample({sample.name!r}): found source={read_options['source']!r}; expected no "
                          f"source, because this sample is always read as {sample.source!r}. Next step: drop it, "
                          "or pick another sample from wf.list_samples().")
    try:
        key = (sample.name, _freeze(read_options))
    except TypeError:  # an unhashable option value: read without caching
        return _read(sample, read_options)
    if key not in _CACHE:
        _CACHE[key] = _read(sample, read_options)
        while len(_CACHE) > _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
    return _copy(_CACHE[key])
