"""GitHub issues JSON (``source="github-json"``): ``gh issue list --json`` or the REST list-issues API.

Both shapes are read: the REST API's snake_case records (``html_url``,
``created_at``, ``user.login``, ``state_reason``...) and ``gh``'s camelCase
ones (``url``, ``createdAt``, ``author.login``, ``stateReason``...), minified
or pretty-printed; also the search API's ``{"items": [...]}`` and several
pages (``gh api --paginate``, with or without ``--slurp``).  One task per issue.

How issues become tasks (the import report repeats what matters):

* ``task_id`` is ``owner/repo#number`` when a URL names the repository (ids
  stay unique when several repositories are combined), otherwise ``#number``.
* Pull requests (a ``pull_request`` key, or a ``/pull/`` URL) are rejected
  rows: they are not issues.
* ``status``: ``"Open"`` (todo), ``"In progress"`` when an open issue carries
  an in-progress label (``in_progress_labels``; default in progress, doing,
  wip, in review, blocked...), ``"Closed"`` (done) and ``"Closed (not
  planned)"`` / ``"Closed (duplicate)"`` (cancelled).  ``completed`` is
  ``closed_at`` (basis ``exact``); GitHub has no start time.
* The milestone is the parent goal: ``parent_id = "milestone:<title>"`` and
  ``iteration`` = its title.  No task rows are made for milestones, so that
  parent id names no task of the table.  ``due`` is the milestone's due date
  (issues have no due date of their own).
* ``blocked_by``: "Blocked by #12", "blocked by owner/repo#12, #14" or
  "Depends on <issue URL>" in the body name blockers; those that are issues
  of the file become their task ids (``#12`` means the issue's own
  repository).  Issues of other repositories keep their ``owner/repo#n``
  (they match when several repositories' files are read together); issues of
  the same repository missing from the file are left out.  A warning counts both.
* ``reporter`` is the author's login; bot logins stay as they are
  (``dependabot[bot]``).
* A file without dates (for example ``gh issue list --json body,labels,title,url``)
  still imports; the report says which fields are missing.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import pandas as pd

from workfw.errors import ExportReadError, OptionError
from workfw.export import TaskExport
from workfw.io._build import Assembly, assemble
from workfw.io._common import records_frame
from workfw.io._dates import DateParser
from workfw.io._registry import ExportFormat, ReadOptions, register

__all__ = ["read_github_json", "IN_PROGRESS_LABELS"]

#: Labels (compared without case, ``-``/``_`` and a ``status:`` prefix) that mark an open issue in progress.
IN_PROGRESS_LABELS = ("in progress", "doing", "wip", "work in progress", "started", "in review", "review",
                      "blocked")

_ISSUE_URL = re.compile(r"https?://[^/\s]*github[^/\s]*/(?:api/v3/)?(?:repos/)?([^/\s]+)/([^/\s]+)/"
                        r"(issues|pulls?)/(\d+)")
_LABEL_PREFIX = re.compile(r"^(?:status|state|stage|workflow)\s*[:/]\s*")
_SAMPLE = 20
_PAGE_SIZES = (30, 100)
_GH_COMMAND = ("gh issue list --repo OWNER/REPO --state all --limit 5000 --json number,title,body,state,"
               "stateReason,author,labels,assignees,milestone,comments,createdAt,updatedAt,closedAt,url")
_REF_TEXT = (r"(?:(?:[\w.-]+/[\w.-]+)?#\d+|https?://[^/\s]*github[^/\s]*/[^/\s]+/[^/\s]+/issues/\d+)")
# "Blocked by #12", "blocked by: owner/repo#12 and #14", "Depends on https://github.com/o/r/issues/3".
_BLOCKER_PHRASE = re.compile(
    r"\b(?:blocked\s+by|depends\s+on)\b[\s:*_]*(" + _REF_TEXT + r"(?:[\s,;]*(?:and\s+|&\s*)?" + _REF_TEXT + r")*)",
    re.IGNORECASE)
_REF = re.compile(r"(?:(?P<repo>[\w.-]+/[\w.-]+)?#(?P<num>\d+)"
                  r"|https?://[^/\s]*github[^/\s]*/(?P<url_repo>[^/\s]+/[^/\s]+)/issues/(?P<url_num>\d+))")
_DATE_KEYS = {"created": ("created_at", "createdAt"), "updated": ("updated_at", "updatedAt"),
              "completed": ("closed_at", "closedAt")}


def _looks_like_issue(rec: Any) -> bool:
    if not isinstance(rec, dict) or "title" not in rec:
        return False
    if "number" in rec:
        return any(k in rec for k in ("html_url", "url", "state"))
    # gh --json body,labels,title,url carries no number: the URL must be an issue URL.
    return isinstance(rec.get("url"), str) and _ISSUE_URL.match(rec["url"]) is not None


def _issue_records(doc: Any) -> list | None:
    """The issue records of any shape ``gh`` and the REST API write; None when the shape is none of them.

    A plain array (``gh issue list --json``, one REST page); ``{"items": [...]}``
    (the search API); an array of such pages or of arrays (``gh api --paginate
    --slurp``, or ``--paginate`` pages joined when the file was read).
    """
    if isinstance(doc, dict):
        return doc["items"] if isinstance(doc.get("items"), list) else None
    if not isinstance(doc, list):
        return None
    if doc and all(isinstance(page, list) for page in doc):
        return [rec for page in doc for rec in page]
    if doc and all(isinstance(page, dict) and isinstance(page.get("items"), list) and "title" not in page
                   for page in doc):
        return [rec for page in doc for rec in page["items"]]
    return doc


def _sniff(doc: Any) -> bool:
    records = _issue_records(doc)
    return bool(records) and all(_looks_like_issue(r) for r in records[:_SAMPLE])


def _first(rec: dict, *keys: str) -> Any:
    for key in keys:
        if rec.get(key) is not None:
            return rec[key]
    return None


def _login(person: Any) -> Any:
    if isinstance(person, dict):
        return person.get("login") or person.get("name") or pd.NA
    return person if isinstance(person, str) and person else pd.NA


def _names(items: Any, key: str) -> list[str]:
    out = []
    for item in items if isinstance(items, list) else []:
        value = item.get(key) if isinstance(item, dict) else item
        if isinstance(value, str) and value:
            out.append(value)
    return list(dict.fromkeys(out))


def _comment_count(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return pd.NA
    if isinstance(value, int):
        return value
    if isinstance(value, list):  # gh --json comments lists the comments themselves
        return len(value)
    if isinstance(value, dict) and isinstance(value.get("totalCount"), int):
        return value["totalCount"]
    return pd.NA


def _label_key(label: str) -> str:
    text = _LABEL_PREFIX.sub("", label.strip().casefold())
    return " ".join(re.sub(r"[-_]+", " ", text).split())


def _progress_labels(options: ReadOptions, file: str) -> set[str]:
    labels = options.get("in_progress_labels", IN_PROGRESS_LABELS)
    if isinstance(labels, str) or not isinstance(labels, Iterable) or not all(isinstance(x, str) for x in labels):
        raise OptionError(f"{file}: in_progress_labels={labels!r}; expected a list of label names. "
                          "Next step: pass for example in_progress_labels=['doing', 'status: active'].")
    return {_label_key(x) for x in labels}


def _repo_and_number(rec: dict) -> tuple[str | None, Any, bool]:
    """Return ``(owner/repo or None, number, is_pull_request_url)`` from the record's URLs."""
    number = rec.get("number")
    for key in ("html_url", "url", "repository_url"):
        url = rec.get(key)
        match = _ISSUE_URL.match(url) if isinstance(url, str) else None
        if match:
            owner, repo, kind, num = match.groups()
            return f"{owner}/{repo}", number if number is not None else int(num), kind != "issues"
    repo_url = rec.get("repository_url")
    if isinstance(repo_url, str) and (m := re.search(r"/repos/([^/\s]+)/([^/\s]+)/?$", repo_url)):
        return f"{m.group(1)}/{m.group(2)}", number, False
    return None, number, False


