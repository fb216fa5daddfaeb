"""Request middleware shared by every app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode


class HtmxLoginRedirectMiddleware:
    """Send an HTMX request whose session expired to the login page, not a fragment.

    A plain redirect would be followed by htmx and the login page swapped into a
    table cell; HX-Redirect makes the browser load the login page whole.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code in (301, 302)
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            current = request.headers.get("HX-Current-URL", "")
            location = resolve_url(settings.LOGIN_URL)
            if current:
                location += "?" + urlencode({"next": _path_of(current)})
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = location
            return redirect
        return response


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
