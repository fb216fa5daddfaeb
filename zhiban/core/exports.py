"""Excel exports: one way to write a list page's rows as a workbook."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Return the moment in local time without tzinfo (Excel has no time zones)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a title, column headers and widths, and the rows."""

    title: str
    headers: Sequence[str]
    widths: Sequence[int]
    rows: Iterable[Sequence[object]]


def workbook_bytes(
    *,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[object]],
) -> bytes:
    """Return an .xlsx of the rows (a write-only workbook: constant memory)."""
    return sheets_bytes([Sheet(title=title, headers=headers, widths=widths, rows=rows)])


def sheets_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Return an .xlsx with one sheet per entry, in order."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for text in spec.headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for values in spec.rows:
            row = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
