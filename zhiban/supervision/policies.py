"""Who may do what with supervision items."""

from __future__ import annotations

from zhiban.org.models import Department, Role, User
from zhiban.org.selectors import department_head_for

# Who may draft and issue items: the supervision office and the leaders who assign.
CREATOR_ROLES = (
    Role.SUPERVISION_OFFICER,
    Role.OFFICE_DIRECTOR,
    Role.OVERSEEING_LEADER,
    Role.PRINCIPAL_LEADER,
)
# Who sees every item and verifies completion: the supervision office.
OFFICE_ROLES = (Role.SUPERVISION_OFFICER, Role.OFFICE_DIRECTOR)
# Who sees every item without running them.
OVERVIEW_ROLES = (*OFFICE_ROLES, Role.PRINCIPAL_LEADER)


def can_create(user: User) -> bool:
    return any(user.has_role(role) for role in CREATOR_ROLES)


def is_office(user: User) -> bool:
    """Return whether the user works in the supervision office (sees all, verifies)."""
    return any(user.has_role(role) for role in OFFICE_ROLES)


def sees_everything(user: User) -> bool:
    return any(user.has_role(role) for role in OVERVIEW_ROLES)


def can_verify(user: User, *, officer_id: int) -> bool:
    """The item's officer, or anyone of the supervision office, verifies it."""
    return user.pk == officer_id or is_office(user)


def answers_for(
    user: User, *, department: Department, responsible_id: int | None, lead: bool
) -> bool:
    """Return whether the user may sign for and report for the department.

    The department's head does; for the lead department, so does the item's
    responsible person. (A delegate acts through the work item, see services.)
    """
    if lead and responsible_id is not None and user.pk == responsible_id:
        return True
    head = department_head_for(department)
    return head is not None and head.pk == user.pk


def can_keep_profiles(user: User) -> bool:
    """Administrators and the office director edit the clock profiles."""
    return user.has_role(Role.SYSTEM_ADMIN) or user.has_role(Role.OFFICE_DIRECTOR)


def can_assess(user: User) -> bool:
    """Who reads the department assessment: the office, principal and overseeing leaders."""
    return sees_everything(user) or user.has_role(Role.OVERSEEING_LEADER)
