"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Give the layout the navigation, lazily, so pages that do not draw it pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from zhiban.core.navigation import entries_for

    return {"nav_entries": lambda: entries_for(user)}
