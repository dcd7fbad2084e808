"""The facilitator's workshop widgets on the sample: answers in through every route, results and report out."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import traitlets

import workfw as wf
from workfw import widgets as ww
from workfw.assessment import Response, decode_response, encode_response, load_bank, save_response

FIXTURES = Path(__file__).parent / "fixtures"
C4_IDS = load_bank("c4_flywheel")["id"].tolist()
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def sample():
    return wf.load_sample()


@pytest.fixture()
def workspace(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("WORKFW_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def _upload(name: str, data: bytes) -> dict:
    """One file as ipywidgets 8's FileUpload holds it."""
    return {"name": name, "type": "application/octet-stream", "size": len(data), "content": memoryview(data),
            "last_modified": pd.Timestamp("2024-03-05", tz="UTC").to_pydatetime()}


def _answer(form: ww.ParticipantForm, framework: str, values: list) -> None:
    """Press the buttons as a participant would: 1-5, "?" for don't know, None leaves a statement unanswered."""
    for sid, value in zip(form.forms[framework].buttons, values):
        form.forms[framework].buttons[sid].value = value


def test_framework_picker_value_follows_the_boxes_and_back():
    picker = ww.FrameworkPicker()
    assert picker.value == ["c4_flywheel"]
    picker.boxes["visibility"].value = True
    picker.boxes["coordination_stack"].value = True
    assert picker.value == ["c4_flywheel", "coordination_stack", "visibility"]
    picker.value = ["value_pyramid"]
    assert [k for k, box in picker.boxes.items() if box.value] == ["value_pyramid"]
    with pytest.raises(traitlets.TraitError, match="expected keys of"):
        picker.value = ["kanban"]


def test_participant_form_saves_a_file_and_a_code_with_the_same_answers(workspace):
    form = ww.ParticipantForm(frameworks=["c4_flywheel", "value_pyramid"])
    assert [form.tabs.get_title(i) for i in range(2)] == ["C4 Flywheel", "Work Value Pyramid"]
    assert form.save() == {} and "at least one statement" in form.status.value
    assert not (workspace / "responses").exists()
    form.name.value, form.team.value = EVIL, " Ops "
    _answer(form, "c4_flywheel", [4, 5, "?", 2, 3, 4, 5, 5, 4, 3, 3, 1])
    expected = dict(zip(C4_IDS, [4, 5, None, 2, 3, 4, 5, 5, 4, 3, 3, 1]))  # "?" is stored as "don't know": null
    codes = form.save()
    assert list(codes) == ["c4_flywheel"]  # nothing answered for the pyramid: nothing saved for it
    assert "Nothing answered for Work Value Pyramid, so nothing saved for it." in form.status.value
    files = list((workspace / "responses").glob("*.json"))
    assert [f.name for f in files] == [form.paths["c4_flywheel"].name]
    saved = json.loads(files[0].read_text(encoding="utf-8"))
    assert saved["participant"] == EVIL and saved["team"] == "Ops"
    assert saved["answers"] == expected
    decoded = decode_response(form.code_box.value.strip())
    assert decoded.answers == expected and decoded.participant == EVIL
    # The name is shown escaped, and the download link carries the same file.
    assert EVIL not in form.status.value and "&lt;img src=x" in form.status.value
    link = re.search(r'href="data:application/json;base64,([^"]+)"', form.download.value).group(1)
    import base64

    assert json.loads(base64.b64decode(link))["answers"] == saved["answers"]
    # Saving again after a change replaces this form's own file, never adds a second response.
    _answer(form, "c4_flywheel", [1] * 12)
    form.save()
    files = list((workspace / "responses").glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["answers"][C4_IDS[0]] == 1


def test_participant_form_is_anonymous_without_a_name_and_follows_the_picker(workspace):
    picker = ww.FrameworkPicker(["c4_flywheel"])
    form = ww.ParticipantForm(frameworks=picker)
    _answer(form, "c4_flywheel", [3] * 12)
    picker.value = ["c4_flywheel", "visibility"]
    assert [form.tabs.get_title(i) for i in range(2)] == ["C4 Flywheel", "Work Visibility"]
    assert form.forms["c4_flywheel"].answers[C4_IDS[0]] == 3  # kept across the change
    form.save()
    assert re.fullmatch(r"anonymous-[0-9a-f]{4}", decode_response(form.codes["c4_flywheel"]).participant)


def test_two_participants_saving_at_once_lose_nothing(workspace):
    forms = [ww.ParticipantForm(frameworks=["c4_flywheel"]) for _ in range(8)]
    for i, form in enumerate(forms):
        form.name.value = "Same Name"
        _answer(form, "c4_flywheel", [i % 5 + 1] * 12)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda f: f.save(), forms))
    collector = ww.Collector(frameworks=["c4_flywheel"])
    assert collector.collection.summary()["responses"].tolist() == [8]
    assert sorted(collector.responses.groupby("response")["answer"].first()) == [1, 1, 2, 2, 3, 3, 4, 5]


