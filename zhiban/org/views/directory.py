"""The organisation directory and the person card."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from zhiban.org import selectors
from zhiban.org.views._common import (
    DIRECTORY_PAGE_SIZE,
    current_user,
    int_param,
    is_htmx,
    render_page,
)


@login_required
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Browse the organisation: the tree on the left, people on the right."""
    viewer = current_user(request)
    department = None
    department_id = int_param(request, "department")
    if department_id is not None:
        department = selectors.department_get_for(
            viewer=viewer, department_id=department_id
        )
        if department is None:
            raise Http404
    query = request.GET.get("q", "").strip()[:100]
    people = selectors.user_directory_for(
        viewer=viewer, query=query, department=department
    )
    page = Paginator(people, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "department": department,
        "query": query,
        "page": page,
        "nav_active": "org",
    }
    if department is not None:
        context["head"] = selectors.department_head_for(department)
        context["leader"] = selectors.overseeing_leader_for(department)
    if not is_htmx(request):
        context["tree_nodes"] = selectors.org_tree()
    return render_page(request, "org/directory.html", "people", context)


@login_required
@require_GET
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    """Show one person's card: departments, title, contacts, overseeing leader."""
    shown = selectors.user_get_for(viewer=current_user(request), user_id=user_id)
    if shown is None:
        raise Http404
    leader = None
    if shown.primary_department is not None:
        leader = selectors.overseeing_leader_for(shown.primary_department)
    context = {"person": shown, "leader": leader, "nav_active": "org"}
    return render_page(request, "org/person.html", "card", context)
