"""The one table renderer of the report and the notebook views: everything escaped but workfw's own Markup."""
from __future__ import annotations

import pandas as pd
import pytest
from markupsafe import Markup

from workfw.errors import OptionError
from workfw.html_table import format_cell, html_table

EVIL = "<img src=x onerror=alert(1)>"


def test_cells_headers_and_caption_are_escaped():
    frame = pd.DataFrame({"<b>col</b>": [EVIL, "O'Neil & \"Co\""]})
    out = html_table(frame, caption="<i>cap</i>")
    assert isinstance(out, Markup)
    assert "<img" not in out and "<b>" not in out and "<i>" not in out
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in out
    assert "<td>O&#39;Neil &amp; &#34;Co&#34;</td>" in out
    assert "<caption>&lt;i&gt;cap&lt;/i&gt;</caption>" in out and "<th>&lt;b&gt;col&lt;/b&gt;</th>" in out


def test_markup_cells_pass_only_in_object_columns():
    chip = Markup('<span class="chip">42</span>')
    kept = html_table(pd.DataFrame({"score": pd.Series([chip], dtype=object)}))
    assert "<td><span class=\"chip\">42</span></td>" in kept
    # pandas 3 turns a list of strings (Markup is one) into its str dtype: the cell is then escaped, never trusted.
    built = pd.DataFrame({"score": [chip]})
    if built["score"].dtype != object:
        assert "&lt;span" in html_table(built)


def test_values_are_written_for_a_room():
    frame = pd.DataFrame({"n": pd.array([3, None], dtype="Int64"), "days": [1234.56, float("nan")],
                          "ids": [["A-1", "A-2"], []], "share": [0.5, None]})
    out = html_table(frame, formats={"share": "{:.0%}"}, na_rep="n/a")
    assert "<td>3</td><td>1,234.6</td><td>A-1, A-2</td><td>50%</td>" in out
    assert "<td>n/a</td><td>n/a</td><td></td><td>n/a</td>" in out
    assert format_cell(2.25, float_format="{:.2f}") == "2.25" and format_cell(None) == ""


def test_layout_options():
    frame = pd.DataFrame({"a": [1], "b": ["x"]}, index=pd.Index(["r1"], name="row"))
    out = html_table(frame, columns=["b"], headers=["B"], classes=["one", "two"], cell_style="color:red")
    assert out.startswith('<table class="one two"><thead><tr><th>B</th></tr></thead>')
    assert '<td style="color:red">x</td>' in out and "<td>1</td>" not in out
    assert "<th>row</th>" in html_table(frame, index=True)
    assert "<thead>" not in html_table(frame, headers=["", ""])
    empty = frame.iloc[:0]
    assert '<td colspan="2" class="none">none</td>' in html_table(empty)
    assert "<tbody></tbody>" in html_table(empty, empty=None)


def test_bad_columns_or_headers_say_what_to_pass():
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(OptionError, match=r"columns \['b'\] are not in the table; found \['a'\]"):
        html_table(frame, columns=["b"])
    with pytest.raises(OptionError, match="2 headers for 1 columns"):
        html_table(frame, headers=["A", "B"])


def test_dates_read_as_dates():
    days = pd.to_datetime(pd.Series(["2024-03-01", None]), utc=True)
    times = pd.to_datetime(pd.Series(["2024-03-01 17:51:21.011", "2024-03-02 00:00:00.000"]), utc=True)
    out = html_table(pd.DataFrame({"day": days, "at": times}))
    assert "<td>2024-03-01</td><td>2024-03-01 17:51</td>" in out and "<td></td><td>2024-03-02 00:00</td>" in out
