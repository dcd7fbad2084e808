"""Statement banks, per-person scores, and the group's answers summarised and set beside the data."""
from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from workfw.assessment import (FRAMEWORKS, AssessmentFileError, Response, aggregate, bank_template, gap_label,
                               group_gap, load_bank, perceived_scores, perception_gap, responses_frame,
                               spread_figure, to_score, unmeasurable_reasons, validate_bank)
from workfw.errors import OptionError, SchemaError, WorkfwError

STAMP = "2024-03-05T09:00:00Z"
FIXTURES = Path(__file__).parent / "fixtures"


# --- banks -------------------------------------------------------------------------------------------------

def test_builtin_banks_are_valid_and_keep_their_order():
    sizes = {key: len(validate_bank(key)) for key in FRAMEWORKS}
    assert sizes == {"c4_flywheel": 12, "coordination_stack": 15, "value_pyramid": 9, "visibility": 15}
    bank = load_bank("c4_flywheel")
    assert bank["id"].tolist()[:4] == ["c4-clar-1", "c4-clar-2", "c4-clar-3", "c4-coor-1"]
    assert bank.attrs["module"] == "c4_flywheel" and bank.attrs["framework"] == "C4 Flywheel"
    assert bank.attrs["scale"]["labels"]["5"] == "Strongly agree"


def test_existing_score_functions_still_work():
    bank = load_bank("value_pyramid")
    scores = perceived_scores(bank, {"vp-acti-1": 5, "vp-acti-2": 3, "vp-acti-3": None, "vp-prog-1": 1})
    assert scores["mean"].tolist()[:2] == [4.0, 1.0]
    assert scores["answered"].tolist() == [2, 1, 0]
    assert scores["dont_know"].tolist() == [1, 0, 0] and scores["skipped"].tolist() == [0, 2, 3]
    assert scores["perceived"].tolist()[:2] == [75.0, 0.0] and pd.isna(scores["perceived"].iloc[2])
    assert to_score(3) == 50.0 and to_score(None) is None


def test_bank_template_writes_a_translatable_copy(tmp_path):
    path = bank_template("c4_flywheel", tmp_path / "c4_fr.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "Keep every 'id' and 'element' unchanged" in doc["instructions"]
    doc["statements"][0]["text"] = "Nous savons ce qu\u2019est chaque tâche et pourquoi elle compte."
    doc["scale"]["labels"]["5"] = "Tout à fait d'accord"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bank = validate_bank(path)
    assert bank.loc[0, ["id", "element"]].tolist() == ["c4-clar-1", "Clarity"]
    assert bank.loc[0, "text"].startswith("Nous savons")
    assert bank.attrs["scale"]["labels"]["5"] == "Tout à fait d'accord"
    with pytest.raises(OptionError, match="already exists"):
        bank_template("c4_flywheel", path)
    with pytest.raises(OptionError, match="ending in .json"):
        bank_template("c4_flywheel", tmp_path / "c4.txt")


def _edited(tmp_path, change) -> str:
    doc = json.loads(bank_template("c4_flywheel", tmp_path / "bank.json").read_text(encoding="utf-8"))
    change(doc["statements"])
    path = tmp_path / "bank.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("change, where, found", [
    (lambda s: s[1].update(id="c4-clar-1"), "statement 2", "id 'c4-clar-1' again (first used by statement 1)"),
    (lambda s: s.__delitem__(slice(9, 12)), "element 'Collaboration'", "no statements (the element is missing)"),
    (lambda s: s.__delitem__(2), "element 'Clarity'", "found 2 statements"),
    (lambda s: s.extend([dict(s[0], id=f"c4-clar-{n}") for n in (4, 5, 6)]), "element 'Clarity'",
     "found 6 statements"),
    (lambda s: s[0].update(element="Clarté"), "element 'Clarté'", "an element name the framework does not have"),
    (lambda s: s[4].update(text=" "), "statement 5 ('c4-coor-2')", "text=' '"),
])
def test_validate_bank_names_the_file_and_the_problem(tmp_path, change, where, found):
    path = _edited(tmp_path, change)
    with pytest.raises(AssessmentFileError) as info:
        validate_bank(path)
    message = str(info.value)
    assert message.startswith(f"{path}, {where}: ")
    assert found in message and "Next step:" in message