def test_collector_takes_files_codes_and_a_survey_through_its_widgets(workspace):
    elsewhere = workspace.parent / "participant"
    ana = Response("Ana", "c4_flywheel", dict(zip(C4_IDS, [4] * 12)), "2024-03-05T09:00:00Z")
    ben = Response("Ben", "c4_flywheel", dict(zip(C4_IDS, [2] * 12)), "2024-03-05T09:01:00Z")
    ana_file = save_response(ana, elsewhere)
    collector = ww.Collector(frameworks=["c4_flywheel"])
    assert "0 responses so far" in collector.count.value
    seen = []
    collector.on_change(lambda: seen.append(len(collector.responses)))
    collector.files.value = (_upload(ana_file.name, ana_file.read_bytes()),)
    assert collector.files.value == ()  # emptied, so the same file can be chosen again
    assert "1 response so far" in collector.count.value and "1 new" in collector.messages.value
    collector.codes.value = f"Ben says: {encode_response(ben)} and again {encode_response(ana)}"
    collector.codes_button.click()
    assert "1 new, 1 already collected" in collector.messages.value
    collector.survey.value = (_upload("google.csv", (FIXTURES / "survey_google_c4.csv").read_bytes()),)
    assert "5 responses so far" in collector.count.value and "3 new" in collector.messages.value
    assert "Anything else you want to tell us?" in collector.messages.value  # the unmatched column is named
    assert seen == [12, 24, 58]
    frame = collector.responses
    assert sorted(frame["participant"].unique()) == ["Ana", "Ben", "cy@example.org"]
    # Cy left two cells of the survey empty: skipped statements, no rows, not "don't know".
    assert frame.groupby("participant").size().to_dict() == {"Ana": 24, "Ben": 24, "cy@example.org": 10}
    assert collector.collection.summary()[["answers", "dont_know", "skipped"]].values.tolist() == [[57, 1, 2]]
    # A notebook started again finds everything in the responses folder.
    assert len(ww.Collector(frameworks=["c4_flywheel"]).responses) == 58


def test_collector_shows_bad_input_as_messages_naming_the_file_or_row(workspace):
    (workspace / "responses").mkdir(parents=True)
    (workspace / "responses" / "half.json").write_text('{"format": "workfw-response"', encoding="utf-8")
    collector = ww.Collector(frameworks=["c4_flywheel"])
    assert "half.json" in collector.messages.value and "invalid JSON" in collector.messages.value
    collector.files.value = (_upload(f"{EVIL}.json", b"{not json"),)
    assert "&lt;img src=x onerror=alert(1)&gt;.json" in collector.messages.value
    assert EVIL not in collector.messages.value
    collector.survey.value = (_upload("broken.csv", (FIXTURES / "survey_broken_c4.csv").read_bytes()),
                              _upload("scan.csv", bytes(range(256)) * 8))
    messages = collector.messages.value
    assert "broken.csv row 3" in messages and "Maybe" in messages
    assert "scan.csv" in messages and "no column matches a statement of C4 Flywheel" in messages
    collector.codes.value = "WF1-C4-AAAAAAAA-ZZZZ"
    collector.codes_button.click()
    assert "checksum does not match" in collector.messages.value
    collector.add_files("not an upload value")  # a programming slip still becomes a message
    assert "expected a FileUpload value" in collector.messages.value
    assert collector.collection.summary()["responses"].tolist() == [2]  # Dee and Eli from broken.csv


