"""The **Write the offline form** button of ``05_workshop``: the participant form as HTML files to send out.

A thin view over :func:`workfw.assessment.write_participant_form`: one file
per chosen framework in the workspace's ``forms`` folder, each offered as a
download link that carries the file itself (a data URI), so it works in
Voila and on a remote JupyterHub alike.  Every path and name shown is escaped.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Sequence

import ipywidgets as W

from workfw import assessment as A
from workfw.errors import WorkfwError
from workfw.files import workspace_dir
from workfw.widgets._workshop_participant import FrameworkPicker, _download_link, _error

__all__ = ["OfflineFormButton"]


class OfflineFormButton(W.VBox):
    """Write the participant form of each chosen framework as one offline HTML file, and offer it for download.

    Participants open the file in any browser (no kernel, server or network),
    answer, and send back the short code or the answer file, which the
    ``Collector`` reads like the notebook form's.

    Parameters
    ----------
    frameworks : sequence of str or FrameworkPicker
        Framework keys (or statement bank paths); with a picker, its choice
        when the button is clicked.
    directory : str or pathlib.Path, optional
        Where to write (default ``<workspace>/forms``).
    """

    def __init__(self, frameworks: Sequence[str] | FrameworkPicker = ("c4_flywheel",),
                 directory: str | Path | None = None) -> None:
        self.frameworks = frameworks
        self.directory = Path(directory) if directory is not None else workspace_dir() / "forms"
        self.paths: dict[str, Path] = {}
        self.button = W.Button(description="Write the offline form", icon="download", button_style="primary",
                               tooltip="One HTML file per chosen framework, to send to participants",
                               layout=W.Layout(width="auto"))
        self.status = W.HTML()
        self.button.on_click(lambda _: self.write())
        super().__init__([self.button, self.status])

    def chosen(self) -> list[str]:
        """The frameworks a click writes forms for, in the picker's order."""
        if isinstance(self.frameworks, FrameworkPicker):
            return list(self.frameworks.value)
        return [self.frameworks] if isinstance(self.frameworks, str) else list(self.frameworks)

    def write(self) -> dict[str, Path]:
        """Write the forms (replacing earlier ones); returns framework -> file, empty when nothing was written."""
        chosen = self.chosen()
        if not chosen:
            self.status.value = _error("Choose at least one framework above first.")
            return {}
        paths, links = {}, []
        for framework in chosen:
            name = f"participant-form-{Path(framework).stem}.html"
            try:
                path = A.write_participant_form(framework, self.directory / name, overwrite=True)
            except (WorkfwError, OSError) as exc:
                self.status.value = _error(f"Could not write the form for {framework}: {exc}")
                return {}
            paths[framework] = path
            title = A.FRAMEWORKS.get(framework, Path(framework).name)
            links.append(f"<li>{_download_link(name, path.read_bytes(), 'text/html', f'⬇ {title} form ({name})')}"
                         f" <small>saved as <code>{html.escape(str(path))}</code></small></li>")
        self.paths = paths
        self.status.value = (
            f"<ul>{''.join(links)}</ul><p>Send the file to the participants by mail, chat or a shared drive. They "
            "open it in any browser (no Binder, server or network needed), answer, and send back their code or "
            "their answer file: paste the codes or upload the files under <b>Collect the answers</b>.</p>")
        return paths
