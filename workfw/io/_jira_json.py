"""Jira REST search JSON (``source="jira-json"``) and the status rules both Jira readers share.

The JSON is what ``/rest/api/2|3/search?expand=changelog`` returns:
``{"issues": [{"id", "key", "fields": {...}, "changelog": {"histories": [...]}}], "total", "names"}``.
A bare list of such issues is read too.  The status helpers live here (not in
:mod:`workfw.io.jira`) so the CSV reader can import them without a cycle.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from workfw.errors import EmptyExportError, ExportReadError
from workfw.io._build import Assembly, assemble
from workfw.io._common import json_text, text_codes, unique_ints
from workfw.io._dates import DateParser
from workfw.io._registry import ReadOptions
from workfw.io._status import keyword_category, normalise_category

__all__ = ["JIRA_STATUS_MAP", "name_category", "category_per_row", "sniff_jira_json", "read_jira_json"]

#: Default category of common Jira workflow status names (English and Russian).
JIRA_STATUS_MAP: dict[str, str] = {
    "to do": "todo", "open": "todo", "new": "todo", "backlog": "todo", "selected for development": "todo",
    "reopened": "in_progress", "ready": "todo", "ready for development": "todo", "triage": "todo",
    "in progress": "in_progress", "in development": "in_progress", "in review": "in_progress",
    "code review": "in_progress", "review": "in_progress", "in testing": "in_progress", "testing": "in_progress",
    "qa": "in_progress", "in qa": "in_progress", "blocked": "in_progress", "on hold": "in_progress",
    "done": "done", "closed": "done", "resolved": "done", "complete": "done", "completed": "done",
    "released": "done", "won't do": "cancelled", "won't fix": "cancelled", "wont do": "cancelled",
    "cancelled": "cancelled", "canceled": "cancelled", "declined": "cancelled", "rejected": "cancelled",
    "duplicate": "cancelled", "obsolete": "cancelled",
    "к выполнению": "todo", "открыт": "todo", "открыто": "todo", "бэклог": "todo", "новый": "todo",
    "в работе": "in_progress", "в процессе": "in_progress", "на проверке": "in_progress", "ревью": "in_progress",
    "тестирование": "in_progress", "готово": "done", "закрыт": "done", "закрыто": "done", "решено": "done",
    "решен": "done", "выполнено": "done", "отменено": "cancelled", "отменен": "cancelled",
}

# Resolutions that mean "closed without doing the work": a Done-category status
# with one of these is cancelled work, not delivered work.
_CANCEL_RESOLUTION = re.compile(r"won'?t|cancel|duplicate|declin|reject|cannot reproduce|obsolete|not.?planned|"
                                r"не будет|дубликат|отмен", re.IGNORECASE)
_DONE_LIKE = ("done", "cancelled")


def name_category(name: str, user: Mapping[str, str], known: Mapping[str, str]) -> str | None:
    """Category of one status name: the user's map, then ``known`` (stated in the file), Jira's defaults, keywords.

    ``user`` and ``known`` are keyed by the casefolded status name.  A name none of them places is
    unplaced (None), as :func:`workfw.statuses.status_categories` has it: guessing *to do* would
    count its tasks as not started rather than as not measurable.
    """
    key = name.strip().casefold()
    if key in user:
        return user[key]
    if key in known:
        return known[key]
    if key in JIRA_STATUS_MAP:
        return JIRA_STATUS_MAP[key]
    return keyword_category(name)


def category_per_row(status: pd.Series, stated: pd.Series, resolution: pd.Series | None,
                     user_map: Mapping[str, str] | None) -> tuple[pd.Series, pd.Series]:
    """Work out each row's status category the way :func:`~workfw.io._build.assemble` will.

    Jira states only three categories (To Do / In Progress / Done), so a
    Done-category row whose status name or resolution means "won't do" is
    refined to ``cancelled``.

    Parameters
    ----------
    status : pandas.Series
        Status names.
    stated : pandas.Series
        Canonical categories stated by the export (NA where none).
    resolution : pandas.Series or None
        Resolution names.
    user_map : mapping or None
        The user's status name -> category overrides.

    Returns
    -------
    tuple of pandas.Series
        ``(category, stated_refined)``: the category used for ``started`` and
        ``completed``, and the value to hand to ``assemble`` as the stated
        one (NA where none); both categoricals, or object columns when the
        rows hold too many combinations to number.
    """
    res = resolution if resolution is not None else pd.Series(pd.NA, index=status.index, dtype="string")
    # A million rows share a few dozen (status, stated, resolution) combinations: work those out once each.
    first, inverse = _distinct_rows([status, stated, res])
    if first is None:
        return _category_rows(status, stated, res, user_map)
    category, refined = _category_rows(status.iloc[first], stated.iloc[first], res.iloc[first], user_map)
    return _spread(category, inverse, status.index), _spread(refined, inverse, status.index)


def _spread(per_combination: pd.Series, inverse: np.ndarray, index: pd.Index) -> pd.Series:
    """Each row's value from its combination's, as a categorical of the few words (NA stays NA).

    Comparing or numbering a million rows then looks at those words, not at a million objects.
    """
    codes, words = pd.factorize(per_combination)
    return pd.Series(pd.Categorical.from_codes(codes[inverse], categories=pd.Index(list(words), dtype=object)),
                     index=index)


def _distinct_rows(columns: list[pd.Series]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Positions of the first row of each distinct combination of values, and each row's combination.

    ``(None, None)`` when the combinations are too many to number in one int64.
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for values in columns:
        codes, count = _value_codes(values)
        span *= count + 1
        if span >= 2**62:
            return None, None
        combined = combined * (count + 1) + codes
    _, first, inverse, _ = unique_ints(combined)
    return first, inverse


def _value_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """A code per row (NA has one too, 0) and how many codes: text through pyarrow's hash table, else pandas'."""
    arr = getattr(values.array, "_pa_array", None)
    if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        codes, distinct = text_codes(values)
        return codes + 1, len(distinct) + 1
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, len(uniques)


def _category_rows(status: pd.Series, stated: pd.Series, res: pd.Series,
                   user_map: Mapping[str, str] | None) -> tuple[pd.Series, pd.Series]:
    user = {str(k).strip().casefold(): v for k, v in (user_map or {}).items()}
    cancel_res = res.astype("string").str.contains(_CANCEL_RESOLUTION).fillna(False).astype(bool)
    names = status.astype("string")
    by_name = {n: name_category(n, user, {}) for n in names.dropna().unique()}
    from_name = names.map(by_name).astype(object)
    stated = stated.astype(object).where(stated.notna(), None)
    refined = stated.copy()
    done_stated = refined == "done"
    refined[done_stated & ((from_name == "cancelled") | cancel_res)] = "cancelled"
    done_unstated = refined.isna() & (from_name == "done") & cancel_res
    refined[done_unstated] = "cancelled"
    user_hit = names.str.strip().str.casefold().isin(list(user)).fillna(False).astype(bool)
    category = refined.where(refined.notna() & ~user_hit, from_name)
    category = category.where(category.notna(), "todo")
    return category.astype(object), refined.where(refined.notna(), pd.NA)


# ---------------------------------------------------------------- JSON reader

def _search_pages(doc: Any) -> Any:
    """Several saved pages of a search (a list of responses, or responses back to back) as one response.

    The search returns at most 100 issues a page, so a project is saved page by page; pages written one
    after another in one file arrive here as a list of responses (see ``parse_json_text``).
    """
    if not (isinstance(doc, list) and doc and all(isinstance(p, dict) and isinstance(p.get("issues"), list)
                                                  for p in doc)):
        return doc
    names: dict = {}
    for page in doc:
        if isinstance(page.get("names"), dict):
            names.update(page["names"])
    totals = [page["total"] for page in doc if isinstance(page.get("total"), int)]
    return {"issues": [issue for page in doc for issue in page["issues"]], "names": names,
            "total": max(totals) if totals else None, "pages": len(doc)}


def sniff_jira_json(doc: Any) -> bool:
    """Return True for a Jira search response (or several pages of one), or a bare list of issues."""
    doc = _search_pages(doc)
    issues = doc.get("issues") if isinstance(doc, dict) else doc if isinstance(doc, list) else None
    if not isinstance(issues, list):
        return False
    if not issues:
        return isinstance(doc, dict) and ("startAt" in doc or "maxResults" in doc) and "total" in doc
    first = issues[0]
    return isinstance(first, dict) and isinstance(first.get("key"), str) and isinstance(first.get("fields"), dict)


def _get(obj: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _adf_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format tree (blocks on separate lines)."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(_adf_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind in ("mention", "emoji"):
        return str(_get(node, "attrs", "text") or "")
    inner = _adf_text(node.get("content", []))
    if kind in ("paragraph", "heading", "listItem", "codeBlock", "blockquote", "rule", "tableRow"):
        return inner.rstrip("\n") + "\n"
    return inner


def _description(value: Any) -> Any:
    if isinstance(value, dict):
        text = _adf_text(value).strip("\n")
        return text or pd.NA
    return value if isinstance(value, str) else pd.NA


def _cell(value: Any) -> Any:
    if value is None:
        return pd.NA
    if isinstance(value, (dict, list)):
        return json_text(value)
    return str(value)


def _issues_of(doc: Any, file: str) -> tuple[list[dict], dict]:
    issues = doc.get("issues") if isinstance(doc, dict) else doc
    names = doc.get("names") if isinstance(doc, dict) and isinstance(doc.get("names"), dict) else {}
    if not issues:
        raise EmptyExportError(file, "the whole file (key 'issues')", "an empty list of issues", "at least one issue",
                               "widen the JQL query before saving the search result")
    for i, issue in enumerate(issues, start=1):
        if not (isinstance(issue, dict) and isinstance(issue.get("key"), str)
                and isinstance(issue.get("fields"), dict)):
            found = type(issue).__name__ if not isinstance(issue, dict) else f"keys {sorted(issue)[:8]}"
            raise ExportReadError(file, f"record {i} of 'issues'", found, "an object with 'key' and a 'fields' object",
                                  "save the whole response of /rest/api/2/search (or /3/search) unchanged")
    return issues, names


def _raw_table(issues: list[dict]) -> pd.DataFrame:
    columns: dict[str, None] = {}
    rows = []
    for issue in issues:
        row = {k: _cell(v) for k, v in issue.items() if k != "fields"}
        row.update({k: _cell(v) for k, v in issue["fields"].items()})
        columns.update(dict.fromkeys(row))
        rows.append(row)
    raw = pd.DataFrame(rows, columns=list(columns)).astype("string")
    raw["_row"] = range(1, len(raw) + 1)
    return raw


def _field_ids(names: Mapping[str, str], *wanted: str) -> list[str]:
    want = {w.casefold() for w in wanted}
    return [fid for fid, label in names.items() if isinstance(label, str) and label.strip().casefold() in want]


def _sprint_name(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    for item in reversed(items):
        if isinstance(item, dict) and item.get("name"):
            return str(item["name"])
        if isinstance(item, str):
            # Server: "com.atlassian.greenhopper.service.sprint.Sprint@1f[id=3,...,name=Sprint 2,...]"
            found = re.search(r"name=([^,\]]+)", item)
            return found.group(1) if found else item
    return pd.NA


def _first_custom(fields: dict, ids: list[str]) -> Any:
    for fid in ids:
        value = fields.get(fid)
        if value not in (None, "", []):
            return value
    return None


def _blockers(links: Any) -> list[str]:
    out = []
    for link in links if isinstance(links, list) else []:
        if _get(link, "type", "name") == "Blocks" and _get(link, "inwardIssue", "key"):
            out.append(str(link["inwardIssue"]["key"]))
    return out


def _browse_url(issue: dict) -> Any:
    found = re.match(r"(https?://[^/]+)(?:/[^?]*)?/rest/api/", str(issue.get("self") or ""))
    return f"{found.group(1)}/browse/{issue['key']}" if found else pd.NA


def _map_issue(issue: dict, custom: dict[str, list[str]]) -> dict:
    f = issue["fields"]
    comment = f.get("comment")
    comments = _get(comment, "total")
    if comments is None and isinstance(_get(comment, "comments"), list):
        comments = len(comment["comments"])
    assignee = _get(f, "assignee", "displayName")
    team = _first_custom(f, custom["team"])
    return {
        "task_id": issue["key"], "title": f.get("summary"), "description": _description(f.get("description")),
        "task_type": _get(f, "issuetype", "name"), "status": _get(f, "status", "name"),
        "status_category": normalise_category(_get(f, "status", "statusCategory", "key")),
        "assignee": assignee, "assignees": [assignee] if assignee else [],
        "reporter": _get(f, "reporter", "displayName"), "project": _get(f, "project", "key"),
        "parent_id": _get(f, "parent", "key") or _first_custom(f, custom["epic"]),
        "labels": [str(v) for v in f.get("labels") or []], "priority": _get(f, "priority", "name"),
        "estimate": _first_custom(f, custom["estimate"]),
        "team": (team.get("name") or team.get("title")) if isinstance(team, dict) else team,
        "iteration": _sprint_name(_first_custom(f, custom["sprint"])),
        "comments": comments, "watchers": _get(f, "watches", "watchCount"),
        "blocked_by": _blockers(f.get("issuelinks")), "resolution": _get(f, "resolution", "name"),
        "url": _browse_url(issue),
        "_created": f.get("created"), "_updated": f.get("updated"), "_resolved": f.get("resolutiondate"),
        "_due": f.get("duedate"), "_category_changed": f.get("statuscategorychangedate"),
    }


def _history_events(issues: list[dict], warnings: list[str]) -> pd.DataFrame:
    rows, cut = [], 0
    for issue in issues:
        log = issue.get("changelog") if isinstance(issue.get("changelog"), dict) else {}
        histories = log.get("histories") if isinstance(log.get("histories"), list) else []
        if isinstance(log.get("total"), int) and log["total"] > len(histories):
            cut += 1
        for history in histories:
            for item in history.get("items") or []:
                if item.get("field") in ("status", "assignee"):
                    rows.append({"task_id": issue["key"], "at": history.get("created"), "field": item["field"],
                                 "old": item.get("fromString"), "new": item.get("toString"),
                                 "author": _get(history, "author", "displayName")})
    if cut:
        warnings.append(f"{cut} issues have a longer changelog than the file holds (Jira returns at most 100 "
                        "history entries per issue in a search); their started times may be too late.")
    return pd.DataFrame(rows, columns=["task_id", "at", "field", "old", "new", "author"])


def _history_times(events: pd.DataFrame, category_of: dict[str, str]) -> tuple[dict, dict]:
    """First move into an in-progress status and last move into a done status, per task."""
    status = events[(events["field"] == "status") & events["at"].notna()].sort_values("at", kind="stable")
    cats = status["new"].map(lambda name: category_of.get(str(name).strip().casefold()))
    started = status[cats == "in_progress"].groupby("task_id")["at"].min().to_dict()
    completed = status[cats.isin(_DONE_LIKE)].groupby("task_id")["at"].max().to_dict()
    return started, completed


def read_jira_json(doc: Any, *, file: str, options: ReadOptions) -> "TaskExport":  # noqa: F821
    """Read a Jira REST search response (with or without ``expand=changelog``).

    Parameters
    ----------
    doc : dict or list
        The parsed JSON.
    file : str
        File name for messages.
    options : ReadOptions
        Common options (``tz`` only matters for ``duedate``, the one date without an offset).

    Returns
    -------
    TaskExport
    """
    doc = _search_pages(doc)
    issues, names = _issues_of(doc, file)
    warnings: list[str] = []
    raw = _raw_table(issues)
    custom = {"estimate": _field_ids(names, "Story Points", "Story point estimate"),
              "team": _field_ids(names, "Team"), "sprint": _field_ids(names, "Sprint"),
              "epic": _field_ids(names, "Epic Link")}
    mapped = pd.DataFrame([_map_issue(i, custom) for i in issues], index=raw.index)
    mapped["estimate"] = pd.to_numeric(mapped["estimate"], errors="coerce")
    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    for col, source in (("created", "_created"), ("updated", "_updated"), ("due", "_due"),
                        ("_resolved", "_resolved"), ("_category_changed", "_category_changed")):
        mapped[col] = dates.parse(mapped[source].astype("string"), column=source.strip("_"), rows=raw["_row"])
    events = _history_events(issues, warnings)
    if len(events):
        events["at"] = dates.parse(events["at"].astype("string"), column="changelog.histories.created")

    stated = mapped["status_category"]
    known = {str(n).strip().casefold(): c for n, c in zip(mapped["status"], stated) if isinstance(n, str) and c}
    category, refined = category_per_row(mapped["status"], stated, mapped["resolution"], options.status_map)
    mapped["status_category"] = refined
    user = {str(k).strip().casefold(): v for k, v in (options.status_map or {}).items()}
    moves = events[events["field"] == "status"]
    names_seen = set(moves["new"].dropna()) | set(moves["old"].dropna())
    category_of = {n.strip().casefold(): name_category(n, user, known) for n in map(str, names_seen)}
    first_start, last_done = _history_times(events, category_of) if len(events) else ({}, {})

    done = category.isin(_DONE_LIKE)
    hist_done = pd.to_datetime(mapped["task_id"].map(last_done), utc=True).where(done)
    hist_start = pd.to_datetime(mapped["task_id"].map(first_start), utc=True).where(category != "todo")
    completed = hist_done.fillna(mapped["_resolved"].where(done)).fillna(mapped["_category_changed"].where(done))
    mapped["completed_basis"] = pd.Series(pd.NA, index=raw.index, dtype=object).mask(
        mapped["_category_changed"].notna() & done, "inferred").mask(mapped["_resolved"].notna() & done, "exact") \
        .mask(hist_done.notna(), "history")
    in_progress = category == "in_progress"
    started = hist_start.fillna(mapped["_category_changed"].where(in_progress))
    mapped["started_basis"] = pd.Series(pd.NA, index=raw.index, dtype=object).mask(
        mapped["_category_changed"].notna() & in_progress, "exact").mask(hist_start.notna(), "history")
    mapped["completed"], mapped["started"] = completed, started

    field_map = {"key": "task_id", "summary": "title", "description": "description", "issuetype": "task_type",
                 "status": "status, status_category", "assignee": "assignee", "reporter": "reporter",
                 "project": "project", "parent": "parent_id", "labels": "labels", "priority": "priority",
                 "created": "created", "updated": "updated", "duedate": "due", "resolutiondate": "completed",
                 "statuscategorychangedate": "started, completed", "comment": "comments", "watches": "watchers",
                 "issuelinks": "blocked_by", "resolution": "resolution", "self": "url",
                 "changelog": "events, started, completed"}
    for fld, ids in (("estimate", custom["estimate"]), ("team", custom["team"]), ("iteration", custom["sprint"]),
                     ("parent_id", custom["epic"])):
        field_map.update(dict.fromkeys(ids, fld))
    # Same choice as the CSV reader: the board flag has no canonical field and stays in raw.
    field_map.update(dict.fromkeys(_field_ids(names, "Flagged"),
                                   "(raw only: board flag 'Impediment', no canonical field)"))
    field_map = {col: fld for col, fld in field_map.items() if col in raw.columns}
    total = doc.get("total") if isinstance(doc, dict) else None
    if isinstance(total, int) and total > len(issues):
        pages = doc.get("pages", 1)
        warnings.append(f"The search matched {total} issues but the file holds {len(issues)} "
                        f"({'one page' if pages == 1 else f'{pages} pages'}); page through with startAt and "
                        "save every page (one file each, or one after another in one file) for the full set.")
    mapped = mapped.drop(columns=[c for c in mapped.columns if c.startswith("_")])
    return assemble(Assembly(raw=raw, mapped=mapped, source="jira-json", file=file, field_map=field_map,
                             default_status_map=JIRA_STATUS_MAP, events=events, warnings=warnings),
                    status_map=options.status_map, team=options.team)