def test_group_results_redraw_when_answers_arrive(workspace, sample):
    collector = ww.Collector(frameworks=["c4_flywheel", "value_pyramid"])
    results = ww.GroupResults(collector, sample, revealed=True)
    assert results.figures == {} and "No answers for C4 Flywheel yet" in results.body.children[1].value
    people = [Response(f"{EVIL}{i}", "c4_flywheel", dict(zip(C4_IDS, [v] * 12)), f"2024-03-05T09:0{i}:00Z")
              for i, v in enumerate([1, 3, 5])]
    collector.add_codes(" ".join(encode_response(p) for p in people))
    assert list(results.figures) == ["c4_flywheel"]
    spread = results.figures["c4_flywheel"]["spread"]
    dots = sum(len(t.x) for t in spread.data if t.name != "group mean")
    assert dots == 36
    hovers = " ".join(str(h) for t in spread.data for h in (t.hovertext or []))
    assert "Participant 01" in hovers and "<img" not in hovers  # pseudonymised on the shared screen
    gap = results.gaps["c4_flywheel"]
    assert set(gap["element"]) == {"Clarity", "Coordination", "Completion", "Collaboration"}
    assert gap["perceived"].dropna().round(1).tolist() == [50.0] * gap["perceived"].notna().sum()
    measured = results.diagnosis("c4_flywheel").summary["score"]
    assert gap.set_index("element")["measured"].dropna().to_dict() == pytest.approx(measured.dropna().to_dict())
    prompts = results.prompts_html(gap)
    # Every element has its prompt: the three largest gaps to discuss first, then the other one.
    first, rest = prompts.split("The other elements:")
    assert first.count("<li>") == 3 and rest.count("<li>") == 1 and gap["element"].iloc[0] in first
    # The group's view moves when more answers arrive.
    collector.add_codes(encode_response(Response("Dee", "c4_flywheel", dict(zip(C4_IDS, [5] * 12)))))
    assert results.gaps["c4_flywheel"]["perceived"].dropna().round(1).tolist()[0] == 62.5


def test_report_button_writes_the_report_with_the_groups_answers(workspace, sample):
    collector = ww.Collector(frameworks=["value_pyramid"])
    ids = load_bank("value_pyramid")["id"].tolist()
    collector.add_codes(encode_response(Response(EVIL, "value_pyramid", dict(zip(ids, [2] * len(ids))))))
    button = ww.ReportButton(sample, collector)
    button.pseudonymise.value = True
    path = button.write()
    assert path == workspace / "report.html"
    text = path.read_text(encoding="utf-8")
    assert 'id="assessment"' in text and "Work Value Pyramid: perceived and measured" in text
    assert EVIL not in text
    assert "report.html" in button.status.value and str(workspace) in button.status.value


# --- which team's data the room's answers meet ---------------------------------------------------------------------

def _room(*people: tuple[str, str | None, int], framework: str = "c4_flywheel") -> str:
    """Codes of people (name, team, the answer they give every statement), as a chat would hold them."""
    ids = load_bank(framework)["id"].tolist()
    return " ".join(encode_response(Response(name, framework, dict(zip(ids, [value] * len(ids))), team=team))
                    for name, team, value in people)


