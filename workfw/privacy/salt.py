"""This workspace's secret salt for pseudonyms, kept beside the chosen data.

It lives in the privacy package (not in :mod:`workfw.workspace`, which
re-exports it) because :func:`workfw.privacy.pseudonymise` needs it by default
and the workspace is a layer above privacy: it takes only the folder from
:func:`workfw.files.workspace_dir`.
"""
from __future__ import annotations

import secrets
import time

from workfw.errors import WorkfwError
from workfw.files import create_once, workspace_dir

__all__ = ["pseudonym_salt", "SALT_FILE", "SALT_BYTES"]

#: Name of the salt file in the workspace folder.
SALT_FILE = "pseudonym_salt"
#: Length of the salt in bytes (kept as twice as many hex digits).
SALT_BYTES = 32
# How long to wait for a salt another process is writing right now (see files.create_once: only file systems
# without hard links show an empty file for that instant).
_WAIT_SECONDS = 1.0
_WAIT_STEP = 0.02


def pseudonym_salt() -> bytes:
    """Return this workspace's secret salt for pseudonyms, creating it on first use.

    :func:`workfw.privacy.pseudonymise` numbers people in the order of a
    salted hash of their names, so the same workspace always gives a person
    the same pseudonym (notebooks 00-05 agree) while the order reveals
    nothing to someone holding the team's roster.  The salt is 32 random
    bytes kept as hex in ``<workspace>/pseudonym_salt`` (git-ignored with
    the rest of the workspace, readable only by its owner).  It is created
    atomically with :func:`workfw.files.create_once`: when two notebooks start
    at once, both end up with the same salt.  Delete the file to draw new
    pseudonyms; :func:`workfw.workspace.clear` keeps it.

    Returns
    -------
    bytes
        The 32-byte salt.

    Raises
    ------
    workfw.errors.WorkfwError
        When the file exists but holds no 64-digit hex salt.
    workfw.files.FileWriteError
        When the workspace folder cannot be written.
    """
    path = workspace_dir() / SALT_FILE
    if not path.exists():
        create_once(path, (secrets.token_hex(SALT_BYTES) + "\n").encode("ascii"), mode=0o600)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    waited = 0.0
    while not text and waited < _WAIT_SECONDS:
        time.sleep(_WAIT_STEP)
        waited += _WAIT_STEP
        text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        salt = bytes.fromhex(text)
    except ValueError:
        salt = b""
    if len(salt) != SALT_BYTES:
        raise WorkfwError(f"{path}: found {len(text)} characters that are not a pseudonym salt; expected "
                          f"{2 * SALT_BYTES} hex digits. Next step: delete the file; a new salt (and so new "
                          "pseudonyms) is drawn on the next use.")
    return salt
