"""Pages of the document registers, register entries and number series: thin.

The selectors decide who sees what; the services act; the elements check formats.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import exports, policies, selectors, services
from zhiban.documents.forms import (
    DocumentForm,
    FileForm,
    NumberForm,
    PaperForm,
    SeriesForm,
    VoidForm,
)
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentNumber,
    DocumentType,
    NumberSeries,
    Urgency,
)

PAGE_SIZE = 25


def _user(request: HttpRequest) -> Any:
    return request.user


def _partial(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if getattr(request, "htmx", False) else template


def _show_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields (or above it)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


# --- the registers ---------------------------------------------------------------


def _filters(request: HttpRequest) -> selectors.RegisterFilters:
    query = request.GET
    direction = query.get("direction", Direction.INCOMING)
    if direction not in Direction.values:
        direction = Direction.INCOMING
    year_text = query.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    return selectors.RegisterFilters(
        direction=direction,
        year=year,
        document_type=query.get("type", "")
        if query.get("type", "") in DocumentType.values
        else "",
        urgency=query.get("urgency", "")
        if query.get("urgency", "") in Urgency.values
        else "",
        state=query.get("state", "")
        if query.get("state", "") in Document.State.values
        else "",
        text=query.get("q", "")[:100],
    )


def _query_string(filters: selectors.RegisterFilters) -> str:
    pairs = {
        "direction": filters.direction,
        "year": filters.year or "",
        "type": filters.document_type,
        "urgency": filters.urgency,
        "state": filters.state,
        "q": filters.text,
    }
    return urlencode({k: v for k, v in pairs.items() if v})


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The registers (收文/发文登记簿): the entries the user may see, filtered, paged."""
    user = _user(request)
    filters = _filters(request)
    queryset = selectors.document_list_for(user=user, filters=filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav_active": "documents",
        "page": page,
        "filters": filters,
        "query": _query_string(filters),
        "directions": Direction.choices,
        "types": DocumentType.choices,
        "urgencies": [c for c in Urgency.choices if c[0]],
        "states": Document.State.choices,
        "can_register": policies.can_keep_register(user),
        "can_manage_series": policies.can_manage_series(user),
        "sees_whole_register": policies.sees_whole_register(user),
    }
    return render(
        request, _partial(request, "documents/register.html", "rows"), context
    )


@login_required
@require_GET
def register_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered register entries the user may see as an Excel workbook."""
    filters = _filters(request)
    rows = selectors.document_list_for(user=_user(request), filters=filters)
    content = exports.register_workbook(
        rows[: exports.MAX_ROWS].iterator(chunk_size=500), direction=filters.direction
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content,
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{filters.direction}-register-{stamp}.xlsx"'
    )
    return response


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
    user = _user(request)
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
            _show_errors(form, error)
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
    user = _user(request)
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
            _show_errors(form, error)
        else:
            messages.success(request, _("The register entry is saved."))
            return redirect("documents:detail", pk=document.pk)
    return _form_page(request, form, direction=document.direction, document=document)


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: its elements, numbers, files, paper copy and handling trail."""
    user = _user(request)
    document = selectors.document_get_for(user=user, pk=pk)
    return _detail_page(request, document)


def _detail_page(
    request: HttpRequest,
    document: Document,
    *,
    number_form: NumberForm | None = None,
    void_form: VoidForm | None = None,
    file_form: FileForm | None = None,
    paper_form: PaperForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
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
        "series": series,
        "number_form": number_form
        or NumberForm(series=series, year=timezone.localdate().year),
        "void_form": void_form or VoidForm(),
        "file_form": file_form or FileForm(),
        "paper_form": paper_form or PaperForm(),
        "classified_refusal": services.classified_refusal(document)
        if document.is_classified
        else "",
    }
    return render(request, "documents/document_detail.html", context, status=status)


@login_required
@require_POST
def number_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an outgoing document the next number of the chosen series."""
    user = _user(request)
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
            _show_errors(form, error)
        else:
            messages.success(
                request, _("Numbered %(number)s.") % {"number": number.text}
            )
            return redirect("documents:detail", pk=document.pk)
    document.refresh_from_db()
    return _detail_page(request, document, number_form=form, status=400)


@login_required
@require_POST
def number_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void an allocated number with its reason."""
    user = _user(request)
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
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("Number %(number)s is voided; it will not be given out again.")
                % {"number": number.text},
            )
            return redirect("documents:detail", pk=document.pk)
    return _detail_page(request, document, void_form=form, status=400)


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a file to a document (refused for a classified one, with the reason)."""
    user = _user(request)
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
            _show_errors(form, error)
        else:
            messages.success(request, _("The file is added."))
            return redirect("documents:detail", pk=document.pk)
    return _detail_page(request, document, file_form=form, status=400)


@login_required
@require_GET
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """Send a document's file to someone who sees the document."""
    attached = get_object_or_404(DocumentFile, pk=pk)
    selectors.document_get_for(user=_user(request), pk=attached.document_id)
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
    user = _user(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = PaperForm(request.POST)
    if form.is_valid():
        try:
            services.document_paper_handover(
                document=document,
                by=user,
                holder=form.cleaned_data["holder"],
                location=form.cleaned_data["location"],
                note=form.cleaned_data["note"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The handover is recorded."))
            return redirect("documents:detail", pk=document.pk)
    return _detail_page(request, document, paper_form=form, status=400)


# --- number series ----------------------------------------------------------------


def _refuse_unless_series_keeper(request: HttpRequest) -> None:
    if not policies.can_manage_series(_user(request)):
        raise PermissionDenied


@login_required
@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    """The number series (机关代字) and how far each has counted this year."""
    _refuse_unless_series_keeper(request)
    user = _user(request)
    year = timezone.localdate().year
    series = selectors.series_with_counts(user=user, year=year)
    return render(
        request,
        "documents/series_list.html",
        {"nav_active": "documents", "series": series, "year": year},
    )


def _series_page(
    request: HttpRequest, form: SeriesForm, series: NumberSeries | None
) -> HttpResponse:
    return render(
        request,
        "documents/series_form.html",
        {"nav_active": "documents", "form": form, "series": series},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def series_create(request: HttpRequest) -> HttpResponse:
    """Add a number series."""
    _refuse_unless_series_keeper(request)
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.series_create(
                by=_user(request),
                unit=data["unit"],
                code=data["code"],
                name=data["name"],
                document_types=data["document_types"],
            )
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The series is added."))
            return redirect("documents:series_list")
    return _series_page(request, form, None)


@login_required
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a number series."""
    _refuse_unless_series_keeper(request)
    series = get_object_or_404(selectors.series_list_for(user=_user(request)), pk=pk)
    form = SeriesForm(
        request.POST or None,
        initial={
            "unit": series.unit_id,
            "code": series.code,
            "name": series.name,
            "document_types": series.document_types,
            "is_active": series.is_active,
        },
    )
    form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.series_update(
                series=series,
                by=_user(request),
                code=data["code"],
                name=data["name"],
                document_types=data["document_types"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The series is saved."))
            return redirect("documents:series_list")
    return _series_page(request, form, series)


def register_url(direction: str) -> str:
    """Return the register page of a direction."""
    return f"{reverse('documents:register')}?direction={direction}"
