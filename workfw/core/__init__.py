"""The core every framework builds on: the filtered task table, per-task facts and the diagnosis model.

Everything a signal author needs is importable from here; the submodules say
where each piece lives, from the bottom up: :mod:`~workfw.core.severity` and
:mod:`~workfw.core.cache` (no core imports), :mod:`~workfw.core.options`,
:mod:`~workfw.core.rows`, :mod:`~workfw.core.lists`, :mod:`~workfw.core.fields`,
:mod:`~workfw.core.context`, :mod:`~workfw.core.facts`,
:mod:`~workfw.core.helpers`, :mod:`~workfw.core.links` and, on top,
:mod:`~workfw.core.diagnosis`.  Each imports only those before it.

How to write a signal
---------------------
A signal is a function ``compute(ctx) -> Measured`` over a :class:`Context`
(``ctx.tasks`` is the filtered canonical task table, ``ctx.events`` its
history, ``ctx.as_of`` the reference time and ``ctx.options`` the thresholds),
declared with a :class:`SignalSpec` in the framework's ``signals`` module::

    from workfw.core import Context, Measured, SignalSpec, has_value, in_category, share_of

    def _open_dated(ctx: Context) -> Measured:
        dated = has_value(ctx, "due")
        return share_of(ctx, dated, in_category(ctx, "todo", "in_progress"), healthy=True,
                        empty="no open tasks", finding="{bad} of {n} open tasks have no due date")

    SIGNALS = (SignalSpec("When", "open with date", ("status_category", "due"),
                          "Share of open tasks with a due date.", _open_dated),)

Rules that keep a diagnosis right and fast:

- Name the fields the signal cannot do without in ``required``: when the
  export leaves one empty, :func:`run_signals` makes the signal NA with the
  reason, and the function is not called.  Inside, raise
  :class:`NotMeasurable` with a plain reason for anything else the data cannot
  support (``ctx.require``, :func:`require_any`); never return a 0 for "no data".
- Read thresholds from ``ctx.options`` (:data:`DEFAULTS` and the framework's
  own) and name them in ``how``: :func:`run_signals` notes which options each
  signal reads and reruns only those whose options moved.  The context a
  signal gets is its own copy; do not change it or anything it holds.
- A share of tasks is a pool and a flag per task, both numpy arrays on
  ``ctx.tasks``: :func:`share_of` with :func:`has_value`, :func:`in_category`,
  :func:`stamped_before`... scores it and names the problem tasks.  Work a
  row-wise value out with :func:`per_row` (once per export, taken at each
  filter's rows) and a value of the whole table with :func:`cached` (once per
  table); never keep a value on ``id()`` alone.
- Set a finding's severity from its score with the scales of
  :mod:`~workfw.core.severity` (:func:`severity_of_score`,
  :func:`severity_of_share`); :func:`make_findings` spreads them.
"""
from __future__ import annotations

from workfw.core.cache import cached, cached_value
from workfw.core.context import CORE_COLUMNS, Context, Measured, NotMeasurable, member, prepare, reference_time
from workfw.core.diagnosis import (SIGNAL_COLUMNS, TOO_LITTLE, Diagnosis, SignalSpec, common_caveats, late_capture,
                                   make_findings, run_signals, summarise)
from workfw.core.facts import (days_to_as_of, every_task, has_value, id_strings, ids_at, in_category, share_measured,
                               share_of, stamped_at_or_after, stamped_before, started_or_created)
from workfw.core.fields import HISTORY, NO_HISTORY, field_gap
from workfw.core.helpers import (OPEN, column_codes, column_text, days_between, distinct_counts, id_column, large_text,
                                mostly_repeated, owned_flags, require_any, values_at)
from workfw.core.links import (GOAL_LABEL, GOAL_TYPES, Links, any_label, blocked_by_links, cached_goal_link_table,
                               goal_link_table, ids_of, in_words, label_match, link_arrays, parent_codes, per_value,
                               position_of, require_goal_links, type_words, value_flags)
from workfw.core.lists import flat_list, has_list, list_counts, list_sizes
from workfw.core.options import DEFAULTS, split_options
from workfw.core.rows import NAT, as_ns, gap_days, origin, per_row, selected_positions
from workfw.core.severity import (BY_BAD_SHARE, BY_LATE_CAPTURE, BY_SCORE, SEVERITIES, SeverityScale, milder,
                                  severity_of_score, severity_of_share, spread_severity)
from workfw.core.threads import PARALLEL_FROM_TASKS, side_by_side

__all__ = [
    # the diagnosis model
    "SignalSpec", "Measured", "NotMeasurable", "Diagnosis", "run_signals", "summarise", "make_findings",
    "common_caveats", "late_capture", "SIGNAL_COLUMNS", "TOO_LITTLE",
    # the filtered task table
    "Context", "prepare", "reference_time", "DEFAULTS", "split_options", "CORE_COLUMNS", "HISTORY", "NO_HISTORY",
    "field_gap", "per_row", "origin", "selected_positions", "cached", "cached_value", "member",
    # per-task facts and shares
    "NAT", "as_ns", "gap_days", "has_value", "every_task", "in_category", "stamped_before", "stamped_at_or_after",
    "days_to_as_of", "started_or_created", "id_strings", "ids_at", "share_of", "share_measured",
    # small helpers
    "OPEN", "days_between", "list_sizes", "has_list", "flat_list", "list_counts", "large_text", "mostly_repeated",
    "id_column", "owned_flags", "require_any", "distinct_counts", "column_text", "column_codes", "values_at",
    # goal and blocked-by links
    "GOAL_TYPES", "GOAL_LABEL", "Links", "link_arrays", "goal_link_table", "cached_goal_link_table",
    "require_goal_links", "parent_codes", "ids_of", "blocked_by_links", "any_label", "label_match", "type_words",
    "in_words", "per_value", "value_flags", "position_of",
    # work spread over cores
    "PARALLEL_FROM_TASKS", "side_by_side",
    # severity
    "SEVERITIES", "SeverityScale", "BY_SCORE", "BY_BAD_SHARE", "BY_LATE_CAPTURE", "severity_of_score",
    "severity_of_share", "milder", "spread_severity",
]
