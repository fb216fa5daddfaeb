"""Pages of this app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def list(request: HttpRequest) -> HttpResponse:
    """Placeholder page, to be built."""
    return render(request, "inbox/list.html", {})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """Placeholder page, to be built."""
    return render(request, "inbox/notifications.html", {})


@login_required
def unread_badge(request: HttpRequest) -> HttpResponse:
    """Placeholder page, to be built."""
    return render(request, "inbox/unread_badge.html", {})
