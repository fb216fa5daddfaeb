"""Who may see the audit trail."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role


def can_browse_audit(user: Any) -> bool:
    """Return whether the user may browse the audit trail (administrators only)."""
    return bool(user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN))
