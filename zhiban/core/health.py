"""A trivial endpoint for load balancers, and the benchmark's framework ceiling."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 'ok' without touching the database or the session."""
    return HttpResponse("ok", content_type="text/plain")
