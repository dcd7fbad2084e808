"""Writing files so that no reader ever sees half of one, and where the workbook keeps its files.

Every file workfw writes for someone else to read (a saved export, the
workspace settings, participants' answers, statement banks, survey templates,
the sample files) goes through this module:

- :func:`atomic_writer`, :func:`atomic_write_bytes` and
  :func:`atomic_write_text` write to a temporary dot-file beside the target and
  move it into place with :func:`os.replace`, which is atomic within one
  folder.  A reader (another notebook, a facilitator collecting answers, a
  file-sync client) sees the old file or the new one, never half of it, and a
  failed write leaves the old file untouched.
- :func:`create_once` creates a file only when no file of that name exists,
  even when several processes try at the same moment: exactly one of them
  wins, and the others learn that they lost.  The pseudonym salt and the
  participants' answer files rely on it.

Temporary files are named ``.<target name>.<random>.tmp``: readers that skip
dot-files or read only ``*.json`` / ``*.csv`` never pick one up, and one left
behind by a crash is easy to recognise and delete.

This module sits at the bottom of the layers (it imports only
:mod:`workfw.errors`), so any module may use it.
"""
from __future__ import annotations

import io
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from workfw.errors import WorkfwError

__all__ = ["FileWriteError", "atomic_writer", "atomic_write_bytes", "atomic_write_text", "create_once",
           "workspace_dir", "WORKSPACE_ENV"]

#: Environment variable that moves the workspace folder (see :func:`workspace_dir`).
WORKSPACE_ENV = "WORKFW_WORKSPACE"

#: Permissions asked for a new file before the umask applies, as for :func:`open`.
_DEFAULT_MODE = 0o666


class FileWriteError(WorkfwError, OSError):
    """A file could not be written (folder missing or read-only, disk full...).

    It is also an :class:`OSError`, so code that already catches ``OSError``
    around a write keeps working; ``__cause__`` holds the operating system's
    error.
    """

    @classmethod
    def from_os_error(cls, path: str | os.PathLike[str], exc: OSError) -> FileWriteError:
        """Return the error for ``path``: the system's reason (``exc``), what was expected and the next step.

        Parameters
        ----------
        path : str or os.PathLike
            The file that was being written (not its temporary file).
        exc : OSError
            What the operating system said; raise the result ``from exc``.

        Returns
        -------
        FileWriteError
            The error to raise.
        """
        target = Path(path)
        return cls(f"{target}: could not write the file ({exc.strerror or exc}); expected a folder that exists or "
                   f"can be created, is writable and has free space. Next step: check {target.parent}, or choose "
                   "another place.")


def workspace_dir() -> Path:
    """Return the workspace folder, where the notebooks keep the chosen data, settings and salt.

    ``$WORKFW_WORKSPACE`` when set; else ``workspace/`` at the root of the
    workbook checkout (found from the current folder or its parent, as the
    notebooks run inside ``notebooks/``); else ``~/.workfw/workspace``.  The
    folder is not created here: writers create it on first use.

    Returns
    -------
    pathlib.Path
        The folder (it may not exist yet).
    """
    env = os.environ.get(WORKSPACE_ENV)
    if env:
        return Path(env)
    here = Path.cwd()
    for root in (here, here.parent):
        if (root / "notebooks").is_dir() and (root / "workfw").is_dir():
            return root / "workspace"
    return Path.home() / ".workfw" / "workspace"


def _open_temp(target: Path, mode: int) -> tuple[Path, IO[bytes]]:
    """Create the folder and an exclusive temporary dot-file beside ``target``; return its path and handle."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        # "x" never reuses a name another writer holds; the opener passes the permissions (umask still applies).
        return tmp, open(tmp, "xb", opener=lambda name, flags: os.open(name, flags, mode))
    except OSError as exc:
        raise FileWriteError.from_os_error(target, exc) from exc


def _settle(handle: IO[bytes]) -> None:
    """Push the bytes to the disk before the rename, so a crash cannot leave a renamed but empty file."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


