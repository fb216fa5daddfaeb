"""Pages of the document registers, register entries and number series: thin.

The selectors decide who sees what; the services act; the elements check formats.
"""

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
from zhiban.documents.views.registers import register, register_export
from zhiban.documents.views.series import series_create, series_edit, series_list

__all__ = [
    "document_create",
    "document_detail",
    "document_edit",
    "file_add",
    "file_download",
    "number_allocate",
    "number_void",
    "paper_handover",
    "register",
    "register_export",
    "series_create",
    "series_edit",
    "series_list",
]