def test_validate_bank_reports_broken_json_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"module": "c4_flywheel",\n "statements": [\n {"id": "x" "element": "Clarity"}]}',
                    encoding="utf-8")
    with pytest.raises(AssessmentFileError, match=r"broken\.json, line 3, column 13: found invalid JSON"):
        validate_bank(path)
    (tmp_path / "empty.json").write_text('{"module": "c4_flywheel"}', encoding="utf-8")
    with pytest.raises(AssessmentFileError, match="no 'statements' list"):
        load_bank(tmp_path / "empty.json")
    with pytest.raises(OptionError, match="expected one of"):
        validate_bank("c4")


# --- the group's answers -------------------------------------------------------------------------------------

def _c4(name, clarity, coordination, completion, collaboration, team=None):
    ids = load_bank("c4_flywheel")["id"].tolist()
    answers = dict(zip(ids, [*clarity, *coordination, *completion, *collaboration]))
    return Response(name, "c4_flywheel", {k: v for k, v in answers.items() if v != "skip"}, STAMP, team)


@pytest.fixture
def group() -> pd.DataFrame:
    return responses_frame([
        _c4("Ana", [4, 5, None], [None] * 3, [3, 3, 3], [1, 1, 1]),
        _c4("Ben", [2, 4, 4], [None] * 3, [3, 3, 3], [5, 5, 5]),
        _c4("Cy", [5, 5, 5], [None] * 3, [3, 3, 3], ["skip"] * 3),
    ])


def test_aggregate_numbers_worked_out_by_hand(group):
    out = aggregate(group)
    assert out.index.tolist() == ["Clarity", "Coordination", "Completion", "Collaboration"]
    clarity = out.loc["Clarity"]
    # answers 4 5 2 4 4 5 5 5: mean 34/8, squared deviations sum 7.5 -> sd sqrt(7.5/8); median 4.5, 2 is the outlier
    assert clarity["mean"] == 4.25 and clarity["perceived"] == 81.25
    assert math.isclose(clarity["spread"], math.sqrt(0.9375))
    assert clarity["agreement"] == 0.875
    assert (clarity["count"], clarity["dont_know"], clarity["skipped"], clarity["participants"]) == (8, 1, 0, 3)
    coordination = out.loc["Coordination"]
    assert pd.isna(coordination["mean"]) and pd.isna(coordination["spread"]) and pd.isna(coordination["perceived"])
    assert (coordination["count"], coordination["dont_know"]) == (0, 9)
    assert out.loc["Completion", ["mean", "spread", "agreement", "perceived"]].tolist() == [3.0, 0.0, 1.0, 50.0]
    # 1 1 1 5 5 5: median 3, every answer 2 away; Cy skipped the element entirely
    assert out.loc["Collaboration", ["mean", "spread", "agreement"]].tolist() == [3.0, 2.0, 0.0]
    assert out.loc["Collaboration", ["participants", "count", "dont_know", "skipped"]].tolist() == [2, 6, 0, 3]
    assert str(out["mean"].dtype) == "Float64" and str(out["count"].dtype) == "Int64"


def test_aggregate_needs_one_framework(group):
    other = responses_frame([Response("Dee", "value_pyramid", {"vp-acti-1": 2}, STAMP)])
    mixed = pd.concat([group, other], ignore_index=True)
    with pytest.raises(OptionError, match=r"\['c4_flywheel', 'value_pyramid'\] frameworks"):
        aggregate(mixed)
    assert aggregate(mixed, framework="value_pyramid").loc["Activities", "mean"] == 2.0
    with pytest.raises(SchemaError, match=r"lacks columns \['answer'\]"):
        aggregate(group.drop(columns="answer"))


def _diagnosis(scores, framework="C4 Flywheel"):
    summary = pd.DataFrame({"score": pd.array(scores, dtype="Float64")},
                           index=["Clarity", "Coordination", "Completion", "Collaboration"])
    return SimpleNamespace(framework=framework, summary=summary)


def test_group_gap_orders_by_gap_and_adds_the_groups_own_split(group):
    gap = group_gap(_diagnosis([60.0, 40.0, 45.0, 70.0]), group)
    # 81.25 - 60 = 21.25 (shown 21.2), 50 - 70 = -20, 50 - 45 = 5; Coordination has no perceived score
    assert gap["element"].tolist() == ["Clarity", "Collaboration", "Completion", "Coordination"]
    assert gap["gap"].tolist()[:3] == [21.2, -20.0, 5.0]
    assert pd.isna(gap["gap"].iloc[3])
    row = gap.set_index("element").loc["Collaboration"]
    assert row["prompt"].startswith("The data shows Collaboration better than we feel it")
    assert "We also disagree among ourselves (only 0% of answers near the middle, spread 2.0)" in row["prompt"]
    assert row["prompt"].endswith("hear the highest and lowest answers first. (6 of 9 answered.)")  # Cy skipped
    # Measured at 40 but answered only "don't know": never "the export cannot measure Coordination".
    assert gap.set_index("element").loc["Coordination", "prompt"] == (
        "Nobody could rate Coordination (every answer was \"don't know\"); the data scores it 40. 9 of 9 answers "
        "are \"don't know\": who would know?")
    assert gap.columns.tolist() == ["element", "perceived", "measured", "gap", "prompt", "mean", "spread",
                                    "agreement", "count", "dont_know", "skipped"]
    # The same numbers as perception_gap on the group mean.
    plain = perception_gap(_diagnosis([60.0, 40.0, 45.0, 70.0]), aggregate(group))
    assert plain["gap"].tolist()[:3] == gap["gap"].tolist()[:3]


