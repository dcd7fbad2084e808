"""The one registry of the four frameworks, and :func:`diagnose_all`, which runs them on one export.

Everything that names the frameworks (the report, the self-assessment, the
``workfw`` command, the package root) reads :data:`REGISTRY` here, so the list
is written out once: key (the module name), display title, the two-letter
code of answer codes, in report order.

The framework packages are imported on first use (:meth:`Framework.module`),
not when this module is: :mod:`workfw.assessment` reads the titles, and a
participant's notebook should not pay for the four diagnoses to get them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from workfw.errors import OptionError
from workfw.export import ImportReport, TaskExport
from workfw.io import read_export
from workfw.schema import conform_events, tasks_of

__all__ = ["Framework", "REGISTRY", "FRAMEWORKS", "FRAMEWORK_CODES", "UnknownFrameworkError", "get_framework",
           "check_frameworks", "route_options", "as_export", "diagnose_all", "Progress"]

#: ``progress(step, done, total)``, called before each step of a long run.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Framework:
    """One framework as the rest of workfw names it.

    Attributes
    ----------
    key : str
        The module name under ``workfw`` (``"c4_flywheel"``); the key of every
        dict of frameworks, option and answer file.
    title : str
        The name people read (``"C4 Flywheel"``).
    code : str
        The two letters after ``WF2-`` in an answer code (:mod:`workfw.assessment`).
    """

    key: str
    title: str
    code: str

    @property
    def module_name(self) -> str:
        """The full module name, ``workfw.<key>``."""
        return f"workfw.{self.key}"

    def module(self) -> ModuleType:
        """The framework's package (``ELEMENTS``, ``diagnose``...), imported on first use."""
        return importlib.import_module(self.module_name)


#: The four frameworks, in report order.
REGISTRY: tuple[Framework, ...] = (
    Framework("c4_flywheel", "C4 Flywheel", "C4"),
    Framework("coordination_stack", "Coordination Stack", "CS"),
    Framework("value_pyramid", "Work Value Pyramid", "VP"),
    Framework("visibility", "Work Visibility", "WV"),
)

#: Framework key -> display title, in report order.
FRAMEWORKS: dict[str, str] = {f.key: f.title for f in REGISTRY}

#: Framework key -> the two letters of its answer codes.
FRAMEWORK_CODES: dict[str, str] = {f.key: f.code for f in REGISTRY}

_BY_KEY: dict[str, Framework] = {f.key: f for f in REGISTRY}


class UnknownFrameworkError(OptionError):
    """A framework key that is none of :data:`REGISTRY`."""


def get_framework(key: str) -> Framework:
    """The registry entry of a framework key.

    Parameters
    ----------
    key : str
        One of the keys of :data:`FRAMEWORKS`, e.g. ``"visibility"``.

    Returns
    -------
    Framework

    Raises
    ------
    UnknownFrameworkError
        When ``key`` names no framework; the message lists the valid keys.
    """
    try:
        return _BY_KEY[key]
    except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
        raise UnknownFrameworkError(f"framework={key!r}; expected one of {list(FRAMEWORKS)}. "
                                    "Next step: pass for example 'c4_flywheel'.") from None


def check_frameworks(frameworks: str | Iterable[str], *, caller: str = "report") -> list[str]:
    """The chosen framework keys, checked, without repeats, in the order given.

    Parameters
    ----------
    frameworks : str or iterable of str
        One key, or several.
    caller : str
        Named at the start of an error message.

    Returns
    -------
    list of str

    Raises
    ------
    UnknownFrameworkError
        When a key is unknown or none is given.
    """
    chosen = [frameworks] if isinstance(frameworks, str) else list(frameworks)
    unknown = [f for f in chosen if f not in _BY_KEY]
    if unknown or not chosen:
        raise UnknownFrameworkError(f"{caller}: frameworks={chosen!r}; expected one or more of {list(FRAMEWORKS)}. "
                                    "Next step: pass for example frameworks=('c4_flywheel', 'visibility').")
    return list(dict.fromkeys(chosen))


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
    # Imported here, not at the top: the self-assessment reads the titles, and needs none of the diagnosis model.
    from workfw.core.diagnosis import DEFAULTS

    unknown = sorted(k for k in options if k not in DEFAULTS and k not in _BY_KEY)
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
        entry = _BY_KEY[name]
        if progress is not None:
            progress(f"diagnosing {entry.title}", i, len(chosen))
        out[name] = entry.module().diagnose(export, as_of=as_of, **routed[name])
    return out
