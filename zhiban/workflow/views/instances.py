"""Pages of approval flows: thin; the selectors decide who sees what."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhiban.workflow import selectors


def _user(request: HttpRequest) -> Any:
    return request.user


@login_required
@require_GET
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an approval: its timeline of actions and who holds it now."""
    instance = selectors.instance_get_for(user=_user(request), instance_id=pk)
    if instance is None:
        raise Http404
    context = {
        "nav_active": "inbox",
        "instance": instance,
        "actions": list(selectors.instance_timeline(instance=instance)),
        "open_tasks": list(selectors.instance_open_tasks(instance=instance)),
    }
    return render(request, "workflow/instance_detail.html", context)
