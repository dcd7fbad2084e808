"""workfw: work management frameworks, measured on your tracker's export.

The four framework modules (:mod:`workfw.c4_flywheel`, :mod:`workfw.coordination_stack`,
:mod:`workfw.value_pyramid`, :mod:`workfw.visibility`) each offer ``ELEMENTS`` and
``diagnose(export, *, as_of=None, **options)``; :mod:`workfw.flow` holds the flow metrics and
forecasts; :mod:`workfw.widgets` the notebook views.  Everything starts from
:func:`read_export` or :func:`load_sample`.
"""
from __future__ import annotations

import importlib
from typing import Any

from workfw.errors import WorkfwError
from workfw.export import ImportReport, TaskExport, combine_exports
from workfw.frameworks import REGISTRY as _REGISTRY
from workfw.io import list_formats, read_export
from workfw.samples import list_samples, load_sample, sample_path
from workfw.version import __version__

#: The framework packages, named once in :mod:`workfw.frameworks`.
_FRAMEWORK_KEYS = tuple(f.key for f in _REGISTRY)

__all__ = ["read_export", "list_formats", "combine_exports", "TaskExport", "ImportReport", "WorkfwError",
           "load_sample", "list_samples", "sample_path", "report", "report_json", "diagnose_all",
           "check_environment", "pseudonymise",
           *_FRAMEWORK_KEYS, "flow", "assessment", "workspace", "widgets", "coverage", "advice", "actors",
           "change", "organisation"]

# Heavier pieces (plotly, ipywidgets) load on first use, so `import workfw` stays quick for scripts and the CLI.
_LAZY_MODULES = {*_FRAMEWORK_KEYS, "flow", "flow_charts", "assessment", "workspace", "widgets", "coverage", "advice",
                 "actors", "privacy", "charts", "change",
                 "organisation"}
_LAZY_NAMES = {"report": "reporting", "report_json": "reporting", "check_environment": "setup_check",
               "pseudonymise": "privacy", "diagnose_all": "all_frameworks"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
    raise AttributeError(f"module 'workfw' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
