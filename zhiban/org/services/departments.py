"""Departments: the tree inside each unit."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.org.models import Department, Unit, User
from zhiban.org.services._common import (
    UNSET,
    _apply,
    _changes,
    _fk_names,
    _others,
)


def _check_department_code(code: str, *, exclude_pk: int | None = None) -> None:
    if _others(Department.objects.filter(code=code), exclude_pk).exists():
        raise DomainError(
            {
                "code": _("A department with code “%(code)s” already exists.")
                % {"code": code}
            },
            code="duplicate_code",
        )


def _check_department_name(
    *, unit_id: int, parent_id: int | None, name: str, exclude_pk: int | None
) -> None:
    siblings = _others(
        Department.objects.filter(unit_id=unit_id, parent_id=parent_id, name=name),
        exclude_pk,
    )
    if siblings.exists():
        raise DomainError(
            {
                "name": _(
                    "A department named “%(name)s” already exists at this place "
                    "of the tree."
                )
                % {"name": name}
            },
            code="duplicate_name",
        )


def department_descendant_ids(department: Department) -> set[int]:
    """Return the ids of every department below this one (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(children.get(department.pk, []))
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def _check_department_parent(department: Department, parent: Department | None) -> None:
    if parent is None:
        return
    if department.pk is not None and (
        parent.pk == department.pk or parent.pk in department_descendant_ids(department)
    ):
        raise DomainError(
            {
                "parent": _(
                    "“%(parent)s” is inside “%(department)s”; a department cannot be "
                    "moved under itself or one of its own sub-departments."
                )
                % {"parent": parent.name, "department": department.name}
            },
            code="cycle",
        )


@transaction.atomic
def department_create(
    *,
    by: User | None,
    unit: Unit,
    code: str,
    name: str,
    parent: Department | None = None,
    overseeing_leader: User | None = None,
    sort_order: int = 0,
) -> Department:
    """Create a department in a unit, optionally under a parent department."""
    code, name = code.strip(), name.strip()
    _check_department_code(code)
    if parent is not None and parent.unit_id != unit.pk:
        raise DomainError(
            {"parent": _("The parent department must belong to the same unit.")},
            code="parent_unit",
        )
    _check_department_name(
        unit_id=unit.pk,
        parent_id=parent.pk if parent else None,
        name=name,
        exclude_pk=None,
    )
    department = Department(
        unit=unit,
        code=code,
        name=name,
        parent=parent,
        overseeing_leader=overseeing_leader,
        sort_order=sort_order,
    )
    department.full_clean()
    department.save()
    audit_record(
        actor=by, action="org.department_create", target=department, data={"code": code}
    )
    return department


@transaction.atomic
def department_update(
    *,
    by: User | None,
    department: Department,
    code: str = UNSET,
    name: str = UNSET,
    sort_order: int = UNSET,
    is_active: bool = UNSET,
) -> Department:
    """Change a department's code, name, order or active flag (not its place)."""
    changes = _changes(
        {"code": code, "name": name, "sort_order": sort_order, "is_active": is_active}
    )
    if "code" in changes:
        changes["code"] = changes["code"].strip()
        _check_department_code(changes["code"], exclude_pk=department.pk)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        _check_department_name(
            unit_id=department.unit_id,
            parent_id=department.parent_id,
            name=changes["name"],
            exclude_pk=department.pk,
        )
    diff = _apply(department, changes)
    if not diff:
        return department
    department.full_clean()
    department.save(update_fields=_fk_names(diff, department))
    audit_record(actor=by, action="org.department_update", target=department, data=diff)
    return department


@transaction.atomic
def department_move(
    *,
    by: User | None,
    department: Department,
    parent: Department | None,
    unit: Unit | None = None,
) -> Department:
    """Move a department (with its sub-departments) under another parent or unit.

    With a parent the unit is the parent's; without one the department becomes a
    top-level department of `unit` (default: its current unit).
    """
    _check_department_parent(department, parent)
    new_unit = parent.unit if parent is not None else (unit or department.unit)
    if parent is not None and unit is not None and unit.pk != parent.unit_id:
        raise DomainError(
            {"parent": _("The parent department must belong to the same unit.")},
            code="parent_unit",
        )
    _check_department_name(
        unit_id=new_unit.pk,
        parent_id=parent.pk if parent else None,
        name=department.name,
        exclude_pk=department.pk,
    )
    diff = _apply(department, {"parent": parent, "unit": new_unit})
    if not diff:
        return department
    department.full_clean()
    department.save(update_fields=_fk_names(diff, department))
    if "unit" in diff:
        # Sub-departments travel with their parent: a tree never spans two units.
        Department.objects.filter(pk__in=department_descendant_ids(department)).update(
            unit=new_unit
        )
    audit_record(actor=by, action="org.department_move", target=department, data=diff)
    return department


@transaction.atomic
def department_set_overseeing_leader(
    *, by: User | None, department: Department, leader: User | None
) -> Department:
    """Set (or clear, with None) the leader who oversees the department (分管领导)."""
    if leader is not None and not leader.is_active:
        raise DomainError(
            {
                "leader": _(
                    "“%(name)s” is deactivated and cannot oversee a department."
                )
                % {"name": leader.display_name}
            },
            code="inactive",
        )
    diff = _apply(department, {"overseeing_leader": leader})
    if not diff:
        return department
    department.full_clean()
    department.save(update_fields=["overseeing_leader", "updated_at"])
    audit_record(
        actor=by,
        action="org.department_set_overseeing_leader",
        target=department,
        data=diff,
    )
    return department
