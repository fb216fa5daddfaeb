"""Pages of the audit trail: the list with filters, and one entry."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zhiban.audit.forms import AuditFilterForm
from zhiban.audit.models import AuditEntry
from zhiban.audit.selectors import audit_entry_get_for, audit_entry_list_for

PAGE_SIZE = 50


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    """Browse the trail by object, person, action and time; HTMX gets the rows only."""
    form = AuditFilterForm(request.GET or None)
    entries = audit_entry_list_for(user=request.user, filters=form.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "nav_active": "audit",
    }
    template = "audit/entry_list.html"
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        template += "#rows"
    return render(request, template, context)


@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Show one entry with its details and hashes."""
    try:
        entry = audit_entry_get_for(user=request.user, entry_id=entry_id)
    except AuditEntry.DoesNotExist as error:
        raise Http404 from error
    context = {
        "entry": entry,
        "data_json": json.dumps(
            entry.data, ensure_ascii=False, indent=2, sort_keys=True
        ),
        "nav_active": "audit",
    }
    return render(request, "audit/entry_detail.html", context)
