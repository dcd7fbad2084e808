"""The offline participant form filled in a real headless Chromium: its code and its file are workfw's own.

The page is opened from a file:// address, as a participant opens a file from
mail or a shared drive. Answers are given with the mouse and the keyboard,
including "?" and a skipped statement; the code the page shows must be the
very code :func:`workfw.assessment.encode_response` gives for the same answers
and second, the answer file must be byte for byte what ``save_response``
writes and load as it is, and one changed character must fail the checksum.
No request may leave the page. Uses Debian's /usr/bin/chromium through the
``chromium_browser`` fixture in conftest.py.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from test_participant_form import HOSTILE, hostile_bank
from workfw import assessment as A

NAME = "  Zoë <b>O'Brien</b> \u3000"  # Python's strip() and the page's must agree, ideographic space included
TEAM = "Platform & Ops"
# Statement number (1-based) -> what the participant does; 3 and 9 are skipped.
CLICKS = {1: "4", 2: "?", 4: "1", 6: "5", 7: "?", 8: "3", 10: "2", 11: "5", 12: "4"}
KEYBOARD = 5  # answered with Space then ArrowRight: a 2


class _Watch:
    """Everything the page asks for, errors it logs and dialogs it opens."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.errors.append(f"dialog {d.message}"), d.dismiss()))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "blob:", "data:")):
            route.continue_()
        else:  # recorded above; never sent
            route.abort()

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "blob:", "data:"))]


def _open(browser: Any, path: Path, width: int = 1000) -> tuple[Any, Any, _Watch]:
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watch = _Watch(page)
    page.goto(path.as_uri())
    return context, page, watch


def _fill(page: Any) -> None:
    page.fill("#wf-name", NAME)
    page.fill("#wf-team", TEAM)
    for number, value in CLICKS.items():
        page.locator(f'#wf-q{number} input[value="{value}"]').check()
    page.focus(f'#wf-q{KEYBOARD} input[value="1"]')
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")


