"""Pages of this app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def list(request: HttpRequest) -> HttpResponse:
    """Placeholder page, to be built."""
    return render(request, "notices/list.html", {})
