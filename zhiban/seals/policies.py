"""Who may do what with seals and the seal-use ledger: the one place these rules live."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role

# The roles that keep the seal register and see the whole ledger.
REGISTER_ROLES: tuple[str, ...] = (Role.SYSTEM_ADMIN, Role.OFFICE_DIRECTOR)


def can_manage_register(user: Any) -> bool:
    """Return whether the user may list, add, edit and deactivate seals."""
    return bool(
        user.is_authenticated and any(user.has_role(role) for role in REGISTER_ROLES)
    )


def sees_whole_ledger(user: Any) -> bool:
    """Return whether the user sees every row of the seal-use ledger."""
    return can_manage_register(user)


def can_stamp(user: Any, use: Any) -> bool:
    """Return whether the user may record the stamping: the seal's keeper or deputy."""
    return bool(user.is_authenticated and use.seal.is_kept_by(user.pk))
