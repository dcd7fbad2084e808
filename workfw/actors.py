"""Telling people from bots and AI agents among a tracker's actors.

Hybrid teams assign work to coding agents (Copilot, Claude, Codex, Devin...)
and let automations move cards.  Flow metrics mean different things for the
two, so every flow metric can split by the ``kind`` these functions assign.
The rules are name-based and deliberately conservative: see :func:`is_agent`.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import pandas as pd

from workfw.schema import tasks_of

__all__ = ["AGENT_WORDS", "is_agent", "classify_actors", "actor_kind"]

#: Words that mark an actor as a bot or agent wherever they appear as a word of its name.
AGENT_WORDS: frozenset[str] = frozenset({
    "bot", "bots", "copilot", "codex", "agent", "agents", "automation", "automations",
    "renovate", "dependabot",
})

# Claude and Devin are also common first names: "Claude Monet" stays a person,
# while "Claude", "Claude Code" or "devin-ai-integration[bot]" are agents.
_AMBIGUOUS_NAMES = frozenset({"claude", "devin"})
_AGENT_SUFFIX_WORDS = frozenset({"ai", "code", "bot", "agent", "assistant", "integration", "app", "anthropic"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(name: str) -> list[str]:
    # Split "SlackBot" into "Slack Bot" before splitting on punctuation, so
    # the camel-cased bot names of chat tools are caught too.
    return [w.casefold() for w in _WORD.findall(_CAMEL.sub(" ", name))]


def _is_blank(name: Any) -> bool:
    return name is None or name is pd.NA or (isinstance(name, float) and name != name) or not str(name).strip()


def _contains_run(words: list[str], run: list[str]) -> bool:
    n = len(run)
    return n > 0 and any(words[i:i + n] == run for i in range(len(words) - n + 1))


def is_agent(name: Any, *, extra: Iterable[str] = ()) -> bool:
    """Return True when an actor name looks like a bot, automation or AI agent.

    Case-insensitive rules, in order:

    - a GitHub app login ending in ``[bot]`` (``dependabot[bot]``);
    - a name with one of :data:`AGENT_WORDS` as a word, including camel-case
      words (``Jira Automation``, ``SlackBot``, ``AI Agent``, ``Copilot``), or a
      word starting or ending in ``gpt`` (``GPT-4``, ``ChatGPT``);
    - ``Claude`` or ``Devin`` alone or followed only by words such as ``AI``,
      ``Code`` or ``bot`` (``Claude Code``); ``Claude Monet`` is a person;
    - a name equal to, or containing as consecutive words, an entry of ``extra``.

    Parameters
    ----------
    name : str or None
        The actor's display name or login.
    extra : iterable of str
        More names to treat as agents (``["Jenkins", "release-train"]``).

    Returns
    -------
    bool
        False for blank or missing names.
    """
    if _is_blank(name):
        return False
    text = str(name).strip()
    if text.casefold().endswith("[bot]"):
        return True
    words = _words(text)
    if any(w in AGENT_WORDS or w.startswith("gpt") or w.endswith("gpt") for w in words):
        return True
    if words and words[0] in _AMBIGUOUS_NAMES and all(w in _AGENT_SUFFIX_WORDS for w in words[1:]):
        return True
    for entry in extra:
        if _is_blank(entry):
            continue
        if str(entry).strip().casefold() == text.casefold() or _contains_run(words, _words(str(entry))):
            return True
    return False


def _assignee_names(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, assignee name), from ``assignee`` and the ``assignees`` lists."""
    lists = tasks["assignees"] if "assignees" in tasks.columns else pd.Series([[]] * len(tasks), index=tasks.index)
    single = tasks["assignee"] if "assignee" in tasks.columns else pd.Series(pd.NA, index=tasks.index)
    rows = []
    for task_id, one, many in zip(tasks["task_id"], single, lists):
        names = [] if _is_blank(one) else [str(one).strip()]
        names += [str(n).strip() for n in (many if isinstance(many, (list, tuple)) else []) if not _is_blank(n)]
        rows.extend((task_id, n) for n in dict.fromkeys(names))
    return pd.DataFrame(rows, columns=["task_id", "name"])


def classify_actors(data: Any, *, extra: Iterable[str] = ()) -> pd.DataFrame:
    """List every actor of an export as a person or an agent.

    Parameters
    ----------
    data : TaskExport or pandas.DataFrame
        The export or its canonical task table.  Names come from ``assignee``,
        ``assignees`` and, when the export has history, event authors.
    extra : iterable of str
        More names to treat as agents (see :func:`is_agent`).

    Returns
    -------
    pandas.DataFrame
        ``name, kind, tasks, events``: ``kind`` is ``"person"`` or ``"agent"``,
        ``tasks`` counts the tasks assigned to the name and ``events`` the
        history entries it authored.  Most-assigned first.
    """
    extra = tuple(extra)
    tasks = tasks_of(data)
    assigned = _assignee_names(tasks)
    counts = assigned.groupby("name", sort=False)["task_id"].nunique()
    events = getattr(data, "events", None)
    authored = pd.Series(dtype="int64")
    if events is not None and len(events) and "author" in events.columns:
        authors = events["author"].astype("string").str.strip()
        authored = authors[authors.notna() & (authors != "")].value_counts(sort=False)
    names = list(dict.fromkeys([*counts.index, *authored.index]))
    out = pd.DataFrame({
        "name": pd.array(names, dtype="string"),
        "kind": pd.array(["agent" if is_agent(n, extra=extra) else "person" for n in names], dtype="string"),
        "tasks": [int(counts.get(n, 0)) for n in names],
        "events": [int(authored.get(n, 0)) for n in names],
    })
    return out.sort_values(["tasks", "events", "name"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def actor_kind(tasks: Any, *, extra: Iterable[str] = ()) -> pd.Series:
    """Say for each task whether its assignee is a person or an agent.

    Parameters
    ----------
    tasks : pandas.DataFrame or TaskExport
        Canonical task table (or an export).
    extra : iterable of str
        More names to treat as agents (see :func:`is_agent`).

    Returns
    -------
    pandas.Series
        Aligned to ``tasks`` (same index), string dtype: ``"person"``,
        ``"agent"``, or ``NA`` when the task is unassigned.  The first name of
        ``assignees`` stands in when ``assignee`` is empty.
    """
    extra = tuple(extra)
    table = tasks_of(tasks, where="tasks")
    if "assignee" in table.columns:
        names = table["assignee"].astype("string").str.strip()
        names = names.mask(names == "")
    else:
        names = pd.Series(pd.NA, index=table.index, dtype="string")
    missing = names.isna()
    if "assignees" in table.columns and missing.any():
        first = table.loc[missing, "assignees"].map(
            lambda many: next((str(n).strip() for n in (many if isinstance(many, (list, tuple)) else [])
                               if not _is_blank(n)), pd.NA))
        names = names.fillna(first.astype("string"))
    lookup = {n: ("agent" if is_agent(n, extra=extra) else "person") for n in names.dropna().unique()}
    return pd.Series(pd.array(names.map(lookup), dtype="string"), index=table.index, name="kind")
