"""Helpers shared by the organisation pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from zhiban.org import policies
from zhiban.org.models import (
    Delegation,
    User,
)
from zhiban.org.work_kinds import work_kind_choices

PAGE_SIZE = 50
DIRECTORY_PAGE_SIZE = 30

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Let only organisation administrators in; others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policies.can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def with_kind_labels(delegations: Any) -> list[Delegation]:
    labels = dict(work_kind_choices())
    rows = list(delegations)
    for delegation in rows:
        delegation.kind_labels = [labels.get(k, k) for k in delegation.kinds]
    return rows


def current_user(request: HttpRequest) -> User:
    # Every view here is behind login_required, so the user is a real User.
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    """Return whether to answer with a fragment (not for history restores)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not (htmx.boosted or htmx.history_restore_request)


def render_page(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """Render the fragment for HTMX and the whole page otherwise; vary on it."""
    name = f"{template}#{fragment}" if is_htmx(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    back: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "org/admin_form.html",
        {"form": form, "title": title, "back": back, "nav_active": "org_admin"},
        status=status,
    )
