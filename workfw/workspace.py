"""Carry the chosen data from the start notebook to the framework notebooks.

``00_start_here`` saves the export a user picked (their file, or a sample) to
a git-ignored ``workspace/`` folder; the other notebooks call :func:`load`,
which falls back to the sample organisation when nothing was chosen.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workfw.export import TaskExport
# The folder and the salt live lower down (files, privacy) so privacy needs nothing from here; both stay
# public names of this module, as notebooks and docs call them.
from workfw.files import atomic_write_text, workspace_dir
from workfw.io import read_export
from workfw.privacy import pseudonymise
from workfw.privacy.salt import pseudonym_salt
from workfw.samples import load_sample

__all__ = ["workspace_dir", "save", "load", "current", "settings", "clear", "pseudonym_salt"]

_EXPORT = "current.workfw"
_SETTINGS = "settings.json"


def save(export: TaskExport, **settings_: Any) -> Path:
    """Save ``export`` as the current data, with display settings such as ``pseudonymise=True``.

    Returns
    -------
    pathlib.Path
        The saved export file.
    """
    folder = workspace_dir()
    path = export.save(folder / _EXPORT)
    atomic_write_text(folder / _SETTINGS,
                      json.dumps({"file": export.report.file, "source": export.report.source, **settings_}, indent=2))
    return path


def settings() -> dict[str, Any]:
    """Return the saved display settings (empty when nothing was saved)."""
    path = workspace_dir() / _SETTINGS
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


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
    return load_sample(fallback)


def clear() -> None:
    """Forget the saved export so notebooks fall back to the sample (the pseudonym salt is kept)."""
    for name in (_EXPORT, _SETTINGS):
        (workspace_dir() / name).unlink(missing_ok=True)


def current(path: str | None = None, **read_options: Any) -> TaskExport:
    """The export a notebook should show.

    ``path`` (a notebook's ``DATA_PATH`` parameter) wins; otherwise the export
    chosen in the start notebook; otherwise the sample.  Names are
    pseudonymised when the start notebook's switch was on (also inside
    titles and descriptions when its second switch was on), with this
    workspace's salt, so every notebook shows the same pseudonyms.
    """
    export = read_export(path, **read_options) if path else load()
    chosen = settings()
    if chosen.get("pseudonymise") or chosen.get("pseudonymise_text"):
        export = pseudonymise(export, in_text=bool(chosen.get("pseudonymise_text")))
    return export
