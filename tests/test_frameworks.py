"""The one registry of frameworks: every place that names the frameworks reads it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workfw.errors import OptionError
from workfw.all_frameworks import route_options
from workfw.frameworks import (FRAMEWORK_CODES, FRAMEWORKS, REGISTRY, Framework, UnknownFrameworkError,
                               check_frameworks, get_framework)

ROOT = Path(__file__).resolve().parents[1]


def test_registry_lists_the_four_frameworks_in_report_order():
    assert [f.key for f in REGISTRY] == ["c4_flywheel", "coordination_stack", "value_pyramid", "visibility"]
    assert FRAMEWORKS == {"c4_flywheel": "C4 Flywheel", "coordination_stack": "Coordination Stack",
                          "value_pyramid": "Work Value Pyramid", "visibility": "Work Visibility"}
    assert FRAMEWORK_CODES == {"c4_flywheel": "C4", "coordination_stack": "CS", "value_pyramid": "VP",
                               "visibility": "WV"}
    entry = get_framework("visibility")
    assert isinstance(entry, Framework) and entry.module().__name__ == "workfw.visibility"
    with pytest.raises(AttributeError):
        entry.title = "other"  # frozen


def test_everything_that_names_the_frameworks_reads_the_registry():
    import workfw
    from workfw import assessment, reporting
    from workfw.cli import build_parser

    assert assessment.FRAMEWORKS is FRAMEWORKS and assessment.FRAMEWORK_CODES is FRAMEWORK_CODES
    assert reporting.FRAMEWORKS is FRAMEWORKS and reporting.diagnose_all is workfw.diagnose_all
    assert [k for k in workfw.__all__ if k in FRAMEWORKS] == list(FRAMEWORKS)
    only = next(a for a in build_parser()._subparsers._group_actions[0].choices["report"]._actions
                if a.dest == "only")
    assert list(only.choices) == list(FRAMEWORKS)


def test_an_unknown_key_lists_the_valid_ones():
    with pytest.raises(UnknownFrameworkError, match=r"framework='kanban'; expected one of \['c4_flywheel'"):
        get_framework("kanban")
    assert issubclass(UnknownFrameworkError, OptionError) and issubclass(UnknownFrameworkError, ValueError)
    with pytest.raises(OptionError, match=r"report: frameworks=\[\]"):
        check_frameworks([])
    assert check_frameworks(("visibility", "c4_flywheel", "visibility")) == ["visibility", "c4_flywheel"]
    assert check_frameworks("visibility") == ["visibility"]


def test_options_are_routed_to_their_framework():
    routed = route_options(["coordination_stack", "visibility"],
                           {"stale_days": 10, "coordination_stack": {"fresh_days": 7}})
    assert routed == {"coordination_stack": {"stale_days": 10, "fresh_days": 7}, "visibility": {"stale_days": 10}}
    with pytest.raises(OptionError, match=r"unknown options \['fresh_day'\]"):
        route_options(["visibility"], {"fresh_day": 7})
    with pytest.raises(OptionError, match=r"visibility=7; expected a dict"):
        route_options(["visibility"], {"visibility": 7})


def test_reading_the_titles_imports_no_framework_package():
    """The self-assessment reads the registry; a participant's notebook must not pay for four diagnoses."""
    code = ("import sys, workfw.assessment; "
            "print(sorted(m for m in sys.modules if m.split('.')[:2] in (['workfw', 'c4_flywheel'], "
            "['workfw', 'coordination_stack'], ['workfw', 'value_pyramid'], ['workfw', 'visibility'], "
            "['workfw', 'reporting'])))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=True)
    assert done.stdout.strip() == "[]"
