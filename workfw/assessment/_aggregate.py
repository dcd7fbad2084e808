"""A group's answers per element, and the group's view set beside the data.

Definitions (per element, over every answer to its statements by every
participant, "don't know" and skipped statements left out):

* ``mean``: the mean answer, 1 to 5.
* ``spread``: the population standard deviation of those answers (0 when
  everyone gave the same answer; about 1.4 when answers are split between
  1 and 4).
* ``agreement``: the share of answers within 1 point of the median answer
  (1.0 when everyone sits within one step of the middle view; 0.5 means half
  the room is further away).  It reads like "how many of us roughly agree"
  and, unlike the spread, is not moved by one extreme answer.
* ``count`` / ``dont_know``: answers 1-5 given, and deliberate "don't know" answers.
* ``skipped``: statements nobody answered at all: every response to the
  framework is asked each of the element's statements, so this is responses
  x statements - ``count`` - ``dont_know`` (a survey form that left a
  statement out counts it as skipped too).  "N of M answered" reads
  ``count + dont_know`` of ``count + dont_know + skipped``.
* ``participants``: responses with any row for the element.
* ``perceived``: ``mean`` on the 0-100 scale (:func:`to_score`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workfw.errors import OptionError
from workfw.assessment._bank import FRAMEWORKS
from workfw.assessment._common import require_columns
from workfw.assessment._response import RESPONSE_COLUMNS, _Banks
from workfw.assessment._scores import perception_gap, to_score

__all__ = ["aggregate", "group_gap", "answered_text", "LOW_AGREEMENT", "MANY_DONT_KNOW"]

#: Below this agreement an element's prompt asks the group to discuss its own split.
LOW_AGREEMENT = 0.6
#: Above this share of "don't know" an element's prompt asks who would know.
MANY_DONT_KNOW = 0.3

_NEEDED = ("response", "framework", "statement_id", "element", "answer")


def select_framework(responses: pd.DataFrame, framework: str | None, caller: str) -> tuple[pd.DataFrame, str]:
    """Return the rows of one framework and its key; raise when that is ambiguous."""
    require_columns(responses, _NEEDED, caller=caller, table="answer table",
                    source="the answer table of load_responses, read_survey or read_codes",
                    expected=RESPONSE_COLUMNS, fix="build it with load_responses, read_survey or read_codes.")
    keys = sorted(responses["framework"].dropna().unique())
    if framework is None:
        if len(keys) != 1:
            raise OptionError(f"{caller}: the answers are for {keys or 'no'} frameworks; expected exactly one. "
                              f"Next step: pass framework=, one of {keys or list(FRAMEWORKS)}.")
        framework = str(keys[0])
    if framework not in FRAMEWORKS:
        raise OptionError(f"{caller}: framework={framework!r}; expected one of {list(FRAMEWORKS)}.")
    return responses[responses["framework"] == framework], framework


def aggregate(responses: pd.DataFrame, *, framework: str | None = None,
              bank: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Summarise a group's answers per element (definitions in this module's docstring).

    Parameters
    ----------
    responses : pandas.DataFrame
        The long answer table (``load_responses``, ``read_survey``, ``read_codes``).
    framework : str, optional
        Needed only when the table mixes frameworks.
    bank : DataFrame or path, optional
        An edited bank, for its element order.

    Returns
    -------
    pandas.DataFrame
        Indexed by element in bank order: ``mean``, ``spread``, ``agreement``,
        ``perceived`` (Float64, NA when nobody answered 1-5), ``count``,
        ``dont_know``, ``skipped``, ``participants`` (Int64).
    """
    rows, key = select_framework(responses, framework, "aggregate")
    statements = _Banks(bank)(key)
    order = list(dict.fromkeys(statements["element"]))
    per_element = statements["element"].value_counts()
    asked_of = rows["response"].nunique()
    records = []
    for element in order:
        part = rows[rows["element"] == element]
        answers = pd.to_numeric(part["answer"], errors="coerce").dropna().astype(float)
        mean = answers.mean() if len(answers) else pd.NA
        spread = answers.std(ddof=0) if len(answers) else pd.NA
        agreement = ((answers - answers.median()).abs() <= 1).mean() if len(answers) else pd.NA
        dont_know = int(part["answer"].isna().sum())
        skipped = max(0, asked_of * int(per_element[element]) - len(answers) - dont_know)
        records.append({"element": element, "mean": mean, "spread": spread, "agreement": agreement,
                        "perceived": to_score(None if mean is pd.NA else mean), "count": len(answers),
                        "dont_know": dont_know, "skipped": skipped, "participants": part["response"].nunique()})
    out = pd.DataFrame(records, columns=["element", "mean", "spread", "agreement", "perceived", "count", "dont_know",
                                         "skipped", "participants"]).set_index("element")
    for column in ("mean", "spread", "agreement", "perceived"):
        out[column] = pd.array(out[column].tolist(), dtype="Float64")
    for column in ("count", "dont_know", "skipped", "participants"):
        out[column] = out[column].astype("Int64")
    return out


