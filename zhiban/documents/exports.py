"""The registers as Excel workbooks (收文登记簿, 发文登记簿)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from zhiban.core.exports import local, workbook_bytes
from zhiban.documents.models import Direction, Document

# The most rows one export writes; the page says to narrow the filters beyond it.
MAX_ROWS = 50_000


def register_headers(direction: str) -> list[str]:
    """Return the translated column headers of a register."""
    if direction == Direction.INCOMING:
        return [
            _("Register number"),
            _("Date received"),
            _("Sender"),
            _("Document number"),
            _("Title"),
            _("Document type"),
            _("Secrecy"),
            _("Urgency"),
            _("Copies"),
            _("Date written"),
            _("Deadline"),
            _("Handling department"),
            _("State"),
        ]
    return [
        _("Document number"),
        _("Title"),
        _("Document type"),
        _("Secrecy"),
        _("Urgency"),
        _("Main recipients"),
        _("Copied to"),
        _("Signed off by"),
        _("Date written"),
        _("Date printed"),
        _("Copies"),
        _("Handling department"),
        _("State"),
        _("Registered at"),
    ]


def _row(document: Document, direction: str) -> list[object]:
    department = document.department.name if document.department else ""
    if direction == Direction.INCOMING:
        return [
            document.register_number,
            document.received_on,
            document.sender,
            document.document_number,
            document.title,
            document.get_document_type_display(),
            document.secrecy_marking,
            document.get_urgency_display() if document.urgency else "",
            document.copies,
            document.written_on,
            document.deadline,
            department,
            document.get_state_display(),
        ]
    return [
        document.document_number,
        document.title,
        document.get_document_type_display(),
        document.secrecy_marking,
        document.get_urgency_display() if document.urgency else "",
        document.main_recipients,
        document.cc_recipients,
        document.signers,
        document.written_on,
        document.printed_on,
        document.copies,
        department,
        document.get_state_display(),
        local(document.created_at),
    ]


def register_workbook(rows: Iterable[Document], *, direction: str) -> bytes:
    """Return an .xlsx of the register rows of one direction."""
    incoming = direction == Direction.INCOMING
    return workbook_bytes(
        title=_("Incoming register") if incoming else _("Outgoing register"),
        headers=register_headers(direction),
        widths=[12, 12, 20, 18, 40, 10, 12, 8, 6, 12, 12, 16, 10]
        if incoming
        else [18, 40, 10, 12, 8, 24, 24, 10, 12, 12, 6, 16, 10, 18],
        rows=(_row(document, direction) for document in rows),
    )
