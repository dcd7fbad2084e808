"""Run every framework on one export: :func:`diagnose_all`, and the option routing it shares with the report.

The list of frameworks itself is :mod:`workfw.frameworks`; this module sits
above the four framework packages because it runs them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from workfw.core.diagnosis import DEFAULTS
from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.frameworks import FRAMEWORKS, check_frameworks, get_framework
from workfw.io import read_export
from workfw.schema import conform_events, tasks_of

__all__ = ["Progress", "route_options", "as_export", "diagnose_all"]

#: ``progress(step, done, total)``, called before each step of a long run.
Progress = Callable[[str, int, int], None]


def route_options(frameworks: Iterable[str], options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each framework's ``diagnose`` options: the shared ones, then ``<framework>={...}`` for that one only.

    Parameters
    ----------
    frameworks : iterable of str
        Checked keys (:func:`check_frameworks`).
    options : mapping
        Shared options (:data:`workfw.core.diagnosis.DEFAULTS`), and a dict per framework key.

    Returns
    -------
    dict of str to dict
        Framework key -> the options its ``diagnose`` gets.

    Raises
    ------
    OptionError
        On an option that is neither shared nor a framework key, or a framework's options that are not a dict.
    """
    unknown = sorted(k for k in options if k not in DEFAULTS and k not in FRAMEWORKS)
    if unknown:
        raise OptionError(f"diagnose_all got unknown options {unknown}; expected the shared options "
                          f"{sorted(DEFAULTS)}, or a framework name with a dict of its own options "
                          "(e.g. coordination_stack={'fresh_days': 7}). Next step: check the spelling.")
    shared = {k: v for k, v in options.items() if k in DEFAULTS}
    routed = {}
    for name in frameworks:
        own = options.get(name) or {}
        if not isinstance(own, Mapping):
            raise OptionError(f"diagnose_all: {name}={own!r}; expected a dict of that framework's options. "
                              f"Next step: pass {name}={{'option': value}}.")
        routed[name] = {**shared, **own}
    return routed


def as_export(export: Any) -> Any:
    """A :class:`~workfw.export.TaskExport` of what the caller passed: an export, a path or a task table.

    Parameters
    ----------
    export : TaskExport, str, pathlib.Path or pandas.DataFrame
        A path is read with :func:`workfw.read_export`; a task table gets an
        empty history and a one-line import report.

    Returns
    -------
    TaskExport
    """
    if isinstance(export, TaskExport):
        return export
    if isinstance(export, (str, Path)):
        return read_export(export)
    tasks = tasks_of(export, where="export")
    return TaskExport(tasks=tasks, events=conform_events(pd.DataFrame(columns=["task_id", "at"])),
                      raw=pd.DataFrame(index=tasks.index),
                      report=ImportReport(source="table", file="(a task table)", rows_read=len(tasks)))


def diagnose_all(export: Any, *, as_of: Any = None, frameworks: Iterable[str] = tuple(FRAMEWORKS),
                 progress: Progress | None = None, **options: Any) -> dict[str, Any]:
    """Run every framework's ``diagnose`` on one export.

    Parameters
    ----------
    export : TaskExport, pandas.DataFrame or path
        From :func:`workfw.read_export` (or its task table, or the file to read).
    as_of : timestamp-like, optional
        Reference time for all frameworks; defaults to the latest timestamp in the data.
    frameworks : iterable of str
        Keys of :data:`FRAMEWORKS`, in the order wanted.
    progress : callable, optional
        ``progress(step, done, total)`` called before each framework.
    **options
        Shared diagnose options (:data:`workfw.core.diagnosis.DEFAULTS`), and a
        dict per framework key for its own options.

    Returns
    -------
    dict of str to Diagnosis
        Keyed by framework key, in ``frameworks`` order.

    Raises
    ------
    OptionError
        On an unknown framework or option (:func:`check_frameworks`, :func:`route_options`).
    """
    chosen = check_frameworks(frameworks, caller="diagnose_all")
    routed = route_options(chosen, options)
    export = as_export(export)
    out = {}
    for i, name in enumerate(chosen):
        entry = get_framework(name)
        if progress is not None:
            progress(f"diagnosing {entry.title}", i, len(chosen))
        out[name] = entry.module().diagnose(export, as_of=as_of, **routed[name])
    return out
