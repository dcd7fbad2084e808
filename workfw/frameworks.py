"""The one registry of the four frameworks.

Everything that names the frameworks (the report, the self-assessment, the
``workfw`` command, the package root) reads :data:`REGISTRY` here, so the list
is written out once: key (the module name), display title, the two-letter
code of answer codes, in report order.

The framework packages are imported on first use (:meth:`Framework.module`),
not when this module is, so the registry sits in the task-table layer and any
layer can read it: :mod:`workfw.coverage` and :mod:`workfw.assessment` read the
titles without paying for the four diagnoses.  :func:`workfw.all_frameworks.diagnose_all`
runs them all on one export.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Iterable

from workfw.errors import OptionError

__all__ = ["Framework", "REGISTRY", "FRAMEWORKS", "FRAMEWORK_CODES", "UnknownFrameworkError", "get_framework",
           "check_frameworks"]


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
