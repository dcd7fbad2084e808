"""The pieces :class:`~workfw.assessment.Collection` is built from: what a call reports, and upload handling.

:class:`Added` and :class:`Rejected` are what every ``add_*`` call returns,
:func:`response_key` says when two responses are the same, and the private
helpers take a FileUpload value apart.  Split from
:mod:`workfw.assessment._collect`, which re-exports the public names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from workfw.errors import OptionError
from workfw.assessment._bank import FRAMEWORKS
from workfw.assessment._response import Response

__all__ = ["Added", "Rejected", "response_key"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def response_key(response: Response) -> tuple:
    """What makes two responses the same: framework, name, team, time and every answer that was given.

    "Don't know" counts as an answer (``0`` in the key); a skipped statement
    is not listed, so a file and the code made from it give the same key.
    """
    given = tuple(sorted((sid, 0 if value is None else value) for sid, value in response.answers.items()))
    return (response.framework, response.participant, response.team, response.submitted_at, given)


def _table_keys(frame: pd.DataFrame) -> dict[tuple[str, str], tuple]:
    """:func:`response_key` of every response in a long answer table, by ``(response, framework)``.

    A survey row and the code or file made from the same answers get the same key, so the same answers
    sent by two routes count once.  One pass over plain tuples: a groupby costs ~0.1 ms a response.
    """
    stamps = frame["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype(object).where(
        frame["submitted_at"].notna(), None)
    answers: dict[tuple[str, str], list] = {}
    heads: dict[tuple[str, str], tuple] = {}
    for label, who, team, key, sid, answer, stamp in zip(
            frame["response"].tolist(), frame["participant"].tolist(), frame["team"].astype(object).tolist(),
            frame["framework"].tolist(), frame["statement_id"].tolist(), frame["answer"].astype(object).tolist(),
            stamps.tolist()):
        group = (label, key)
        if group not in heads:
            heads[group] = (key, who, None if team is pd.NA else team, stamp)
            answers[group] = []
        answers[group].append((sid, 0 if answer is pd.NA or answer is None else int(answer)))
    return {group: (*heads[group], tuple(sorted(answers[group]))) for group in heads}


@dataclass(frozen=True)
class Rejected:
    """Input that could not be used: ``source`` (file, ``code N``, ``file row N``) and the ``reason``."""

    source: str
    reason: str


@dataclass
class Added:
    """What one call to a :class:`Collection` ``add_*`` method did.

    Attributes
    ----------
    accepted : int
        New responses (participants' answers to one framework) or survey rows.
    duplicates : int
        Responses that were already collected and counted once.
    rejected : list of Rejected
        Files, codes, rows or cells that could not be used, with the reason.
    notes : list of str
        Things worth knowing that lost nothing (columns no statement matched,
        a folder that could not be written, so answers live only in memory).
    """

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def merge(self, other: "Added") -> "Added":
        """Add ``other``'s counts and lists to this one and return it."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.notes += other.notes
        return self


def _check_frameworks(frameworks: Iterable[str] | None) -> list[str]:
    chosen = list(FRAMEWORKS) if frameworks is None else (
        [frameworks] if isinstance(frameworks, str) else list(frameworks))
    unknown = [f for f in chosen if f not in FRAMEWORKS]
    if unknown or not chosen:
        raise OptionError(f"Collection: frameworks={chosen!r}; expected one or more of {list(FRAMEWORKS)}. "
                          "Next step: pass for example frameworks=['c4_flywheel'].")
    return [f for f in FRAMEWORKS if f in chosen]


def _safe_file_name(name: str, suffix: str) -> str:
    """A file name from an upload's name that cannot leave the folder (no ``/``, ``..`` or dot-file)."""
    stem = _SAFE_NAME.sub("-", Path(str(name).replace("\\", "/")).name).strip(".-") or "upload"
    return stem if stem.lower().endswith(suffix) else stem + suffix


def _upload_items(files: Any) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` pairs from a FileUpload value (ipywidgets 8 dicts), a mapping or pairs."""
    if isinstance(files, Mapping) and "content" in files:
        files = [files]
    elif isinstance(files, Mapping):  # ipywidgets 7: {name: {"content": ...}}
        files = [{"name": k, **v} if isinstance(v, Mapping) else {"name": k, "content": v}
                 for k, v in files.items()]
    if isinstance(files, (str, bytes)) or not isinstance(files, Iterable):
        raise OptionError(f"Collection.add_files: got a {type(files).__name__}; expected a FileUpload value (a "
                          "tuple of dicts with 'name' and 'content'). Next step: pass the FileUpload widget's .value.")
    items = []
    for number, item in enumerate(files, start=1):
        if isinstance(item, Mapping):
            name, content = str(item.get("name") or f"upload {number}"), item.get("content")
        elif isinstance(item, tuple) and len(item) == 2:
            name, content = str(item[0]), item[1]
        else:
            raise OptionError(f"Collection.add_files: upload {number} is a {type(item).__name__}; expected a dict "
                              "with 'name' and 'content' or a (name, bytes) pair. Next step: pass the FileUpload "
                              "widget's .value.")
        if isinstance(content, str):
            content = content.encode("utf-8")
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise OptionError(f"Collection.add_files: upload {name!r} has content of type "
                              f"{type(content).__name__}; expected bytes (a FileUpload value). Next step: pass "
                              "the FileUpload widget's .value.")
        items.append((name, bytes(content)))
    return items


def _looks_like_json(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"{", b"["))
