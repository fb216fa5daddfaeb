"""The formal copy (正式公文) of a document as a PDF, for whoever may see it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from zhiban.core.errors import DomainError
from zhiban.documents import formal, handling_form, selectors
from zhiban.documents.views._common import user_of


@login_required
@require_GET
def formal_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the formal copy in GB/T 9704 layout; 409 with the reason if refused."""
    document = selectors.document_get_for(user=user_of(request), pk=pk)
    try:
        pdf = formal.formal_pdf(document)
    except DomainError as error:
        return HttpResponse(
            error.messages[0], status=409, content_type="text/plain; charset=utf-8"
        )
    disposition = content_disposition_header(
        as_attachment=False, filename=f"{document.title}.pdf"
    )
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": disposition or "inline"},
    )


@login_required
@require_GET
def handling_form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the printable handling form (文件处理单) with every opinion."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    pdf = handling_form.handling_form_pdf(document, printed_by=user)
    disposition = content_disposition_header(
        as_attachment=False, filename=f"{document.title}-处理单.pdf"
    )
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": disposition or "inline"},
    )
