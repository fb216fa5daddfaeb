"""Import an organisation chart from an Excel workbook (单位 / 部门 / 人员).

`import_check` reads and validates the whole file and returns every problem by sheet,
row and column, writing nothing. `import_apply` runs the same check and, only when the
file is clean, creates or updates everything in one transaction through the services
(units and departments by code, people by employee number).

The file describes the final state: an empty optional cell means "none" (no parent,
no mobile, no overseeing leader), except 登录名 (empty: the employee number for a new
person, unchanged for an existing one) and 角色 (empty: roles unchanged).
"""

from __future__ import annotations

from zhiban.org.importing.applying import import_apply, import_check
from zhiban.org.importing.layout import (
    COLUMNS,
    ROLE_NAMES,
    SHEET_DEPARTMENTS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    UNIT_KINDS,
    ImportResult,
    Problem,
)
from zhiban.org.importing.template import template_workbook

__all__ = [
    "COLUMNS",
    "ROLE_NAMES",
    "SHEET_DEPARTMENTS",
    "SHEET_PEOPLE",
    "SHEET_UNITS",
    "UNIT_KINDS",
    "ImportResult",
    "Problem",
    "import_apply",
    "import_check",
    "template_workbook",
]