def test_group_gap_refuses_another_frameworks_diagnosis(group):
    with pytest.raises(WorkfwError, match="the diagnosis is for Work Value Pyramid, the answers for C4 Flywheel"):
        group_gap(_diagnosis([1, 2, 3, 4], framework="Work Value Pyramid"), group)


def test_spread_figure_marks_the_mean_and_escapes_names():
    frame = responses_frame([
        _c4("<b>Eve</b>", [4, 4, 4], [2, 2, 2], [None] * 3, [5, 5, 5]),
        _c4("Fay", [2, 2, 2], [2, 2, 2], [None] * 3, [5, 5, 5]),
    ])
    fig = spread_figure(frame)
    dots, mean = fig.data[:4], fig.data[4]
    assert [len(d.x) for d in dots] == [6, 6, 0, 6]
    assert list(mean.x) == [3.0, 2.0, 5.0] and list(mean.text) == ["3.0", "2.0", "5.0"]
    hover = " ".join(dots[0].hovertext)
    assert "&lt;b&gt;Eve&lt;/b&gt;" in hover and "<b>Eve" not in hover
    assert "answer 4 Agree" in hover
    assert fig.layout.yaxis.ticktext[2] == "Completion<br><sup>6 don't know</sup>"
    # three answers "2" by Fay on Clarity stack around the element's row
    clarity_y = sorted(y for x, y in zip(dots[0].x, dots[0].y) if x == 2)
    assert [round(y - 3, 2) for y in clarity_y] == [-0.09, 0.0, 0.09]
    hidden = spread_figure(frame, pseudonymise=True)
    names = " ".join(hidden.data[0].hovertext)
    assert "Participant 01" in names and "Participant 02" in names and "Eve" not in names and "Fay" not in names


# --- prompts that tell "not rated yet" from "the export cannot measure it" ---------------------------------------

def _covered(scores):
    """A C4 diagnosis whose coverage says why Completion and Collaboration cannot be measured."""
    diagnosis = _diagnosis(scores)
    diagnosis.coverage = pd.DataFrame([
        ("Clarity", "Why: linked to a goal", True, None),
        ("Completion", "When: on time", False, "the export has no 'due' field"),
        ("Completion", "resolved / created", False, "the export has no 'due' field; the export leaves 'created' "
                                                    "empty on every task"),
        ("Collaboration", "people per item", False, "the export has no status history"),
        ("Collaboration", "commented", False, "the export leaves 'comments' empty on every task"),
        ("Collaboration", "reporter is not owner", False, "the export leaves 'reporter' empty on every task"),
    ], columns=["element", "signal", "measurable", "reason"])
    return diagnosis


def test_prompts_before_anyone_answered_say_not_rated_and_name_what_the_export_lacks():
    gap = perception_gap(_covered([40.0, 55.0, None, None]), perceived_scores(load_bank("c4_flywheel"), {}))
    prompts = gap.set_index("element")["prompt"].to_dict()
    # no answers + measured
    assert prompts["Clarity"] == ("Clarity is not rated yet; the data scores it 40. Answer its statements to set our "
                                  "view beside the data.")
    # no answers + not measurable: the missing fields named, reasons naming a field first
    assert prompts["Completion"] == (
        "Completion is not rated yet, and the export cannot measure it: the export has no 'due' field; the export "
        "leaves 'created' empty on every task. Answer its statements: our view is the only reading of it here.")
    assert prompts["Collaboration"] == (
        "Collaboration is not rated yet, and the export cannot measure it: the export leaves 'comments' empty on "
        "every task; the export leaves 'reporter' empty on every task (and 1 more reason). Answer its statements: "
        "our view is the only reading of it here.")
    assert len(prompts) == 4 and all("cannot measure" not in prompts[e] for e in ("Clarity", "Coordination"))
    assert [gap_label(p, m) for p, m in zip(gap["perceived"], gap["measured"])] == [
        "not rated yet, data 40", "not rated yet, data 55", "not rated yet, not measurable",
        "not rated yet, not measurable"]