def answered_text(count: int, dont_know: int, skipped: int) -> str:
    """``"4 of 6 answered"`` (``"don't know"`` counts as an answer, a skipped statement does not)."""
    answered = int(count) + int(dont_know)
    return f"{answered} of {answered + int(skipped)} answered"


def group_gap(diagnosis: Any, responses: pd.DataFrame, *, framework: str | None = None,
              bank: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """The group's perception gap: its mean view against the data, with its own spread, largest gaps first.

    Parameters
    ----------
    diagnosis : workfw.core.diagnosis.Diagnosis
        The measured reading of the same framework.
    responses : pandas.DataFrame
        The long answer table.
    framework, bank
        As :func:`aggregate`.

    Returns
    -------
    pandas.DataFrame
        :func:`perception_gap`'s ``element, perceived, measured, gap, prompt``
        plus ``mean, spread, agreement, count, dont_know, skipped``.  The
        prompt adds a line when agreement is below :data:`LOW_AGREEMENT`, when
        more than :data:`MANY_DONT_KNOW` of the answers are "don't know", and
        says "N of M answered" when statements were skipped.
    """
    rows, key = select_framework(responses, framework, "group_gap")
    if getattr(diagnosis, "framework", FRAMEWORKS[key]) != FRAMEWORKS[key]:
        raise OptionError(f"group_gap: the diagnosis is for {diagnosis.framework}, the answers for "
                          f"{FRAMEWORKS[key]}; expected the same framework. Next step: pass the "
                          f"{FRAMEWORKS[key]} diagnosis, or framework= to pick other answers.")
    summary = aggregate(rows, framework=key, bank=bank)
    gap = perception_gap(diagnosis, summary)
    extra = summary[["mean", "spread", "agreement", "count", "dont_know", "skipped"]]
    out = gap.join(extra, on="element")
    out["prompt"] = [_group_prompt(p, e, extra) for p, e in zip(out["prompt"], out["element"])]
    return out


def _group_prompt(prompt: str, element: str, summary: pd.DataFrame) -> str:
    if element not in summary.index:
        return prompt
    row = summary.loc[element]
    answered = int(row["count"]) + int(row["dont_know"])
    if pd.notna(row["agreement"]) and row["agreement"] < LOW_AGREEMENT:
        prompt += (f" We also disagree among ourselves (only {row['agreement']:.0%} of answers near the middle, "
                   f"spread {row['spread']:.1f}): hear the highest and lowest answers first.")
    if answered and row["dont_know"] / answered > MANY_DONT_KNOW:
        prompt += f" {int(row['dont_know'])} of {answered} answers are \"don't know\": who would know?"
    if int(row["skipped"]):
        prompt += f" ({answered_text(row['count'], row['dont_know'], row['skipped'])}.)"
    return prompt
