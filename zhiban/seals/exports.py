"""The seal-use ledger as an Excel workbook (用印台账), built row by row."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from zhiban.core.exports import local, workbook_bytes
from zhiban.seals.models import SealUse
from zhiban.seals.selectors import seal_label

# The most rows one export writes; the page says to narrow the filters beyond it.
MAX_ROWS = 50_000


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
    """Return an .xlsx of the ledger rows."""
    statuses = dict(SealUse.Status.choices)
    return workbook_bytes(
        title=_("Seal-use ledger"),
        headers=ledger_headers(),
        widths=[16, 18, 24, 18, 12, 40, 10, 10, 18, 10, 12, 30],
        rows=(
            [
                use.instance.serial,
                local(use.approved_at),
                seal_label(use.seal),
                use.department.name if use.department else "",
                use.requester.display_name,
                use.document_title,
                use.copies_approved,
                str(statuses.get(use.status, use.status)),
                local(use.stamped_at),
                use.copies_stamped,
                use.stamped_by.display_name if use.stamped_by else "",
                use.note,
            ]
            for use in rows
        ),
    )
