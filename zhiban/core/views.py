"""The portal home page and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the portal: my to-do counts, urgent items, latest notices, quick links."""
    return render(request, "core/home.html", {"nav_active": "home"})


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """Render 400 in the user's language."""
    return _error(request, 400, "400.html")


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """Render 403 in the user's language."""
    return _error(request, 403, "403.html")


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """Render 404 in the user's language."""
    return _error(request, 404, "404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """Render 500 without touching the database."""
    return _error(request, 500, "500.html")
