"""Template helpers of the audit pages."""

from __future__ import annotations

from django import template

from zhiban.audit.actions import action_label as label_of

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """Show an audit action code as its translated label."""
    return label_of(code)
