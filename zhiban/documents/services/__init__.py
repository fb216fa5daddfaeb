"""Every write of the document registers, the number series and document files.

Each service runs in one transaction and writes its audit entry last.
"""

from zhiban.documents.services._common import (
    DOCUMENT_FIELDS,
    classified_refusal,
    secrecy_levels,
)
from zhiban.documents.services.circulation import (
    circulation_close,
    circulation_mark_read,
    circulation_opinion,
    circulation_start,
)
from zhiban.documents.services.handling import (
    incoming_check,
    incoming_complete,
    incoming_instruct,
    incoming_propose,
    incoming_reply,
    incoming_urge,
)
from zhiban.documents.services.numbering import (
    SERIES_FIELDS,
    number_allocate,
    number_void,
    series_create,
    series_update,
)
from zhiban.documents.services.registers import (
    document_file_add,
    document_paper_handover,
    document_register,
    document_update,
)

__all__ = [
    "DOCUMENT_FIELDS",
    "SERIES_FIELDS",
    "circulation_close",
    "circulation_mark_read",
    "circulation_opinion",
    "circulation_start",
    "classified_refusal",
    "document_file_add",
    "document_paper_handover",
    "document_register",
    "document_update",
    "incoming_check",
    "incoming_complete",
    "incoming_instruct",
    "incoming_propose",
    "incoming_reply",
    "incoming_urge",
    "number_allocate",
    "number_void",
    "secrecy_levels",
    "series_create",
    "series_update",
]
