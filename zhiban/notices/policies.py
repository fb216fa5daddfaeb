"""Who may do what with notices: the one place these rules live."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role

# The roles that may write and publish notices.
PUBLISHER_ROLES: tuple[str, ...] = (Role.SYSTEM_ADMIN, Role.OFFICE_DIRECTOR, Role.CLERK)


def is_notice_admin(user: Any) -> bool:
    """Return whether the user sees and manages every notice."""
    return bool(user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN))


def can_publish(user: Any) -> bool:
    """Return whether the user may write and publish notices."""
    return bool(
        user.is_authenticated and any(user.has_role(role) for role in PUBLISHER_ROLES)
    )


def can_manage(user: Any, notice: Any) -> bool:
    """Return whether the user may edit, publish, pin, remind or withdraw the notice.

    The author while they still hold a publisher role, or an administrator.
    """
    if is_notice_admin(user):
        return True
    return bool(notice.author_id == user.pk and can_publish(user))
