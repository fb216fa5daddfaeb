"""The registers (收文/发文登记簿): the list, its filters and the Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from zhiban.documents import exports, policies, selectors
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentType,
    Urgency,
)
from zhiban.documents.views._common import PAGE_SIZE, partial_for, user_of

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


def _label(documents: Any) -> None:
    """Give each row its labels, each translated once per page.

    ``get_FOO_display`` hashes every choice's lazy label on every call: 25 rows
    and three choice fields cast some 600 lazy strings a page.
    """
    types = {value: str(label) for value, label in DocumentType.choices}
    states = {value: str(label) for value, label in Document.State.choices}
    urgencies = {value: str(label) for value, label in Urgency.choices}
    for document in documents:
        document.type_label = types.get(document.document_type, "")
        document.state_label = states.get(document.state, "")
        document.urgency_label = urgencies.get(document.urgency, "")


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The registers (收文/发文登记簿): the entries the user may see, filtered, paged."""
    user = user_of(request)
    filters = _filters(request)
    queryset = selectors.document_list_for(user=user, filters=filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    _label(page.object_list)
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
        request, partial_for(request, "documents/register.html", "rows"), context
    )


@login_required
@require_GET
def register_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered register entries the user may see as an Excel workbook."""
    filters = _filters(request)
    rows = selectors.document_list_for(user=user_of(request), filters=filters)
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
