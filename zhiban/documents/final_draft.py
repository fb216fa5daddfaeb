"""The final draft (定稿) as an A4 PDF: the text that was signed off, with its record.

The archive keeps, beside the formal copy (正本) and the handling form, the
manuscript the leader signed: the version current at the sign-off, who saved it
and when, the sign-off itself (who, the opinion, the date), then the title, the
main recipients, the body and the attachment note as they were written. WeasyPrint
typesets it with the CJK fonts, like the handling form.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from zhiban.documents import elements
from zhiban.documents.formal import attachment_lines, body_paragraphs
from zhiban.documents.models import Document, DocumentEvent, DraftVersion


def final_version(document: Document) -> DraftVersion | None:
    """Return the version that was signed off: the last one saved before the sign-off.

    None for a document that was not drafted and approved here.
    """
    if not document.approvals.exists():
        return None
    versions = document.versions.select_related("author").order_by("-number")
    signed = document.events.filter(kind="signed").order_by("-at").first()
    if signed is not None:
        before = versions.filter(created_at__lte=signed.at).first()
        if before is not None:
            return before
    return versions.first()


def final_draft_context(
    document: Document, *, version: DraftVersion, signed: DocumentEvent | None
) -> dict[str, Any]:
    """Return what the final draft shows."""
    first = document.versions.select_related("author").order_by("number").first()
    recipients = elements.split_organisations(document.main_recipients)
    return {
        "document": document,
        "version": version,
        "drafter": first.author if first is not None else version.author,
        "signed": signed,
        "signed_on": (signed.data or {}).get("on", "") if signed else "",
        "leader": (signed.data or {}).get("leader", "") if signed else "",
        "main_recipients": "、".join(recipients) + "：" if recipients else "",
        "paragraphs": body_paragraphs(version.body),
        "attachments": attachment_lines(list(document.attachment_names)),
        "written": elements.format_official_date(document.written_on)
        if document.written_on
        else "",
        "made_at": timezone.localtime(),
    }


def final_draft_pdf(document: Document) -> bytes | None:
    """Return the final draft as an A4 PDF, or None when nothing was drafted here."""
    import weasyprint  # loaded when a copy is made: it is slow to import

    version = final_version(document)
    if version is None:
        return None
    signed = document.events.filter(kind="signed").order_by("-at").first()
    context = final_draft_context(document, version=version, signed=signed)
    html = render_to_string("documents/final_draft.html", context)
    css = weasyprint.CSS(string=render_to_string("documents/final_draft.css"))
    pdf = weasyprint.HTML(string=html).write_pdf(stylesheets=[css])
    if pdf is None:  # only without a target; typed as optional by WeasyPrint
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
