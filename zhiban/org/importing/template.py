"""The template workbook administrators download and fill in."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from zhiban.org.importing.layout import (
    COLUMNS,
    ROLE_NAMES,
    SHEET_DEPARTMENTS,
    SHEET_PEOPLE,
    SHEET_UNITS,
)


def template_workbook() -> bytes:
    """Return the import template: the three sheets with headers and an example."""
    workbook = Workbook()
    examples: dict[str, list[list[Any]]] = {
        SHEET_UNITS: [["HQ", "示例集团本部", "本部", "集团本部", "", 1]],
        SHEET_DEPARTMENTS: [["HQ-BGS", "综合办公室", "HQ", "", "10001", 1]],
        SHEET_PEOPLE: [
            [
                "10001",
                "张三",
                "zhangsan",
                "HQ-BGS",
                "主任",
                "13800000000",
                "zhangsan@example.com",
                "",
                "是",
                "办公室主任、员工",
            ]
        ],
    }
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    first = True
    for sheet_name, columns in COLUMNS.items():
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        if sheet is None:  # pragma: no cover - a new Workbook has an active sheet
            sheet = workbook.create_sheet()
        sheet.title = sheet_name
        sheet.append([name for name, _required in columns])
        for index, (_name, required) in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = bold
            if required:
                cell.fill = required_fill
            sheet.column_dimensions[cell.column_letter].width = 16
        for example in examples[sheet_name]:
            sheet.append(example)
    notes = workbook.create_sheet(_("Instructions"))
    lines: list[str] = [
        _("Columns with a yellow header are required."),
        _("Row 2 of each sheet is an example: delete it or replace it with real data."),
        _(
            "Units and departments are matched by code, people by employee number: "
            "existing ones are updated, the others created."
        ),
        _(
            "An empty optional cell means none (no parent, no overseeing leader); "
            "an empty role cell leaves the person's roles unchanged."
        ),
        _("Unit types: %(kinds)s.") % {"kinds": "集团本部、矿、公司、其他"},
        _("Department head: 是 or 否; a department has one head."),
        _("Roles, separated by commas or spaces: %(roles)s.")
        % {"roles": "、".join(k for k in ROLE_NAMES if not k.isascii())},
        _("Mobile numbers have 11 digits and start with 1."),
    ]
    for line in lines:
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
