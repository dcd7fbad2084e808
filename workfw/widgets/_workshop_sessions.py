"""The facilitator keeps this session and sets it beside an earlier one of the same group (05_workshop).

A thin view: saving, listing, reading and comparing sessions are
:func:`workfw.assessment.save_session`, :func:`~workfw.assessment.list_sessions`,
:func:`~workfw.assessment.load_session` and :func:`~workfw.assessment.compare_sessions`;
this module lays out the controls and shows the table and chart they return.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as W
import pandas as pd

from workfw import assessment as A
from workfw.errors import WorkfwError
from workfw.widgets._common import frame_html, show
from workfw.widgets._workshop_participant import _STYLE, _error, _ok

__all__ = ["SessionPanel"]

_HEADERS = {"element": "Element", "earlier": "Earlier", "later": "Now", "change": "Change",
            "earlier_answers": "Answers then", "later_answers": "Answers now"}


class SessionPanel(W.VBox):
    """Save this workshop's answers as a session, pick an earlier session of the group, compare per element.

    Parameters
    ----------
    collector : Collector
        Where this session's answers come from (its ``responses`` and ``frameworks``).
    group : str, optional
        The group's name; by default the team chosen in ``selection``, else empty (type it).
    selection : workfw.assessment.TeamSelection, optional
        The page's team choice, used for the default group.
    directory : str or pathlib.Path, optional
        The sessions folder (default :func:`workfw.assessment.sessions_dir`).

    Attributes
    ----------
    saved : pathlib.Path or None
        The file this session was last saved to.
    tables, figures : dict
        Per framework key, the last comparison's table and chart.
    """

    def __init__(self, collector: Any, *, group: str | None = None, selection: A.TeamSelection | None = None,
                 directory: str | Path | None = None) -> None:
        self.collector, self.directory = collector, directory
        default = group if group is not None else (selection.team if selection is not None else None)
        # continuous_update=False: the list of sessions is read again when typing ends, not at every key.
        self.group = W.Text(value=default or "", description="Group", placeholder="e.g. Platform", style=_STYLE,
                            continuous_update=False)
        self.label = W.Text(value=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d"), description="This session",
                            style=_STYLE)
        self.save_button = W.Button(description="Save this session", icon="save")
        self.earlier = W.Dropdown(options=[], description="Earlier session", style=_STYLE,
                                  layout=W.Layout(width="auto"))
        self.compare_button = W.Button(description="Compare", icon="columns")
        self.status = W.HTML()
        self.problems = W.HTML()
        self.body = W.VBox()
        self.saved: Path | None = None
        self.tables: dict[str, pd.DataFrame] = {}
        self.figures: dict[str, Any] = {}
        self.save_button.on_click(lambda _: self.save())
        self.compare_button.on_click(lambda _: self.compare())
        self.group.observe(lambda _: self.list_earlier(), names="value")
        super().__init__([W.HBox([self.group, self.label, self.save_button]),
                          W.HBox([self.earlier, self.compare_button]), self.status, self.problems, self.body])
        self.list_earlier()

    def save(self) -> Path | None:
        """Save the answers collected so far (again: the same group and label replace the earlier save)."""
        try:
            self.saved = A.save_session(self.collector.responses, group=self.group.value, label=self.label.value,
                                        directory=self.directory, overwrite=True)
        except (WorkfwError, OSError) as exc:
            self.status.value = _error(f"Not saved: {exc}")
            return None
        people = self.collector.responses["participant"].nunique()
        self.status.value = _ok(f"Saved {people} participant{'' if people == 1 else 's'}' answers, without names, "
                                f"as {self.saved.name} ({self.saved.parent}).")
        self.list_earlier()
        return self.saved

    def list_earlier(self) -> pd.DataFrame:
        """Fill **Earlier session** with the group's saved sessions, newest first, this one left out."""
        group = self.group.value.strip()
        sessions = A.list_sessions(group=group or None, directory=self.directory)
        if self.saved is not None:
            sessions = sessions[sessions["path"] != self.saved]
        options = [(f"{label} ({when[:10]}, {n} people) · {g}", str(path)) for label, when, n, g, path
                   in zip(sessions["label"], sessions["when"], sessions["participants"], sessions["group"],
                          sessions["path"])][::-1]
        self.earlier.options = options
        self.earlier.value = options[0][1] if options else None  # the newest: usually the one to compare with
        self.compare_button.disabled = not len(sessions)
        skipped = sessions.attrs.get("skipped") or []
        items = "".join(f"<li>{html.escape(s['reason'])}</li>" for s in skipped[:5])
        problems = f"<div style='color:#b00'><b>Sessions not read:</b><ul>{items}</ul></div>"
        self.problems.value = problems if items else ""
        return sessions

    def compare(self) -> dict[str, pd.DataFrame]:
        """Set the chosen earlier session beside the answers collected now, per framework both answered."""
        self.tables, self.figures, children = {}, {}, []
        if not self.earlier.value:
            self.status.value = _error(f"No earlier session of {self.group.value.strip() or 'any group'} yet. "
                                       "Save this one, and compare with it next time.")
            self.body.children = []
            return self.tables
        try:
            earlier = A.load_session(self.earlier.value)
        except WorkfwError as exc:
            self.status.value = _error(str(exc))
            return self.tables
        now = A.Session(group=self.group.value.strip(), label=self.label.value.strip() or "now",
                        when=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
                        frameworks=tuple(k for k in self.collector.frameworks
                                         if k in set(self.collector.responses["framework"])),
                        responses=self.collector.responses)
        keys = [k for k in now.frameworks if k in earlier.frameworks]
        if not keys:
            try:
                A.compare_sessions(earlier, now)  # raises the message naming both sessions' frameworks
            except WorkfwError as exc:
                self.status.value = _error(str(exc))
            self.body.children = []
            return self.tables
        for key in keys:
            table = A.compare_sessions(earlier, now, framework=key)
            self.tables[key], self.figures[key] = table, A.compare_figure(table)
            out = W.Output()
            show(out, self.figures[key])
            children += [W.HTML(f"<h4>{html.escape(A.FRAMEWORKS[key])}</h4>"), out,
                         W.HTML(frame_html(_shown(table), na_rep="n/a"))]
        self.status.value = _ok(f"{earlier.title} beside {now.title}.")
        self.body.children = children
        return self.tables


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[list(_HEADERS)].copy()
    for column in ("earlier", "later", "change"):
        shown[column] = shown[column].astype("Float64").round(0).astype("Int64")
    return shown.rename(columns=_HEADERS)

