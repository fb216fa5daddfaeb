"""The seal-use ledger as an Excel workbook (用印台账), built row by row."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from zhiban.seals.models import SealUse
from zhiban.seals.selectors import seal_label

# The most rows one export writes; the page says to narrow the filters beyond it.
MAX_ROWS = 50_000


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Return the moment in local time without tzinfo (Excel has no time zones)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def ledger_headers() -> list[str]:
    """Return the translated column headers of the export."""
    return [
        _("Serial number"),
        _("Approved at"),
        _("Seal"),
        _("Department"),
        _("Requester"),
        _("Document title"),
        _("Copies approved"),
        _("Status"),
        _("Stamped at"),
        _("Copies stamped"),
        _("Stamped by"),
        _("Note"),
    ]


def ledger_workbook(rows: Iterable[SealUse]) -> bytes:
    """Return an .xlsx of the ledger rows (a write-only workbook: constant memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Seal-use ledger")[:31])
    widths = [16, 18, 24, 18, 12, 40, 10, 10, 18, 10, 12, 30]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for text in ledger_headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    statuses = dict(SealUse.Status.choices)
    for use in rows:
        cells: list[object] = [
            use.instance.serial,
            _local(use.approved_at),
            seal_label(use.seal),
            use.department.name if use.department else "",
            use.requester.display_name,
            use.document_title,
            use.copies_approved,
            str(statuses.get(use.status, use.status)),
            _local(use.stamped_at),
            use.copies_stamped,
            use.stamped_by.display_name if use.stamped_by else "",
            use.note,
        ]
        row = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            row.append(cell)
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
