"""The organisation facts the engine needs, and how approvers are resolved from them.

The Django side implements :class:`OrgFacts` over ``zhiban.org``; tests, the
benchmark and previews use :class:`InMemoryOrg`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .definitions import AssigneeKind, Assignees, Form, UserRef


class OrgFacts(Protocol):
    """Answer the questions about the organisation that resolving approvers asks."""

    def unit_of(self, user: UserRef) -> str | None:
        """Return the unit (单位) the user belongs to."""
        ...

    def department_of(self, user: UserRef) -> str | None:
        """Return the user's primary department."""
        ...

    def users_with_role(self, role: str, unit: str) -> tuple[UserRef, ...]:
        """Return the users holding the role within the unit, in a stable order."""
        ...

    def department_heads(self, department: str) -> tuple[UserRef, ...]:
        """Return the heads (负责人) of the department, in a stable order."""
        ...

    def parent_department(self, department: str) -> str | None:
        """Return the parent department, or None at the top of the tree."""
        ...

    def overseeing_leader(self, department: str) -> UserRef | None:
        """Return the leader who oversees (分管) the department."""
        ...

    def may_act_for(self, actor: UserRef, principal: UserRef, at: datetime) -> bool:
        """Return whether the actor holds an active delegation from the principal."""
        ...

    def is_active(self, user: UserRef) -> bool:
        """Return whether the user is an active person who may be given work."""
        ...

    def user_name(self, user: UserRef) -> str:
        """Return the user's display name."""
        ...

    def department_name(self, department: str) -> str:
        """Return the department's name."""
        ...

    def unit_name(self, unit: str) -> str:
        """Return the unit's name."""
        ...

    def role_name(self, role: str) -> str:
        """Return the role's display name."""
        ...


@dataclass(frozen=True)
class InMemoryOrg:
    """Hold organisation facts in plain dicts (tests, benchmark, previews)."""

    user_units: Mapping[UserRef, str] = field(default_factory=dict)
    user_departments: Mapping[UserRef, str] = field(default_factory=dict)
    roles: Mapping[tuple[str, str], tuple[UserRef, ...]] = field(default_factory=dict)
    heads: Mapping[str, tuple[UserRef, ...]] = field(default_factory=dict)
    parents: Mapping[str, str] = field(default_factory=dict)
    leaders: Mapping[str, UserRef] = field(default_factory=dict)
    delegations: frozenset[tuple[UserRef, UserRef]] = frozenset()
    names: Mapping[str, str] = field(default_factory=dict)
    inactive: frozenset[UserRef] = frozenset()  # deactivated people

    def unit_of(self, user: UserRef) -> str | None:
        """Return the unit the user belongs to."""
        return self.user_units.get(user)

    def department_of(self, user: UserRef) -> str | None:
        """Return the user's primary department."""
        return self.user_departments.get(user)

    def users_with_role(self, role: str, unit: str) -> tuple[UserRef, ...]:
        """Return the users holding the role within the unit."""
        return self.roles.get((role, unit), ())

    def department_heads(self, department: str) -> tuple[UserRef, ...]:
        """Return the heads of the department."""
        return self.heads.get(department, ())

    def parent_department(self, department: str) -> str | None:
        """Return the parent department."""
        return self.parents.get(department)

    def overseeing_leader(self, department: str) -> UserRef | None:
        """Return the leader who oversees the department."""
        return self.leaders.get(department)

    def may_act_for(self, actor: UserRef, principal: UserRef, at: datetime) -> bool:
        """Return whether ``(principal, actor)`` is a listed delegation."""
        return (principal, actor) in self.delegations

    def is_active(self, user: UserRef) -> bool:
        """Return whether the user is not listed as deactivated."""
        return user not in self.inactive

    def user_name(self, user: UserRef) -> str:
        """Return the user's name, or the reference itself."""
        return self.names.get(user, user)

    def department_name(self, department: str) -> str:
        """Return the department's name, or the reference itself."""
        return self.names.get(department, department)

    def unit_name(self, unit: str) -> str:
        """Return the unit's name, or the reference itself."""
        return self.names.get(unit, unit)

    def role_name(self, role: str) -> str:
        """Return the role's name, or the reference itself."""
        return self.names.get(role, role)


@dataclass(frozen=True, slots=True)
class ResolvedApprover:
    """A person resolved for a node, with the reason in words."""

    user: UserRef
    reason: str


def _people(value: object) -> tuple[UserRef, ...]:
    """Return the user references held by a form value (one or a list)."""
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, int) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list | tuple):
        return tuple(p for item in value for p in _people(item))
    return ()


def resolve_assignees(
    spec: Assignees,
    *,
    node_id: str,
    initiator: UserRef,
    form: Form,
    picks: Mapping[str, tuple[UserRef, ...]],
    facts: OrgFacts,
    labels: Mapping[str, str] | None = None,
) -> tuple[ResolvedApprover, ...]:
    """Return the people the spec names, in order, without duplicates, with reasons.

    ``labels`` names the form fields (key → label), so that a person chosen in a
    form field reads "表单所选：会签人"; a field without a label is named by its key.
    """
    found: list[ResolvedApprover] = []
    kind = spec.kind
    if kind is AssigneeKind.USERS:
        found = [ResolvedApprover(u, "指定人员") for u in spec.users]
    elif kind is AssigneeKind.ROLE:
        unit = facts.unit_of(initiator)
        if unit is not None:
            reason = f"角色：{facts.role_name(spec.role)}（{facts.unit_name(unit)}）"
            found = [
                ResolvedApprover(u, reason)
                for u in facts.users_with_role(spec.role, unit)
            ]
    elif kind is AssigneeKind.DEPARTMENT_HEAD:
        department = facts.department_of(initiator)
        if department is not None:
            reason = f"部门负责人：{facts.department_name(department)}"
            found = [
                ResolvedApprover(u, reason) for u in facts.department_heads(department)
            ]
    elif kind is AssigneeKind.LEVELS_UP:
        current = facts.department_of(initiator)
        for level in range(1, spec.levels + 1):
            if current is None:
                break
            reason = f"逐级主管第{level}级：{facts.department_name(current)}"
            found.extend(
                ResolvedApprover(u, reason) for u in facts.department_heads(current)
            )
            current = facts.parent_department(current)
    elif kind is AssigneeKind.OVERSEEING_LEADER:
        department = facts.department_of(initiator)
        leader = facts.overseeing_leader(department) if department else None
        if leader is not None:
            found = [ResolvedApprover(leader, f"分管领导：{facts.user_name(leader)}")]
    elif kind is AssigneeKind.INITIATOR_PICK:
        found = [ResolvedApprover(u, "发起人自选") for u in picks.get(node_id, ())]
    elif kind is AssigneeKind.FORM_FIELD:
        reason = f"表单所选：{(labels or {}).get(spec.field) or spec.field}"
        found = [ResolvedApprover(u, reason) for u in _people(form.get(spec.field))]
    seen: set[UserRef] = set()
    unique: list[ResolvedApprover] = []
    for person in found:
        if person.user not in seen:
            seen.add(person.user)
            unique.append(person)
    return tuple(unique)
