"""One register entry: register, edit, the detail page and its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import policies, selectors, services
from zhiban.documents.forms import (
    DocumentForm,
    FileForm,
    NumberForm,
    PaperForm,
    VoidForm,
)
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentNumber,
)
from zhiban.documents.services.filing import is_finished
from zhiban.documents.views._common import (
    circulation_context,
    handling_context,
    show_errors,
    user_of,
)
from zhiban.documents.views.outgoing import outgoing_context
from zhiban.org.views.picker import chosen_people

# --- one entry -------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: DocumentForm,
    *,
    direction: str,
    document: Document | None,
) -> HttpResponse:
    return render(
        request,
        "documents/document_form.html",
        {
            "nav_active": "documents",
            "form": form,
            "document": document,
            "direction": direction,
            "direction_label": Direction(direction).label,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def document_create(request: HttpRequest, direction: str) -> HttpResponse:
    """Register an incoming, outgoing or internal document."""
    user = user_of(request)
    if direction not in Direction.values:
        raise Http404
    if not policies.can_keep_register(user):
        raise PermissionDenied
    initial: dict[str, Any] = {"received_on": timezone.localdate()}
    if user.primary_department_id:
        initial["unit"] = user.primary_department.unit_id
        initial["department"] = user.primary_department_id
    form = DocumentForm(request.POST or None, direction=direction, initial=initial)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            document = services.document_register(
                by=user,
                direction=direction,
                unit=form.cleaned_data["unit"],
                **arguments,
            )
        except PermissionDeniedError as error:
            form.add_error(None, error)
        except DomainError as error:
            show_errors(form, error)
        else:
            if document.register_number:
                messages.success(
                    request,
                    _("Registered as No. %(number)s.")
                    % {"number": document.register_number},
                )
            else:
                messages.success(request, _("The document is registered."))
            return redirect("documents:detail", pk=document.pk)
    return _form_page(request, form, direction=direction, document=None)


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the register entry of a document."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    if not policies.can_register(user, classified=document.is_classified):
        raise PermissionDenied
    form = DocumentForm(
        request.POST or None,
        direction=document.direction,
        initial=DocumentForm.initial_for(document),
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            services.document_update(document=document, by=user, **arguments)
        except PermissionDeniedError as error:
            form.add_error(None, error)
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The register entry is saved."))
            return redirect("documents:detail", pk=document.pk)
    return _form_page(request, form, direction=document.direction, document=document)


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: its elements, numbers, files, paper copy and handling trail."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    return detail_page(request, document)


def detail_page(
    request: HttpRequest,
    document: Document,
    *,
    number_form: NumberForm | None = None,
    void_form: VoidForm | None = None,
    file_form: FileForm | None = None,
    paper_form: PaperForm | None = None,
    circulation: dict[str, Any] | None = None,
    handling: dict[str, Any] | None = None,
    outgoing: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the document page, with the forms a refused action sends back."""
    user = user_of(request)
    can_edit = policies.can_register(user, classified=document.is_classified)
    series = (
        selectors.series_for_document(user=user, document=document)
        if can_edit and document.direction != Direction.INCOMING
        else []
    )
    numbers = selectors.document_numbers(document=document)
    context = {
        "nav_active": "documents",
        "document": document,
        "numbers": numbers,
        "live_number": next(
            (n for n in numbers if n.status == DocumentNumber.Status.ALLOCATED), None
        ),
        "files": selectors.document_files(document=document),
        "trail": selectors.document_trail(document=document),
        "can_edit": can_edit,
        "can_file": can_edit
        and document.ready_to_file_at is None
        and is_finished(document),
        "series": series,
        "number_form": number_form
        or NumberForm(series=series, year=timezone.localdate().year),
        "void_form": void_form or VoidForm(),
        "file_form": file_form or FileForm(),
        "paper_form": paper_form or PaperForm(),
        "classified_refusal": services.classified_refusal(document)
        if document.is_classified
        else "",
        **(circulation or circulation_context(user=user, document=document)),
        **(handling or handling_context(user=user, document=document)),
        **(outgoing or outgoing_context(user=user, document=document)),
    }
    return render(request, "documents/document_detail.html", context, status=status)


@login_required
@require_POST
def number_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an outgoing document the next number of the chosen series."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    series = selectors.series_for_document(user=user, document=document)
    form = NumberForm(request.POST, series=series, year=timezone.localdate().year)
    if form.is_valid():
        chosen = next(s for s in series if s.pk == form.cleaned_data["series"])
        try:
            number = services.number_allocate(
                document=document,
                series=chosen,
                by=user,
                year=form.cleaned_data["year"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request, _("Numbered %(number)s.") % {"number": number.text}
            )
            return redirect("documents:detail", pk=document.pk)
    document.refresh_from_db()
    return detail_page(request, document, number_form=form, status=400)


@login_required
@require_POST
def number_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void an allocated number with its reason."""
    user = user_of(request)
    number = get_object_or_404(DocumentNumber, pk=pk)
    document = selectors.document_get_for(user=user, pk=number.document_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.number_void(
                number=number, by=user, reason=form.cleaned_data["reason"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                _("Number %(number)s is voided; it will not be given out again.")
                % {"number": number.text},
            )
            return redirect("documents:detail", pk=document.pk)
    return detail_page(request, document, void_form=form, status=400)


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to a document (refused for a classified one, with the reason)."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = FileForm(request.POST, request.FILES)
    if document.is_classified:
        form.is_valid()
        form.add_error(None, services.classified_refusal(document))
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_file_add(
                document=document,
                by=user,
                role=form.cleaned_data["role"],
                stream=upload,
                name=upload.name or "",
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The file is added."))
            return redirect("documents:detail", pk=document.pk)
    return detail_page(request, document, file_form=form, status=400)


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """Send a document's file to someone who sees the document."""
    attached = get_object_or_404(DocumentFile, pk=pk)
    selectors.document_get_for(user=user_of(request), pk=attached.document_id)
    return FileResponse(
        attached.file.open("rb"),
        as_attachment=True,
        filename=attached.original_name,
        content_type=attached.content_type,
    )


@login_required
@require_POST
def paper_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who now holds the paper copy."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = PaperForm(request.POST)
    holders = chosen_people(request.POST.getlist("holder"))
    if form.is_valid() and not holders:
        form.add_error(None, _("Choose who now holds the paper copy."))
    elif form.is_valid():
        try:
            services.document_paper_handover(
                document=document,
                by=user,
                holder=holders[0],
                location=form.cleaned_data["location"],
                note=form.cleaned_data["note"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The handover is recorded."))
            return redirect("documents:detail", pk=document.pk)
    return detail_page(request, document, paper_form=form, status=400)
