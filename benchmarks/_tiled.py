"""Exports of the other trackers at benchmark size: each shipped sample repeated with fresh ids.

The Jira shapes measure the import in depth; these check that no other reader falls off at
scale (an Asana reader that looked names up row by row took over ten minutes at 200,000 rows).
Each copy renumbers the ids and the links that point at them, so parents and blockers stay
inside their copy, and Asana names get the copy's number, so parent names stay unique.
"""
from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Callable

__all__ = ["TRACKERS", "write_tiled"]


def _sample(name: str) -> Path:
    from workfw.samples import sample_path

    found = sample_path(name)
    return found[0] if isinstance(found, list) else found


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _suffixed(cell: str, copy_no: int, sep: str = ",") -> str:
    """Each id of a cell with the copy's number appended (``"A-1, A-2"`` -> ``"A-10003, A-20003"``)."""
    if not cell.strip():
        return cell
    return (sep + " ").join(f"{part.strip()}{copy_no:04d}" for part in cell.split(sep) if part.strip())


def _tile_csv(sample: str, rows: int, edit: Callable[[dict[str, str], int], None], path: Path) -> int:
    header, base = _read_csv(_sample(sample))
    out = []
    copy_no = 0
    while len(out) < rows:
        for row in base[:rows - len(out)]:
            new = dict(row)
            edit(new, copy_no)
            out.append(new)
        copy_no += 1
    _write_csv(path, header, out)
    return len(out)


def _asana(row: dict[str, str], copy_no: int) -> None:
    row["Task ID"] = _suffixed(row["Task ID"], copy_no)
    for column in ("Name", "Parent task"):
        if row.get(column, "").strip():
            row[column] = f"{row[column]} #{copy_no}"


def _linear(row: dict[str, str], copy_no: int) -> None:
    for column in ("ID", "Parent issue", "Blocked by", "Blocks", "Related to", "Duplicate of"):
        if column in row:
            row[column] = _suffixed(row[column], copy_no)


def _azure(row: dict[str, str], copy_no: int) -> None:
    for column in ("ID", "Parent"):
        if row.get(column, "").strip().isdigit():
            row[column] = str(int(row[column]) + copy_no * 1_000_000)


def _tile_json(path: Path, rows: int, sample: str, records: Callable[[object], list], renumber: Callable) -> int:
    doc = json.loads(_sample(sample).read_text(encoding="utf-8"))
    base = records(doc)
    out = []
    copy_no = 0
    while len(out) < rows:
        for record in base[:rows - len(out)]:
            out.append(renumber(copy.deepcopy(record), copy_no))
        copy_no += 1
    copies = copy_no
    if isinstance(doc, list):
        doc = out
    elif "cards" in doc:
        doc["cards"] = out
        actions = []
        for copy_no in range(copies):
            for action in doc["actions"]:
                moved = copy.deepcopy(action)
                card = moved.get("data", {}).get("card")
                if isinstance(card, dict) and "id" in card:
                    card["id"] = f"{card['id']}{copy_no:04d}"
                moved["id"] = f"{moved['id']}{copy_no:04d}"
                actions.append(moved)
        doc["actions"] = actions
    else:
        doc["issues"] = out
        doc["total"] = doc["maxResults"] = len(out)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return len(out)


def _github(issue: dict, copy_no: int) -> dict:
    issue["number"] = issue["number"] + copy_no * 100_000
    issue["id"] = issue["id"] + copy_no * 10**8
    for key in ("url", "html_url"):
        if isinstance(issue.get(key), str):
            issue[key] = f"{issue[key].rsplit('/', 1)[0]}/{issue['number']}"
    return issue


def _jira(issue: dict, copy_no: int) -> dict:
    issue["key"] = f"{issue['key']}{copy_no:04d}"
    issue["id"] = str(int(issue["id"]) + copy_no * 10**7) if str(issue.get("id", "")).isdigit() else issue.get("id")
    parent = issue.get("fields", {}).get("parent")
    if isinstance(parent, dict) and isinstance(parent.get("key"), str):
        parent["key"] = f"{parent['key']}{copy_no:04d}"
    return issue


def _trello(card: dict, copy_no: int) -> dict:
    card["id"] = f"{card['id']}{copy_no:04d}"
    return card


#: Tracker name -> (file suffix, writer of ``rows`` tasks to a path, returning the rows written).
TRACKERS: dict[str, tuple[str, Callable[[Path, int], int]]] = {
    "asana": (".csv", lambda path, rows: _tile_csv("asana", rows, _asana, path)),
    "linear": (".csv", lambda path, rows: _tile_csv("linear", rows, _linear, path)),
    "azure-devops": (".csv", lambda path, rows: _tile_csv("azure-devops", rows, _azure, path)),
    "github": (".json", lambda path, rows: _tile_json(path, rows, "github", lambda d: d, _github)),
    "jira-api": (".json", lambda path, rows: _tile_json(path, rows, "jira-api", lambda d: d["issues"], _jira)),
    "trello": (".json", lambda path, rows: _tile_json(path, rows, "trello", lambda d: d["cards"], _trello)),
}


def write_tiled(tracker: str, path: str | Path, rows: int) -> int:
    """Write ``tracker``'s sample repeated to ``rows`` tasks at ``path``; return the rows written.

    Parameters
    ----------
    tracker : str
        A key of :data:`TRACKERS`.
    path : str or Path
        File to write.
    rows : int
        Tasks (cards, issues, work items) to write.

    Returns
    -------
    int
    """
    if tracker not in TRACKERS:
        raise ValueError(f"tracker {tracker!r}; expected one of {sorted(TRACKERS)}")
    return TRACKERS[tracker][1](Path(path), rows)
