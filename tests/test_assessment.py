"""Statement banks, per-person scores, and the group's answers summarised and set beside the data."""
from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from workfw.assessment import (FRAMEWORKS, AssessmentFileError, Response, aggregate, bank_template, group_gap,
                               load_bank, perceived_scores, perception_gap, responses_frame, spread_figure,
                               to_score, validate_bank)
from workfw.errors import OptionError, SchemaError, WorkfwError

STAMP = "2024-03-05T09:00:00Z"


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
    assert (clarity["count"], clarity["dont_know"], clarity["participants"]) == (8, 1, 3)
    coordination = out.loc["Coordination"]
    assert pd.isna(coordination["mean"]) and pd.isna(coordination["spread"]) and pd.isna(coordination["perceived"])
    assert (coordination["count"], coordination["dont_know"]) == (0, 9)
    assert out.loc["Completion", ["mean", "spread", "agreement", "perceived"]].tolist() == [3.0, 0.0, 1.0, 50.0]
    # 1 1 1 5 5 5: median 3, every answer 2 away; Cy skipped the element entirely
    assert out.loc["Collaboration", ["mean", "spread", "agreement"]].tolist() == [3.0, 2.0, 0.0]
    assert out.loc["Collaboration", "participants"] == 2
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
    assert gap.set_index("element").loc["Coordination", "prompt"] == (
        "The export cannot measure Coordination; what would show it? 9 of 9 answers are \"don't know\": "
        "who would know?")
    assert gap.columns.tolist() == ["element", "perceived", "measured", "gap", "prompt", "mean", "spread",
                                    "agreement", "count", "dont_know"]
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