def test_prompts_once_answered_give_the_gap_or_name_what_the_export_lacks():
    bank = load_bank("c4_flywheel")
    answers = {sid: 4 for sid in bank["id"]}  # 75 everywhere
    gap = perception_gap(_covered([40.0, 70.0, None, None]), perceived_scores(bank, answers))
    prompts = gap.set_index("element")["prompt"].to_dict()
    # answers + measured
    assert prompts["Clarity"] == ("We rate Clarity higher than the data shows: what does the data miss, or what do "
                                  "we not see?")
    assert prompts["Coordination"] == "Perception and data agree on Coordination: is that where we want to be?"
    # answers + not measurable
    assert prompts["Completion"] == (
        "We rate Completion 75, but the export cannot measure it: the export has no 'due' field; the export leaves "
        "'created' empty on every task. What would show it?")
    assert gap["element"].tolist() == ["Clarity", "Coordination", "Completion", "Collaboration"]
    assert [gap_label(p, m) for p, m in zip(gap["perceived"], gap["measured"])] == [
        "gap +35", "gap +5", "rated 75, not measurable", "rated 75, not measurable"]
    # A diagnosis without a coverage table still says which case it is, just without the reason.
    plain = perception_gap(_diagnosis([40.0, 70.0, None, None]), perceived_scores(bank, answers))
    assert plain.set_index("element").loc["Completion", "prompt"] == (
        "We rate Completion 75, but the export cannot measure it. What would show it?")


def test_prompts_on_a_real_diagnosis_quote_its_coverage_reasons():
    from workfw.io import read_export
    from workfw.reporting import diagnose_all

    diagnosis = diagnose_all(read_export(FIXTURES / "github_gh_minimal.json"), frameworks=["c4_flywheel"])[
        "c4_flywheel"]
    reasons = unmeasurable_reasons(diagnosis)
    gap = perception_gap(diagnosis, perceived_scores(load_bank("c4_flywheel"), {})).set_index("element")
    scores = diagnosis.summary["score"]
    assert scores.notna().any() and scores.isna().any()  # both cases occur in this export
    for element, score in scores.items():
        prompt = gap.loc[element, "prompt"]
        if pd.isna(score):
            assert prompt.startswith(f"{element} is not rated yet, and the export cannot measure it: "
                                     f"{reasons[element][0]}")
        else:
            assert prompt.startswith(f"{element} is not rated yet; the data scores it {score:.0f}.")
            assert "cannot measure" not in prompt


# --- skipped is not "don't know" ----------------------------------------------------------------------------------

def test_a_participant_who_answered_4_of_12_is_not_reported_as_dont_know():
    # The facilitator's case: 4 of 12 answered, 8 skipped, nothing "don't know".
    ids = load_bank("c4_flywheel")["id"].tolist()
    frame = responses_frame([Response("Ana", "c4_flywheel", {ids[0]: 4, ids[1]: 5, ids[9]: 2, ids[10]: None},
                                      STAMP)])
    out = aggregate(frame)
    assert out[["count", "dont_know", "skipped"]].astype(int).values.tolist() == [[2, 0, 1], [0, 0, 3], [0, 0, 3],
                                                                                  [1, 1, 1]]
    gap = group_gap(_diagnosis([56.0, 71.0, 53.0, 47.0]), frame).set_index("element")
    assert gap.loc["Coordination", "prompt"] == (
        "Coordination is not rated yet; the data scores it 71. Answer its statements to set our view beside the "
        "data. (0 of 3 answered.)")
    assert gap.loc["Collaboration", "prompt"] == (
        "The data shows Collaboration better than we feel it: what makes it feel worse than it is? 1 of 2 answers "
        "are \"don't know\": who would know? (2 of 3 answered.)")
    assert "don't know" not in " ".join(gap.loc[["Clarity", "Coordination", "Completion"], "prompt"])
    fig = spread_figure(frame)
    assert list(fig.layout.yaxis.ticktext) == [
        "Clarity<br><sup>2 of 3 answered</sup>", "Coordination<br><sup>0 of 3 answered</sup>",
        "Completion<br><sup>0 of 3 answered</sup>", "Collaboration<br><sup>2 of 3 answered, 1 don't know</sup>"]
    assert "Clarity: mean 4.50, spread 0.50, 2 of 3 answered, 2 rated 1-5, 0 don't know" in fig.data[-1].hovertext[0]
