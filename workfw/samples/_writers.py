"""Write the sample organisation in every tracker's native export format.

One writer per format lives in :mod:`._jira`, :mod:`._sheets` (Asana,
Linear, Azure DevOps) and :mod:`._boards` (Trello, GitHub).  Each returns
``{file name: bytes}``; :func:`write_samples` puts them on disk.  Writers use
only the model and the helpers of :mod:`._write_common`, never a clock, so
the bytes are the same on every run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from workfw.files import atomic_write_bytes
from workfw.samples import _boards, _jira, _sheets
from workfw.samples._generator import generate_organisation
from workfw.samples._model import Organisation
from workfw.samples._profiles import SEED

__all__ = ["WRITERS", "write_samples", "render_samples"]

#: Sample name -> writer.
WRITERS: dict[str, Callable[[Organisation], dict[str, bytes]]] = {
    "jira": _jira.write_jira_csv, "jira-api": _jira.write_jira_api, "asana": _sheets.write_asana,
    "trello": _boards.write_trello, "github": _boards.write_github, "linear": _sheets.write_linear,
    "azure-devops": _sheets.write_azure,
}


def render_samples(org: Organisation, names: Iterable[str] | None = None) -> dict[str, bytes]:
    """Render the organisation as ``{file name: bytes}`` for the named samples (all by default)."""
    out: dict[str, bytes] = {}
    for name in (list(WRITERS) if names is None else list(names)):
        out.update(WRITERS[name](org))
    return out


def write_samples(out_dir: str | Path, *, names: Iterable[str] | None = None, seed: int | None = None) -> list[Path]:
    """Generate the organisation and write its sample files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Target folder (created when missing); existing files of the same name
        are replaced, other files are left alone.
    names : iterable of str, optional
        Sample names to write (``"jira"``, ``"linear"``...); all by default.
    seed : int, optional
        Seed of the organisation; the default is the shipped one.

    Returns
    -------
    list of pathlib.Path
        The files written, in writing order.

    Raises
    ------
    workfw.files.FileWriteError
        When a file cannot be written; files written before it stay, the rest keep their old content.
    """
    org = generate_organisation(SEED if seed is None else seed)
    target = Path(out_dir)
    # Each file is replaced in one step, so a test or notebook reading the samples meanwhile never sees half a file.
    return [atomic_write_bytes(target / fname, data) for fname, data in render_samples(org, names).items()]
