"""No translatable text inside an f-string: xgettext never extracts it.

A text written as ``f"{_('free')}"`` is looked up at run time but never reaches
the catalogues, so the page shows it in English (the meetings board did).
"""

from __future__ import annotations

import ast
from pathlib import Path

import zhiban

GETTEXT = {"_", "gettext", "pgettext", "ngettext", "npgettext", "gettext_lazy"}


def _gettext_calls_in_fstrings(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT
                ):
                    lines.append(inner.lineno)
    return lines


def test_no_gettext_call_inside_an_fstring() -> None:
    root = Path(zhiban.__file__).parent
    found = {
        f"{path.relative_to(root)}:{line}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for line in _gettext_calls_in_fstrings(ast.parse(path.read_text()))
    }
    assert not found, f"translatable text inside an f-string: {sorted(found)}"


def test_the_check_finds_one() -> None:
    assert _gettext_calls_in_fstrings(ast.parse("x = f\"{_('free')} {y}\"")) == [1]
