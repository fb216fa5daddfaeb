"""What the document services share: the field lists, the trail, the refusal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhiban.core.errors import DomainError
from zhiban.documents.models import (
    NATIONAL_SECRECY_LEVELS,
    Document,
    DocumentEvent,
)
from zhiban.org.models import User

# The fields a register entry is created and changed with (services keyword names).
DOCUMENT_FIELDS = (
    "document_type",
    "title",
    "department",
    "copy_number",
    "secrecy_level",
    "secrecy_term_years",
    "secrecy_term_months",
    "urgency",
    "issuer_mark",
    "document_number",
    "signers",
    "main_recipients",
    "body",
    "attachment_names",
    "issuer_signature",
    "written_on",
    "needs_seal",
    "notes",
    "cc_recipients",
    "printed_by",
    "printed_on",
    "page_count",
    "sender",
    "received_on",
    "copies",
    "deadline",
    "paper_holder",
    "paper_location",
)


def secrecy_levels() -> tuple[str, ...]:
    """Return every secrecy level a document may carry, national ones first."""
    return (*NATIONAL_SECRECY_LEVELS, *settings.DOCUMENT_COMMERCIAL_SECRECY_LEVELS)


def classified_refusal(document: Document) -> str:
    """Return the message that says why a classified document takes no content."""
    return _(
        "This document is classified (%(level)s): it is handled on paper only. "
        "Zhiban keeps its register entry, who holds the paper copy and its "
        "handling trail, never its content."
    ) % {"level": document.secrecy_level}


def record_event(
    document: Document,
    *,
    by: User,
    kind: str,
    data: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    # Raw values only: the trail is worded in the reader's language when shown.
    DocumentEvent.objects.create(
        document=document, kind=kind, actor=by, data=data or {}, note=note
    )


def full_clean_or_refuse(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise DomainError(error.message_dict, code="invalid") from error