def test_group_results_default_to_the_team_participants_entered_and_switch_to_all(workspace, sample):
    collector = ww.Collector(frameworks=["c4_flywheel"])
    results = ww.GroupResults(collector, sample, revealed=True)
    assert results.team.value == "All" and "2,524 tasks of all teams" in results.heading.value
    assert results.team.options == ("All", "Data", "Growth", "Platform", "Support")
    collector.add_codes(_room(("Ana", "Platform", 2), ("Ben", " platform", 4), ("Cy", "Ops", 3)))
    platform = wf.c4_flywheel.diagnose(sample, team="Platform").scores()
    everyone = wf.c4_flywheel.diagnose(sample).scores()
    assert platform != everyone
    assert results.team.value == "Platform" and results.selection.team == "Platform"
    assert "634 tasks of team Platform" in results.heading.value
    assert "2 of 3 participants entered team Platform." in results.heading.value
    measured = results.gaps["c4_flywheel"].set_index("element")["measured"]
    assert measured.to_dict() == pytest.approx(platform)
    assert "(data: 634 tasks of team Platform)" in results.prompts_html(results.gaps["c4_flywheel"])
    assert "634 tasks of team Platform" in results.figures["c4_flywheel"]["gap"].layout.title.text
    # The facilitator switches to All: the gap, the prompts and the line above them follow.
    results.team.value = "All"
    measured = results.gaps["c4_flywheel"].set_index("element")["measured"]
    assert measured.to_dict() == pytest.approx(everyone)
    assert "2,524 tasks of all teams" in results.heading.value
    assert "2,524 tasks of all teams" in results.figures["c4_flywheel"]["gap"].layout.title.text
    # Chosen by hand, the team stays put when more answers arrive.
    collector.add_codes(_room(("Dee", "Platform", 5)))
    assert results.team.value == "All" and results.selection.by_hand
    assert results.gaps["c4_flywheel"]["perceived"].round(1).tolist() == [62.5] * 4


def test_default_team_counts_people_once_and_falls_back_to_all():
    from workfw.assessment import default_team, responses_frame

    teams = ["Data", "Growth", "Platform"]

    def frame(*people: tuple[str, str | None, str]) -> pd.DataFrame:
        ids = {fw: load_bank(fw)["id"].tolist()[:2] for fw in ("c4_flywheel", "value_pyramid")}
        return responses_frame([Response(name, fw, dict.fromkeys(ids[fw], 3), team=team)
                                for name, team, fw in people])

    # Ana answered two frameworks: still one Growth participant against two of Data.
    room = frame(("Ana", "Growth", "c4_flywheel"), ("Ana", "Growth", "value_pyramid"),
                 ("Ben", "DATA", "c4_flywheel"), ("Cy", "data ", "c4_flywheel"), ("Dee", None, "c4_flywheel"))
    assert default_team(room, teams) == "Data"
    assert default_team(frame(("Ana", "Growth", "c4_flywheel"), ("Ben", "Data", "c4_flywheel")), teams) is None
    assert default_team(frame(("Ana", "Ops", "c4_flywheel"), ("Ben", "Ops", "c4_flywheel"),
                              ("Cy", "Data", "c4_flywheel")), teams) is None
    assert default_team(frame(("Ana", None, "c4_flywheel")), teams) is None
    assert default_team(frame(("Ana", "Data", "c4_flywheel")).iloc[0:0], teams) is None


def test_team_selection_says_why_it_shows_all_teams_and_refuses_an_unknown_team(sample):
    from workfw.assessment import TeamSelection, responses_frame
    from workfw.errors import OptionError

    selection = TeamSelection(sample)
    assert selection.follow(pd.DataFrame(columns=list(wf.assessment.RESPONSE_COLUMNS))) is False
    assert selection.team is None and selection.note == "" and selection.options() == {}
    ops = responses_frame([Response(n, "c4_flywheel", {C4_IDS[0]: 4}, team="Ops") for n in ("Ana", "Ben")])
    assert selection.follow(ops) is False and selection.team is None
    assert selection.note == ("2 of 2 participants entered team Ops, which the export does not have (its teams: "
                              "Data, Growth, Platform, Support), so the data covers all teams.")
    tie = responses_frame([Response("Ana", "c4_flywheel", {C4_IDS[0]: 4}, team="Data"),
                           Response("Ben", "c4_flywheel", {C4_IDS[0]: 4}, team="growth")])
    selection.follow(tie)
    assert selection.note == ("Participants entered Data and Growth equally often (1 each), so the data covers all "
                              "teams.")
    with pytest.raises(OptionError, match=r"team='Ops' is not a team of the export; expected one of \['Data'"):
        selection.choose("Ops")
    selection.choose("Data")
    assert selection.options() == {"team": "Data"} and selection.selection_text() == "522 tasks of team Data"
    assert selection.diagnosis("value_pyramid").scores() == pytest.approx(
        wf.value_pyramid.diagnose(sample, team="Data").scores())
    assert selection.follow(ops) is False and selection.team == "Data"


