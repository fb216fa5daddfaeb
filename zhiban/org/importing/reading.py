"""Read the workbook into rows, checking sheets and headers."""

from __future__ import annotations

import io
import zipfile
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from zhiban.org.importing.layout import (
    COLUMNS,
    SHEET_DEPARTMENTS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    Parsed,
    Problem,
    Row,
    cell_text,
)


def read_workbook(stream: IO[bytes], problems: list[Problem]) -> Parsed | None:
    try:
        workbook = load_workbook(
            io.BytesIO(stream.read()), read_only=True, data_only=True
        )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        problems.append(
            Problem("", None, "", _("The file is not a readable Excel workbook."))
        )
        return None
    parsed = Parsed()
    targets = {
        SHEET_UNITS: parsed.units,
        SHEET_DEPARTMENTS: parsed.departments,
        SHEET_PEOPLE: parsed.people,
    }
    for sheet_name, rows in targets.items():
        if sheet_name not in workbook.sheetnames:
            problems.append(
                Problem(
                    sheet_name,
                    None,
                    "",
                    _("The sheet “%(sheet)s” is missing; use the template.")
                    % {"sheet": sheet_name},
                )
            )
            continue
        sheet = workbook[sheet_name]
        lines = sheet.iter_rows(values_only=True)
        header = [cell_text(cell) for cell in next(lines, ())]
        expected = [name for name, _required in COLUMNS[sheet_name]]
        header_ok = True
        for name in expected:
            if name not in header:
                header_ok = False
                problems.append(
                    Problem(
                        sheet_name,
                        1,
                        name,
                        _("The column “%(column)s” is missing from the header row.")
                        % {"column": name},
                    )
                )
        for name in header:
            if name and name not in expected:
                header_ok = False
                problems.append(
                    Problem(
                        sheet_name,
                        1,
                        name,
                        _("“%(column)s” is not a column of this sheet.")
                        % {"column": name},
                    )
                )
        if not header_ok:
            continue
        for number, values in enumerate(lines, start=2):
            cells = {
                name: cell_text(value)
                for name, value in zip(header, values, strict=False)
                if name
            }
            if any(cells.values()):
                rows.append(Row(number, cells))
    workbook.close()
    return parsed
