"""The participant's side of the workshop: the framework picker and the answer form.

Split from :mod:`workfw.widgets._workshop` (the facilitator's views), which
re-exports :class:`FrameworkPicker` and :class:`ParticipantForm`; the small
HTML helpers here are shared by both.  Every name shown is escaped.
"""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Callable, Iterable, Sequence

import ipywidgets as W
import traitlets as T

from workfw import assessment as A
from workfw.errors import WorkfwError
from workfw.widgets._assessment import AssessmentForm

__all__ = ["FrameworkPicker", "ParticipantForm"]

_STYLE = {"description_width": "initial"}
_WIDE = W.Layout(width="100%")


def _error(text: str) -> str:
    return f"<p style='color:#b00'>{html.escape(text)}</p>"


def _ok(text: str) -> str:
    return f"<p style='color:#060'>{html.escape(text)}</p>"


def _download_link(name: str, data: bytes, mime: str, label: str) -> str:
    """A link that saves ``data`` as ``name`` in the browser, with no server round trip (works in Voila)."""
    encoded = base64.b64encode(data).decode("ascii")
    return (f"<a download=\"{html.escape(name)}\" href=\"data:{mime};base64,{encoded}\" "
            "style=\"text-decoration:underline;color:#1a5fb4\">"
            f"{html.escape(label)}</a>")


class FrameworkPicker(W.VBox):
    """Checkboxes of the four frameworks; ``.value`` is the list of chosen keys, in report order.

    Parameters
    ----------
    value : sequence of str
        Keys checked at first (``"c4_flywheel"``, ``"coordination_stack"``,
        ``"value_pyramid"``, ``"visibility"``).  One framework suits a
        60-minute workshop, two a 120-minute one.
    """

    value = T.List(T.Unicode())

    def __init__(self, value: Sequence[str] = ("c4_flywheel",)) -> None:
        self.boxes = {key: W.Checkbox(value=False, description=name, indent=False)
                      for key, name in A.FRAMEWORKS.items()}
        super().__init__([W.HTML("<b>Frameworks for this workshop</b>"), *self.boxes.values()])
        self.value = list(value)
        for box in self.boxes.values():
            box.observe(self._box_changed, names="value")

    @T.validate("value")
    def _check(self, proposal: dict) -> list[str]:
        chosen = list(proposal["value"])
        unknown = [k for k in chosen if k not in A.FRAMEWORKS]
        if unknown:
            raise T.TraitError(f"FrameworkPicker: value {unknown!r}; expected keys of {list(A.FRAMEWORKS)}.")
        return [k for k in A.FRAMEWORKS if k in chosen]

    @T.observe("value")
    def _value_changed(self, change: dict) -> None:
        for key, box in self.boxes.items():
            box.value = key in change["new"]

    def _box_changed(self, _: dict) -> None:
        self.value = [key for key, box in self.boxes.items() if box.value]


def _follow(frameworks: Sequence[str] | FrameworkPicker | None, callback: Callable[[list[str]], None]) -> list[str]:
    """The chosen keys now; with a picker, call ``callback(keys)`` whenever its choice changes."""
    if isinstance(frameworks, FrameworkPicker):
        frameworks.observe(lambda change: callback(list(change["new"])) if change["new"] else None, names="value")
        return list(frameworks.value) or list(A.FRAMEWORKS)[:1]
    return list(A.FRAMEWORKS) if frameworks is None else ([frameworks] if isinstance(frameworks, str)
                                                          else list(frameworks))


