"""The person and department pickers: search endpoints answering HTMX fragments.

The pickers (template ``org/_person_picker.html`` with ``static/js/picker.js``)
ask these endpoints as the user types; each answers at most ``PICKER_LIMIT``
matches, so a picker stays quick with thousands of people.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhiban.org.models import Department, User

PICKER_LIMIT = 20
QUERY_MAX_LENGTH = 50
# A posted id longer than this cannot be a row's (SQLite refuses it outright).
ID_DIGITS = 19


def _query(request: HttpRequest) -> str:
    # The search box is named "_pq" so that it never collides with a form field.
    return (request.GET.get("_pq") or request.GET.get("q") or "").strip()[
        :QUERY_MAX_LENGTH
    ]


def people_matching(query: str, *, limit: int = PICKER_LIMIT) -> list[User]:
    """Return up to ``limit`` active people whose name, sign-in name, employee
    number or department matches the query, with their primary department."""
    if not query:
        return []
    matches = (
        User.objects.filter(is_active=True)
        .filter(
            Q(name__icontains=query)
            | Q(username__icontains=query)
            | Q(employee_number__icontains=query)
            | Q(primary_department__name__icontains=query)
        )
        .select_related("primary_department")
        .order_by("name", "username")
    )
    return list(matches[:limit])


def departments_matching(
    query: str, *, limit: int = PICKER_LIMIT, unit_id: int | None = None
) -> list[Department]:
    """Return up to ``limit`` active departments whose name or code matches,
    only of the unit ``unit_id`` when given."""
    if not query:
        return []
    matches = Department.objects.filter(is_active=True)
    if unit_id is not None:
        matches = matches.filter(unit_id=unit_id)
    matches = (
        matches.filter(Q(name__icontains=query) | Q(code__icontains=query))
        .select_related("unit")
        .order_by("unit__sort_order", "sort_order", "code")
    )
    return list(matches[:limit])


def picked_ids(values: Iterable[Any]) -> list[int]:
    """Return the values that can be ids (digits that fit a database integer)."""
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) < ID_DIGITS]


def chosen_people(ids: Iterable[Any]) -> list[User]:
    """Return the people with the ids, in the order given (for a picker's value)."""
    wanted = picked_ids(ids)
    found = User.objects.filter(pk__in=wanted).select_related("primary_department")
    by_id = {user.pk: user for user in found}
    return [by_id[pk] for pk in dict.fromkeys(wanted) if pk in by_id]


def chosen_departments(ids: Iterable[Any]) -> list[Department]:
    """Return the departments with the ids, in the order given."""
    wanted = picked_ids(ids)
    by_id = {d.pk: d for d in Department.objects.filter(pk__in=wanted)}
    return [by_id[pk] for pk in dict.fromkeys(wanted) if pk in by_id]


@login_required
@require_GET
def picker_people(request: HttpRequest) -> HttpResponse:
    """Answer the people matching the typed text, as picker options."""
    query = _query(request)
    return render(
        request,
        "org/_picker_results.html",
        {"kind": "person", "query": query, "options": people_matching(query)},
    )


@login_required
@require_GET
def picker_departments(request: HttpRequest) -> HttpResponse:
    """Answer the departments matching the typed text, as picker options.

    ``unit`` (an id) keeps the matches to one unit, for a form that takes only
    its own unit's departments.
    """
    query = _query(request)
    unit = picked_ids([request.GET.get("unit") or ""])
    options = departments_matching(query, unit_id=unit[0] if unit else None)
    return render(
        request,
        "org/_picker_results.html",
        {"kind": "department", "query": query, "options": options},
    )
