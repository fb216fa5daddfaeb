"""Who may do what in the organisation module. Each rule lives here once."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role


def can_administer(user: Any) -> bool:
    """Return whether the user may administer the organisation (system admins)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(Role.SYSTEM_ADMIN))
    )


def can_manage_delegations_of(user: Any, delegator: Any) -> bool:
    """Return whether the user may set up or end the delegator's delegations."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.pk == delegator.pk or can_administer(user))


def can_manage_calendar(user: Any) -> bool:
    """Return whether the user may change the working-day calendar.

    System administrators and office directors (办公室主任) keep the calendar.
    """
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (
            user.is_superuser
            or user.has_role(Role.SYSTEM_ADMIN)
            or user.has_role(Role.OFFICE_DIRECTOR)
        )
    )
