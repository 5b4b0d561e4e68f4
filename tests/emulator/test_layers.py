"""The emulator's layers, read from its source: the model imports nothing of the HTTP side (nor the
package, whose ``__init__`` imports the server), and no modules import each other in a cycle.
Every import statement counts, those under ``TYPE_CHECKING`` or inside functions too."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = "target_eloqua.emulator"
MODEL = f"{PACKAGE}.model"
HTTP = f"{PACKAGE}.http"
SOURCE_ROOT = Path(__file__).parents[2]


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for path in sorted((SOURCE_ROOT / PACKAGE.replace(".", "/")).rglob("*.py"))
}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def source_module(node: ast.ImportFrom, package: str) -> str:
    """The module a ``from`` import names, a relative one made absolute."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imported(source: str, package: str) -> set[str]:
    """The emulator modules that ``source``, a module of ``package``, imports."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = source_module(node, package)
            # ``from package import module`` imports the module; ``from module import name``,
            # the module the name is in.
            names |= {
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            }
    return {name for name in names if within(name, PACKAGE)}


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imported(path.read_text(encoding="utf-8"), package)


GRAPH = {module: imports_of(module) for module in MODULES}


def test_the_graph_has_both_layers_and_their_imports() -> None:
    assert {f"{MODEL}.instance", f"{HTTP}.server", f"{PACKAGE}.__main__"} <= set(GRAPH)
    assert f"{HTTP}.routes" in GRAPH[f"{HTTP}.server"]
    assert f"{HTTP}.traffic" in GRAPH[f"{HTTP}.wire"]  # under TYPE_CHECKING
    assert {f"{HTTP}.admin_routes", f"{HTTP}.login_routes"} <= GRAPH[f"{HTTP}.routes"]


def test_imports_under_type_checking_inside_functions_and_relative_ones_count() -> None:
    source = """
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from target_eloqua.emulator.http.traffic import Backend
def late():
    import target_eloqua.emulator.http.server
from . import catalog
from ..http import wire
"""
    assert imported(source, MODEL) == {
        f"{HTTP}.traffic",
        f"{HTTP}.server",
        f"{MODEL}.catalog",
        f"{HTTP}.wire",
    }


@pytest.mark.parametrize("module", [name for name in MODULES if within(name, MODEL)])
def test_the_model_imports_only_the_model(module: str) -> None:
    assert {name for name in GRAPH[module] if not within(name, MODEL)} == set()


HTTP_LIBRARIES = {"http", "urllib", "requests", "socket", "socketserver"}
"""Libraries that speak HTTP or open sockets: the model uses none (``http.callbacks`` POSTs for
it, through a sender the instance is given)."""


def libraries(source: str) -> set[str]:
    """The top-level names of every module ``source`` imports, absolute imports only."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", [name for name in MODULES if within(name, MODEL)])
def test_the_model_uses_no_http_library(module: str) -> None:
    assert libraries(MODULES[module].read_text(encoding="utf-8")) & HTTP_LIBRARIES == set()


def test_no_modules_import_each_other_in_a_cycle() -> None:
    try:
        tuple(TopologicalSorter(GRAPH).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")
