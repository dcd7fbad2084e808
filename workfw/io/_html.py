"""Rich text (Azure DevOps descriptions) as plain text: regular expressions for the usual, html.parser the rest."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pandas as pd

from workfw.io._common import map_text

__all__ = ["html_to_text"]


class _TextOnly(HTMLParser):
    """Collect the text of an HTML fragment, with a line break for each block element."""

    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table",
                         "blockquote", "pre", "hr"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._cells = 0  # cells seen in the current table row

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in ("td", "th"):
            # Cells of one row stay on one line, apart: "Owner | Alice", not "OwnerAlice".
            if self._cells:
                self.parts.append(" | ")
            self._cells += 1
        elif tag in self._BREAKS:
            if tag == "tr":
                self._cells = 0
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


_LOOKS_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^<>]*|/[a-zA-Z][a-zA-Z0-9]*\s*|!--.*?--)>", re.DOTALL)


def html_to_text(values: pd.Series) -> pd.Series:
    """Turn HTML cells (Azure DevOps rich text) into plain text; other cells only lose surrounding blanks.

    Tags are dropped, entities decoded (``&amp;`` -> ``&``), block elements
    (``<p>``, ``<div>``, ``<br>``, ``<li>``, table rows...) become line breaks,
    the cells of a table row are joined with ``" | "`` and runs of blanks
    collapse.  A cell with no tag (``"a < b"``) is left as written.
    Cells left empty become NA.  Each distinct cell is parsed once.
    """
    return map_text(values, _html_cell)


def _html_cell(value: str) -> str | None:
    if not _LOOKS_HTML.search(value):
        return value.strip() or None
    text = _plain_html(value)
    if text is None:
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


# A start or end tag, attributes quoted or not; group 1 is the tag's name.
# A tag never runs over a "<" or a NUL (block tags are first marked with NUL, so no tag joins across one).
_TAG_REST = r"(?=[\s/>])(?:[^<>\"'\x00]|\"[^\"<\x00]*\"|'[^'<\x00]*')*>"
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*" + _TAG_REST)
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_TextOnly._BREAKS)) + r")" + _TAG_REST, re.IGNORECASE)
# What the simple reading leaves to html.parser: table cells, hidden blocks, comments, declarations.
_NOT_PLAIN = re.compile(r"<\s*/?\s*(?:t[dh]|script|style|head|title|textarea|xmp|plaintext)\b|<[!?]", re.IGNORECASE)


def _plain_html(value: str) -> str | None:
    """The text :class:`_TextOnly` collects, by regular expressions; None when ``value`` needs the parser.

    Rich text from a tracker is paragraphs, lists and inline markup: block tags become line breaks,
    other tags go, entities are decoded.  Html.parser costs ~25 us a cell, so a few hundred thousand
    descriptions took seconds.  Anything else (table cells, hidden blocks, comments, a ``<`` that
    is no tag) is left to the parser.
    """
    if "\x00" in value or _NOT_PLAIN.search(value):
        return None
    text = _TAG.sub("", _BLOCK_TAG.sub("\x00", value)).replace("\x00", "\n")
    if "<" in text:
        return None
    return html.unescape(text)