def test_report_button_writes_the_report_for_the_team_on_the_page(workspace, sample, monkeypatch):
    import workfw.reporting as reporting

    calls = []
    real = reporting.report
    monkeypatch.setattr(reporting, "report", lambda *a, **k: calls.append(k) or real(*a, **k))
    collector = ww.Collector(frameworks=["c4_flywheel"])
    collector.add_codes(_room(("Ana", "Support", 2)))
    results = ww.GroupResults(collector, sample, revealed=True)
    button = ww.ReportButton(sample, collector, selection=results.selection)
    assert button.write() == workspace / "report.html"
    assert calls[-1]["team"] == "Support"
    assert "Scores and gaps are for 805 tasks of team Support" in button.status.value
    results.team.value = "All"
    button.write()
    assert "team" not in calls[-1] and "Scores and gaps" not in button.status.value


def test_report_button_shows_why_it_could_not_write(tmp_path, workspace, sample):
    blocker = tmp_path / "<b>file"
    blocker.write_text("not a folder")
    button = ww.ReportButton(sample, path=blocker / "report.html")
    assert button.write() is None
    assert "Could not write the report" in button.status.value and "&lt;b&gt;file" in button.status.value


def test_collector_offers_survey_headers_that_read_survey_matches(workspace):
    import base64

    collector = ww.Collector(frameworks=["coordination_stack"])
    link = re.search(r'download="coordination_stack-survey-headers.csv" href="data:text/csv;base64,([^"]+)"',
                     collector.templates.value).group(1)
    header = base64.b64decode(link)
    ids = load_bank("coordination_stack")["id"].tolist()
    row = "2024-03-05 10:00:00,Kim,Ops," + ",".join(["4"] * len(ids)) + "\r\n"
    collector.add_files([_upload("form.csv", header + row.encode("utf-8"))])
    frame = collector.responses
    assert frame["statement_id"].tolist() == ids and set(frame["answer"]) == {4}


# --- people taking turns on one shared laptop ----------------------------------------------------------------------

