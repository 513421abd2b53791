"""The package's layers: every module imports only its own layer or lower ones, and no two
tradewar modules import each other, directly or through others.

Imports are read from the source (ast), at module top and inside functions alike. A module's
layer is its package under ``tradewar`` (``tradewar.models.ossa`` -> models). The root finder
`tradewar.solver.newton` knows no model (it takes functions) and the models' calibrations use
it, so it ranks below the models although it lives in `tradewar.solver`. The package
``tradewar/__init__.py`` is the public facade above everything. Importing a module also runs
its parent packages' ``__init__``; that implicit import is not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Layers, lowest first (README, "Architecture").
LAYERS = {
    "errors": 0,
    "runtime": 0,
    "data": 1,
    "solver.newton": 2,
    "models": 3,
    "solver": 4,
    "scenario": 5,
    "games": 6,
    "replicate": 7,
    "report": 7,
    "web": 8,
    "cli": 9,
    "": 10,  # tradewar/__init__.py
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / "tradewar").rglob("*.py"))}


def layer(module: str) -> int:
    rest = module.removeprefix("tradewar").lstrip(".")
    for key in sorted(LAYERS, key=len, reverse=True):
        if rest == key or rest.startswith(key + ".") or key == "":
            return LAYERS[key]
    raise AssertionError(f"{module}: no layer")


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The tradewar modules `module` imports (anywhere in its source)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m in known and m != module}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: imports(m, p, known) for m, p in mods.items()}


def test_every_module_has_a_layer():
    for m in modules():
        layer(m)


def test_no_module_imports_a_higher_layer(graph):
    bad = [
        f"{m} (layer {layer(m)}) imports {d} (layer {layer(d)})"
        for m, deps in sorted(graph.items())
        for d in sorted(deps)
        if layer(d) > layer(m)
    ]
    assert not bad, "imports of higher layers:\n" + "\n".join(bad)


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles(graph):
    cycles = find_cycles(graph)
    assert not cycles, "import cycles among:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_checks_see_a_cycle_and_a_layer_breach():
    """The checks are not vacuous: a made-up graph with a cycle and an upward import fails them."""
    fake = {"tradewar.models.a": {"tradewar.cli"}, "tradewar.cli": {"tradewar.models.a"}}
    assert find_cycles(fake) == [["tradewar.cli", "tradewar.models.a"]]
    assert layer("tradewar.cli") > layer("tradewar.models.a")
    assert layer("tradewar.solver.newton") < layer("tradewar.models.ossa") < layer("tradewar.solver.batch")