class ParticipantForm(W.VBox):
    """People answer the chosen frameworks' statements one after another, each saving their own answers.

    Save writes one response file per answered framework into the responses
    folder and shows a short code per framework to paste into the chat, plus
    a link to download the file, for participants on their own Binder
    session.  Statements left unanswered are saved as skipped (never as
    "don't know") and listed, and the form keeps the answers, so the
    participant can fill them in and Save again: that replaces their own
    earlier file only.  **Next participant** empties the form for the next
    person; a different name typed without it also counts as another person,
    so nobody's file is ever replaced by someone else's answers.  The rules
    live in :class:`workfw.assessment.ParticipantSession`.

    Parameters
    ----------
    frameworks : sequence of str or FrameworkPicker
        Framework keys to answer.
    directory : str or pathlib.Path, optional
        The responses folder (default :func:`workfw.assessment.responses_dir`).
    """

    def __init__(self, frameworks: Sequence[str] | FrameworkPicker, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else A.responses_dir()
        self.session = A.ParticipantSession(self.directory)
        self.forms: dict[str, AssessmentForm] = {}
        self.codes: dict[str, str] = {}
        self.name = W.Text(description="Name", placeholder="your name or a pseudonym; empty = anonymous",
                           style=_STYLE, layout=W.Layout(width="420px"))
        self.team = W.Text(description="Team", placeholder="optional", style=_STYLE, layout=W.Layout(width="300px"))
        self.tabs = W.Tab()
        self.save_button = W.Button(description="Save my answers", icon="save", button_style="primary")
        self.next_button = W.Button(description="Next participant", icon="user-plus",
                                    tooltip="Empty the form and start a new participant (saved answers stay saved)",
                                    layout=W.Layout(width="auto"))
        self.status = W.HTML()
        self.code_box = W.Textarea(description="Your code", rows=2, layout=_WIDE, style=_STYLE,
                                   placeholder="your code appears here after saving")
        self.download = W.HTML()
        self.save_button.on_click(lambda _: self.save())
        self.next_button.on_click(lambda _: self.next_participant())
        intro = W.HTML("<p>Answer for your team as it works today, on your own. Then click <b>Save</b> and, if "
                       "the facilitator asks for it, copy your code into the chat. Sharing this machine? Click "
                       "<b>Next participant</b> when you are done, so the next person starts with an empty "
                       "form.</p>")
        super().__init__([intro, W.HBox([self.name, self.team]), self.tabs,
                          W.HBox([self.save_button, self.next_button]), self.status, self.code_box, self.download])
        self.set_frameworks(_follow(frameworks, self.set_frameworks))

    def set_frameworks(self, frameworks: Iterable[str]) -> None:
        """Show the statements of these frameworks (answers already given are kept)."""
        keys = [k for k in A.FRAMEWORKS if k in set(frameworks)]
        for key in keys:
            if key not in self.forms:
                self.forms[key] = AssessmentForm(key)
        self.tabs.children = [self.forms[k] for k in keys]
        for i, key in enumerate(keys):
            self.tabs.set_title(i, A.FRAMEWORKS[key])
        self._keys = keys

    @property
    def participant(self) -> str:
        """The name typed, or this participant's anonymous name (``anonymous-3f9a``)."""
        return self.session.name(self.name.value)

    @property
    def paths(self) -> dict[str, Path]:
        """Framework key -> the file the current participant saved from this form."""
        return self.session.files(self.participant)

    def responses(self) -> list[A.Response]:
        """The answers as one :class:`~workfw.assessment.Response` per framework with any answer."""
        out = []
        for key in self._keys:
            answers = self.forms[key].answers
            if answers:
                out.append(A.Response(participant=self.participant, framework=key, answers=answers,
                                      team=self.team.value.strip() or None))
        return out

    def save(self) -> dict[str, str]:
        """Save the answers and show the codes; returns framework key -> code (empty when nothing was saved)."""
        try:
            responses = self.responses()
        except WorkfwError as exc:
            self.status.value = _error(str(exc))
            return {}
        if not responses:
            self.status.value = _error("Answer at least one statement before saving.")
            return {}
        saved = self.session.save(responses)
        links = []
        for response in responses:
            data = (json.dumps(response.to_dict(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
            name = f"{A.FRAMEWORK_CODES[response.framework].lower()}-answers.json"
            links.append(_download_link(name, data, "application/json", f"⬇ Download your answers ({name})"))
        self.codes = dict(saved.codes)
        self.code_box.value = "\n".join(saved.codes.values())
        self.download.value = "<p>" + " · ".join(links) + "</p>"
        answered = [r.framework for r in responses]
        self.status.value = _saved_html(saved, answered, [k for k in self._keys if k not in answered])
        if saved.skipped:  # open the first framework with gaps, where the participant goes back to
            self.tabs.selected_index = self._keys.index(next(iter(saved.skipped)))
        return dict(saved.codes)

    def next_participant(self) -> None:
        """Empty the form for the next person: no answers, no name or team, a new anonymous identity.

        What was saved stays in the folder and is never replaced from this form again.
        """
        self.session.next_participant()
        for form in self.forms.values():
            form.clear()
        self.name.value = self.team.value = ""
        self.codes = {}
        self.code_box.value = ""
        self.download.value = ""
        self.status.value = _ok("Ready for the next participant: the form is empty. Answers saved so far are kept.")


def _saved_html(saved: A.Saved, answered: list[str], unanswered: list[str]) -> str:
    """The Save message: what was saved, what was skipped and how to go back, and anything that went wrong."""
    done = ", ".join(A.FRAMEWORKS[k] for k in answered)
    parts = [_ok(f"Saved as {saved.participant}: {done}. Thank you!")]
    for key, items in saved.skipped.items():
        listed = "".join(f"<li>{html.escape(text)}</li>" for _, text in items)
        parts.append(f"<div style='color:#8a5a00'><b>{html.escape(A.FRAMEWORKS[key])}: you skipped {len(items)} "
                     f"statement{'' if len(items) == 1 else 's'}</b> (saved as skipped, not as \"don't know\"):"
                     f"<ul>{listed}</ul>To answer {'it' if len(items) == 1 else 'them'}, fill "
                     f"{'it' if len(items) == 1 else 'them'} in above and click <b>Save</b> again: your new "
                     "answers replace these.</div>")
    if unanswered:
        names = ", ".join(A.FRAMEWORKS[k] for k in unanswered)
        parts.append(f"<p class='note'>Nothing answered for {html.escape(names)}, so nothing saved for it.</p>")
    if saved.earlier_names:
        names = ", ".join(saved.earlier_names)
        parts.append(f"<p class='note'>Answers saved earlier on this form as {html.escape(names)} are kept: a "
                     "different name counts as another participant. Next time, click <b>Next participant</b> "
                     "first so the form starts empty.</p>")
    parts += [_error(p) for p in saved.problems]
    return "".join(parts)
