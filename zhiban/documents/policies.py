"""Who may do what with official documents: the one place these rules live."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role

# The roles that keep a unit's registers (收文/发文登记) and allocate numbers.
REGISTRY_ROLES: tuple[str, ...] = (
    Role.SYSTEM_ADMIN,
    Role.OFFICE_DIRECTOR,
    Role.CLERK,
    Role.CONFIDENTIAL_CLERK,
)
# The roles that administer the number series (机关代字).
SERIES_ROLES: tuple[str, ...] = (Role.SYSTEM_ADMIN, Role.OFFICE_DIRECTOR)


def _holds_any(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user.is_authenticated and any(user.has_role(r) for r in roles))


def can_keep_register(user: Any) -> bool:
    """Return whether the user registers documents and allocates numbers."""
    return _holds_any(user, REGISTRY_ROLES)


def sees_classified(user: Any) -> bool:
    """Return whether the user sees classified documents at all (机要员 only).

    Not even a system administrator: clearance is a role someone is given on purpose
    (``has_role`` lets a superuser act only as system administrator).
    """
    return _holds_any(user, (Role.CONFIDENTIAL_CLERK,))


def can_register(user: Any, *, classified: bool) -> bool:
    """Return whether the user may register a document (a classified one too)."""
    if classified:
        return sees_classified(user)
    return can_keep_register(user)


def can_manage_series(user: Any) -> bool:
    """Return whether the user may add and change number series."""
    return _holds_any(user, SERIES_ROLES)


def sees_whole_register(user: Any) -> bool:
    """Return whether the user sees every (unclassified) entry of the registers."""
    return can_keep_register(user)


def own_unit_id(user: Any) -> int | None:
    """Return the id of the user's unit (their primary department's), or None."""
    department = getattr(user, "primary_department", None)
    return department.unit_id if department is not None else None


def in_unit_office(user: Any, unit_id: int) -> bool:
    """Return whether the user works in the unit, or administers every unit."""
    return bool(user.has_role(Role.SYSTEM_ADMIN) or own_unit_id(user) == unit_id)


def keeps_register_of(user: Any, unit_id: int) -> bool:
    """Return whether the user keeps the registers of that unit (prints, issues, files)."""
    return can_keep_register(user) and in_unit_office(user, unit_id)
