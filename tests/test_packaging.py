"""Binder (environment.yml) and pip (pyproject.toml) must agree; the package layout must ship."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml  # pyyaml comes with jupyter

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_and_pyproject_name_the_same_runtime_dependencies():
    pip_deps = {_name(r): r for r in _pyproject()["project"]["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_deps = {_name(d): d for d in env["dependencies"] if isinstance(d, str) and _name(d) not in ("python", "pip")}
    assert set(pip_deps) == set(conda_deps), (
        f"only in pyproject: {sorted(set(pip_deps) - set(conda_deps))}; "
        f"only in environment.yml: {sorted(set(conda_deps) - set(pip_deps))}")
    for name, req in pip_deps.items():
        lower_pip = re.search(r">=\s*([\w.]+)", req)
        lower_conda = re.search(r">=\s*([\w.]+)", conda_deps[name])
        assert (lower_pip and lower_pip.group(1)) == (lower_conda and lower_conda.group(1)), name


def test_core_packages_are_runtime_dependencies():
    names = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    assert {"jupyterlab", "ipywidgets", "pandas", "plotly", "pyarrow", "jinja2", "markupsafe"} <= names


def test_anywidget_is_not_a_dependency_while_nothing_uses_it():
    """plotly's FigureWidget needs anywidget (plotly>=6 does not declare it); workfw and its notebooks use none."""
    names = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    sources = [*(ROOT / "workfw").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    users = [str(p.relative_to(ROOT)) for p in sources
             if re.search(r"\bFigureWidget\(|import anywidget|from anywidget", p.read_text(encoding="utf-8"))]
    assert "anywidget" not in names or users, "anywidget is declared but nothing uses it: drop it"
    assert "anywidget" in names or not users, f"{users} use anywidget (go.FigureWidget): declare it"


def test_report_templates_ship_with_the_wheel():
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    templates = sorted(p.name for p in (ROOT / "workfw" / "reporting" / "templates").iterdir())
    assert templates and all(p.endswith(".j2") for p in templates), templates
    assert "templates/*.j2" in data["workfw.reporting"]


def test_the_version_is_written_once():
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "workfw.version.__version__"}


def test_every_subpackage_is_listed_for_the_wheel():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "workfw").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "workfw.sample_data" in listed


def test_binder_postbuild_installs_the_package():
    text = (ROOT / "postBuild").read_text()
    assert "pip install" in text and " -e ." in text


def test_quick_start_is_the_two_commands_and_ci_calls_make_test():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make (\w+)", quick, flags=re.M)
    assert commands == ["lab", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "notebooks/00_start_here.ipynb" in makefile
