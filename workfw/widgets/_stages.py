"""The stage editor of the start notebook's status map: a stage per status and the commitment point.

A thin view: every rule is a function of :mod:`workfw.flow.stage_choice` (:func:`~workfw.flow.edit_stages`,
:func:`~workfw.flow.commitment_choices`, :func:`~workfw.flow.keep_stages`), and the loader keeps the
definition with the export it saves to the workspace.
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import pandas as pd

from workfw import flow
from workfw.errors import WorkfwError
from workfw.widgets._common import STYLE

__all__ = ["StageEditor"]

_INTRO = ("<h4>Workflow stages</h4><p>Learnt from the export: check the stage of each status and where work is "
          "committed, then <b>Keep these stages</b>. Cycle time, aging WIP, flow efficiency and every flow chart "
          "then measure with this one definition.</p>")


class StageEditor(W.VBox):
    """A stage dropdown per status, a commitment-point selector, and buttons to keep or forget the choice.

    Parameters
    ----------
    loader : DataLoader
        The loader whose export the stages are for; :meth:`keep` hands the definition to its
        ``keep_stages``.

    Attributes
    ----------
    stages : dict of str to str
        Your stages so far (status -> stage), not yet kept until :meth:`keep`.
    commitment : str or None
        The commitment status you chose (None: the learnt one).
    table : pandas.DataFrame
        :func:`workfw.flow.stage_map` of the export under this draft.
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.stages: dict[str, str] = {}
        self.commitment: str | None = None
        self.table = pd.DataFrame(columns=["status", "stage", "commitment", "source", "tasks"])
        self.dropdowns: dict[str, W.Dropdown] = {}
        self.rows = W.VBox()
        self.point = W.Dropdown(options=[], description="Commitment point", style=STYLE,
                                layout=W.Layout(width="360px"))
        self.keep_button = W.Button(description="Keep these stages", icon="check")
        self.learnt_button = W.Button(description="Back to the learnt stages", icon="undo")
        self.message = W.HTML()
        self._quiet = False
        self.point.observe(lambda change: self.set_commitment(change["new"]), names="value")
        self.keep_button.on_click(lambda _: self.keep())
        self.learnt_button.on_click(lambda _: self.forget())
        loader.on_load(lambda _: self.start())
        super().__init__([W.HTML(_INTRO), self.point, self.rows,
                          W.HBox([self.keep_button, self.learnt_button]), self.message])
        self.start()

    # ------------------------------------------------------------------ actions (what a click does)

    def start(self) -> None:
        """Begin from the definition kept with the loaded export (the learnt one when none was kept)."""
        export = self.loader.export
        kept = flow.kept_stages(export) if export is not None else {"stages": {}, "commitment": None}
        self.stages, self.commitment = dict(kept["stages"]), kept["commitment"]
        self.message.value = ""
        self._redraw()

    def set_stage(self, status: str, stage: str | None) -> None:
        """Give ``status`` a stage (None: its learnt one); a change the rules refuse is shown and undone."""
        if self._quiet or self.loader.export is None:
            return
        try:
            self.stages = flow.edit_stages(self.loader.export, stages=self.stages, commitment=self.commitment,
                                           status=status, stage=stage)
            self.message.value = ""
        except WorkfwError as exc:
            self._refuse(exc)
        self._redraw()

    def set_commitment(self, status: str | None) -> None:
        """Put the commitment point on ``status``; the learnt statuses around it move, as stage_map says."""
        if self._quiet or self.loader.export is None or status is None:
            return
        try:
            flow.stage_map(self.loader.export, stages=self.stages, commitment=status)
            self.commitment = status
            self.message.value = ""
        except WorkfwError as exc:
            self._refuse(exc)
        self._redraw()

    def keep(self) -> None:
        """Keep the draft with the loaded data (and in the workspace) for every notebook."""
        try:
            self.loader.keep_stages(stages=self.stages, commitment=self.commitment)
        except WorkfwError as exc:
            self._refuse(exc)
            return
        self.start()
        self.message.value = "<p style='color:#060'>Kept: every flow metric now uses these stages.</p>"

    def forget(self) -> None:
        """Drop your stages and commitment point, and keep the learnt definition."""
        self.stages, self.commitment = {}, None
        self.keep()

    # ------------------------------------------------------------------ drawing

    def _refuse(self, exc: Exception) -> None:
        self.message.value = f"<p style='color:#b00'><b>Not changed.</b> {html.escape(str(exc))}</p>"

    def _redraw(self) -> None:
        export = self.loader.export
        if export is None:
            return
        self.table = flow.stage_map(export, stages=self.stages, commitment=self.commitment)
        choices = flow.commitment_choices(self.table)
        point = self.table.attrs.get("commitment")
        self._quiet = True
        try:
            self.point.options = choices
            self.point.value = point if point in choices else None
            self.dropdowns, rows = {}, []
            for status, stage, source, tasks in self.table[["status", "stage", "source", "tasks"]].itertuples(
                    index=False):
                name = str(status)
                dd = W.Dropdown(options=list(flow.STAGES), value=stage if stage in flow.STAGES else None,
                                layout=W.Layout(width="170px"))
                dd.observe(lambda change, name=name: self.set_stage(name, change["new"]), names="value")
                self.dropdowns[name] = dd
                note = {"learnt": "learnt", "yours": "yours", "commitment point": "moved by the commitment point"}
                rows.append(W.HBox([W.HTML(f"<code>{html.escape(name)}</code>", layout=W.Layout(width="240px")), dd,
                                    W.HTML(f"<small>{html.escape(note.get(str(source), str(source)))}, "
                                           f"{int(tasks)} tasks now</small>")]))
            self.rows.children = rows
        finally:
            self._quiet = False
