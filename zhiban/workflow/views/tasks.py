"""My requests and my approval tasks: thin list pages, 50 to a page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhiban.workflow import instance_pages, selectors
from zhiban.workflow.instance_pages import PAGE_SIZE, STATUS_STYLES, MineFilters
from zhiban.workflow.models import FlowInstance

TABS = ("pending", "handled", "cc")


def _user(request: HttpRequest) -> Any:
    return request.user


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """List the requests I started: filter by status and flow, search by title."""
    user = _user(request)
    filters = MineFilters.from_query(request.GET)
    rows = instance_pages.instance_list_mine(user=user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav_active": "approvals",
        "page": page,
        "filters": filters,
        "statuses": FlowInstance.Status.choices,
        "flows": list(instance_pages.flows_started_by(user=user)),
        "status_styles": STATUS_STYLES,
    }
    template = "workflow/mine.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        template += "#rows"
    return render(request, template, context)


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """List my approval tasks: pending, handled, or copied to me."""
    user = _user(request)
    tab = request.GET.get("tab") or "pending"
    if tab not in TABS:
        tab = "pending"
    rows: Any
    if tab == "pending":
        rows = instance_pages.task_list_pending(user=user)
    elif tab == "handled":
        rows = instance_pages.task_list_handled(user=user)
    else:
        rows = instance_pages.cc_list_for(user=user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items: list[Any] = list(page.object_list)
    if tab == "cc":
        items = instance_pages.attach_instances(items)
    elif tab == "pending":
        items = [(task, selectors.task_acting_for(task)) for task in items]
    context = {
        "nav_active": "approvals",
        "tab": tab,
        "page": page,
        "items": items,
        "status_styles": STATUS_STYLES,
        "pending_count": page.paginator.count
        if tab == "pending"
        else instance_pages.task_list_pending(user=user).count(),
    }
    return render(request, "workflow/tasks.html", context)
