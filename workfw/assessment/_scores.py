"""Scores from answers: one person's or a group's mean, and the gap to the measured scores.

Every element gets a discussion prompt, and the prompt says which of four
cases it is in: rated and measured (the gap), rated but not measurable (the
export's missing field named), measured but not rated yet, or neither.
"Not rated yet" and "the export cannot measure it" are never confused: the
first is about the answers, the second about the data.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from workfw.errors import OptionError

__all__ = ["to_score", "perceived_scores", "perception_gap", "unmeasurable_reasons", "gap_label"]

#: A gap of this many points (0-100) or more reads as "we see it differently from the data".
GAP_THRESHOLD = 15
_MAX_REASONS = 2


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
        Statement id -> answer 1-5, or ``None`` for "don't know"; a statement
        left out was skipped.

    Returns
    -------
    pandas.DataFrame
        Indexed by element (bank order): ``mean`` (1-5), ``answered`` (answers
        1-5), ``dont_know``, ``skipped``, ``perceived`` (0-100, NA when no
        statement of the element was answered 1-5).
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
    given = bank["id"].isin(list(answers))
    frame = bank.assign(answer=pd.to_numeric(values, errors="coerce"), dont_know=given & values.isna(),
                        skipped=~given)
    order = list(dict.fromkeys(bank["element"]))
    grouped = frame.groupby("element", sort=False)
    out = pd.DataFrame({"mean": grouped["answer"].mean(), "answered": grouped["answer"].count(),
                        "dont_know": grouped["dont_know"].sum(), "skipped": grouped["skipped"].sum()}).reindex(order)
    out["perceived"] = out["mean"].map(to_score).astype("Float64")
    out.index.name = "element"
    return out


def unmeasurable_reasons(diagnosis: Any) -> dict[str, list[str]]:
    """Why the export cannot measure each element that has no score, from the diagnosis' coverage table.

    Parameters
    ----------
    diagnosis : workfw.core.diagnosis.Diagnosis
        Needs ``summary["score"]``; ``coverage`` (element, signal, measurable,
        reason) supplies the reasons.

    Returns
    -------
    dict
        Element -> distinct reasons, those naming a field of the export
        (``"the export has no 'due' field"``) first; an empty list when the
        diagnosis gives none.  Only elements without a score are listed.
    """
    scores = diagnosis.summary["score"]
    coverage = getattr(diagnosis, "coverage", None)
    out: dict[str, list[str]] = {}
    for element in scores.index[scores.isna()]:
        reasons: list[str] = []
        if isinstance(coverage, pd.DataFrame) and {"element", "measurable", "reason"} <= set(coverage.columns):
            rows = coverage[(coverage["element"] == element) & ~coverage["measurable"].astype(bool)]
            for reason in rows["reason"].dropna():
                # A signal may need several fields; its reason joins one clause per field with "; ".
                reasons += [part.strip() for part in str(reason).split(";") if part.strip()]
        distinct = list(dict.fromkeys(reasons))
        out[str(element)] = sorted(distinct, key=lambda r: "'" not in r)
    return out


def perception_gap(diagnosis: Any, perceived: pd.DataFrame) -> pd.DataFrame:
    """Set perceived scores beside measured ones, largest gaps first, with a prompt for every element.

    Parameters
    ----------
    diagnosis : workfw.core.diagnosis.Diagnosis
        The measured reading of the same framework; its ``coverage`` table
        names what the export lacks for an element it cannot measure.
    perceived : pandas.DataFrame
        From :func:`perceived_scores` or :func:`aggregate` (needs a
        ``perceived`` column indexed by element; a ``dont_know`` column
        changes the prompt of an element only answered "don't know").

    Returns
    -------
    pandas.DataFrame
        ``element, perceived, measured, gap`` (perceived - measured) and a
        discussion ``prompt``; elements without both scores have NA gaps and
        sort last, in the framework's order.
    """
    measured = diagnosis.summary["score"]
    reasons = unmeasurable_reasons(diagnosis)
    dont_know = (perceived["dont_know"] if "dont_know" in perceived.columns
                 else pd.Series(0, index=perceived.index)).reindex(measured.index).fillna(0)
    frame = pd.DataFrame({"perceived": perceived["perceived"].reindex(measured.index).astype("Float64"),
                          "measured": measured.astype("Float64")})
    frame["gap"] = (frame["perceived"] - frame["measured"]).round(1)
    frame.index.name = "element"
    frame = frame.reset_index()
    frame["prompt"] = [_prompt(e, p, m, reasons.get(e, []), int(dont_know[e]))
                       for e, p, m in zip(frame["element"], frame["perceived"], frame["measured"])]
    order = frame["gap"].abs().fillna(-1).sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def gap_label(perceived: Any, measured: Any) -> str:
    """A few words beside an element's name saying which of the four cases it is in.

    Parameters
    ----------
    perceived, measured : float or NA
        The element's perceived and measured scores (0-100).

    Returns
    -------
    str
        ``"gap +21"``, ``"not rated yet, data 40"``, ``"rated 75, not
        measurable"`` or ``"not rated yet, not measurable"``.
    """
    if pd.isna(perceived):
        return "not rated yet, " + ("not measurable" if pd.isna(measured) else f"data {measured:.0f}")
    if pd.isna(measured):
        return f"rated {perceived:.0f}, not measurable"
    return f"gap {round(float(perceived - measured), 1):+.0f}"


def _cannot_measure(reasons: list[str]) -> str:
    if not reasons:
        return "the export cannot measure it"
    more = len(reasons) - _MAX_REASONS
    extra = f" (and {more} more reason{'' if more == 1 else 's'})" if more > 0 else ""
    return f"the export cannot measure it: {'; '.join(reasons[:_MAX_REASONS])}{extra}"


def _prompt(element: str, perceived: Any, measured: Any, reasons: list[str], dont_know: int) -> str:
    if pd.isna(perceived):
        head = (f"Nobody could rate {element} (every answer was \"don't know\")" if dont_know
                else f"{element} is not rated yet")
        if pd.isna(measured):
            tail = "" if dont_know else " Answer its statements: our view is the only reading of it here."
            return f"{head}, and {_cannot_measure(reasons)}.{tail}"
        tail = "" if dont_know else " Answer its statements to set our view beside the data."
        return f"{head}; the data scores it {measured:.0f}.{tail}"
    if pd.isna(measured):
        return f"We rate {element} {perceived:.0f}, but {_cannot_measure(reasons)}. What would show it?"
    gap = round(float(perceived - measured), 1)  # the gap as the table shows it decides the wording
    if gap >= GAP_THRESHOLD:
        return f"We rate {element} higher than the data shows: what does the data miss, or what do we not see?"
    if gap <= -GAP_THRESHOLD:
        return f"The data shows {element} better than we feel it: what makes it feel worse than it is?"
    return f"Perception and data agree on {element}: is that where we want to be?"
