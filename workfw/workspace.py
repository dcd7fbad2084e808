"""Carry the chosen data from the start notebook to the framework notebooks.

``00_start_here`` saves the export a user picked (their file, or a sample) to
a git-ignored ``workspace/`` folder; the other notebooks call :func:`load`,
which falls back to the sample organisation when nothing was chosen.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from workfw.errors import WorkfwError
from workfw.export import TaskExport
from workfw.io import read_export

__all__ = ["workspace_dir", "save", "load", "current", "settings", "clear", "pseudonym_salt"]

_EXPORT = "current.workfw"
_SETTINGS = "settings.json"
_SALT = "pseudonym_salt"
_SALT_BYTES = 32


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
    from workfw.samples import load_sample

    return load_sample(fallback)


def pseudonym_salt() -> bytes:
    """Return this workspace's secret salt for pseudonyms, creating it on first use.

    :func:`workfw.privacy.pseudonymise` numbers people in the order of a
    salted hash of their names, so the same workspace always gives a person
    the same pseudonym (notebooks 00-05 agree) while the order reveals
    nothing to someone holding the team's roster.  The salt is 32 random
    bytes kept as hex in ``<workspace>/pseudonym_salt`` (git-ignored with
    the rest of the workspace).  It is created atomically: when two
    notebooks start at once, both end up with the same salt.  Delete the
    file to draw new pseudonyms; :func:`clear` keeps it.

    Raises
    ------
    workfw.errors.WorkfwError
        When the file exists but holds no 64-digit hex salt.
    """
    folder = workspace_dir()
    path = folder / _SALT
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{_SALT}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        tmp.write_text(secrets.token_hex(_SALT_BYTES) + "\n")
        try:
            os.link(tmp, path)  # fails when another process made the salt first: then that one wins
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    text = path.read_text().strip()
    try:
        salt = bytes.fromhex(text)
    except ValueError:
        salt = b""
    if len(salt) != _SALT_BYTES:
        raise WorkfwError(f"{path}: found {len(text)} characters that are not a pseudonym salt; expected "
                          f"{2 * _SALT_BYTES} hex digits. Next step: delete the file; a new salt (and so new "
                          "pseudonyms) is drawn on the next use.")
    return salt


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
        from workfw.privacy import pseudonymise

        export = pseudonymise(export, in_text=bool(chosen.get("pseudonymise_text")))
    return export
