"""Pages of this app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Placeholder page, to be built."""
    return render(request, "org/directory.html", {})


@login_required
def admin_home(request: HttpRequest) -> HttpResponse:
    """Placeholder page, to be built."""
    return render(request, "org/admin_home.html", {})