def _status(state: Any, reason: Any, labels: list[str], progress: set[str]) -> tuple[Any, Any]:
    if state == "closed":
        if reason in ("not_planned", "duplicate"):
            return f"Closed ({reason.replace('_', ' ')})", "cancelled"
        return "Closed", "done"
    if state == "open":
        if any(_label_key(lb) in progress for lb in labels):
            return "In progress", "in_progress"
        return "Open", "todo"
    return pd.NA, pd.NA


def _issue_row(rec: dict, progress: set[str]) -> dict[str, Any]:
    repo, number, pr_url = _repo_and_number(rec)
    state = rec.get("state")
    state = state.strip().casefold() if isinstance(state, str) else (
        ("closed" if rec["closed"] else "open") if isinstance(rec.get("closed"), bool) else None)
    reason = _first(rec, "state_reason", "stateReason")
    reason = reason.strip().casefold() if isinstance(reason, str) else None
    labels = _names(rec.get("labels"), "name")
    status, category = _status(state, reason, labels, progress)
    assignees = _names(rec.get("assignees"), "login") or _names([rec.get("assignee")], "login")
    milestone = rec.get("milestone") if isinstance(rec.get("milestone"), dict) else {}
    title = milestone.get("title")
    url = _first(rec, "html_url", "url")
    kind = rec.get("type")
    return {
        "task_id": (f"{repo}#{number}" if repo else f"#{number}") if number is not None else pd.NA,
        "title": rec.get("title"),
        "description": rec.get("body"),
        "task_type": kind.get("name") if isinstance(kind, dict) and kind.get("name") else "Issue",
        "status": status,
        "status_category": category,
        "resolution": reason if state == "closed" else pd.NA,
        "assignees": assignees,
        "assignee": assignees[0] if assignees else pd.NA,
        "reporter": _login(_first(rec, "user", "author")),
        "project": repo or pd.NA,
        "labels": labels,
        "parent_id": f"milestone:{title}" if title else pd.NA,
        "iteration": title or pd.NA,
        "comments": _comment_count(rec.get("comments")),
        "url": url if isinstance(url, str) and "api.github.com" not in url else pd.NA,
        "_due": _first(milestone, "due_on", "dueOn"),
        "_state": state,
        "_repo": repo,
        "_reject": "pull request, not an issue" if "pull_request" in rec or pr_url else pd.NA,
    }


