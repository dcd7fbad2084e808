"""An environment check that says what is wrong and the command that fixes it."""
from __future__ import annotations

import importlib
import importlib.util
import importlib.metadata as metadata
import sys

import pandas as pd

__all__ = ["check_environment"]

_PACKAGES = (
    ("pandas", "2.2"), ("pyarrow", "15"), ("plotly", "6.1"), ("ipywidgets", "8.1"),
    ("jinja2", "3.1"), ("jupyterlab", "4.2"), ("jupyterlab_widgets", "3.0"),
)
_FIX = "run `make lab` again from the workbook folder (it reinstalls into .venv), or `pip install -e .`"


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_environment() -> pd.DataFrame:
    """Check Python, the packages, the widget extension and the sample data.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check``, ``ok`` (bool), ``found`` and ``fix``
        (empty when fine).  Nothing is printed; the start notebook shows it.
    """
    rows = []
    ok = sys.version_info >= (3, 11)
    rows.append(("Python 3.11 or newer", ok, sys.version.split()[0],
                 "" if ok else "install Python 3.11+ and run `make lab` again"))
    for name, minimum in _PACKAGES:
        try:
            # The notebook server's own packages are only located, not imported: importing JupyterLab
            # into a kernel costs seconds and proves nothing more than finding it does.
            if name.startswith("jupyterlab"):
                if importlib.util.find_spec(name) is None:
                    raise ImportError(f"No module named {name!r}")
            else:
                importlib.import_module(name)
            version = metadata.version(name.replace("_", "-"))
            ok = _version_tuple(version) >= _version_tuple(minimum)
            rows.append((f"{name} >= {minimum}", ok, version, "" if ok else _FIX))
        except ImportError as exc:
            rows.append((f"{name} >= {minimum}", False, f"not importable ({exc})", _FIX))
    try:
        from workfw.samples import list_samples, load_sample

        sample = load_sample()
        rows.append(("sample organisation readable", True,
                     f"{len(sample.tasks)} tasks in {len(list_samples())} tracker formats", ""))
    except (ImportError, ValueError, OSError) as exc:
        rows.append(("sample organisation readable", False, str(exc)[:120],
                     "reinstall workfw (`pip install -e .`); the sample files ship in data/samples"))
    try:
        import plotly.io as pio

        renderer = pio.renderers.default
        rows.append(("plotly renders in the notebook", True, renderer, ""))
    except ImportError as exc:
        rows.append(("plotly renders in the notebook", False, str(exc), _FIX))
    return pd.DataFrame(rows, columns=["check", "ok", "found", "fix"])