@contextmanager
def atomic_writer(path: str | os.PathLike[str], *, encoding: str | None = None, newline: str | None = None,
                  mode: int = _DEFAULT_MODE) -> Iterator[IO]:
    """Open a temporary file for writing that replaces ``path`` in one step when the block ends.

    Use it to stream a file too large to build in memory; for bytes or text at
    hand, :func:`atomic_write_bytes` and :func:`atomic_write_text` are shorter.
    The folder is created when missing.  When the block raises, the temporary
    file is removed, ``path`` keeps its old content and the exception
    propagates unchanged.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced when it exists).
    encoding : str, optional
        Yield a text handle in this encoding; by default a binary handle.
    newline : str, optional
        As for :func:`open` in text mode (``""`` writes line ends untranslated).
    mode : int
        Permissions of the file before the umask applies (``0o600`` for a
        secret); the default is that of :func:`open`.  A replaced file gets
        these too, not its old ones.

    Yields
    ------
    typing.IO
        The handle to write to.

    Raises
    ------
    FileWriteError
        When the temporary file cannot be created, flushed to the disk or
        moved into place.  An error raised inside the block (a failing
        ``write`` included) propagates as it is, after the clean-up.

    Examples
    --------
    >>> with atomic_writer("big.csv", encoding="utf-8", newline="") as fh:  # doctest: +SKIP
    ...     fh.write("a,b\\n")
    """
    target = Path(path)
    tmp, raw = _open_temp(target, mode)
    try:
        if encoding is None:
            yield raw
        else:
            text = io.TextIOWrapper(raw, encoding=encoding, newline=newline)
            try:
                yield text
                text.flush()
            finally:
                # Detached, the wrapper no longer closes ``raw`` when it is garbage-collected.
                text.detach()
    except BaseException:
        raw.close()
        tmp.unlink(missing_ok=True)
        raise
    try:
        _settle(raw)
        os.replace(tmp, target)
    except BaseException as exc:
        raw.close()
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise FileWriteError.from_os_error(target, exc) from exc
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int = _DEFAULT_MODE) -> Path:
    """Write ``data`` to ``path`` so a reader sees the old file or the whole new one, never a part.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced when it exists; its folder is created when missing).
    data : bytes
        The new content.
    mode : int
        Permissions of a new file before the umask applies (see :func:`atomic_writer`).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    FileWriteError
        When the file cannot be written; ``path`` then keeps its old content.
    """
    target = Path(path)
    try:
        with atomic_writer(target, mode=mode) as handle:
            handle.write(data)
    except FileWriteError:
        raise
    except OSError as exc:  # the write itself failed (disk full...): name the target, not the temporary file
        raise FileWriteError.from_os_error(target, exc) from exc
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8",
                      mode: int = _DEFAULT_MODE) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Line ends are written as they are in ``text`` on every system (no
    ``\\r\\n`` on Windows), so the file is byte for byte the same everywhere.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced when it exists; its folder is created when missing).
    text : str
        The new content.
    encoding : str
        Encoding of the file (``"utf-8-sig"`` adds the byte-order mark Excel wants).
    mode : int
        Permissions of a new file before the umask applies (see :func:`atomic_writer`).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    FileWriteError
        When the file cannot be written; ``path`` then keeps its old content.
    """
    return atomic_write_bytes(path, text.encode(encoding), mode=mode)


def create_once(path: str | os.PathLike[str], data: bytes, *, mode: int = _DEFAULT_MODE) -> bool:
    """Create ``path`` holding ``data`` unless a file of that name exists; never replace one.

    When several processes call this at the same moment for one path, exactly
    one creates the file and the others get ``False`` and can read the
    winner's content.  The content is written to a temporary file first and
    then hard-linked to ``path``, which fails when the name is taken; a reader
    therefore never sees a partly written file.  On a file system without hard
    links (FAT, exFAT, some network shares) the name is first taken by an
    exclusive create and the content then moved over it in one step: a reader
    arriving in that instant may find the file empty (never partly written),
    so readers of such files should treat an empty file as "being written".

    Parameters
    ----------
    path : str or os.PathLike
        The file to create (its folder is created when missing).
    data : bytes
        Its content.
    mode : int
        Permissions before the umask applies (``0o600`` for a secret).

    Returns
    -------
    bool
        True when this call created the file, False when it already existed.

    Raises
    ------
    FileWriteError
        When the file cannot be written for another reason than existing already.
    """
    target = Path(path)
    tmp, raw = _open_temp(target, mode)
    try:
        raw.write(data)
        _settle(raw)
        try:
            os.link(tmp, target)
            return True
        except FileExistsError:
            return False
        except OSError:
            pass  # no hard links here: fall back to taking the name with an exclusive create (a real error recurs there)
        try:
            placeholder = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            return False
        os.close(placeholder)
        try:
            os.replace(tmp, target)
        except OSError:
            target.unlink(missing_ok=True)  # our empty placeholder: leave the name free for the next try
            raise
        return True
    except OSError as exc:
        raise FileWriteError.from_os_error(target, exc) from exc
    finally:
        raw.close()
        tmp.unlink(missing_ok=True)
