"""Pages of the document registers, register entries and number series: thin.

The selectors decide who sees what; the services act; the elements check formats.
"""

from zhiban.documents.views.circulation import (
    circulation_close,
    circulation_opinion,
    circulation_start,
)
from zhiban.documents.views.entries import (
    document_create,
    document_detail,
    document_edit,
    file_add,
    file_download,
    number_allocate,
    number_void,
    paper_handover,
)
from zhiban.documents.views.formal import formal_pdf
from zhiban.documents.views.handling import incoming_act, incoming_urge
from zhiban.documents.views.registers import register, register_export
from zhiban.documents.views.series import series_create, series_edit, series_list

__all__ = [
    "circulation_close",
    "circulation_opinion",
    "circulation_start",
    "document_create",
    "document_detail",
    "document_edit",
    "file_add",
    "file_download",
    "formal_pdf",
    "incoming_act",
    "incoming_urge",
    "number_allocate",
    "number_void",
    "paper_handover",
    "register",
    "register_export",
    "series_create",
    "series_edit",
    "series_list",
]
