"""The package's folders are its layers: each imports only the layers below it, and no module
imports another that imports it back (``TYPE_CHECKING`` imports count).
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "target_eloqua"

MAY_IMPORT: dict[str, set[str]] = {
    "bulk": set(),
    "errors": {"bulk"},
    "mapping": {"errors"},
    "reading": {"errors", "mapping"},
    "loading": {"bulk", "errors", "mapping"},
    "credentials": {"bulk"},
    "settings": {"credentials", "errors", "mapping"},
    "sinks": {"errors", "loading", "mapping", "reading", "settings"},
    "target": {"bulk", "credentials", "errors", "loading", "mapping", "reading", "settings"}
    | {"sinks"},
    "__main__": {"target"},
    "__init__": set(),
    "emulator": set(),
}
"""Each part of the package (a subpackage or a top-level module) and the parts it may import."""


def module_names() -> Iterator[str]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = set(module_names())


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports, wherever the import statement is."""
    path = PACKAGE.parent / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = {f"{node.module}.{alias.name}" for alias in node.names}
            imported |= (names & MODULES) or {node.module}
    return imported & MODULES


GRAPH = {module: imports_of(module) for module in MODULES}


def part_of(module: str) -> str:
    """``target_eloqua.loading.spool`` -> ``loading``; the package itself is ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_part_of_the_package_has_its_place_in_the_layers() -> None:
    assert {part_of(module) for module in MODULES} == set(MAY_IMPORT)


def test_the_layers_stack_up_without_a_circle() -> None:
    graphlib.TopologicalSorter(MAY_IMPORT).prepare()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_own_part_and_the_layers_below(module: str) -> None:
    allowed = MAY_IMPORT[part_of(module)] | {part_of(module)}

    assert {part_of(imported) for imported in GRAPH[module]} <= allowed


def test_no_module_imports_one_that_imports_it_back() -> None:
    graphlib.TopologicalSorter(GRAPH).prepare()


def test_the_top_of_the_package_has_at_most_8_modules() -> None:
    assert len(list(PACKAGE.glob("*.py"))) <= 8
