"""The portal home page and the error pages."""

from __future__ import annotations

import datetime
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiban.core.portal import QUICK_LINKS
from zhiban.inbox.display import count_label
from zhiban.inbox.selectors import (
    CC,
    COUNT_CAP,
    DONE,
    INITIATED,
    TODO,
    work_item_counts_for,
    work_item_list_for,
)
from zhiban.notices.selectors import NoticeFilters, notice_list_for
from zhiban.org.models import User

HOME_URGENT_ITEMS = 6
HOME_NOTICES = 6


def _due_soon() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.REMINDER_HOURS)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the portal: my to-do counts, urgent items, latest notices, quick links."""
    now = timezone.now()
    user = cast(User, request.user)  # login_required: never anonymous here
    counts = work_item_counts_for(user=user, now=now)
    # The default order of the 待办 tab is the most pressing first: urgency, then due.
    pressing = list(
        work_item_list_for(user=user, tab=TODO, now=now)[:HOME_URGENT_ITEMS]
    )
    for item in pressing:
        due = item["due_at"]
        item["is_overdue"] = due is not None and due < now
        item["is_due_soon"] = (
            due is not None and not item["is_overdue"] and due <= now + _due_soon()
        )
    notices = list(
        notice_list_for(user=user, filters=NoticeFilters(), now=now)[:HOME_NOTICES]
    )
    tiles = [
        (key, label, icon, count_label(counts[key]))
        for key, label, icon in (
            (TODO, _("To do"), "bi-inbox"),
            (DONE, _("Done"), "bi-check2-square"),
            (INITIATED, _("Initiated by me"), "bi-send"),
            (CC, _("Copied to me"), "bi-people"),
        )
    ]
    return render(
        request,
        "core/home.html",
        {
            "nav_active": "home",
            "counts": counts,
            "count_cap": COUNT_CAP,
            "overdue_label": count_label(counts["overdue"]),
            "tiles": tiles,
            "pressing": pressing,
            "notices": notices,
            "quick_links": QUICK_LINKS,
        },
    )


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
    """Render 500 without touching the database.

    The database may be why we are here, so no context processors run: they would
    load the session and the user. The language was activated by the middleware.
    """
    return HttpResponseServerError(loader.get_template("500.html").render())