def _blocker_refs(body: Any, repo: str | None) -> list[str]:
    """Task ids named after "blocked by" / "depends on" in an issue body, in order (``#12`` is in ``repo``)."""
    if not isinstance(body, str):
        return []
    # Most bodies name no blocker: a search for the two verbs in C spares them the phrase pattern, whose
    # case-blind alternation Python's re tries at every character.
    folded = body.casefold()
    if "blocked" not in folded and "depends" not in folded:
        return []
    out = []
    for phrase in _BLOCKER_PHRASE.finditer(body):
        for ref in _REF.finditer(phrase.group(1)):
            full, number = ref.group("repo") or ref.group("url_repo"), ref.group("num") or ref.group("url_num")
            if full is None:
                out.append(f"{repo}#{number}" if repo else f"#{number}")
            else:
                out.append(f"{full}#{number}")
    return list(dict.fromkeys(out))


def _blocked_by(issues: list[dict], rows: pd.DataFrame, warnings: list[str]) -> list[list[str]]:
    """Resolve each issue's body references to task ids.

    An issue of this file becomes its task id.  An issue of another
    repository keeps its full ``owner/repo#n``: no file of one repository
    holds it, and it is that issue's task id once the repositories' files are
    read together.  An issue of the same repository missing from the file (a
    pull request, or an issue the export left out) is dropped.  Both are counted.
    """
    # GitHub owner and repository names ignore case; the file's own spelling wins.
    known = {tid.casefold(): tid for tid in rows.loc[rows["_reject"].isna(), "task_id"].dropna()}
    out, elsewhere, missing = [], [], []
    for rec, (own, repo) in zip(issues, rows[["task_id", "_repo"]].itertuples(index=False, name=None)):
        repo = None if pd.isna(repo) else repo
        found = []
        for ref in _blocker_refs(rec.get("body"), repo):
            target = known.get(ref.casefold())
            if target is not None:
                if target != own:
                    found.append(target)
            elif repo is not None and not ref.casefold().startswith(f"{repo.casefold()}#"):
                found.append(ref)
                elsewhere.append((own, ref))
            else:
                missing.append((own, ref))
        out.append(found)
    if elsewhere:
        warnings.append(f"Issue bodies name {len(elsewhere)} blockers in other repositories (e.g. {elsewhere[0][0]} "
                        f"is blocked by {elsewhere[0][1]}); blocked_by keeps those ids, which match once the "
                        "repositories' files are read together (a list of files in read_export).")
    if missing:
        warnings.append(f"Issue bodies name {len(missing)} blockers of their own repository that are not issues of "
                        f"this file (e.g. {missing[0][0]} names {missing[0][1]}: a pull request, or an issue the "
                        "export left out); they are left out of blocked_by. Export with --state all to keep them.")
    return out


def _missing_field_warnings(issues: list[dict], rows: pd.DataFrame, warnings: list[str]) -> None:
    keys = set().union(*(rec.keys() for rec in issues))
    missing = [options[1] for options in _DATE_KEYS.values() if not keys & set(options)]
    if missing:
        warnings.append(f"The file has no dates {missing}, so lead time, age and throughput cannot be "
                        f"measured. Export again with: {_GH_COMMAND}")
    if rows["_state"].isna().all():
        warnings.append("The file has no state (open or closed), so every issue's status is unknown: no issue counts "
                        f"as open or done. Export again with: {_GH_COMMAND}")
    if len(issues) in _PAGE_SIZES:
        warnings.append(f"The file holds exactly {len(issues)} records, the size of one page (gh's default --limit "
                        "is 30 open issues; the REST API returns 30 or 100 per page). If the repository has more "
                        f"issues, export again with --state all --limit 5000 or fetch every page.")


