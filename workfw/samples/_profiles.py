"""How each sample team behaves: the knobs that make its designed pattern.

Platform is clear but slow, Growth leaves ownership and dates open, Support is
busy with work tied to no goal, and Data lets in-progress work go stale and
logs work after the fact.  ``data/README.md`` explains how each pattern shows
in the framework notebooks.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TeamProfile", "PROFILES", "SEED"]

#: The one seed of the sample organisation; change it only with a regeneration.
SEED = 20260105


@dataclass(frozen=True)
class TeamProfile:
    """Behaviour of one team.

    Shares are probabilities per task; day values are means or medians of the
    distributions the generator draws from.
    """

    n_tasks: int
    kinds: tuple[tuple[str, float], ...]
    parent_share: float          # tasks filed under an epic
    subtask_share: float         # stories broken into sub-tasks
    wait_days: float             # mean time in To Do before work starts
    cycle_days: float            # median time from start to done
    cycle_sigma: float           # spread (log-normal sigma) of the cycle time
    stall_share: float           # started tasks that never finish
    review_share: float          # tasks that pass through In Review
    cancel_share: float
    assign_at_create: float
    assign_at_start: float
    reassign_share: float
    due_share: float
    due_days: tuple[float, float]
    priority_share: float
    estimate_share: float
    comments_mean: float
    watchers_mean: float
    blocked_share: float
    late_share: float            # tasks logged after the fact (done within the hour)
    bot_share: float
    grooming: float              # open tasks older than 30 days touched again in the last 30 days
    stale_stalls: bool           # stalled work gets no update for 30-90 days
    keeps_posting: bool = False  # long-running work gets a comment every few weeks


PROFILES: dict[str, TeamProfile] = {
    "Platform": TeamProfile(
        n_tasks=400, kinds=(("Story", 0.55), ("Task", 0.25), ("Bug", 0.20)),
        parent_share=0.97, subtask_share=0.35, wait_days=8.0, cycle_days=20.0, cycle_sigma=0.8,
        stall_share=0.22, review_share=0.85, cancel_share=0.03, assign_at_create=0.85, assign_at_start=1.0,
        reassign_share=0.05, due_share=0.65, due_days=(25.0, 70.0), priority_share=1.0, estimate_share=0.96,
        comments_mean=1.5, watchers_mean=1.5, blocked_share=0.12, late_share=0.0, bot_share=0.06,
        grooming=0.85, stale_stalls=False, keeps_posting=True),
    "Growth": TeamProfile(
        n_tasks=500, kinds=(("Story", 0.45), ("Task", 0.35), ("Bug", 0.20)),
        parent_share=0.70, subtask_share=0.10, wait_days=18.0, cycle_days=4.0, cycle_sigma=0.9,
        stall_share=0.06, review_share=0.5, cancel_share=0.06, assign_at_create=0.2, assign_at_start=0.5,
        reassign_share=0.35, due_share=0.25, due_days=(3.0, 12.0), priority_share=0.5, estimate_share=0.5,
        comments_mean=1.5, watchers_mean=1.0, blocked_share=0.06, late_share=0.01, bot_share=0.05,
        grooming=0.75, stale_stalls=False),
    "Support": TeamProfile(
        n_tasks=800, kinds=(("Task", 0.40), ("Chore", 0.25), ("Meeting", 0.12), ("Bug", 0.23)),
        parent_share=0.12, subtask_share=0.0, wait_days=0.5, cycle_days=0.6, cycle_sigma=0.7,
        stall_share=0.02, review_share=0.1, cancel_share=0.04, assign_at_create=0.6, assign_at_start=0.97,
        reassign_share=0.10, due_share=0.3, due_days=(3.0, 14.0), priority_share=0.35, estimate_share=0.08,
        comments_mean=3.5, watchers_mean=0.5, blocked_share=0.03, late_share=0.015, bot_share=0.12,
        grooming=0.6, stale_stalls=False),
    "Data": TeamProfile(
        n_tasks=480, kinds=(("Task", 0.55), ("Story", 0.25), ("Bug", 0.20)),
        parent_share=0.55, subtask_share=0.10, wait_days=5.0, cycle_days=5.0, cycle_sigma=0.9,
        stall_share=0.2, review_share=0.3, cancel_share=0.03, assign_at_create=0.75, assign_at_start=1.0,
        reassign_share=0.05, due_share=0.35, due_days=(20.0, 75.0), priority_share=0.4, estimate_share=0.4,
        comments_mean=1.0, watchers_mean=0.8, blocked_share=0.10, late_share=0.28, bot_share=0.07,
        grooming=0.1, stale_stalls=True),
}
