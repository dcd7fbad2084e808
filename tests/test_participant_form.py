"""The offline participant form: one self-contained HTML file, escaped, with the bank's statements in order.

What the page's script computes (codes, answer files) is checked in a real
browser by tests/test_participant_form_browser.py; here: the file itself, the
command that writes it and the notebook button.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from markupsafe import escape

from workfw import assessment as A
from workfw.cli import main
from workfw.errors import OptionError

HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)> & \"quoted\" 'text'"


def _data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="wf-data">(.*?)</script>', page, flags=re.S)
    assert block, "the page has no data block"
    return json.loads(block.group(1))


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script(?: [^>]*)?>(.*?)</script>", page, flags=re.S)


def hostile_bank(tmp_path: Path) -> Path:
    """A custom C4 bank whose second statement and first element heading carry markup."""
    path = A.bank_template("c4_flywheel", tmp_path / "c4_custom.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["statements"][1]["text"] = HOSTILE
    doc["framework"] = "C4 <i>Flywheel</i>"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_page_loads_nothing_from_outside():
    page = A.participant_form_html("c4_flywheel")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?:|//[a-z]", page, flags=re.I), "no web address, not even in a comment"
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page, flags=re.I)
    assert not re.search(r"\s(src|href)=\"(?!#)", page), "only in-page links (#...)"
    assert "@import" not in page and "url(" not in page
    # The one executable script is allowed by its hash, and nothing else may load (default-src 'none').
    scripts = _scripts(page)
    assert len(scripts) == 2
    digest = base64.b64encode(hashlib.sha256(scripts[1].encode("utf-8")).digest()).decode("ascii")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert csp.startswith("default-src 'none'; ") and f"script-src 'sha256-{digest}'" in csp


def test_the_page_holds_the_bank_statements_in_order_with_six_choices_each():
    page = A.participant_form_html("c4_flywheel")
    bank = A.load_bank("c4_flywheel")
    data = _data(page)
    ids = bank["id"].tolist()
    assert [s["id"] for s in data["statements"]] == ids
    assert re.findall(r'<fieldset class="statement" id="wf-q(\d+)" data-statement="([^"]+)"', page) == [
        (str(n), sid) for n, sid in enumerate(ids, start=1)]
    assert len(re.findall(r'<input type="radio" name="q1" value="([^"]+)"', page)) == 6
    assert re.findall(r'name="q12" value="([^"]+)"', page) == ["1", "2", "3", "4", "5", "?"]
    # 12 answers in base 7: 7**12 - 1 = 13,841,287,200 needs 34 bits, so 5 bytes (as encode_response packs them).
    assert (data["head"], data["base"], data["dontKnow"], data["answerBytes"]) == ("WF2-C4", 7, 6, 5)
    assert (data["alphabet"], data["checkChars"], data["maxTextBytes"]) == ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 4, 255)
    assert (data["format"], data["version"], data["framework"]) == ("workfw-response", 1, "c4_flywheel")
    assert "<h3>Clarity</h3>" in page and "Strongly disagree" in page
    assert "Work Management Institute" in page and "workmanagementinstitute.org" in page


def test_a_hostile_statement_of_a_custom_bank_is_escaped_everywhere(tmp_path):
    path = hostile_bank(tmp_path)
    page = A.participant_form_html(path)
    assert HOSTILE not in page and "<img" not in page and "<i>" not in page
    assert len(_scripts(page)) == 2 and page.count("<script") == 2
    assert f"<span class=\"number\">2.</span> {escape(HOSTILE)}</legend>" in page
    assert "<title>C4 &lt;i&gt;Flywheel&lt;/i&gt;: how do you see your work?</title>" in page
    assert "the bank file c4_custom.json" in page and str(tmp_path) not in page
    data = _data(page)
    assert data["statements"][1]["text"] == HOSTILE and data["title"] == "C4 <i>Flywheel</i>"


def test_a_custom_title_is_escaped():
    page = A.participant_form_html("visibility", title="Team <b>Blue</b> & friends")
    assert "<h1>Team &lt;b&gt;Blue&lt;/b&gt; &amp; friends</h1>" in page
    assert _data(page)["head"] == "WF2-" + A.FRAMEWORK_CODES["visibility"]


def test_unknown_framework_and_broken_bank_are_named(tmp_path):
    with pytest.raises(OptionError, match=r"framework='c4'; expected one of \['c4_flywheel'"):
        A.participant_form_html("c4")
    broken = tmp_path / "broken.json"
    broken.write_text('{"module": "c4_flywheel", "statements": [{"id": "x"}]}', encoding="utf-8")
    with pytest.raises(A.AssessmentFileError, match=r"broken.json, statement 1 \('x'\): found element=None"):
        A.participant_form_html(broken)


def test_write_refuses_to_replace_a_form_unless_asked(tmp_path):
    target = tmp_path / "forms" / "form.html"
    assert A.write_participant_form("c4_flywheel", target) == target
    first = target.read_text(encoding="utf-8")
    with pytest.raises(OptionError, match="already exists.*overwrite=True"):
        A.write_participant_form("value_pyramid", target)
    assert target.read_text(encoding="utf-8") == first
    A.write_participant_form("value_pyramid", target, overwrite=True)
    assert _data(target.read_text(encoding="utf-8"))["framework"] == "value_pyramid"
    with pytest.raises(OptionError, match=r"expected a file name ending in \.html"):
        A.write_participant_form("c4_flywheel", tmp_path / "form.txt")
    assert not (tmp_path / "form.txt").exists()


# ----------------------------------------------------------------------------------------------- command

def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_command_writes_the_form_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "form.html"
    code, out, err = run("participant-form", "--framework", "c4_flywheel", "-o", str(target))
    assert (code, out) == (0, "")
    assert err.startswith(f"workfw: wrote {target} (") and "no network needed" in err
    assert _data(target.read_text(encoding="utf-8"))["head"] == "WF2-C4"
    code, _, err = run("participant-form", "--framework", "coordination_stack", "-o", str(target))
    assert code == 2 and err.startswith(f"workfw: {target}: found a file of that name") and "--overwrite" in err
    assert _data(target.read_text(encoding="utf-8"))["framework"] == "c4_flywheel"
    code, _, _ = run("participant-form", "--framework", "coordination_stack", "-o", str(target), "--overwrite")
    assert code == 0 and _data(target.read_text(encoding="utf-8"))["framework"] == "coordination_stack"


def test_command_names_the_frameworks_on_a_typo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("participant-form", "--framework", "c4_flywhel")
    assert (code, out) == (2, "")
    assert "--framework 'c4_flywhel': found no such framework; expected one of c4_flywheel, coordination_stack, " \
           "value_pyramid, visibility" in err and "did you mean --framework c4_flywheel?" in err
    assert list(tmp_path.iterdir()) == []


def test_command_default_name_stdout_and_custom_bank(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("participant-form", "--framework", "visibility")[0] == 0
    assert _data((tmp_path / "participant-form-visibility.html").read_text(encoding="utf-8"))["framework"] == \
        "visibility"
    code, out, _ = run("participant-form", "--framework", "value_pyramid", "-o", "-", "--title", "Q<1>")
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "<h1>Q&lt;1&gt;</h1>" in out
    bank = hostile_bank(tmp_path)
    code, _, err = run("participant-form", "--framework", str(bank))
    assert code == 0 and f"bank={str(bank)!r}" in err
    page = (tmp_path / "participant-form-c4_custom.html").read_text(encoding="utf-8")
    assert _data(page)["statements"][1]["text"] == HOSTILE


# ----------------------------------------------------------------------------------------------- notebook button

def test_button_writes_one_form_per_chosen_framework(tmp_path):
    from workfw import widgets as ww

    picker = ww.FrameworkPicker(["visibility", "c4_flywheel"])
    folder = tmp_path / "<b>forms</b>"
    button = ww.OfflineFormButton(frameworks=picker, directory=folder)
    paths = button.write()
    assert list(paths) == ["c4_flywheel", "visibility"]
    assert paths["c4_flywheel"] == folder / "participant-form-c4_flywheel.html"
    assert _data(paths["visibility"].read_text(encoding="utf-8"))["framework"] == "visibility"
    shown = button.status.value
    assert "<b>forms</b>" not in shown and "&lt;b&gt;forms&lt;/b&gt;" in shown
    encoded = re.search(r'download="participant-form-c4_flywheel.html" href="data:text/html;base64,([^"]+)"',
                        shown).group(1)
    assert base64.b64decode(encoded) == paths["c4_flywheel"].read_bytes()
    picker.value = []
    assert button.write() == {} and "Choose at least one framework" in button.status.value
