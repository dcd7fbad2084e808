"""Notebooks are committed clean: no outputs, one kernelspec, a parameters cell, short cells."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
EXPECTED = ["00_start_here", "01_c4_flywheel", "02_coordination_stack", "03_work_value_pyramid",
            "04_work_visibility", "05_workshop", "06_flow_and_forecasts",
            "07_organisation"]


def test_the_workbook_has_its_notebooks():
    names = [p.stem for p in NOTEBOOKS]
    assert "00_start_here" in names
    assert names == [n for n in EXPECTED if n in names], "notebooks are numbered in reading order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], "widget state must be stripped"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code cells"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, "commit notebooks without outputs"
        source = "".join(cell["source"])
        assert "sys.path" not in source, "import the installed workfw; never patch sys.path"
        assert len(source.strip().splitlines()) <= 12, f"cell too long, move logic into workfw:\n{source[:200]}"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters' (papermill convention)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_credits_the_work_management_institute(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "Work Management Institute" in text and "workmanagementinstitute.org" in text
