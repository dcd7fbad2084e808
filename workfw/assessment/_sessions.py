"""A workshop session kept for later, and set beside an earlier session of the same group, element by element.

A group that meets every quarter wants to see whether its own view moved.
:func:`save_session` keeps the answers of one workshop as one JSON file in
the workspace's ``sessions/`` folder (written atomically, see
:mod:`workfw.files`); :func:`list_sessions` and :func:`load_session` read them
back; :func:`compare_sessions` sets two sessions side by side per element and
:func:`compare_figure` draws that.

The file holds no names: participants are numbered (``Participant 01``...)
and responses are ``response 001``...; teams, frameworks, statement ids and
answers are kept, which is all a comparison needs::

    {"format": "workfw-session", "version": 1, "group": "Platform", "label": "Q3 retro",
     "when": "2026-09-10T09:00:00Z", "frameworks": ["c4_flywheel"],
     "answers": [["response 001", "Participant 01", "Platform", "c4_flywheel", "c4-clar-1", "Clarity", 4], ...]}

An answer of ``null`` is "don't know"; a skipped statement has no row.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from workfw.errors import OptionError
from workfw.files import atomic_write_text, workspace_dir
from workfw.style import ELEMENT_COLOURS, FONT, NA_COLOUR, TEMPLATE, escape_text
from workfw.assessment._aggregate import aggregate
from workfw.assessment._bank import FRAMEWORKS
from workfw.assessment._common import json_document, require_columns
from workfw.assessment._errors import AssessmentFileError
from workfw.assessment._response import RESPONSE_COLUMNS, long_frame, normalise_timestamp

__all__ = ["Session", "sessions_dir", "save_session", "load_session", "list_sessions", "compare_sessions",
           "compare_figure", "SESSION_COLUMNS"]

_FORMAT = "workfw-session"
_VERSION = 1
_ROW = ("response", "participant", "team", "framework", "statement_id", "element", "answer")
#: Columns of :func:`compare_sessions`.
SESSION_COLUMNS = ("element", "earlier", "later", "change", "earlier_answers", "later_answers",
                   "earlier_participants", "later_participants")


def sessions_dir() -> Path:
    """The folder where saved sessions live: ``<workspace>/sessions`` (``$WORKFW_WORKSPACE`` moves it)."""
    return workspace_dir() / "sessions"


# eq=False: two sessions are not compared as values (their answer tables would make == ambiguous).
@dataclass(frozen=True, eq=False)
class Session:
    """One saved workshop: who (``group``), which (``label``), when, and its answers.

    Attributes
    ----------
    group, label : str
        The group (a team, a department) and the session's name, as typed.
    when : str
        When the session took place, ISO UTC (``2026-09-10T09:00:00Z``).
    frameworks : tuple of str
        Framework keys answered.
    responses : pandas.DataFrame
        The long answer table (:data:`~workfw.assessment.RESPONSE_COLUMNS`), names replaced by numbers and
        ``submitted_at`` empty.
    path : pathlib.Path or None
        The file it was read from.
    """

    group: str
    label: str
    when: str
    frameworks: tuple[str, ...]
    responses: pd.DataFrame
    path: Path | None = None

    @property
    def title(self) -> str:
        """``"Q3 retro (2026-09-10)"``: the label and the day, for legends and lists."""
        return f"{self.label} ({self.when[:10]})"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _target(path_or_name: str | Path | None, group: str, label: str, directory: str | Path | None) -> Path:
    if isinstance(path_or_name, Path) or (isinstance(path_or_name, str) and path_or_name.endswith(".json")):
        return Path(path_or_name)
    folder = Path(directory) if directory is not None else sessions_dir()
    stem = _slug(path_or_name) if path_or_name else "-".join(p for p in (_slug(group), _slug(label)) if p)
    return folder / f"{stem or 'session'}.json"


def _answer_table(answers: Any) -> pd.DataFrame:
    """The long answer table of a Collection, a Session or a DataFrame."""
    return require_columns(getattr(answers, "responses", answers), _ROW, caller="save_session", table="answer table",
                           source="a Collection or the long answer table of load_responses/read_codes",
                           expected=RESPONSE_COLUMNS, error=OptionError,
                           fix="pass collector.collection or its .responses, or build the table with "
                               "load_responses or read_codes.")


def save_session(answers: Any, path_or_name: str | Path | None = None, *, group: str, label: str | None = None,
                 when: Any = None, directory: str | Path | None = None, overwrite: bool = False) -> Path:
    """Keep a workshop's answers as one JSON file, without names, to compare with a later session.

    Parameters
    ----------
    answers : Collection or pandas.DataFrame
        The room's answers: a :class:`~workfw.assessment.Collection` or the long answer table.
    path_or_name : str or pathlib.Path, optional
        A ``.json`` path, or a name for a file in ``directory``; by default the group and label
        (``platform-q3-retro.json``).
    group : str
        Whose answers these are (a team, a department): sessions of one group are compared.
    label : str, optional
        The session's name, e.g. ``"Q3 retro"``; by default the day (``"2026-12-03"``).
    when : str or datetime, optional
        When the session took place (default now); naive values count as UTC.
    directory : str or pathlib.Path, optional
        Where named sessions go (default :func:`sessions_dir`).
    overwrite : bool
        Replace a file of that name (e.g. the same session saved again after more answers arrived).

    Returns
    -------
    pathlib.Path
        The file written (atomically: a reader never sees half of it).

    Raises
    ------
    OptionError
        No answers, no group, or the file exists and ``overwrite`` is False.
    """
    frame = _answer_table(answers)
    if not isinstance(group, str) or not group.strip():
        raise OptionError(f"save_session: group={group!r}; expected the group's name, e.g. 'Platform'. Next step: "
                          "pass group=, the same for every session you want to compare.")
    if not len(frame):
        raise OptionError("save_session: the answer table is empty; expected at least one answer. Next step: "
                          "collect the room's answers first.")
    try:
        stamp = normalise_timestamp(pd.Timestamp.now(tz="UTC") if when is None else when)
    except (ValueError, TypeError):
        raise OptionError(f"save_session: when={when!r}; expected a date such as '2026-09-10'. Next step: correct "
                          "it or leave it out for now.") from None
    label = (label or "").strip() or stamp[:10]
    target = _target(path_or_name, group.strip(), label, directory)
    if target.exists() and not overwrite:
        raise OptionError(f"save_session: {target} already exists; expected a new session name. Next step: pass "
                          "another label or name, or overwrite=True to replace it.")
    # Numbers instead of names and file names (which hold name slugs): the file outlives the workshop.
    people = {p: f"Participant {i:02d}" for i, p in enumerate(dict.fromkeys(frame["participant"].astype(str)), 1)}
    responses = {r: f"response {i:03d}" for i, r in enumerate(dict.fromkeys(frame["response"].astype(str)), 1)}
    rows = [[responses[str(r)], people[str(p)], None if pd.isna(t) else str(t), str(f), str(s), str(e),
             None if pd.isna(a) else int(a)]
            for r, p, t, f, s, e, a in frame[list(_ROW)].itertuples(index=False, name=None)]
    frameworks = [k for k in FRAMEWORKS if k in set(frame["framework"])]
    doc = {"format": _FORMAT, "version": _VERSION, "group": group.strip(), "label": label, "when": stamp,
           "frameworks": frameworks, "answers": rows}
    return atomic_write_text(target, json.dumps(doc, ensure_ascii=False, indent=0) + "\n")


_WRITTEN_BY = "a session file written by save_session"
_FIX = "save the session again from 05_workshop, or remove this file"


def _fail(name: str, where: str, found: str, expected: str = _WRITTEN_BY, fix: str = _FIX) -> AssessmentFileError:
    return AssessmentFileError(name, where, found, expected, fix)


def load_session(path_or_name: str | Path, *, directory: str | Path | None = None) -> Session:
    """Read a session saved by :func:`save_session`.

    Parameters
    ----------
    path_or_name : str or pathlib.Path
        A ``.json`` path, or the name of a session in ``directory`` (as :func:`list_sessions` lists it).
    directory : str or pathlib.Path, optional
        Where named sessions are (default :func:`sessions_dir`).

    Returns
    -------
    Session

    Raises
    ------
    AssessmentFileError
        The file is missing, is not JSON, is not a session, or holds an answer that is not 1-5 or null;
        the message names the file and the place.
    """
    path = Path(path_or_name) if isinstance(path_or_name, Path) or str(path_or_name).endswith(".json") else (
        (Path(directory) if directory is not None else sessions_dir()) / f"{path_or_name}.json")
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise _fail(name, "the whole path", "no such file", fix="pick a session of list_sessions(), or check the "
                    "path") from None
    except UnicodeDecodeError:
        raise _fail(name, "the whole file", "bytes that are not UTF-8 text") from None
    doc = json_document(text, name=name, form=_FORMAT, version=_VERSION, written_by=_WRITTEN_BY, fix=_FIX,
                        fix_format="keep only saved sessions in the sessions folder (answer files go in responses/)",
                        fix_version="update workfw to read a session saved by a newer version")
    for key, kind in (("group", str), ("label", str), ("when", str), ("answers", list)):
        if not isinstance(doc.get(key), kind):
            raise _fail(name, f"key {key!r}", repr(doc.get(key))[:60], f"a {kind.__name__}")
    return Session(group=doc["group"], label=doc["label"], when=doc["when"], path=path,
                   frameworks=tuple(k for k in FRAMEWORKS if k in set(doc.get("frameworks") or [])),
                   responses=_rows(doc["answers"], name))


def _rows(answers: list, name: str) -> pd.DataFrame:
    rows = []
    for number, row in enumerate(answers, start=1):
        if not isinstance(row, list) or len(row) != len(_ROW):
            raise _fail(name, f"answer {number}", repr(row)[:60], f"a list of {len(_ROW)} values {list(_ROW)}")
        answer = row[6]
        if row[3] not in FRAMEWORKS:
            raise _fail(name, f"answer {number}", f"framework {row[3]!r}", f"one of {list(FRAMEWORKS)}")
        if answer is not None and (isinstance(answer, bool) or answer not in (1, 2, 3, 4, 5)):
            raise _fail(name, f"answer {number}", f"answer {answer!r}", "1 to 5, or null for \"don't know\"")
        rows.append((*row, None))
    return long_frame(rows)


def list_sessions(*, group: str | None = None, directory: str | Path | None = None) -> pd.DataFrame:
    """The saved sessions, oldest first, optionally of one group.

    Parameters
    ----------
    group : str, optional
        Only this group's sessions (case and surrounding spaces ignored).
    directory : str or pathlib.Path, optional
        The sessions folder (default :func:`sessions_dir`).

    Returns
    -------
    pandas.DataFrame
        ``name`` (pass it to :func:`load_session`), ``group``, ``label``, ``when``, ``frameworks``,
        ``participants``, ``path``.  Files that could not be read are listed in ``attrs["skipped"]``
        (``{"file", "reason"}``), never dropped silently.
    """
    folder = Path(directory) if directory is not None else sessions_dir()
    records, skipped = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.name.startswith("."):  # an atomic write's temporary file
            continue
        try:
            session = load_session(path)
        except AssessmentFileError as exc:
            skipped.append({"file": path.name, "reason": str(exc)})
            continue
        if group is not None and session.group.strip().casefold() != group.strip().casefold():
            continue
        records.append({"name": path.stem, "group": session.group, "label": session.label, "when": session.when,
                        "frameworks": list(session.frameworks),
                        "participants": int(session.responses["participant"].nunique()), "path": path})
    out = pd.DataFrame(records, columns=["name", "group", "label", "when", "frameworks", "participants", "path"])
    out = out.sort_values(["when", "name"], kind="stable").reset_index(drop=True)
    out.attrs["skipped"] = skipped
    return out


def _as_session(value: Any, which: str) -> Session:
    if isinstance(value, Session):
        return value
    if isinstance(value, (str, Path)):
        return load_session(value)
    if isinstance(value, pd.DataFrame) or hasattr(value, "responses"):
        frame = _answer_table(value)
        keys = tuple(k for k in FRAMEWORKS if k in set(frame["framework"]))
        return Session(group="", label=which, when="", frameworks=keys, responses=frame)
    raise OptionError(f"compare_sessions: the {which} session is a {type(value).__name__}; expected a Session, a "
                      "saved session's path or name, or an answer table. Next step: pass load_session(...).")


def _framework(earlier: Session, later: Session, framework: str | None) -> str:
    def has(session: Session) -> str:
        return ", ".join(FRAMEWORKS[k] for k in session.frameworks) or "no answers"

    if framework is not None:
        if framework not in FRAMEWORKS:
            raise OptionError(f"compare_sessions: framework={framework!r}; expected one of {list(FRAMEWORKS)}.")
        for which, session in (("earlier", earlier), ("later", later)):
            if framework not in session.frameworks:
                raise OptionError(f"compare_sessions: the {which} session {session.title!r} has answers to "
                                  f"{has(session)}, not {FRAMEWORKS[framework]}; expected both sessions to answer "
                                  "the same framework. Next step: pick another earlier session, or another "
                                  "framework=.")
        return framework
    common = [k for k in earlier.frameworks if k in later.frameworks]
    if len(common) == 1:
        return common[0]
    if not common:
        raise OptionError(f"compare_sessions: the earlier session {earlier.title!r} has answers to {has(earlier)}, "
                          f"the later {later.title!r} to {has(later)}; expected the same framework in both. Next "
                          "step: pick a session of the same framework.")
    raise OptionError(f"compare_sessions: both sessions answer {[FRAMEWORKS[k] for k in common]}; expected one. "
                      f"Next step: pass framework=, one of {common}.")


def compare_sessions(earlier: Any, later: Any, *, framework: str | None = None) -> pd.DataFrame:
    """Two sessions of a group side by side, per element: how the group saw it then and now.

    Parameters
    ----------
    earlier, later : Session, path, session name or answer table
        The sessions (a Collection or answer table stands for the session running now).
    framework : str, optional
        Needed when both sessions answered more than one framework in common.

    Returns
    -------
    pandas.DataFrame
        One row per element in bank order (:data:`SESSION_COLUMNS`): ``earlier`` and ``later`` perceived
        score (0-100, NA when nobody answered 1-5, never 0), ``change`` (later - earlier), ``*_answers``
        (answers 1-5) and ``*_participants``.  ``attrs``: ``framework``, ``earlier`` and ``later`` titles.

    Raises
    ------
    OptionError
        The sessions have no framework in common, or ``framework`` is missing from one of them.
    AssessmentFileError
        A path or name that cannot be read as a session.
    """
    first, second = _as_session(earlier, "earlier"), _as_session(later, "later")
    key = _framework(first, second, framework)
    a = aggregate(first.responses, framework=key)
    b = aggregate(second.responses, framework=key)
    a, b = a.reset_index(), b.reset_index()  # the same elements in the same (bank) order
    out = pd.DataFrame({"element": a["element"].astype(str), "earlier": a["perceived"], "later": b["perceived"],
                        "earlier_answers": a["count"], "later_answers": b["count"],
                        "earlier_participants": a["participants"], "later_participants": b["participants"]})
    out["change"] = out["later"] - out["earlier"]
    out = out[list(SESSION_COLUMNS)]
    out.attrs.update(framework=key, earlier=first.title, later=second.title)
    return out


def compare_figure(comparison: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """The earlier and the later session's perceived score per element, side by side.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`compare_sessions`.
    title : str, optional
        Chart title (escaped); by default the framework and the two sessions.

    Returns
    -------
    plotly.graph_objects.Figure
        Two bars per element (earlier hatched); an element nobody rated is a grey bar labelled "n/a".
    """
    order = comparison["element"].tolist()
    names = {"earlier": comparison.attrs.get("earlier", "earlier"), "later": comparison.attrs.get("later", "later")}
    fig = go.Figure()
    for column, pattern in (("earlier", "/"), ("later", "")):
        values = pd.to_numeric(comparison[column], errors="coerce").astype(float)
        label = escape_text(f"{column.capitalize()}: {names[column]}", limit=60)
        fig.add_bar(x=order, y=values.fillna(0), name=label,
                    marker=dict(color=[ELEMENT_COLOURS.get(e, "#888") if pd.notna(v) else NA_COLOUR
                                       for e, v in zip(order, values)], pattern_shape=pattern,
                                line=dict(color="#333", width=1), opacity=0.6 if column == "earlier" else 1.0),
                    text=[f"{v:.0f}" if pd.notna(v) else "n/a" for v in values], textposition="outside",
                    hovertemplate="%{x}<br>" + label + ": %{text}<extra></extra>")
    key = comparison.attrs.get("framework")
    default = f"{FRAMEWORKS.get(key, 'Perceived score')}: {names['earlier']} and {names['later']}"
    fig.update_layout(template=TEMPLATE, font=FONT, barmode="group", title=escape_text(title or default, limit=160),
                      yaxis=dict(range=[0, 110], title="how we see it (0-100)"), legend=dict(orientation="h", y=-0.15))
    return fig
