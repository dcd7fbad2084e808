"""People taking turns on one answer form: who is answering now, and what their Save may replace.

A form on a shared laptop is answered by one person after another.
:class:`ParticipantSession` is the model behind the ``ParticipantForm``
widget: it keeps the current participant's identity (a random id, renewed by
:meth:`ParticipantSession.next_participant`) and the files that identity
saved.  Its rules, so that no answer is ever lost:

* Save writes a new file per framework (:func:`save_response`) and then
  removes only the file the *same* identity saved for that framework before,
  after checking the file still holds that participant's answers to that
  framework.
* The same identity means the same session id *and* the same name: a
  different name typed without "Next participant" is another person, so
  the first person's file stays.
* :meth:`~ParticipantSession.next_participant` forgets every file saved so
  far (they stay in the folder, never to be replaced from this form) and draws
  a new id, hence a new anonymous name.

Skipped statements (not answered at all) are saved as skipped, and
:class:`Saved` lists them so the form can name them.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from workfw.errors import OptionError
from workfw.assessment._codes import encode_response
from workfw.assessment._errors import AssessmentFileError
from workfw.assessment._response import Response, _Banks, read_response_file, save_response

__all__ = ["ParticipantSession", "Saved", "skipped_statements", "short_text"]

_SHORT = 60


def short_text(text: str, limit: int = _SHORT) -> str:
    """A statement cut to ``limit`` characters at a word boundary, with ``…`` when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def skipped_statements(response: Response, bank: pd.DataFrame | str | Path | None = None) -> list[str]:
    """Ids of the statements ``response`` does not answer at all (bank order); "don't know" is an answer.

    Parameters
    ----------
    response : Response
        One participant's answers to one framework.
    bank : DataFrame or path, optional
        An edited or translated bank; the built-in one by default.
    """
    statements = _Banks(bank)(response.framework)
    return [sid for sid in statements["id"] if sid not in response.answers]


@dataclass
class Saved:
    """What one :meth:`ParticipantSession.save` did.

    Attributes
    ----------
    participant : str
        The name the answers were saved under.
    paths : dict
        Framework key -> the file written.
    codes : dict
        Framework key -> the response code of the same answers.
    replaced : list of pathlib.Path
        This participant's own earlier files that the new ones replace.
    skipped : dict
        Framework key -> ``(statement id, short text)`` of each statement
        left unanswered, in bank order; frameworks with none are left out.
    earlier_names : list of str
        Other names saved from this form since the last "Next participant":
        their files were kept, as a different name is another person.
    problems : list of str
        Frameworks that could not be written to the folder, with the reason
        (the code still carries the answers).
    """

    participant: str
    paths: dict[str, Path] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    replaced: list[Path] = field(default_factory=list)
    skipped: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    earlier_names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ParticipantSession:
    """The participant answering on one form now, and the files they saved.

    Parameters
    ----------
    directory : str or pathlib.Path
        The responses folder.
    bank : DataFrame or path, optional
        An edited or translated bank (for skipped statements' texts).

    Attributes
    ----------
    participant_id : str
        8 random hex digits, new for each participant.
    """

    def __init__(self, directory: str | Path, *, bank: pd.DataFrame | str | Path | None = None) -> None:
        self.directory = Path(directory)
        self._banks = _Banks(bank)
        self._bank = bank
        self.participant_id = ""
        self._files: dict[str, dict[str, Path]] = {}
        self.next_participant()

    def next_participant(self) -> None:
        """Start a new participant: a new id and anonymous name; files saved so far are never touched again."""
        self.participant_id = secrets.token_hex(4)
        self._files = {}

    @property
    def anonymous_name(self) -> str:
        """The name saved when none is typed, e.g. ``anonymous-3f9a`` (new for each participant)."""
        return f"anonymous-{self.participant_id[:4]}"

    def name(self, typed: str | None) -> str:
        """The participant name for what was typed: trimmed, or :attr:`anonymous_name` when empty."""
        return (typed or "").strip() or self.anonymous_name

    def files(self, participant: str) -> dict[str, Path]:
        """Framework key -> the file this participant saved from this form (since the last "Next participant")."""
        return dict(self._files.get(participant, {}))

    def save(self, responses: Iterable[Response]) -> Saved:
        """Save each response as a new file, replacing only this participant's own earlier file per framework.

        Parameters
        ----------
        responses : iterable of Response
            One participant's answers, one response per framework, all under
            the same name.

        Returns
        -------
        Saved
        """
        responses = list(responses)
        names = {r.participant for r in responses}
        if len(names) != 1:
            raise OptionError(f"ParticipantSession.save: responses under names {sorted(names)}; expected one "
                              "participant's answers. Next step: save each participant separately.")
        participant = names.pop()
        result = Saved(participant=participant,
                       earlier_names=[n for n in self._files if n != participant])
        own = self._files.setdefault(participant, {})
        for response in responses:
            statements = self._banks(response.framework)
            texts = dict(zip(statements["id"], statements["text"]))
            skipped = skipped_statements(response, statements)
            if skipped:
                result.skipped[response.framework] = [(sid, short_text(texts[sid])) for sid in skipped]
            try:
                result.codes[response.framework] = encode_response(response, bank=self._bank)
            except OptionError as exc:  # a name or team too long for a code: the file still carries the answers
                result.problems.append(f"no code for {response.framework}: {exc}")
            try:
                path = save_response(response, self.directory, bank=self._bank)
            except OSError as exc:
                result.problems.append(f"could not save {response.framework} in {self.directory} "
                                       f"({exc.strerror or exc}); send your code instead")
                continue
            earlier = own.get(response.framework)
            if earlier is not None and earlier != path and _holds(earlier, response, self._banks):
                earlier.unlink(missing_ok=True)
                result.replaced.append(earlier)
            own[response.framework] = path
            result.paths[response.framework] = path
        return result


def _holds(path: Path, response: Response, banks: _Banks) -> bool:
    """Whether ``path`` still holds answers of this participant to this framework (else it is not ours to remove)."""
    try:
        earlier = read_response_file(path, banks)
    except (AssessmentFileError, OSError):
        return False
    return earlier.participant == response.participant and earlier.framework == response.framework
