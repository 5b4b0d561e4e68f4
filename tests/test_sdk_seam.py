"""singer-sdk's private names are used in one seam only: ``target.py`` and ``sinks.py``, at most
twelve of them, each beside a comment saying why (``# SDK ...``). An SDK upgrade can change any
of them without notice; this keeps the list short and in view.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import singer_sdk

PACKAGE = Path(__file__).parents[1] / "target_eloqua"
SEAM = {"target.py", "sinks.py"}
MAX_PRIVATE_NAMES = 12


def private_names_defined_by_the_sdk() -> set[str]:
    """Every ``_name`` the SDK defines: functions, methods, classes and attributes."""
    names = set()
    for path in Path(singer_sdk.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {name for name in names if _is_private(name)}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


SDK_PRIVATE = private_names_defined_by_the_sdk()


def sdk_private_uses(path: Path) -> set[str]:
    """The SDK's private names a module of ours uses: imported from a private module of the
    SDK, read or written as attributes, or overridden as methods (in a module that imports the
    SDK: only those can hold its objects).
    """
    text = path.read_text(encoding="utf-8")
    if "singer_sdk" not in text:
        return set()
    used = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
            if any(_is_private(part) for part in str(node.module).split(".")):
                used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Attribute) and node.attr in SDK_PRIVATE:
            used.add(node.attr)
        elif isinstance(node, ast.FunctionDef) and node.name in SDK_PRIVATE:
            used.add(node.name)
    return used


USES = {
    path.relative_to(PACKAGE).as_posix(): sdk_private_uses(path) for path in PACKAGE.rglob("*.py")
}


def test_only_the_seam_uses_the_sdks_private_names() -> None:
    assert {path for path, names in USES.items() if names} <= SEAM


def test_the_seam_uses_a_dozen_private_names_at_most() -> None:
    names = set().union(*USES.values())

    assert 0 < len(names) <= MAX_PRIVATE_NAMES, sorted(names)


def test_each_private_name_is_used_beside_its_reason() -> None:
    unexplained = defaultdict(list)
    for path in SEAM:
        text = (PACKAGE / path).read_text(encoding="utf-8")
        reasons = " ".join(re.findall(r"# SDK .*(?:\n\s*#.*)*", text))
        unexplained[path] = [name for name in sorted(USES[path]) if name not in reasons]

    assert unexplained == {path: [] for path in SEAM}
