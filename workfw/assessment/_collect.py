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

The same answers arriving twice (a file and its code, a file uploaded twice,
a survey row also sent as a code) count once: two responses are the same
when framework, name, team, time and every given answer are equal.  Anything that cannot be used is listed in
:attr:`Collection.rejected` with the file, code or row it came from and the
reason, and the rest is still read.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from workfw.files import atomic_write_bytes, workspace_dir
from workfw.assessment._bank import FRAMEWORKS, load_bank
from workfw.assessment._codes import _CODE_RE, _FROM_CODE, decode_response
# Re-exported: workfw.assessment and older callers import Added, Rejected and response_key from here.
from workfw.assessment._collect_parts import (Added, Rejected, _check_frameworks, _looks_like_json, _safe_file_name,
                                             _table_keys, _upload_items, response_key)
from workfw.assessment._errors import AssessmentFileError, ResponseCodeError
from workfw.assessment._response import Response, _Banks, long_frame, parse_response, responses_frame, save_response
from workfw.assessment._survey import read_survey

__all__ = ["responses_dir", "Collection", "Added", "Rejected", "response_key"]

_SURVEYS = "surveys"
# Answer files written at once: each is fsynced, and the disk takes fsyncs that arrive together in one journal
# commit (500 codes written one after the other took 2.5 s, mostly waiting for the disk).
_WRITERS = 8


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
        # Keys (response_key) of files and codes, and of each survey's responses: a duplicate is found by a set
        # look-up, not by comparing with every response so far (500 codes took 0.5 s that way).
        self._seen: set[tuple] = set()
        self._survey_keys: dict[str, dict[tuple[str, str], tuple]] = {}
        self._banks = _Banks(None)  # the built-in banks, read once for every file and code of this collection
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
                response = parse_response(path.read_bytes(), name=path.name, banks=self._banks)
            except AssessmentFileError as exc:
                added.rejected.append(Rejected(path.name, str(exc)))
                continue
            except OSError as exc:  # removed between listing and reading, or unreadable
                added.rejected.append(Rejected(path.name, f"could not read it ({exc.strerror or exc})"))
                continue
            files[path.name] = response
            added.accepted += 1
        self._files = files
        self._seen = {response_key(r) for r in [*files.values(), *self._memory.values()]}
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
        self._survey_keys = {name: keys for name, keys in self._survey_keys.items() if name in surveys}
        return self._log(added)

    def add_files(self, files: Any) -> Added:
        """Add uploaded files: participants' response ``.json`` files and survey ``.csv`` downloads.

        Parameters
        ----------
        files : FileUpload value, or iterable of mappings or ``(name, bytes)``
            ipywidgets 8's ``FileUpload.value`` (dicts with ``name`` and
            ``content``).  JSON or CSV is told from the content, not the name.
        """
        added, responses = Added(), []
        for name, data in _upload_items(files):
            if not _looks_like_json(data):
                added.merge(self.add_survey(data, name=name))
                continue
            try:
                responses.append((parse_response(data, name=name, banks=self._banks), name))
            except AssessmentFileError as exc:
                added.rejected.append(Rejected(name, str(exc)))
        return self._log(added.merge(self._accept(responses)))

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
        responses = []
        for code in found:
            label = f"code {code[:12]}…" if len(code) > 12 else f"code {code}"
            parts = code.split("-")
            key = _FROM_CODE.get(parts[1].upper()) if len(parts) > 2 else None
            try:
                # The bank of the framework the code names, read once; decode_response still checks it.
                responses.append((decode_response(code, bank=self._banks(key) if key else None), label))
            except ResponseCodeError as exc:
                added.rejected.append(Rejected(label, str(exc)))
        return self._log(added.merge(self._accept(responses)))

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
        safe = _safe_file_name(name, ".csv")
        keys = _table_keys(combined)
        # Rows of this file's earlier download count as already collected too: downloading again adds only new rows.
        known = self._seen.union(*(k.values() for k in self._survey_keys.values()))
        new_rows: set[str] = set()
        for (label, _), key in keys.items():
            if key in known:
                added.duplicates += 1
            else:
                known.add(key)
                new_rows.add(label)
        added.accepted += len(new_rows)
        self._surveys[safe] = combined
        self._survey_keys[safe] = keys
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

    def _accept(self, responses: list[tuple[Response, str]]) -> Added:
        """Take responses from uploads or codes (with their labels): check the framework, count duplicates, keep."""
        added, new = Added(), []
        in_surveys = set().union(*(keys.values() for keys in self._survey_keys.values()))
        for response, label in responses:
            if response.framework not in self._frameworks:
                chosen = ", ".join(FRAMEWORKS[k] for k in self._frameworks)
                added.rejected.append(Rejected(label, f"these are answers to {FRAMEWORKS[response.framework]}, "
                                               f"which this workshop did not choose ({chosen}). Next step: add that "
                                               "framework to the choice, or ask for the right answers."))
                continue
            key = response_key(response)
            if key in self._seen or key in in_surveys:
                added.duplicates += 1
                continue
            self._seen.add(key)
            new.append((response, label))
        added.accepted += len(new)
        if not self.keep:
            for response, label in new:
                self._memory[f"{label} ({len(self._memory) + 1})"] = response
            return added
        banks = {r.framework: self._banks(r.framework) for r, _ in new}

        def save(item: tuple[Response, str]) -> Path | OSError:
            try:
                return save_response(item[0], self.directory, bank=banks[item[0].framework])
            except OSError as exc:  # kept in memory below, and said so
                return exc

        if len(new) > 1:
            with ThreadPoolExecutor(max_workers=min(_WRITERS, len(new))) as pool:
                saved = list(pool.map(save, new))
        else:
            saved = [save(item) for item in new]
        for (response, label), path in zip(new, saved):
            if isinstance(path, Path):
                self._files[path.name] = response
                continue
            added.notes.append(f"{label}: kept in memory only; could not write to {self.directory} "
                               f"({path.strerror or path})")
            self._memory[f"{label} ({len(self._memory) + 1})"] = response
        return added

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
        seen = {response_key(r) for _, r in kept}
        for name, frame in self._surveys.items():
            # A survey response already sent as a file or a code (or in an earlier survey) counts once.
            repeats = set()
            for group, key in self._survey_keys.get(name, {}).items():
                if key in seen:
                    repeats.add(group)
                seen.add(key)
            part = frame[frame["framework"].isin(chosen)]
            if repeats:
                pairs = pd.MultiIndex.from_arrays([part["response"], part["framework"]])
                part = part[~pairs.isin(list(repeats))]
            parts.append(part)
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
