"""A room's answers gathered from every route at once: response files, pasted codes and survey CSVs.

:class:`Collection` is the model behind the facilitator's ``Collector``
widget, usable without any widget.  Everything it accepts is kept in a
responses folder (the workspace's ``responses/`` by default), so a restarted
notebook or a reloaded Voila page finds the room's answers again:

* an uploaded response file or a pasted code becomes one response file,
  written like :func:`~workfw.assessment.save_response` (atomically, under a
  new name);
* a survey CSV is copied to ``responses/surveys/``; a download with the same
  name replaces the earlier copy, so downloading the form's answers again
  after more people answered counts nobody twice.

The same answers arriving twice (a file and its code, a file uploaded twice)
count once: two responses are the same when framework, name, team, time and
every given answer are equal.  Anything that cannot be used is listed in
:attr:`Collection.rejected` with the file, code or row it came from and the
reason, and the rest is still read.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from workfw.files import atomic_write_bytes, workspace_dir
from workfw.assessment._bank import FRAMEWORKS, load_bank
from workfw.assessment._codes import _CODE_RE, decode_response
# Re-exported: workfw.assessment and older callers import Added, Rejected and response_key from here.
from workfw.assessment._collect_parts import (Added, Rejected, _check_frameworks, _looks_like_json, _safe_file_name, _upload_items,
                             response_key)
from workfw.assessment._errors import AssessmentFileError, ResponseCodeError
from workfw.assessment._response import Response, long_frame, parse_response, responses_frame, save_response
from workfw.assessment._survey import read_survey

__all__ = ["responses_dir", "Collection", "Added", "Rejected", "response_key"]

_SURVEYS = "surveys"


def responses_dir() -> Path:
    """The folder where the workshop keeps participants' answers: ``<workspace>/responses``.

    See :func:`workfw.files.workspace_dir` (``$WORKFW_WORKSPACE`` wins).
    """
    return workspace_dir() / "responses"


class Collection:
    """The answers of a workshop, gathered from response files, codes and survey CSVs.

    Parameters
    ----------
    frameworks : iterable of str, optional
        Framework keys the workshop uses (default: all four).  Responses for
        other frameworks stay in the folder but are left out of
        :attr:`responses`; uploads and codes for them are rejected with a
        message saying so.
    directory : str or pathlib.Path, optional
        The responses folder (default :func:`responses_dir`).  Read at once.
    keep : bool
        Write accepted uploads, codes and surveys into ``directory`` (default);
        ``False`` keeps them only in memory.

    Attributes
    ----------
    rejected : list of Rejected
        Everything refused so far, oldest first.
    """

    def __init__(self, frameworks: Iterable[str] | None = None, directory: str | Path | None = None, *,
                 keep: bool = True) -> None:
        self._frameworks = _check_frameworks(frameworks)
        self.directory = Path(directory) if directory is not None else responses_dir()
        self.keep = keep
        self.rejected: list[Rejected] = []
        # Files in the folder by name, and responses that could not be written there, by label.
        self._files: dict[str, Response] = {}
        self._memory: dict[str, Response] = {}
        self._unsaved_surveys: set[str] = set()
        self._surveys: dict[str, pd.DataFrame] = {}
        self.refresh()

    @property
    def frameworks(self) -> list[str]:
        """The framework keys shown, in report order."""
        return list(self._frameworks)

    @frameworks.setter
    def frameworks(self, value: Iterable[str]) -> None:
        self._frameworks = _check_frameworks(value)

    # ----------------------------------------------------------------------------------------- reading

    def refresh(self) -> Added:
        """Read the responses folder again (files participants saved there, kept uploads and surveys).

        Every file in the folder counts, even two with equal content: each
        was saved by its own participant (a form replaces only its own
        file).  A file deleted from the folder drops out.  ``accepted``
        counts files and survey rows that are new since the last read.
        """
        added, files = Added(), {}
        paths = sorted(p for p in self.directory.glob("*.json") if not p.name.startswith(".")) \
            if self.directory.is_dir() else []
        for path in paths:
            if path.name in self._files:  # saved once, never rewritten: no need to read it again
                files[path.name] = self._files[path.name]
                continue
            try:
                response = parse_response(path.read_bytes(), name=path.name)
            except AssessmentFileError as exc:
                added.rejected.append(Rejected(path.name, str(exc)))
                continue
            except OSError as exc:  # removed between listing and reading, or unreadable
                added.rejected.append(Rejected(path.name, f"could not read it ({exc.strerror or exc})"))
                continue
            files[path.name] = response
            added.accepted += 1
        self._files = files
        folder = self.directory / _SURVEYS
        surveys = {name: frame for name, frame in self._surveys.items() if name in self._unsaved_surveys}
        for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
            before = self._surveys.get(path.name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                added.rejected.append(Rejected(path.name, f"could not read it ({exc.strerror or exc})"))
                continue
            part = self._read_survey(path.name, data, store=False)
            added.rejected += part.rejected
            added.notes += part.notes
            if path.name in self._surveys:
                surveys[path.name] = self._surveys[path.name]
                if before is None or not before.equals(surveys[path.name]):
                    added.accepted += part.accepted
        self._surveys = surveys
        return self._log(added)

    def add_files(self, files: Any) -> Added:
        """Add uploaded files: participants' response ``.json`` files and survey ``.csv`` downloads.

        Parameters
        ----------
        files : FileUpload value, or iterable of mappings or ``(name, bytes)``
            ipywidgets 8's ``FileUpload.value`` (dicts with ``name`` and
            ``content``).  JSON or CSV is told from the content, not the name.
        """
        added = Added()
        for name, data in _upload_items(files):
            if _looks_like_json(data):
                added.merge(self._add_response_file(name, data))
            else:
                added.merge(self.add_survey(data, name=name))
        return added

    def _add_response_file(self, name: str, data: bytes) -> Added:
        try:
            response = parse_response(data, name=name)
        except AssessmentFileError as exc:
            return self._log(Added(rejected=[Rejected(name, str(exc))]))
        return self._log(self._accept(response, name))

    def add_codes(self, text: str) -> Added:
        """Add every response code found in pasted text (a chat log, one code per line...).

        A code that does not decode is rejected with the reason (a typo, a
        code cut short...); text around the codes is ignored.
        """
        added = Added()
        found = [m.group(0) for m in _CODE_RE.finditer(str(text))]
        if not found and str(text).strip():
            added.rejected.append(Rejected("pasted text", "found no response code in it; expected codes that start "
                                           "with 'WF2-' (or 'WF1-'). Next step: copy the whole code from the "
                                           "participant's notebook."))
        for code in found:
            label = f"code {code[:12]}…" if len(code) > 12 else f"code {code}"
            try:
                response = decode_response(code)
            except ResponseCodeError as exc:
                added.rejected.append(Rejected(label, str(exc)))
                continue
            added.merge(self._accept(response, label))
        return self._log(added)

    def add_survey(self, data: bytes | str | Path, *, name: str | None = None) -> Added:
        """Add a survey tool's CSV download (Google Forms, Microsoft Forms...).

        Each chosen framework whose statements head some columns is read (one
        form may ask two frameworks).  Cells that are not answers are left
        out and listed in ``rejected`` with their row and column.
        """
        if isinstance(data, (str, Path)):
            path = Path(data)
            name = name or path.name
            try:
                data = path.read_bytes()
            except OSError as exc:
                return self._log(Added(rejected=[Rejected(str(path), f"could not read it ({exc.strerror or exc})")]))
        return self._log(self._read_survey(name or "survey.csv", bytes(data), store=True))

    def _read_survey(self, name: str, data: bytes, *, store: bool) -> Added:
        added, frames, unmatched, refusals = Added(), [], None, []
        for key in self._frameworks:
            try:
                frame = read_survey(data, framework=key, name=name, errors="warn")
            except AssessmentFileError as exc:
                if exc.where == "the header row":  # no column of this framework: try the next one
                    refusals.append(exc)
                    continue
                added.rejected.append(Rejected(name, str(exc)))
                return added
            frames.append(frame)
            unmatched = set(frame.attrs["unmatched_columns"]) if unmatched is None else (
                unmatched & set(frame.attrs["unmatched_columns"]))
            added.rejected += [Rejected(f"{name} row {s['row']}", f"column {s['column']!r}: found {s['value']!r}; "
                                        "expected an answer 1-5, a label such as 'Agree', or \"Don't know\"; the "
                                        "cell was left out. Next step: correct it in the sheet and download again.")
                               for s in frame.attrs["skipped"]]
        if not frames:
            names = ", ".join(FRAMEWORKS[k] for k in self._frameworks)
            detail = f" ({refusals[0]})" if refusals else ""
            added.rejected.append(Rejected(name, f"no column matches a statement of {names}{detail}"))
            return added
        if unmatched:
            added.notes.append(f"{name}: columns matching no statement were not read: {sorted(unmatched)}")
        combined = pd.concat(frames, ignore_index=True)
        combined.attrs = {}
        added.accepted += int(combined["response"].nunique())
        safe = _safe_file_name(name, ".csv")
        self._surveys[safe] = combined
        if store:
            self._unsaved_surveys.add(safe)
        if store and self.keep:
            try:
                atomic_write_bytes(self.directory / _SURVEYS / safe, data)
                self._unsaved_surveys.discard(safe)
            except OSError as exc:
                added.notes.append(f"{name}: kept in memory only; could not write to {self.directory} "
                                   f"({exc.strerror or exc})")
        return added

    def _accept(self, response: Response, label: str) -> Added:
        """Take a response from an upload or a code: check its framework, keep it, count duplicates."""
        if response.framework not in self._frameworks:
            chosen = ", ".join(FRAMEWORKS[k] for k in self._frameworks)
            return Added(rejected=[Rejected(label, f"these are answers to {FRAMEWORKS[response.framework]}, which "
                                            f"this workshop did not choose ({chosen}). Next step: add that "
                                            "framework to the choice, or ask for the right answers.")])
        key = response_key(response)
        if any(response_key(r) == key for r in [*self._files.values(), *self._memory.values()]):
            return Added(duplicates=1)
        if self.keep:
            try:
                self._files[save_response(response, self.directory).name] = response
                return Added(accepted=1)
            except OSError as exc:
                note = f"{label}: kept in memory only; could not write to {self.directory} ({exc.strerror or exc})"
                self._memory[f"{label} ({len(self._memory) + 1})"] = response
                return Added(accepted=1, notes=[note])
        self._memory[f"{label} ({len(self._memory) + 1})"] = response
        return Added(accepted=1)

    def _log(self, added: Added) -> Added:
        # A broken file in the folder is met again at every refresh: list it once.
        self.rejected += [r for r in added.rejected if r not in self.rejected]
        return added

    # ----------------------------------------------------------------------------------------- results

    @property
    def responses(self) -> pd.DataFrame:
        """Every answer of the chosen frameworks: the long table of :data:`RESPONSE_COLUMNS`."""
        chosen = set(self._frameworks)
        kept = [(s, r) for s, r in [*self._files.items(), *self._memory.items()] if r.framework in chosen]
        parts = [responses_frame([r for _, r in kept], sources=[s for s, _ in kept], bank=None)]
        parts += [frame[frame["framework"].isin(chosen)] for frame in self._surveys.values()]
        parts = [p for p in parts if len(p)]
        if not parts:
            return long_frame([])
        out = pd.concat(parts, ignore_index=True)
        out.attrs = {}
        order = {k: i for i, k in enumerate(self._frameworks)}
        return out.sort_values("framework", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """How many answers arrived per chosen framework.

        Returns
        -------
        pandas.DataFrame
            ``framework, name, responses`` (participants who answered it),
            ``answers`` (1-5), ``dont_know`` and ``skipped`` (statements of the
            built-in bank a response left unanswered).
        """
        frame = self.responses
        rows = []
        for key in self._frameworks:
            part = frame[frame["framework"] == key]
            responses, answers, dont_know = (int(part["response"].nunique()), int(part["answer"].notna().sum()),
                                             int(part["answer"].isna().sum()))
            rows.append({"framework": key, "name": FRAMEWORKS[key], "responses": responses, "answers": answers,
                         "dont_know": dont_know,
                         "skipped": max(0, responses * len(load_bank(key)) - answers - dont_know)})
        return pd.DataFrame(rows, columns=["framework", "name", "responses", "answers", "dont_know", "skipped"])
