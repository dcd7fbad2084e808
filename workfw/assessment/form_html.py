"""The participant form as one offline HTML file: for rooms of any size, with no kernel, server or network.

A facilitator writes the file once (:func:`write_participant_form`, ``workfw
participant-form``, or the **Write the offline form** button of
``05_workshop``) and sends it by mail, chat or a shared drive.  Each
participant opens it in a browser, answers the statements (1 to 5, ``?``
for "don't know", or skips them), types a name and a team, and gets the same
short code :func:`~workfw.assessment.encode_response` would give for those
answers, or downloads an answer file that
:func:`~workfw.assessment.parse_response` and the workshop's collection
read as they are.

The page holds its own CSS and JavaScript and loads nothing: its Content
Security Policy forbids any request, and its one script is allowed by hash.
The statements (untrusted text in a custom bank) are escaped by Jinja2's
autoescaping, and the data the script reads sits in a JSON block with
``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no statement can close
the block.  Every constant of the code format (alphabet, base, checksum
width, byte limits) is taken from :mod:`workfw.assessment._codes`, so the
page and Python cannot drift apart.
"""
from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from workfw.errors import OptionError
from workfw.files import atomic_write_text
from workfw.frameworks import FRAMEWORK_CODES
from workfw.version import __version__
from workfw.assessment._bank import FRAMEWORKS, _is_path, framework_key, load_bank, validate_bank
from workfw.assessment._codes import (_B32, _BASE, _CHECK_CHARS, _DONT_KNOW, _MAX_TEXT_BYTES, _VERSION,
                                      _answer_bytes)
from workfw.assessment._response import _FORMAT, _MAX_NAME
from workfw.assessment._response import _VERSION as _FILE_VERSION

__all__ = ["participant_form_html", "write_participant_form"]

_SCRIPT = "participant_form.js"
_STYLE = "participant_form.css"
_PAGE = "participant_form.html.j2"
# Answer codes and file names are built from these; the JSON block must never be readable as markup.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("workfw.assessment", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("workfw.assessment").joinpath("templates", name).read_text(encoding="utf-8")


def _bank(framework: str | Path) -> pd.DataFrame:
    """The statements for ``framework``: a built-in key, or a custom bank file checked with validate_bank."""
    if isinstance(framework, (str, Path)) and _is_path(framework):
        return validate_bank(framework)
    if not isinstance(framework, str) or framework not in FRAMEWORKS:
        raise OptionError(f"participant_form_html: framework={framework!r}; expected one of {list(FRAMEWORKS)} or "
                          "the path of a statement bank .json file. Next step: pass for example 'c4_flywheel'.")
    return load_bank(framework)


def _json_block(data: dict) -> Markup:
    # ensure_ascii keeps U+2028/9 and any odd character out of the page's own text as well.
    return Markup(json.dumps(data, ensure_ascii=True, separators=(",", ":")).translate(_JSON_ESCAPES))


def _form_data(bank: pd.DataFrame, key: str) -> dict:
    count = len(bank)
    if count > 255:  # the code stores the count in one byte, as encode_response refuses too
        raise OptionError(f"participant_form_html: the bank has {count} statements; a code holds at most 255.")
    scale = bank.attrs.get("scale") or {}
    return {
        "framework": key, "title": str(bank.attrs.get("framework") or FRAMEWORKS[key]),
        "head": f"{_VERSION}-{FRAMEWORK_CODES[key]}", "base": _BASE[_VERSION], "dontKnow": _DONT_KNOW,
        "answerBytes": _answer_bytes(count, _BASE[_VERSION]), "checkChars": _CHECK_CHARS, "alphabet": _B32,
        "maxTextBytes": _MAX_TEXT_BYTES, "maxName": _MAX_NAME, "format": _FORMAT, "version": _FILE_VERSION,
        "fileStem": FRAMEWORK_CODES[key].lower(),
        "statements": [{"id": str(sid), "text": str(text)} for sid, text in zip(bank["id"], bank["text"])],
        "dontKnowLabel": str(scale.get("dont_know") or "Don't know"),
    }


