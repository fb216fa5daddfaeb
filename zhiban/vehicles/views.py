"""The vehicle requests page: fleet managers and the office director see all."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhiban.vehicles import policies, selectors
from zhiban.vehicles.models import VehicleRequest

PAGE_SIZE = 20


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """List the approved vehicle requests the user may see, by status and day."""
    user = request.user
    filters = selectors.RequestFilters.from_query(request.GET)
    queryset = selectors.vehicle_request_list_for(user=user, filters=filters)  # type: ignore[arg-type]
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "vehicles/request_list.html"
    if getattr(request, "htmx", False):
        template += "#rows"
    return render(
        request,
        template,
        {
            "nav_active": "vehicles",
            "page": page,
            "filters": filters,
            "statuses": VehicleRequest.Status.choices,
            "sees_every_request": policies.sees_every_request(user),
        },
    )