def _saved(folder: Path) -> dict[str, dict]:
    """Participant -> answers of every response file in the folder."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    assert len({d["participant"] for d in docs}) == len(docs), "one file per participant"
    return {d["participant"]: d["answers"] for d in docs}


def test_three_people_taking_turns_on_one_form_lose_nothing(workspace):
    form = ww.ParticipantForm(frameworks=["c4_flywheel", "value_pyramid"])
    identities = []
    for name, value in (("Ana", 1), ("Ben", 3), ("Cy", 5)):
        # Each person starts from an empty form: no clicks, name or team of the one before.
        assert form.name.value == "" and form.team.value == "" and form.forms["c4_flywheel"].answers == {}
        form.name.value, form.team.value = name, "Ops"
        _answer(form, "c4_flywheel", [value] * 12)
        assert set(form.save()) == {"c4_flywheel"} and f"Saved as {name}" in form.status.value
        identities.append(form.session.participant_id)
        form.next_button.click()
        assert form.code_box.value == "" and form.download.value == "" and form.codes == {}
        assert "Ready for the next participant" in form.status.value
    assert len(set(identities)) == 3
    saved = _saved(workspace / "responses")
    assert {name: set(answers.values()) for name, answers in saved.items()} == {"Ana": {1}, "Ben": {3}, "Cy": {5}}
    collector = ww.Collector(frameworks=["c4_flywheel"])
    assert collector.collection.summary()["responses"].tolist() == [3]
    assert "3 responses so far" in collector.count.value
    # Two anonymous people in a row get two names, hence two files.
    for value in (2, 4):
        _answer(form, "c4_flywheel", [value] * 12)
        form.save()
        form.next_participant()
    anonymous = [name for name in _saved(workspace / "responses") if name.startswith("anonymous-")]
    assert len(anonymous) == 2


def test_saving_twice_replaces_only_ones_own_earlier_answers(workspace):
    namesake = ww.ParticipantForm(frameworks=["c4_flywheel"])  # another Ana, on another machine of the hub
    namesake.name.value = "Ana"
    _answer(namesake, "c4_flywheel", [2] * 12)
    namesake.save()
    form = ww.ParticipantForm(frameworks=["c4_flywheel"])
    form.name.value = "Ana"
    _answer(form, "c4_flywheel", [1] * 12)
    form.save()
    first = form.paths["c4_flywheel"]
    _answer(form, "c4_flywheel", [4] * 12)
    form.save()
    assert not first.exists() and form.paths["c4_flywheel"].exists()
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in (workspace / "responses").glob("*.json")]
    assert sorted(tuple(set(d["answers"].values())) for d in docs) == [(2,), (4,)]  # the namesake's is untouched
    assert "kept" not in form.status.value


def test_another_name_typed_without_next_participant_keeps_the_first_persons_file(workspace):
    form = ww.ParticipantForm(frameworks=["c4_flywheel"])
    form.name.value = "Ana"
    _answer(form, "c4_flywheel", [2] * 12)
    form.save()
    ana_file = form.paths["c4_flywheel"]
    form.name.value = "Ben"  # Ben sits down and forgets "Next participant"
    _answer(form, "c4_flywheel", [5] * 6)
    form.save()
    assert ana_file.exists()
    assert "Answers saved earlier on this form as Ana are kept" in form.status.value
    _answer(form, "c4_flywheel", [4] * 12)  # Ben corrects his answers: his own file is replaced, Ana's is not
    form.save()
    saved = _saved(workspace / "responses")
    assert saved == {"Ana": dict(zip(C4_IDS, [2] * 12)), "Ben": dict(zip(C4_IDS, [4] * 12))}
    assert ww.Collector(frameworks=["c4_flywheel"]).collection.summary()["responses"].tolist() == [2]


def test_skipped_statements_are_named_on_save_and_kept_apart_from_dont_know(workspace):
    form = ww.ParticipantForm(frameworks=["c4_flywheel"])
    _answer(form, "c4_flywheel", [4, "?", None, 3, None, None, None, None, None, None, None, "?"])
    form.save()
    status = form.status.value
    assert "C4 Flywheel: you skipped 8 statements</b> (saved as skipped, not as \"don't know\")" in status
    assert "<li>New work arrives with enough context to begin without a…</li>" in status
    assert "<li>Handoffs rarely drop anything, and we seldom duplicate…</li>" in status
    assert "&quot;Done&quot;" not in status and "each other&#x27;s commitments" not in status  # answered "?"
    assert "fill them in above and click <b>Save</b> again" in status
    (answers,) = _saved(workspace / "responses").values()
    assert answers == {"c4-clar-1": 4, "c4-clar-2": None, "c4-coor-1": 3, "c4-coll-3": None}
    summary = ww.Collector(frameworks=["c4_flywheel"]).collection.summary()
    assert summary[["answers", "dont_know", "skipped"]].values.tolist() == [[2, 2, 8]]
    # The form kept the answers: fill in the rest, Save again, and the one file now holds all twelve.
    assert form.forms["c4_flywheel"].answers == answers
    _answer(form, "c4_flywheel", [4, "?", 3, 3, 3, 3, 3, 3, 3, 3, 3, "?"])
    form.save()
    assert "skipped" not in form.status.value
    (answers,) = _saved(workspace / "responses").values()
    assert len(answers) == 12 and sum(v is None for v in answers.values()) == 2


def test_group_results_never_call_a_measured_element_not_measurable(workspace, sample):
    collector = ww.Collector(frameworks=["c4_flywheel"])
    results = ww.GroupResults(collector, sample, revealed=True)
    # One person answered Clarity only: the other elements are measured but not rated yet.
    collector.add_codes(encode_response(Response("Ana", "c4_flywheel", dict(zip(C4_IDS[:3], [4, 4, 4])))))
    gap = results.gaps["c4_flywheel"]
    measured = results.diagnosis("c4_flywheel").summary["score"]
    prompts = results.prompts_html(gap)
    items = {re.search(r"<b>(.*?)</b>", li).group(1): li for li in re.findall(r"<li>.*?</li>", prompts)}
    assert sorted(items) == sorted(measured.index)  # every element, none dropped
    for element, score in measured.items():
        if pd.isna(score):
            assert "not measurable" in items[element] and "the export cannot measure it" in items[element]
            continue
        assert "not measurable" not in items[element] and "cannot measure" not in items[element]
        if element != "Clarity":
            assert items[element] == (f"<li><b>{element}</b> (not rated yet, data {score:.0f}): {element} is not "
                                      f"rated yet; the data scores it {score:.0f}. Answer its statements to set our "
                                      "view beside the data. (0 of 3 answered.)</li>")
    assert items["Clarity"].startswith(f"<li><b>Clarity</b> (gap {75 - measured['Clarity']:+.0f}): ")
    assert "don&#x27;t know" not in prompts


def test_assessment_form_tells_dont_know_from_unanswered():
    form = ww.AssessmentForm("value_pyramid")
    ids = form.bank["id"].tolist()
    assert form.answers == {} and "0 of 9 statements answered." in form.progress.value
    form.set_answers({ids[0]: 5, ids[1]: None})
    assert form.buttons[ids[1]].value == "?" and form.buttons[ids[2]].value is None
    assert form.answers == {ids[0]: 5, ids[1]: None}
    assert "2 of 9 statements answered, 1 of them &quot;don&#x27;t know&quot;." in form.progress.value
    scores = form.scores()
    assert scores[["answered", "dont_know", "skipped"]].values.tolist() == [[1, 1, 1], [0, 0, 3], [0, 0, 3]]
    form.clear()
    assert form.answers == {}


def test_framework_notebook_gap_before_any_answer_says_not_rated_yet(sample):
    explorer = ww.Explorer(sample, "c4_flywheel")
    form = ww.AssessmentForm("c4_flywheel")
    view = ww.GapView(explorer, form)
    gap = view.gap().set_index("element")
    for element, score in explorer.model.diagnosis.summary["score"].items():
        if pd.notna(score):
            assert gap.loc[element, "prompt"] == (f"{element} is not rated yet; the data scores it {score:.0f}. "
                                                  "Answer its statements to set our view beside the data.")
        else:
            assert gap.loc[element, "prompt"].startswith(f"{element} is not rated yet, and the export cannot measure")


# --- rounds: results hidden until revealed, sessions compared ------------------------------------------------------

def test_group_results_stay_hidden_until_revealed_and_show_only_counts(workspace, sample):
    collector = ww.Collector(frameworks=["c4_flywheel", "value_pyramid"])
    results = ww.GroupResults(collector, sample)
    assert results.reveal.revealed is False and results.reveal_button.layout.display is None
    assert results.hide_button.layout.display == "none"
    collector.add_codes(_room(("Ana", "Platform", 4), ("Ben", "Platform", 5), (EVIL, None, 1)))
    # Three people: the count follows the answers, per team, and nothing computed from the answers shows.
    hidden = results.heading.value + "".join(c.value for c in results.body.children)
    assert "C4 Flywheel: 3 people answered (Platform 2, no team given 1)" in hidden
    assert "Work Value Pyramid: 0 people answered" in hidden
    assert results.figures == {} and results.gaps == {}
    assert [type(c).__name__ for c in results.body.children] == ["HTML"]  # no chart output at all
    assert re.findall(r"\b\d+\b", re.sub(r"<[^>]+>", " ", hidden)) == ["3", "2", "1", "0"]  # counts, no score
    assert "<img" not in hidden  # names are never shown, and would be escaped
    collector.add_codes(_room(("Cy", "Data", 3)))
    assert "C4 Flywheel: 4 people answered (Data 1, Platform 2, no team given 1)" in results.heading.value
    # Revealed: the charts and gaps appear; hidden again: gone, and the next round starts.
    results.reveal_button.click()
    assert list(results.figures) == ["c4_flywheel"] and results.reveal_button.layout.display == "none"
    assert results.gaps["c4_flywheel"]["perceived"].round(2).tolist() == [56.25] * 4  # (4+5+1+3)/4 -> 56.25
    results.hide_button.click()
    assert results.figures == {} and "Round 2. Results hidden" in results.heading.value
    collector.add_codes(_room(("Dee", "Data", 2)))
    assert results.figures == {} and "5 people answered" in results.heading.value


def test_reveal_state_counts_rounds_and_calls_back_once_per_change():
    from workfw.assessment import RevealState

    state, calls = RevealState(), []
    state.on_change(lambda: calls.append(state.revealed))
    state.hide()
    state.reveal()
    state.reveal()
    state.hide()
    assert calls == [True, False] and state.round == 2 and not state.revealed


def test_answer_counts_per_framework_and_team_hold_no_answers():
    from workfw.assessment import answer_counts, responses_frame

    frame = responses_frame([Response("Ana", "c4_flywheel", {C4_IDS[0]: 5}, team=" Ops "),
                             Response("Ben", "c4_flywheel", dict(zip(C4_IDS, [1] * 12)), team="Data"),
                             Response("Cy", "c4_flywheel", {C4_IDS[1]: None})])
    counts = answer_counts(frame, frameworks=["c4_flywheel", "visibility"])
    assert counts.values.tolist() == [["c4_flywheel", "C4 Flywheel", None, 3],
                                      ["c4_flywheel", "C4 Flywheel", "Data", 1],
                                      ["c4_flywheel", "C4 Flywheel", "Ops", 1],
                                      ["c4_flywheel", "C4 Flywheel", "no team given", 1],
                                      ["visibility", "Work Visibility", None, 0]]


def test_session_panel_saves_this_session_and_compares_with_an_earlier_one(workspace):
    earlier = ww.Collector(frameworks=["c4_flywheel"], directory=workspace / "q3")
    earlier.add_codes(_room(("Ana", "Ops", 2), ("Ben", "Ops", 4)))
    wf.assessment.save_session(earlier.collection, group="Ops", label="Q3", when="2026-09-10")
    collector = ww.Collector(frameworks=["c4_flywheel"])
    panel = ww.SessionPanel(collector, group="ops")
    assert panel.earlier.options == (("Q3 (2026-09-10, 2 people) · Ops", str(workspace / "sessions" / "ops-q3.json")),)
    panel.group.value = "Data"
    assert panel.earlier.options == () and panel.compare_button.disabled
    assert panel.save() is None and "the answer table is empty" in panel.status.value
    panel.group.value = "Ops"
    collector.add_codes(_room((EVIL, "Ops", 5), ("Cy", "Ops", 4), ("Dee", "Ops", 3)))
    panel.label.value = "Q4"
    path = panel.save()
    assert path == workspace / "sessions" / "ops-q4.json" and "Saved 3 participants" in panel.status.value
    assert "<img" not in path.read_text(encoding="utf-8") and "&lt;img" not in path.read_text(encoding="utf-8")
    assert len(panel.earlier.options) == 1  # this session is not offered as its own earlier one
    tables = panel.compare()
    table = tables["c4_flywheel"].set_index("element")
    # Q3: answers 2 and 4 -> mean 3 -> 50; now 5, 4, 3 -> mean 4 -> 75.
    assert table["earlier"].tolist() == [50.0] * 4 and table["later"].tolist() == [75.0] * 4
    assert table["change"].tolist() == [25.0] * 4
    assert table["earlier_answers"].tolist() == [6] * 4 and table["later_answers"].tolist() == [9] * 4
    assert "Q3 (2026-09-10) beside Q4" in panel.status.value
    shown = panel.body.children[-1].value
    assert "Answers then" in shown and ">25<" in shown  # the change, rounded, in the table under the chart
    assert [list(t.y) for t in panel.figures["c4_flywheel"].data] == [[50.0] * 4, [75.0] * 4]


def test_session_panel_says_when_the_earlier_session_answered_another_framework(workspace):
    ids = load_bank("visibility")["id"].tolist()
    other = wf.assessment.responses_frame([Response("Ana", "visibility", dict.fromkeys(ids, 3), team="Ops")])
    wf.assessment.save_session(other, group="Ops", label="Q3", when="2026-09-10")
    collector = ww.Collector(frameworks=["c4_flywheel"])
    collector.add_codes(_room(("Cy", "Ops", 4)))
    panel = ww.SessionPanel(collector, group="Ops")
    assert panel.compare() == {}
    assert "has answers to Work Visibility" in panel.status.value and "Next step" in panel.status.value
    assert panel.body.children == ()
    (workspace / "sessions" / "half.json").write_text('{"format": "workfw-session"', encoding="utf-8")
    panel.list_earlier()
    assert "Sessions not read" in panel.problems.value and "half.json, line 1" in panel.problems.value
    assert len(panel.earlier.options) == 1  # the readable session is still offered
