"""Who may see which vehicle requests: the one place these rules live."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role

# The roles that see every vehicle request (and will dispatch them).
FLEET_ROLES: tuple[str, ...] = (
    Role.FLEET_MANAGER,
    Role.OFFICE_DIRECTOR,
    Role.SYSTEM_ADMIN,
)


def sees_every_request(user: Any) -> bool:
    """Return whether the user sees every vehicle request."""
    return bool(
        user.is_authenticated and any(user.has_role(role) for role in FLEET_ROLES)
    )
