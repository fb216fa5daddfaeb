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
from zhiban.documents.views.formal import formal_pdf, handling_form_pdf
from zhiban.documents.views.handling import incoming_act, incoming_urge
from zhiban.documents.views.outgoing import (
    distribution_recall,
    document_issue,
    document_print,
    draft_compare,
    draft_create,
    draft_note_add,
    draft_revise,
    draft_submit,
    follow_up_done,
    ready_to_file,
    receipt_complete,
    receipt_sign,
)
from zhiban.documents.views.registers import register, register_export
from zhiban.documents.views.series import series_create, series_edit, series_list

__all__ = [
    "circulation_close",
    "circulation_opinion",
    "circulation_start",
    "distribution_recall",
    "document_create",
    "document_detail",
    "document_edit",
    "document_issue",
    "document_print",
    "draft_compare",
    "draft_create",
    "draft_note_add",
    "draft_revise",
    "draft_submit",
    "file_add",
    "file_download",
    "follow_up_done",
    "formal_pdf",
    "handling_form_pdf",
    "incoming_act",
    "incoming_urge",
    "number_allocate",
    "number_void",
    "paper_handover",
    "ready_to_file",
    "receipt_complete",
    "receipt_sign",
    "register",
    "register_export",
    "series_create",
    "series_edit",
    "series_list",
]
