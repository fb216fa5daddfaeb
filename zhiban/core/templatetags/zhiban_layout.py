"""Layout pieces rendered once per user and language, then served from the cache.

The navigation depends on the user's roles and language only, so rendering it and
asking for the roles on every page would be wasted work: it is cached per user,
language and active entry, and forgotten when the user's roles change (see
zhiban.core.signals) or after NAV_CACHE_SECONDS.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from zhiban.core.navigation import (
    entries_for,
    nav_cache_key,
    user_heading_cache_key,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar(context: template.Context) -> SafeString:
    """Render the left navigation of the signed-in user, from the cache when it can."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return mark_safe("")
    active = str(context.get("nav_active") or "")
    key = nav_cache_key(user_id=user.pk, language=get_language(), active=active)
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "layout/sidebar.html",
            {"nav_entries": entries_for(user), "nav_active": active},
        )
        cache.set(key, html, settings.NAV_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own escaping template


@register.simple_tag(takes_context=True)
def user_heading(context: template.Context) -> str:
    """Return "name · department" for the user menu, without a query per page."""
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    key = user_heading_cache_key(user_id=user.pk)
    heading = cache.get(key)
    if heading is None:
        department = user.primary_department
        heading = (
            format_html("{} · {}", user.display_name, department.name)
            if department is not None
            else format_html("{}", user.display_name)
        )
        cache.set(key, str(heading), settings.NAV_CACHE_SECONDS)
    return mark_safe(heading)  # noqa: S308 - escaped by format_html above