@pytest.mark.parametrize("custom", [False, True], ids=["built-in bank", "custom bank"])
def test_the_code_and_file_the_page_makes_are_workfw_s_own(tmp_path, chromium_browser, custom):
    bank = hostile_bank(tmp_path) if custom else None
    framework = bank if custom else "c4_flywheel"
    path = A.write_participant_form(framework, tmp_path / "form.html")
    ids = A.load_bank(framework)["id"].tolist()
    given = {**CLICKS, KEYBOARD: "2"}
    # In bank order, as the page lists them (the answer file's keys come in this order too).
    expected = {ids[n - 1]: (None if given[n] == "?" else int(given[n])) for n in sorted(given)}
    context, page, watch = _open(chromium_browser, path)
    try:
        if custom:  # the hostile statement reads as text, markup and all
            assert page.locator("#wf-q2 legend").inner_text() == f"2. {HOSTILE}"
        _fill(page)
        assert page.inner_text("#wf-progress") == "10 of 12 statements answered, 2 of them \"Don't know\"."
        page.click("#wf-make")
        # Skipped statements are named before any code is made.
        assert page.is_visible("#wf-check") and not page.is_visible("#wf-result")
        assert page.inner_text("#wf-check-text").startswith("You have not answered 2 statements.")
        listed = page.locator("#wf-unanswered li")
        assert listed.count() == 2 and listed.nth(0).get_attribute("value") == "3"
        assert page.locator("#wf-q9").get_attribute("class") == "statement missing"
        before = int(time.time())
        page.click("#wf-anyway")
        after = int(time.time())
        page.wait_for_selector("#wf-result", state="visible")
        code = page.input_value("#wf-code")
        skipped_note = page.inner_text("#wf-skipped")
        with page.expect_download() as info:
            page.click("#wf-download")
        download = info.value
        data = Path(download.path()).read_bytes()
        file_name = download.suggested_filename
        # Changing an answer hides the code made for the old answers.
        page.locator('#wf-q3 input[value="3"]').check()
        stale = page.is_visible("#wf-result")
        wide = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    decoded = A.decode_response(code, framework="c4_flywheel", bank=bank)
    assert decoded.participant == "Zoë <b>O'Brien</b>" and decoded.team == TEAM
    assert decoded.answers == expected and list(decoded.answers) == [i for i in ids if i in expected]
    stamp = pd.Timestamp(decoded.submitted_at).timestamp()
    assert before - 1 <= stamp <= after + 1
    same = A.Response(participant=NAME, framework="c4_flywheel", answers=expected, team=TEAM,
                      submitted_at=decoded.submitted_at)
    assert code == A.encode_response(same, bank=bank), "the page's code is encode_response's, byte for byte"
    assert skipped_note == "Skipped (sent as skipped, not as \"Don't know\"): statements 3, 9."
    # The answer file: what save_response writes, read as it is by parse_response and load_responses.
    assert file_name == "c4-answers-zoe-b-o-brien-b.json"
    assert data == (json.dumps(same.to_dict(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    assert A.parse_response(data, name=file_name) == decoded
    folder = tmp_path / "responses"
    folder.mkdir()
    (folder / file_name).write_bytes(data)
    table = A.load_responses(folder, bank=bank)
    assert len(table) == 10 and table["answer"].isna().sum() == 2
    # The workshop's collection takes the file as an upload; the code of the same click counts once.
    collection = A.Collection(["c4_flywheel"], directory=tmp_path / "collected")
    first, again = collection.add_files([(file_name, data)]), collection.add_codes(f"Zoë: {code}")
    assert (first.accepted, first.rejected, again.accepted, again.duplicates) == (1, [], 0, 1)
    assert len(collection.responses) == 10
    # One changed character fails the checksum.
    head, body, check = code.rsplit("-", 2)[0], code.split("-")[2], code.split("-")[3]
    swapped = "B" if body[0] != "B" else "C"
    with pytest.raises(A.ResponseCodeError, match="the checksum does not match"):
        A.decode_response(f"{head}-{swapped}{body[1:]}-{check}", bank=bank)
    assert stale is False and wide <= 1000
    assert watch.outside() == [] and watch.errors == []
    assert watch.requests[0] == path.as_uri()


def test_the_page_checks_the_answers_and_the_person_before_any_code(tmp_path, chromium_browser):
    path = A.write_participant_form("c4_flywheel", tmp_path / "form.html")
    context, page, watch = _open(chromium_browser, path, width=360)
    try:
        # A phone: the six choices wrap inside the screen, nothing scrolls sideways.
        wide = page.evaluate("document.documentElement.scrollWidth")
        page.click("#wf-make")
        nothing = page.inner_text("#wf-problem")
        no_code = page.is_visible("#wf-result")
        page.locator('#wf-q1 input[value="?"]').check()
        page.fill("#wf-team", "é" * 128)  # 256 bytes of UTF-8: one more than a code holds
        page.click("#wf-make")
        team_problem = page.inner_text("#wf-team-problem")
        invalid = page.get_attribute("#wf-team", "aria-invalid")
        page.fill("#wf-team", "")
        page.click("#wf-make")
        page.click("#wf-anyway")
        code = page.input_value("#wf-code")
    finally:
        context.close()
    assert wide <= 360
    assert nothing == "Answer at least one statement first (\"?\" counts as an answer)." and no_code is False
    assert team_problem.startswith("The team name is too long for a code (256 bytes; at most 255)")
    assert invalid == "true"
    decoded = A.decode_response(code)
    # No name typed: anonymous, as the notebook form saves it; "?" is a deliberate answer, the rest skipped.
    assert decoded.participant.startswith("anonymous-") and len(decoded.participant) == len("anonymous-") + 4
    assert decoded.team is None and decoded.answers == {"c4-clar-1": None}
    assert watch.outside() == [] and watch.errors == []
