"""Carry the chosen data from the start notebook to the framework notebooks.

``00_start_here`` saves the export a user picked (their file, or a sample) to
a git-ignored ``workspace/`` folder; the other notebooks call :func:`load`,
which falls back to the sample organisation when nothing was chosen.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .export import TaskExport
from .io import read_export

__all__ = ["workspace_dir", "save", "load", "current", "settings", "clear"]

_EXPORT = "current.workfw"
_SETTINGS = "settings.json"


def workspace_dir() -> Path:
    """Return the workspace folder.

    ``$WORKFW_WORKSPACE`` when set; else ``workspace/`` at the root of the
    workbook checkout (found from the current folder or its parent, as the
    notebooks run inside ``notebooks/``); else ``~/.workfw/workspace``.
    """
    env = os.environ.get("WORKFW_WORKSPACE")
    if env:
        return Path(env)
    here = Path.cwd()
    for root in (here, here.parent):
        if (root / "notebooks").is_dir() and (root / "workfw").is_dir():
            return root / "workspace"
    return Path.home() / ".workfw" / "workspace"


def save(export: TaskExport, **settings_: Any) -> Path:
    """Save ``export`` as the current data, with display settings such as ``pseudonymise=True``.

    Returns
    -------
    pathlib.Path
        The saved export file.
    """
    folder = workspace_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = export.save(folder / _EXPORT)
    tmp = folder / (_SETTINGS + ".tmp")
    tmp.write_text(json.dumps({"file": export.report.file, "source": export.report.source, **settings_}, indent=2))
    tmp.replace(folder / _SETTINGS)
    return path


def settings() -> dict[str, Any]:
    """Return the saved display settings (empty when nothing was saved)."""
    path = workspace_dir() / _SETTINGS
    return json.loads(path.read_text()) if path.exists() else {}


def load(*, fallback: str | None = None) -> TaskExport:
    """Return the export chosen in the start notebook, or the sample organisation.

    Parameters
    ----------
    fallback : str, optional
        Sample name to use when no export was saved (default: the default sample).
    """
    path = workspace_dir() / _EXPORT
    if path.exists():
        return read_export(path)
    from .samples import load_sample

    return load_sample(fallback)


def clear() -> None:
    """Forget the saved export so notebooks fall back to the sample."""
    for name in (_EXPORT, _SETTINGS):
        (workspace_dir() / name).unlink(missing_ok=True)


def current(path: str | None = None, **read_options: Any) -> TaskExport:
    """The export a notebook should show.

    ``path`` (a notebook's ``DATA_PATH`` parameter) wins; otherwise the export
    chosen in the start notebook; otherwise the sample.  Names are
    pseudonymised when the start notebook's switch was on.
    """
    export = read_export(path, **read_options) if path else load()
    if settings().get("pseudonymise"):
        from .privacy import pseudonymise

        export = pseudonymise(export)
    return export
