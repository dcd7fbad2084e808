"""The one CSV quote-state scanner behind record skipping and unclosed-quote detection.

``_record_end`` stops at the first unquoted line end; ``_quote_open_at_end``
walks the whole text and reports a quote still open.  Both are thin views of
``_scan_quotes``, so these tests pin the quoting rules they share.
"""
from __future__ import annotations

import pytest

from workfw.io import _text
from workfw.io._csv_records import _quote_open_at_end, _record_end, _scan_quotes, _skip_preamble


# --- _record_end: where the record starting at an offset ends ---------------

@pytest.mark.parametrize(("text", "end"), [
    ("a,b\nc,d\n", 4),
    ("a,b\r\nc,d\r\n", 5),  # CRLF is one line end
    ("a,b\rc,d\r", 4),
    ("a,b\n\rc", 4),  # LF then CR are two line ends, not one
    ("a,b", 3),  # no line end: the record runs to the end of the text
    ("", 0),
])
def test_record_end_stops_after_the_first_line_end(text: str, end: int) -> None:
    assert _record_end(text, 0, ",") == end


def test_record_end_skips_line_ends_inside_quotes() -> None:
    text = 'a,"two\nlines\r\nhere",c\nnext\n'
    assert _record_end(text, 0, ",") == 22
    assert text[22:] == "next\n"


def test_record_end_treats_a_doubled_quote_as_a_literal() -> None:
    # "say ""hi""\n" stays one quoted field: the doubled quotes do not close it.
    text = '"say ""hi""\nthere",x\nnext'
    assert _record_end(text, 0, ",") == 21
    assert text[21:] == "next"


def test_record_end_ignores_a_quote_in_the_middle_of_a_field() -> None:
    # 5" is a plain character, so the LF after it ends the record.
    text = 'screen 5" wide,b\nc\n'
    assert _record_end(text, 0, ",") == 17
    assert _record_end('a,b "c\nd",e\n', 0, ",") == 7


def test_record_end_from_a_later_start_and_with_a_custom_delimiter() -> None:
    text = 'h1;h2\n"x;\ny";z\r\nlast'
    assert _record_end(text, 0, ";") == 6
    assert _record_end(text, 6, ";") == 16  # the quoted ;\n belongs to the field
    assert text[16:] == "last"
    # With "," as delimiter the quote after ";" is mid-field, so the first LF ends the record.
    assert _record_end('a;"x\ny"\nz', 0, ",") == 5
    assert _record_end('a;"x\ny"\nz', 0, ";") == 8


def test_record_end_runs_to_the_end_when_a_quote_never_closes() -> None:
    text = 'a,"open\nb,c\n'
    assert _record_end(text, 0, ",") == len(text) == 12


def test_skip_preamble_uses_record_ends() -> None:
    text = 'Report "Q1",x\r\n"note\nmore",y\nKey,Summary\nP-1,Task\n'
    assert _skip_preamble(text, 2, ",") == "Key,Summary\nP-1,Task\n"
    assert _skip_preamble(text, 0, ",") == text


# --- _quote_open_at_end: is a quoted field still open at the end? -----------

@pytest.mark.parametrize(("text", "is_open"), [
    ('a,"b\nc",d\n', False),  # closed across a line end
    ('a,"b\nc,d\n', True),  # opened, never closed
    ('a,"say ""hi""', True),  # doubled quotes are literals: still open
    ('a,"say ""hi"""', False),
    ('a,"x"', False),
    ('a,5" wide\nb', False),  # a quote mid-field opens nothing
    ('a,b\n"c', True),  # LF starts a new field, so the quote opens one
    ('a,b\r\n"c', True),
    ('a,b\r"c', True),
    ("", False),
])
def test_quote_open_at_end(text: str, is_open: bool) -> None:
    assert _quote_open_at_end(text, ",") is is_open


def test_quote_open_at_end_with_a_custom_delimiter() -> None:
    assert _quote_open_at_end('a;"b', ";") is True
    assert _quote_open_at_end('a;"b";c', ";") is False
    # With "," the quote after ";" is mid-field and opens nothing.
    assert _quote_open_at_end('a;"b', ",") is False


# --- the shared scanner itself ------------------------------------------------

def test_scan_quotes_reports_end_and_open_state() -> None:
    text = 'a,"b\nc\r\nd'
    assert _scan_quotes(text, ",", stop_at_line_end=True) == (len(text), True)
    assert _scan_quotes(text, ",", stop_at_line_end=False) == (len(text), True)
    text = 'a,"b\nc"\r\nd'
    assert _scan_quotes(text, ",", stop_at_line_end=True) == (9, False)
    assert _scan_quotes(text, ",", stop_at_line_end=False) == (10, False)
    assert _scan_quotes(text, ",", 9, stop_at_line_end=True) == (10, False)


def test_text_module_still_offers_the_moved_names() -> None:
    assert _text._quote_open_at_end is _quote_open_at_end
    for name in ("_HEAD_CHARS", "CsvTable", "_arrow_parse_buffer", "_drop_empty_extras", "_skip_preamble",
                 "_sniff", "_unique_extra", "_unique_names", "_table_from_text", "_python_parse", "decode",
                 "read_csv_table", "sniff_header", "RESERVED_COLUMNS"):
        assert hasattr(_text, name), name


def test_unclosed_quote_is_read_as_a_plain_character_end_to_end() -> None:
    table = _text.read_csv_table(b'Key;Summary\nP-1;"open\nP-2;fine\n', name="x.csv")
    assert table.delimiter == ";"
    assert table.frame["Key"].tolist() == ["P-1", "P-2"]
    assert table.frame["Summary"].tolist() == ['"open', "fine"]
    assert any("never closed" in w for w in table.warnings)
