"""The shape of the import workbook: sheets, columns, values and results."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zhiban.org.models import Role, Unit

SHEET_UNITS = "单位"
SHEET_DEPARTMENTS = "部门"
SHEET_PEOPLE = "人员"

# Sheet -> (column header, required) in template order.
COLUMNS: dict[str, list[tuple[str, bool]]] = {
    SHEET_UNITS: [
        ("编码", True),
        ("名称", True),
        ("简称", False),
        ("类型", True),
        ("上级单位编码", False),
        ("排序", False),
    ],
    SHEET_DEPARTMENTS: [
        ("编码", True),
        ("名称", True),
        ("所属单位编码", True),
        ("上级部门编码", False),
        ("分管领导工号", False),
        ("排序", False),
    ],
    SHEET_PEOPLE: [
        ("工号", True),
        ("姓名", True),
        ("登录名", False),
        ("主部门编码", True),
        ("职务", False),
        ("手机", False),
        ("邮箱", False),
        ("岗位编码", False),
        ("部门负责人", False),
        ("角色", False),
    ],
}

UNIT_KINDS = {
    "集团本部": Unit.Kind.HEADQUARTERS,
    "本部": Unit.Kind.HEADQUARTERS,
    "矿": Unit.Kind.MINE,
    "煤矿": Unit.Kind.MINE,
    "公司": Unit.Kind.COMPANY,
    "其他": Unit.Kind.OTHER,
    "其他单位": Unit.Kind.OTHER,
    **{value: value for value in Unit.Kind.values},
}
ROLE_NAMES = {
    "系统管理员": Role.SYSTEM_ADMIN,
    "办公室主任": Role.OFFICE_DIRECTOR,
    "文书": Role.CLERK,
    "督查专员": Role.SUPERVISION_OFFICER,
    "档案管理员": Role.ARCHIVIST,
    "车辆管理员": Role.FLEET_MANAGER,
    "驾驶员": Role.DRIVER,
    "部门负责人": Role.DEPARTMENT_HEAD,
    "分管领导": Role.OVERSEEING_LEADER,
    "主要领导": Role.PRINCIPAL_LEADER,
    "员工": Role.EMPLOYEE,
    **{value: value for value in Role.values},
}
YES = {"是", "Y", "YES", "TRUE", "1", "√"}
NO = {"", "否", "N", "NO", "FALSE", "0"}
# Commas, enumeration commas and semicolons, half or full width, or spaces.
_ROLE_SPLIT = re.compile("[,\uff0c\u3001;\uff1b\\s]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; row is the Excel row number (1 = header)."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.sheet] if self.sheet else []
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(self.column)
        return f"{' · '.join(where)}: {self.message}" if where else self.message


@dataclass
class Row:
    """A data row of a sheet: its Excel row number and its cells by header."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class ImportResult:
    """What the check found, and what apply did (or would do)."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applied: bool = False
    sha256: str = ""

    @property
    def is_clean(self) -> bool:
        return not self.problems


@dataclass
class Parsed:
    units: list[Row] = field(default_factory=list)
    departments: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def roles_in(row: Row) -> list[str]:
    """Return the role names written in a row's 角色 cell."""
    return [part for part in _ROLE_SPLIT.split(row.get("角色")) if part]