def _sections(bank: pd.DataFrame) -> list[dict]:
    """Statements grouped by element in bank order, each with its 1-based number (the page's field names)."""
    sections: dict[str, list[dict]] = {}
    for number, (sid, element, text) in enumerate(zip(bank["id"], bank["element"], bank["text"]), start=1):
        sections.setdefault(str(element), []).append({"number": number, "id": str(sid), "text": str(text)})
    return [{"element": element, "statements": items} for element, items in sections.items()]


def participant_form_html(framework: str | Path, *, title: str | None = None) -> str:
    """The participant form of one framework as a self-contained offline HTML page.

    Parameters
    ----------
    framework : str or pathlib.Path
        A framework key (``"c4_flywheel"``...) or the path of an edited or
        translated statement bank (checked with
        :func:`~workfw.assessment.validate_bank`); the facilitator then decodes
        the codes with the same bank (``bank=``).
    title : str, optional
        The page's heading; by default the bank's framework name and a question.

    Returns
    -------
    str
        The HTML page: statements with 1 to 5 and ``?`` per statement, name
        and team fields, a code identical to
        :func:`~workfw.assessment.encode_response` for the same answers and
        second, and an answer file :func:`~workfw.assessment.parse_response` reads.
        No external script, style, font or image, and no request of any kind.

    Raises
    ------
    OptionError
        For an unknown framework key or a title that is not text.
    AssessmentFileError
        For a custom bank that does not pass ``validate_bank``.
    """
    bank = _bank(framework)
    key = framework_key(bank)
    if title is not None and not isinstance(title, str):
        raise OptionError(f"participant_form_html: title={title!r}; expected text or None.")
    data = _form_data(bank, key)
    script = _asset(_SCRIPT)
    if "</" in script:  # the hash below covers the script as written; a closing tag would cut it short
        raise OptionError(f"{_SCRIPT}: found '</' in the page script; expected none. Next step: write '<\\/'.")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    scale = bank.attrs.get("scale") or {}
    labels = {str(v): str((scale.get("labels") or {}).get(str(v), v)) for v in range(1, 6)}
    custom = None if str(framework) in FRAMEWORKS else Path(str(framework)).name
    return _environment().get_template(_PAGE).render(
        title=title or f"{data['title']}: how do you see your work?", framework_title=data["title"],
        sections=_sections(bank), labels=labels, dont_know=data["dontKnowLabel"], data=_json_block(data),
        script=Markup(script), style=Markup(_asset(_STYLE)), script_hash=f"sha256-{digest}",
        custom_bank=custom, count=len(bank), version=__version__)


def write_participant_form(framework: str | Path, path: str | Path, *, title: str | None = None,
                           overwrite: bool = False) -> Path:
    """Write :func:`participant_form_html` to ``path`` atomically.

    Parameters
    ----------
    framework : str or pathlib.Path
        A framework key or the path of a statement bank.
    path : str or pathlib.Path
        The ``.html`` file to write (its folder is created when missing).
    title : str, optional
        The page's heading.
    overwrite : bool
        Replace an existing file; off by default so a form already sent out is not changed by mistake.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    OptionError
        When ``path`` exists and ``overwrite`` is False, or does not end in ``.html``.
    workfw.files.FileWriteError
        When the file cannot be written.
    """
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise OptionError(f"write_participant_form: path={str(path)!r}; expected a file name ending in .html so "
                          "a double click opens it in a browser. Next step: add .html to the name.")
    if target.exists() and not overwrite:
        raise OptionError(f"write_participant_form: {target} already exists; expected a new file name. Next step: "
                          "choose another name, or pass overwrite=True (--overwrite) to replace it.")
    text = participant_form_html(framework, title=title)
    return atomic_write_text(target, text)
