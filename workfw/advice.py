"""What to try next for each weak element: short, concrete experiments in plain words."""
from __future__ import annotations

import pandas as pd

from workfw.core.diagnosis import Diagnosis

__all__ = ["NEXT_STEPS", "next_steps"]

#: Element -> experiments to try, most direct first.  Written for a team lead
#: who can change how their own team works next week.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "Clarity": ("Write one sentence of purpose and a short 'done when' list on every item before it moves to in progress.",
                "Link each item to the epic or goal it serves; if none fits, ask whether it should be done at all."),
    "Coordination": ("Give every open item exactly one owner in the tool; review unowned items at the weekly planning.",
                     "Put a date or sprint on committed work and record blockers as links, not in chat."),
    "Completion": ("Close each epic or goal with one line on the outcome it reached, and stop the ones nobody can name "
                   "an outcome for.",
                   "Set a WIP limit and finish before starting (size it with the what-if below): fewer things at once "
                   "reach their goal sooner."),
    "Collaboration": ("Pair on the oldest in-progress items; ask for help in the item's comments so others can join.",
                      "Run a short retrospective on one recent handoff that went wrong."),
    "Why": ("Name the outcome each epic serves and write it in the epic's description ('so that ...').",
            "Stop or park items that no one can tie to an outcome."),
    "What": ("Add acceptance criteria or a checklist to items before work starts.",
             "Estimate roughly (S/M/L) so scope surprises show up early."),
    "Who": ("Assign an accountable owner to each open item; unassign people who left or moved on.",
            "Agree who decides when owners disagree, and write it in the team's working agreement."),
    "When": ("Give committed items a realistic due date or sprint; remove dates nobody believes.",
             "Flag slipping dates in the item as soon as they slip, not at the deadline."),
    "How": ("Keep statuses current: a 10-minute board walk, oldest items first, twice a week.",
            "Record dependencies as links so blocked work is visible to everyone."),
    "Activities": ("List recurring activity that ties to no goal and decide, item by item, to keep, automate or drop it.",
                   "Judge the week by goals moved, not tasks closed."),
    "Progress": ("Tie active work to a named goal or milestone; show goal progress in the weekly review.",
                 "Break stuck epics into smaller outcomes that can finish within a month."),
    "Outcomes": ("For each finished epic, write down what changed for users or customers and how you know.",
                 "Close epics explicitly when their outcome is reached, instead of letting them fade."),
    "Private": ("Capture requests from chat, email and hallway as items when they arrive, not after they are done.",
                "Make logging quick: a template or a shortcut for small items."),
    "Personal System": ("Move work from personal lists into the shared board as soon as anyone else depends on it.",),
    "Team Visible": ("Update status where the work happens, and retire status meetings that only collect it.",),
    "Cross-functional Visible": ("Link dependencies on both teams' items so each side sees the other's state.",),
    "Organizational Visible": ("Connect major work to organisational goals so leaders read progress from the system.",
                               "Keep trivial chores off organisation-wide views: visibility should fit the audience."),
}


def next_steps(diagnosis: Diagnosis, *, weak_below: float = 60.0) -> pd.DataFrame:
    """Experiments for the elements scoring below ``weak_below`` (and those the data cannot measure).

    Parameters
    ----------
    diagnosis : Diagnosis
        A framework's diagnosis.
    weak_below : float
        Score under which an element counts as weak.

    Returns
    -------
    pandas.DataFrame
        ``element, score, why, try_next``: weakest first, unmeasurable elements last.
    """
    rows = []
    for element, score in diagnosis.summary["score"].items():
        if pd.isna(score):
            why = "not measurable from this export: use the self-assessment"
        elif score < weak_below:
            why = f"score {score:.0f} is below {weak_below:.0f}"
        else:
            continue
        for step in NEXT_STEPS.get(element, ()):
            rows.append((element, score, why, step))
    frame = pd.DataFrame(rows, columns=["element", "score", "why", "try_next"])
    order = frame["score"].astype("Float64").fillna(1000).sort_values(kind="stable").index
    return frame.loc[order].reset_index(drop=True)