def read_github_json(doc: list | dict, *, file: str, options: ReadOptions) -> TaskExport:
    """Read GitHub issues JSON (``gh issue list --json``, REST list-issues or search, one page or several).

    Parameters
    ----------
    doc : list or dict
        The parsed JSON: an array of issues, a search result
        ``{"items": [...]}``, or an array of such pages (``gh api --paginate
        --slurp``).  ``_row`` numbers the issues across pages.
    file : str
        File name for messages.
    options : ReadOptions
        Common options plus ``in_progress_labels`` (label names that put an
        open issue in progress; compared without case, ``-``/``_`` and a
        ``status:`` prefix).

    Returns
    -------
    TaskExport
        Tasks, raw issues (pull requests as rejected rows) and the report;
        no events (the export carries no history).
    """
    issues = _issue_records(doc)
    if issues is None:
        raise ExportReadError(file, "the top level of the JSON", f"a JSON {type(doc).__name__} without issues",
                              'an array of issues or a search result {"items": [...]}',
                              f"export again with {_GH_COMMAND}")
    raw = records_frame(issues, file=file, where="issues", next_step=f"export again with {_GH_COMMAND}")
    progress = _progress_labels(options, file)
    warnings: list[str] = []
    rows = pd.DataFrame([_issue_row(rec, progress) for rec in issues], index=raw.index)
    dates = DateParser(file=file, tz=options.tz, date_order=options.date_order, warnings=warnings)
    mapped = rows.drop(columns=["_due", "_state", "_repo"])
    mapped["blocked_by"] = pd.Series(_blocked_by(issues, rows, warnings), index=raw.index, dtype=object)
    for field, keys in _DATE_KEYS.items():
        text = pd.Series([_first(rec, *keys) for rec in issues], index=raw.index, dtype="string")
        mapped[field] = dates.parse(text, column="/".join(keys), rows=raw["_row"])
    # Only a closed issue is completed, whatever closed_at says (reopening clears the state first).
    mapped["completed"] = mapped["completed"].where(rows["_state"] != "open")
    mapped["completed_basis"] = pd.Series("exact", index=raw.index).where(mapped["completed"].notna())
    mapped["due"] = dates.parse(rows["_due"].astype("string"), column="milestone.due_on/dueOn", rows=raw["_row"])
    _missing_field_warnings(issues, rows, warnings)
    assembly = Assembly(raw=raw, mapped=mapped, source="github-json", file=file, field_map=_FIELD_MAP,
                        default_status_map=_DEFAULT_STATUS_MAP, warnings=warnings)
    return assemble(assembly, status_map=options.status_map, team=options.team)


_DEFAULT_STATUS_MAP = {"open": "todo", "in progress": "in_progress", "closed": "done",
                       "closed (not planned)": "cancelled", "closed (duplicate)": "cancelled"}

_FIELD_MAP = {
    "number": "task_id (owner/repo#number when a URL names the repository)",
    "title": "title", "body": "description; blocked_by ('Blocked by #12', 'Depends on owner/repo#12')",
    "state": "status (Open / In progress / Closed)", "closed": "status when state is absent",
    "state_reason": "status and resolution (not_planned, duplicate -> cancelled)",
    "stateReason": "status and resolution (NOT_PLANNED, DUPLICATE -> cancelled)",
    "user": "reporter (login)", "author": "reporter (login)",
    "labels": "labels; an in-progress label makes an open issue 'In progress'",
    "assignee": "assignees (when assignees is absent)", "assignees": "assignees (logins)",
    "milestone": "parent_id ('milestone:<title>', no task row), iteration (title), due (milestone due date)",
    "comments": "comments (count)",
    "created_at": "created", "createdAt": "created", "updated_at": "updated", "updatedAt": "updated",
    "closed_at": "completed (exact)", "closedAt": "completed (exact)",
    "html_url": "url; project (owner/repo)", "url": "url (web) or project (owner/repo)",
    "repository_url": "project (owner/repo)",
    "pull_request": "pull requests are rejected rows",
    "type": "task_type (issue type name; 'Issue' when absent)",
}


register(ExportFormat(
    name="github-json", label="GitHub issues JSON (gh CLI or REST API)", kind="json", sniff=_sniff,
    read=read_github_json, how_to_export=_GH_COMMAND, options=("in_progress_labels",),
))
