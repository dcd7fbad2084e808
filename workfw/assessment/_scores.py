"""Scores from answers: one person's or a group's mean, and the gap to the measured scores."""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ..errors import OptionError

__all__ = ["to_score", "perceived_scores", "perception_gap"]


def to_score(mean_answer: float | None) -> float | None:
    """Map a mean answer on the 1-5 scale to 0-100 (1 -> 0, 3 -> 50, 5 -> 100)."""
    if mean_answer is None or pd.isna(mean_answer):
        return None
    return (float(mean_answer) - 1.0) / 4.0 * 100.0


def perceived_scores(bank: pd.DataFrame, answers: Mapping[str, Any]) -> pd.DataFrame:
    """Score one person's (or a group's mean) answers per element.

    Parameters
    ----------
    bank : pandas.DataFrame
        From :func:`load_bank`.
    answers : mapping
        Statement id -> answer 1-5, or ``None`` for "don't know".

    Returns
    -------
    pandas.DataFrame
        Indexed by element (bank order): ``mean`` (1-5), ``answered``,
        ``perceived`` (0-100, NA when nobody answered).
    """
    unknown = sorted(set(answers) - set(bank["id"]))
    if unknown:
        raise OptionError(f"answers name unknown statements {unknown[:5]}; expected ids from the bank such as "
                          f"{bank['id'].tolist()[:3]}. Next step: answer with the ids of load_bank(...).")
    values = bank["id"].map(lambda i: answers.get(i))
    bad = [v for v in values.dropna() if not (isinstance(v, (int, float)) and 1 <= v <= 5)]
    if bad:
        raise OptionError(f"answers hold {bad[:3]}; expected numbers from 1 to 5 or None for \"don't know\". "
                          "Next step: correct those answers.")
    frame = bank.assign(answer=pd.to_numeric(values, errors="coerce"))
    order = list(dict.fromkeys(bank["element"]))
    grouped = frame.groupby("element", sort=False)["answer"]
    out = pd.DataFrame({"mean": grouped.mean(), "answered": grouped.count()}).reindex(order)
    out["perceived"] = out["mean"].map(to_score).astype("Float64")
    out.index.name = "element"
    return out


def perception_gap(diagnosis: Any, perceived: pd.DataFrame) -> pd.DataFrame:
    """Set perceived scores beside measured ones, largest gaps first.

    Parameters
    ----------
    diagnosis : workfw.diagnosis.Diagnosis
        The measured reading of the same framework.
    perceived : pandas.DataFrame
        From :func:`perceived_scores` (needs a ``perceived`` column indexed by element).

    Returns
    -------
    pandas.DataFrame
        ``element, perceived, measured, gap`` (perceived - measured) and a
        discussion ``prompt``; elements the data cannot measure have NA gaps
        and sort last.
    """
    measured = diagnosis.summary["score"]
    frame = pd.DataFrame({"perceived": perceived["perceived"].reindex(measured.index).astype("Float64"),
                          "measured": measured.astype("Float64")})
    frame["gap"] = (frame["perceived"] - frame["measured"]).round(1)
    frame.index.name = "element"
    frame = frame.reset_index()
    frame["prompt"] = [_prompt(e, g) for e, g in zip(frame["element"], frame["gap"])]
    order = frame["gap"].abs().fillna(-1).sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _prompt(element: str, gap: Any) -> str:
    if pd.isna(gap):
        return f"The export cannot measure {element}; what would show it?"
    if gap >= 15:
        return f"We rate {element} higher than the data shows: what does the data miss, or what do we not see?"
    if gap <= -15:
        return f"The data shows {element} better than we feel it: what makes it feel worse than it is?"
    return f"Perception and data agree on {element}: is that where we want to be?"
