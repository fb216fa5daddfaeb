"""The working-day calendar (工作日历): its overrides, kept by administrators."""

from __future__ import annotations

import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from zhiban.org import forms, policies, selectors, services
from zhiban.org.models import WorkingDayOverride
from zhiban.org.views._common import View, current_user
from zhiban.org.workdays import official_calendar_covers

# Column headings of the month grids, Monday first.
WEEKDAY_HEADINGS = [
    pgettext_lazy("calendar heading", "Mo"),
    pgettext_lazy("calendar heading", "Tu"),
    pgettext_lazy("calendar heading", "We"),
    pgettext_lazy("calendar heading", "Th"),
    pgettext_lazy("calendar heading", "Fr"),
    pgettext_lazy("calendar heading", "Sa"),
    pgettext_lazy("calendar heading", "Su"),
]


def calendar_manager_required(view: View) -> View:
    """Let only those who keep the calendar in; others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policies.can_manage_calendar(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _calendar_url(year: int) -> str:
    return f"{reverse('org:calendar')}?year={year}"


def _initial(request: HttpRequest) -> dict[str, Any]:
    """Fill the form from ?day=, with that day's override when there is one."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return {}
    override = WorkingDayOverride.objects.filter(day=day).first()
    if override is None:
        return {"day": day}
    return {
        "day": day,
        "is_working_day": "working" if override.is_working_day else "rest",
        "note": override.note,
    }


@calendar_manager_required
def calendar(request: HttpRequest) -> HttpResponse:
    """Show a year of the working-day calendar; set a day's override."""
    this_year = timezone.localdate().year
    year_form = forms.CalendarYearForm(request.GET)
    year = year_form.cleaned_data["year"] if year_form.is_valid() else this_year
    form = forms.WorkingDayOverrideForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        lambda data: services.working_day_override_set(
            by=current_user(request), **data
        ),
        _("The day was saved in the calendar."),
    ):
        return redirect(_calendar_url(form.cleaned_data["day"].year))
    return render(
        request,
        "org/calendar.html",
        {
            "year": year,
            "calendar": selectors.working_calendar_for(year=year),
            "overrides": selectors.working_day_override_list_for(
                viewer=current_user(request), year=year
            ),
            "official_known": official_calendar_covers(year),
            "years": range(
                max(min(year, this_year) - 2, forms.FIRST_CALENDAR_YEAR),
                min(max(year, this_year) + 2, forms.LAST_CALENDAR_YEAR) + 1,
            ),
            "form": form,
            "weekday_headings": WEEKDAY_HEADINGS,
            "can_administer": policies.can_administer(request.user),
            "nav_active": "org_admin",
        },
    )


@calendar_manager_required
@require_POST
def calendar_delete(request: HttpRequest, override_id: int) -> HttpResponse:
    """Delete an override; the official calendar rules the day again."""
    override = get_object_or_404(WorkingDayOverride, pk=override_id)
    try:
        services.working_day_override_delete(
            by=current_user(request), override=override
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The override was deleted."))
    return redirect(_calendar_url(override.day.year))
