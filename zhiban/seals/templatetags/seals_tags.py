"""Template filters for seal pages."""

from __future__ import annotations

from typing import Any

from django import template

from zhiban.seals import policies

register = template.Library()


@register.filter
def can_stamp(use: Any, user: Any) -> bool:
    """Return whether the user may record the stamping of this seal use."""
    return use.status == use.Status.AWAITING and policies.can_stamp(user, use)
