"""The engine's organisation facts, answered from ``zhiban.org``.

User, department and unit references are primary keys as strings, as the engine
expects. One object serves one service call and memoises what it read, so the
queries grow with the people and departments involved, never per question.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from zhiban.org import selectors as org_selectors
from zhiban.org.models import Delegation, Department, Membership, Role, Unit, User

APPROVAL_KIND = "approval"


class DjangoOrgFacts:
    """Implement :class:`zhiban.workflow.engine.OrgFacts` over the org models."""

    def __init__(self) -> None:
        self._users: dict[str, User | None] = {}
        self._departments: dict[str, Department | None] = {}
        self._units: dict[str, Unit | None] = {}
        self._roles: dict[tuple[str, str], tuple[str, ...]] = {}
        self._heads: dict[str, tuple[str, ...]] = {}
        self._delegations: dict[tuple[str, str, datetime.date], bool] = {}

    # --- rows -----------------------------------------------------------------

    def remember(self, *users: User) -> None:
        """Seed the cache with users the caller already loaded."""
        for user in users:
            self._users[str(user.pk)] = user

    def user(self, ref: str) -> User | None:
        """Return the user with the reference, or None."""
        if ref not in self._users:
            self._users[ref] = (
                org_selectors.user_with_department_get(user_id=int(ref))
                if ref.isdigit()
                else None
            )
        return self._users[ref]

    def _department(self, ref: str) -> Department | None:
        if ref not in self._departments:
            self._departments[ref] = (
                Department.objects.filter(pk=ref).first() if ref.isdigit() else None
            )
        return self._departments[ref]

    def _unit(self, ref: str) -> Unit | None:
        if ref not in self._units:
            self._units[ref] = (
                Unit.objects.filter(pk=ref).first() if ref.isdigit() else None
            )
        return self._units[ref]

    # --- OrgFacts -------------------------------------------------------------

    def unit_of(self, user: str) -> str | None:
        """Return the unit of the user's primary department."""
        person = self.user(user)
        if person is None or person.primary_department is None:
            return None
        return str(person.primary_department.unit_id)

    def department_of(self, user: str) -> str | None:
        """Return the user's primary department."""
        person = self.user(user)
        if person is None or person.primary_department_id is None:
            return None
        department = person.primary_department
        if department is not None:
            self._departments.setdefault(str(department.pk), department)
        return str(person.primary_department_id)

    def users_with_role(self, role: str, unit: str) -> tuple[str, ...]:
        """Return the active holders of the role who belong to the unit, by id."""
        key = (role, unit)
        if key not in self._roles:
            ids = (
                User.objects.filter(is_active=True, groups__name=role)
                .filter(
                    Q(primary_department__unit_id=unit)
                    | Q(memberships__department__unit_id=unit)
                )
                .values_list("pk", flat=True)
                .distinct()
                .order_by("pk")
                if unit.isdigit()
                else []
            )
            self._roles[key] = tuple(str(pk) for pk in ids)
        return self._roles[key]

    def department_heads(self, department: str) -> tuple[str, ...]:
        """Return the active heads (not deputies) of the department, by id."""
        if department not in self._heads:
            ids = (
                Membership.objects.filter(
                    department_id=department, is_head=True, user__is_active=True
                )
                .values_list("user_id", flat=True)
                .order_by("user_id")
                if department.isdigit()
                else []
            )
            self._heads[department] = tuple(str(pk) for pk in ids)
        return self._heads[department]

    def parent_department(self, department: str) -> str | None:
        """Return the parent department."""
        row = self._department(department)
        if row is None or row.parent_id is None:
            return None
        return str(row.parent_id)

    def overseeing_leader(self, department: str) -> str | None:
        """Return the active leader who oversees the department or, else, a parent."""
        seen: set[str] = set()
        current: str | None = department
        while current is not None and current not in seen:
            seen.add(current)
            row = self._department(current)
            if row is None:
                return None
            if row.overseeing_leader_id is not None:
                leader = self.user(str(row.overseeing_leader_id))
                if leader is not None and leader.is_active:
                    return str(leader.pk)
            current = str(row.parent_id) if row.parent_id else None
        return None

    def may_act_for(self, actor: str, principal: str, at: datetime.datetime) -> bool:
        """Return whether an active delegation of approvals runs principal → actor."""
        on = timezone.localdate(at)
        key = (actor, principal, on)
        if key not in self._delegations:
            found = False
            if actor.isdigit() and principal.isdigit():
                for delegation in Delegation.objects.filter(
                    delegator_id=int(principal),
                    delegate_id=int(actor),
                    delegate__is_active=True,
                    is_active=True,
                    starts_on__lte=on,
                    ends_on__gte=on,
                ):
                    found = found or delegation.covers(APPROVAL_KIND)
            self._delegations[key] = found
        return self._delegations[key]

    def is_active(self, user: str) -> bool:
        """Return whether the user exists and is not deactivated."""
        person = self.user(user)
        return person is not None and person.is_active

    def user_name(self, user: str) -> str:
        """Return the user's display name."""
        person = self.user(user)
        return person.display_name if person is not None else user

    def department_name(self, department: str) -> str:
        """Return the department's name."""
        row = self._department(department)
        return row.name if row is not None else department

    def unit_name(self, unit: str) -> str:
        """Return the unit's name."""
        row = self._unit(unit)
        return row.name if row is not None else unit

    def role_name(self, role: str) -> str:
        """Return the role's label in the active language."""
        try:
            return str(Role(role).label)
        except ValueError:
            return role
