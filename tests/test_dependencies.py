"""Every third-party module the package (src/) or its tests import is declared in pyproject.toml
(issue 11, finding 1: `lineax` was imported but not declared, and CI passed because it had been
installed by hand).

The rule is stricter than ../shared/tools/undeclared_imports.py, which it replaces in CI: a
module must come from a distribution declared *directly* (or from an extra of one, such as
``dask[distributed]``), not merely from something a dependency happens to require today (typer
0.29 stopped requiring click, for one); and a module that is imported but not installed at all
is an error, not skipped. The package's imports must be covered by ``dependencies``; the tests'
by ``dependencies`` plus the ``test`` extra.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "tradewar"


def dist_name(requirement: str) -> tuple[str, set[str]]:
    """'dask[distributed]>=2024.1' -> ('dask', {'distributed'}): the normalized name and extras."""
    m = re.match(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?", requirement)
    extras = {e.strip() for e in (m.group(2) or "").split(",") if e.strip()}
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), extras


def allowed_distributions(requirements: list[str]) -> set[str]:
    """The declared distributions and those their declared extras bring in."""
    allowed = set()
    for req in requirements:
        name, extras = dist_name(req)
        allowed.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed: its imports are reported as not installed
        for r in requires:
            marker = re.search(r"""extra\s*==\s*["']([^"']+)["']""", r)
            if marker and marker.group(1) in extras:
                allowed.add(dist_name(r)[0])
    return allowed


def third_party_imports(folder: Path) -> dict[str, list[str]]:
    """Top-level module -> 'path:line' of each absolute import of it under `folder` (imports
    inside functions included), without the standard library and the package itself."""
    found: dict[str, list[str]] = {}
    # a sibling module (tests/web_server.py) or one of pytest's `pythonpath` folders (scripts/)
    pythonpath = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["pythonpath"]
    local = {p.stem for d in [folder, *(ROOT / x for x in pythonpath)] for p in d.glob("*.py")}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == PACKAGE or top in local:
                    continue
                found.setdefault(top, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def undeclared(folder: Path, requirements: list[str]) -> list[str]:
    """One line per module imported under `folder` that no allowed distribution provides."""
    allowed = allowed_distributions(requirements)
    owners = {m: {dist_name(d)[0] for d in ds} for m, ds in metadata.packages_distributions().items()}
    problems = []
    for module, where in sorted(third_party_imports(folder).items()):
        provided_by = owners.get(module)
        if provided_by is None:
            problems.append(f"{where[0]}: import {module}: not installed, so no declared dependency provides it")
        elif not provided_by & allowed:
            problems.append(
                f"{where[0]}: import {module}: from {', '.join(sorted(provided_by))}, "
                "which pyproject.toml does not declare"
            )
    return problems


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_package_imports_are_declared():
    assert undeclared(ROOT / "src", project()["dependencies"]) == []


def test_test_imports_are_declared():
    p = project()
    assert undeclared(ROOT / "tests", p["dependencies"] + p["optional-dependencies"]["test"]) == []


def test_the_check_finds_an_undeclared_dependency():
    """The check above can fail: without `lineax` (finding 1) or with a dependency reached only
    through another one (starlette, through fastapi), the package's imports are reported."""
    deps = project()["dependencies"]
    without_lineax = [d for d in deps if dist_name(d)[0] != "lineax"]
    assert any("import lineax" in line for line in undeclared(ROOT / "src", without_lineax))
    without_starlette = [d for d in deps if dist_name(d)[0] != "starlette"]
    assert any("import starlette" in line for line in undeclared(ROOT / "src", without_starlette))


def test_declared_distributions_are_installed():
    """Every declared distribution is installed in the environment the tests run in (the venv
    that .ci/run makes from pyproject.toml), at a version its lower bound admits."""
    p = project()
    for req in p["dependencies"] + p["optional-dependencies"]["test"]:
        name, _ = dist_name(req)
        version = metadata.version(name)  # PackageNotFoundError names it
        bound = re.search(r">=\s*([0-9][0-9.]*)", req)
        if bound:
            have = tuple(int(x) for x in re.findall(r"\d+", version)[:3])
            need = tuple(int(x) for x in bound.group(1).split(".") if x)
            assert have[: len(need)] >= need, (req, version)
