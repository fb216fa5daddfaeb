"""The number series pages, for the office director and administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhiban.core.errors import DomainError
from zhiban.documents import policies, selectors, services
from zhiban.documents.forms import (
    SeriesForm,
)
from zhiban.documents.models import (
    NumberSeries,
)
from zhiban.documents.views._common import show_errors, user_of

# --- number series ----------------------------------------------------------------


def _refuse_unless_series_keeper(request: HttpRequest) -> None:
    if not policies.can_manage_series(user_of(request)):
        raise PermissionDenied


@login_required
@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    """The number series (机关代字) and how far each has counted this year."""
    _refuse_unless_series_keeper(request)
    user = user_of(request)
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
                by=user_of(request),
                unit=data["unit"],
                code=data["code"],
                name=data["name"],
                document_types=data["document_types"],
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The series is added."))
            return redirect("documents:series_list")
    return _series_page(request, form, None)


@login_required
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a number series."""
    _refuse_unless_series_keeper(request)
    series = get_object_or_404(selectors.series_list_for(user=user_of(request)), pk=pk)
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
                by=user_of(request),
                code=data["code"],
                name=data["name"],
                document_types=data["document_types"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("The series is saved."))
            return redirect("documents:series_list")
    return _series_page(request, form, series)
