"""Work Visibility internals: the level each task reaches, and the fit check (under-visible, over-exposed)."""
from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._stack_helpers import _large_text, _list_sizes
from ._pyramid_links import (_blocked_by_edges, _cached, _goal_links, _label_match, _per_value, _position_of,
                             _types)

__all__ = ["ELEMENTS"]

ELEMENTS: tuple[str, ...] = (
    "Private", "Personal System", "Team Visible", "Cross-functional Visible", "Organizational Visible",
)

_HIGH = frozenset({"highest", "high", "critical", "urgent", "blocker", "p0", "p1", "0", "1"})
_LOW = frozenset({"low", "lowest", "minor", "trivial", "p3", "p4", "p5", "4"})
_CHORE_TYPES = frozenset({"chore", "task", "sub task", "subtask", "meeting", "admin", "maintenance", "housekeeping"})
_CHORE_LABEL = r"(?i)^(?:chore|maintenance|housekeeping|meeting|admin)s?$"
_KEY_PREFIX = r"^([A-Za-z][A-Za-z0-9_]*)-\d+$"
_OPEN = ("todo", "in_progress")


def _priority_in(tasks: pd.DataFrame, words: frozenset[str]) -> np.ndarray:
    """True where the priority (or its first word: ``P1 - Critical``) is one of ``words``."""
    def match(values: pd.Series) -> pd.Series:
        text = values.str.lower().str.strip()
        return text.isin(words) | text.str.extract(r"^([a-z0-9]+)", expand=False).isin(words)

    return _per_value(tasks["priority"], match).fillna(False).astype(bool).to_numpy()


