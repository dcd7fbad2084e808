"""The tracker comparison shipped with workfw matches what the code computes from the samples."""
from __future__ import annotations

import numpy as np

import workfw as wf
from workfw import coverage


def test_shipped_comparison_matches_a_fresh_computation():
    shipped = coverage.compare_trackers()
    fresh = coverage.compare_trackers(recompute=True)
    assert list(shipped.index) == list(wf.list_samples()["name"])
    assert list(shipped.columns) == list(fresh.columns)
    assert np.allclose(shipped.to_numpy(float), fresh.to_numpy(float), atol=1e-6, equal_nan=True), (
        "workfw/tracker_coverage.csv is out of date: run "
        "`.venv/bin/python -c 'import workfw.coverage as c; c.write_shipped_comparison()'` and commit it")


def test_a_chosen_subset_is_computed_not_read_from_the_shipped_file():
    subset = coverage.compare_trackers(["linear", "github"])
    assert list(subset.index) == ["linear", "github"]
    assert subset.loc["linear"].between(0, 1).all()
