"""The layers point one way: no import reaches up, no import cycle, no underscore name crosses a package.

The layers are those of ``docs/architecture.md``; every import in ``workfw`` is read from the
source (imports inside functions included, since they hide cycles rather than remove them).
"""
from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workfw"

#: Module (or package) -> layer, lowest first.  A module may import only from its own layer or below;
#: the most specific prefix wins.
LAYERS: dict[str, int] = {
    "workfw.version": 0, "workfw.errors": 0, "workfw.files": 0, "workfw.style": 0, "workfw.safe_csv": 0,
    "workfw.diagram": 0, "workfw.text_arrays": 0, "workfw.bulk_work": 0, "workfw.table_versions": 0,
    "workfw.list_cells": 0,
    "workfw.schema": 1, "workfw.export": 1, "workfw.statuses": 1, "workfw.actors": 1, "workfw.frameworks": 1,
    "workfw.io": 2,
    "workfw.samples": 3,
    "workfw.privacy": 4, "workfw.workspace": 5, "workfw.coverage": 4, "workfw.setup_check": 4,
    "workfw.core": 6,
    "workfw.flow": 7, "workfw.charts": 7, "workfw.advice": 7,
    "workfw.coordination_stack": 8, "workfw.value_pyramid": 8, "workfw.visibility": 8,
    "workfw.c4_flywheel": 9,
    "workfw.all_frameworks": 10,
    "workfw.html_table": 11, "workfw.change": 11, "workfw.readable": 11, "workfw.assessment": 11,
    "workfw.organisation": 11,
    "workfw.reporting": 12,
    "workfw.widgets": 13, "workfw.flow_charts": 13,
    "workfw.cli": 14, "workfw.__main__": 14, "workfw": 15,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = PACKAGE.parent / Path(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imports() -> dict[str, list[tuple[str, str, int]]]:
    """Module -> [(imported module, imported name or "", line)] for every import of workfw code."""
    found: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found[module] += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("workfw")]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("workfw"):
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found[module].append((sub, "", node.lineno) if _is_module(sub) else (target, alias.name, node.lineno))
    return found


def _layer(module: str) -> int:
    best = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return LAYERS[best]


def _package(module: str) -> str:
    return module if (PACKAGE.parent / Path(*module.split(".")) / "__init__.py").exists() else module.rpartition(".")[0]


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in _imports() if not any(m == p or m.startswith(p + ".") for p in LAYERS if p != "workfw")
                and m != "workfw"]
    assert not unplaced, f"add these modules to LAYERS (and docs/architecture.md): {unplaced}"


def test_no_import_points_up_the_layers() -> None:
    upward = [f"{module}:{line} imports {target} (layer {_layer(target)} above {_layer(module)})"
              for module, targets in _imports().items() for target, _, line in targets
              if _layer(target) > _layer(module)]
    assert not upward, "\n".join(upward)


def test_no_import_cycle() -> None:
    graph = {module: {t for t, _, _ in targets if t != module} for module, targets in _imports().items()}
    # A package's __init__ re-exporting its own submodules is not a cycle unless a submodule imports it back.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_no_underscore_name_crosses_a_package() -> None:
    crossing = []
    for module, targets in _imports().items():
        for target, name, line in targets:
            private = name.startswith("_") and not name.startswith("__") or any(
                part.startswith("_") and part != "__main__" for part in target.split("."))
            if private and _package(target) != _package(module):
                crossing.append(f"{module}:{line} imports {target}{'.' + name if name else ''}")
    assert not crossing, f"{len(crossing)} imports of another package's private names:\n" + "\n".join(crossing)


@pytest.mark.parametrize("name", ["core", "flow", "c4_flywheel", "coordination_stack", "value_pyramid", "visibility",
                                  "privacy", "reporting", "io", "assessment", "widgets", "samples"])
def test_no_public_name_is_shadowed_by_a_submodule(name: str) -> None:
    """Importing ``workfw.<pkg>.figures`` would replace a function ``figures`` on the package."""
    package = importlib.import_module(f"workfw.{name}")
    submodules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    assert not set(getattr(package, "__all__", ())) & submodules


@pytest.mark.parametrize("framework", ["c4_flywheel", "coordination_stack", "value_pyramid", "visibility"])
def test_a_framework_package_is_built_on_its_definition(framework: str) -> None:
    """The definition sits at the bottom of its package; figures read it, never the package's public module."""
    imports = _imports()
    package = f"workfw.{framework}"
    definition = imports.get(f"{package}.definition", [])
    assert f"{package}.definition" in imports or (PACKAGE / framework / "definition.py").exists()
    assert not [t for t, _, _ in definition if t.startswith(package)], "the definition imports its own package"
    diagrams = [t for t, _, _ in imports[f"{package}.diagrams"]]
    assert package not in diagrams, f"{package}.diagrams imports the package's public module"
    assert f"{package}.definition" in diagrams, f"{package}.diagrams should draw from {package}.definition"


def test_the_frameworks_are_listed_only_in_the_registry() -> None:
    """A title, or all four keys together, written as literals outside ``workfw/frameworks.py`` is a second list."""
    from workfw.frameworks import REGISTRY

    titles = {f.key: f.title for f in REGISTRY}
    keys = set(titles)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "frameworks.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in titles.values():
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} writes the title {node.value!r}")
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                literal = {item.value for item in items if isinstance(item, ast.Constant)}
                if keys <= literal:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} lists the four framework keys")
    assert not found, "read workfw.frameworks instead:\n" + "\n".join(found)