def _people_count(tasks: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """Distinct people named on each task: reporter, assignee(s) and history authors."""
    n = len(tasks)
    rows = [np.arange(n), np.arange(n)]
    # Names stay in pyarrow (stripped, lower-cased, coded there): a million tasks name three million people.
    names = [_large_text(tasks[col]) for col in ("reporter", "assignee")]
    lengths = _list_sizes(tasks["assignees"])
    if lengths.any():
        rows.append(np.repeat(np.arange(n), lengths))
        names.append(pa.array(list(chain.from_iterable(tasks["assignees"].to_numpy(dtype=object)[lengths > 0])),
                              type=pa.large_string()))
    if not events.empty and events["author"].notna().any():
        authors = events.dropna(subset=["author"])
        where = _position_of(tasks, authors["task_id"].to_numpy(dtype=object))
        rows.append(where[where >= 0])
        names.append(_large_text(authors["author"][where >= 0]))
    row = np.concatenate(rows)
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pa.chunked_array(names, type=pa.large_string()).combine_chunks()))
    coded = pc.dictionary_encode(text)
    codes = pc.fill_null(coded.indices, -1).to_numpy().astype(np.int64)
    named = codes >= 0
    # Each (row, person) pair once, as one integer per pair: sorting integers beats deduplicating a frame.
    width = len(coded.dictionary) + 1
    pairs = np.unique(row[named] * width + codes[named])
    return np.bincount(pairs // width, minlength=n)


def _unit(tasks: pd.DataFrame) -> pd.Series:
    return tasks["team"].fillna(tasks["project"])


def _dependency_edges(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per blocked-by link: ``src`` waits on ``dst`` (row, -1 outside); ``cross`` across teams."""
    src, dst_id = _blocked_by_edges(tasks)
    frame = pd.DataFrame({"src": src, "dst_id": dst_id, "dst": _position_of(tasks, dst_id) if len(src) else src})
    if frame.empty:
        return frame.assign(cross=np.array([], dtype=bool))
    unit = _unit(tasks).to_numpy(dtype=object, na_value=None)
    known = frame["dst"].to_numpy() >= 0
    src_unit = unit[src]
    dst_unit = unit[np.where(known, frame["dst"].to_numpy(), 0)]
    same_table = known & pd.notna(src_unit) & pd.notna(dst_unit) & (src_unit != dst_unit)
    # A target outside the export is cross-project when its key prefix differs (ABC-1 waits on XYZ-9).
    src_prefix = _key_prefix(_large_text(tasks["task_id"]).take(pa.array(src, type=pa.int64())))
    dst_prefix = _key_prefix(pa.array(np.asarray(dst_id, dtype=object), type=pa.large_string(), from_pandas=True))
    outside = ~known & pd.notna(src_prefix) & pd.notna(dst_prefix) & (src_prefix != dst_prefix)
    frame["cross"] = np.asarray(same_table | outside, dtype=bool)
    return frame


def _key_prefix(ids: pa.Array) -> np.ndarray:
    """The project prefix of each issue key (``ABC`` of ``ABC-12``), None where an id is not a key."""
    named = _KEY_PREFIX.replace("^(", "^(?P<prefix>", 1)
    return pc.struct_field(pc.extract_regex(ids, named), "prefix").to_numpy(zero_copy_only=False)


def _reporter_elsewhere(tasks: pd.DataFrame) -> pd.Series:
    """True when the reporter mostly works (is assigned) in another team than the task's."""
    unit = _unit(tasks)
    pairs = pd.DataFrame({"person": tasks["assignee"], "unit": unit}).dropna()
    if pairs.empty:
        return pd.Series(False, index=tasks.index)
    counts = pairs.value_counts().reset_index(name="n").sort_values(["person", "n", "unit"],
                                                                   ascending=[True, False, True], kind="stable")
    home = counts.drop_duplicates("person").set_index("person")["unit"]
    reporter_home = tasks["reporter"].map(home)
    return (reporter_home.notna() & unit.notna() & (reporter_home != unit)).fillna(False).astype(bool)


def _levels_frame(tasks: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp, stale_days: int) -> pd.DataFrame:
    n = len(tasks)
    category = tasks["status_category"].astype(object)
    is_open = category.isin(_OPEN).to_numpy()
    owner = tasks["assignee"].notna().to_numpy() | (_list_sizes(tasks["assignees"]) > 0)
    owners_known = bool(owner.any())
    if not owners_known:
        owner = np.ones(n, dtype=bool)  # an export without assignees cannot show ownership; a caveat says so
    shared = (tasks["team"].notna() | tasks["project"].notna()).to_numpy()
    has_status = category.notna().to_numpy()
    dated = tasks["updated"].fillna(tasks["created"])
    if dated.isna().all():
        fresh = np.ones(n, dtype=bool)  # freshness cannot be judged; a caveat says so
    else:
        recent = (dated >= as_of - pd.Timedelta(days=stale_days)).fillna(False).astype(bool).to_numpy()
        fresh = ~is_open | recent
    # Without any assignee, "only one person touched it" cannot be told from "nobody recorded the owner".
    solo = owners_known & (_people_count(tasks, events) <= 1) & (tasks["comments"].fillna(0) == 0).to_numpy() & (
        tasks["watchers"].fillna(0) <= 1).to_numpy()
    team_ok = shared & owner & has_status & fresh

    edges = _cached(tasks, "edges", _dependency_edges)
    cross_edges = edges[edges["cross"]]
    waits_on_other = np.zeros(n, dtype=bool)
    waits_on_other[cross_edges["src"].to_numpy()] = True
    others_wait = np.zeros(n, dtype=bool)
    others_wait[cross_edges.loc[cross_edges["dst"] >= 0, "dst"].to_numpy()] = True
    reporter_other = _reporter_elsewhere(tasks).to_numpy()
    links = _cached(tasks, "links", _goal_links)
    is_goal = links["is_goal"].to_numpy()
    rolls = links["rolls_up"].to_numpy()

    stale_text = f"stale: open and not updated for over {stale_days} days"
    conditions = [
        team_ok & is_goal, team_ok & rolls, team_ok & waits_on_other, team_ok & others_wait,
        team_ok & reporter_other, team_ok, solo & ~shared, ~shared, ~owner, ~fresh, ~has_status,
    ]
    ranks = [5, 5, 4, 4, 4, 3, 2, 2, 2, 2, 2]
    epic_text = links["epic_id"].fillna("a goal").to_numpy(dtype=object)
    reasons = [
        "is an epic, milestone or goal item", "rolls up to " + epic_text, "depends on another team's item",
        "another team's item depends on it", "reported from another team", "shared project, owner and current status",
        "one person only, in no shared project or team", "in no shared project or team", "no owner", stale_text,
        "no status",
    ]
    rank = np.select(conditions, ranks, default=2)
    reason = np.select(conditions, [np.broadcast_to(np.asarray(r, dtype=object), n) for r in reasons],
                       default="personal system")

    blocks_others = np.zeros(n, dtype=bool)
    if len(edges):
        waiting = edges.loc[is_open[edges["src"].to_numpy()] & (edges["dst"] >= 0).to_numpy(), "dst"]
        blocks_others[waiting.to_numpy()] = True
    high = _priority_in(tasks, _HIGH)
    low = _priority_in(tasks, _LOW)
    chore = (_types(tasks).isin(_CHORE_TYPES).fillna(False).astype(bool)
             | _label_match(tasks, _CHORE_LABEL)).to_numpy()
    return pd.DataFrame({
        "task_id": tasks["task_id"].to_numpy(),
        "level": pd.Categorical.from_codes(rank - 1, categories=list(ELEMENTS)),
        "reason": pd.array(reason, dtype="string"),
        "under_visible": is_open & (high | blocks_others) & (rank <= 3),
        "over_exposed": is_open & (rank == 5) & low & chore & ~is_goal,
        # Kept for the Personal System signal; visibility_levels drops the private columns.
        "_personal_rule": solo | ~shared,
    })
