"""Units of the group."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.org.models import Unit, User
from zhiban.org.services._common import (
    UNSET,
    _apply,
    _changes,
    _fk_names,
    _others,
)


def _check_unit_code(code: str, *, exclude_pk: int | None = None) -> None:
    if _others(Unit.objects.filter(code=code), exclude_pk).exists():
        raise DomainError(
            {"code": _("A unit with code “%(code)s” already exists.") % {"code": code}},
            code="duplicate_code",
        )


def _check_unit_parent(unit: Unit, parent: Unit | None) -> None:
    if parent is None or unit.pk is None:
        return
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    node: int | None = parent.pk
    while node is not None:
        if node == unit.pk:
            raise DomainError(
                {
                    "parent": _(
                        "“%(parent)s” is inside “%(unit)s”; a unit cannot be placed "
                        "under itself or its own subordinate unit."
                    )
                    % {"parent": parent.name, "unit": unit.name}
                },
                code="cycle",
            )
        node = parents.get(node)


@transaction.atomic
def unit_create(
    *,
    by: User | None,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Unit | None = None,
    sort_order: int = 0,
) -> Unit:
    """Create a unit of the group."""
    unit = Unit(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        short_name=short_name.strip(),
        parent=parent,
        sort_order=sort_order,
    )
    _check_unit_code(unit.code)
    unit.full_clean()
    unit.save()
    audit_record(actor=by, action="org.unit_create", target=unit, data={"code": code})
    return unit


@transaction.atomic
def unit_update(
    *,
    by: User | None,
    unit: Unit,
    code: str = UNSET,
    name: str = UNSET,
    kind: str = UNSET,
    short_name: str = UNSET,
    parent: Unit | None = UNSET,
    sort_order: int = UNSET,
    is_active: bool = UNSET,
) -> Unit:
    """Change a unit's fields; refuse a duplicate code or a parent cycle."""
    changes = _changes(
        {
            "code": code,
            "name": name,
            "kind": kind,
            "short_name": short_name,
            "parent": parent,
            "sort_order": sort_order,
            "is_active": is_active,
        }
    )
    if "code" in changes:
        changes["code"] = changes["code"].strip()
        _check_unit_code(changes["code"], exclude_pk=unit.pk)
    if "parent" in changes:
        _check_unit_parent(unit, changes["parent"])
    diff = _apply(unit, changes)
    if not diff:
        return unit
    unit.full_clean()
    unit.save(update_fields=_fk_names(diff, unit))
    audit_record(actor=by, action="org.unit_update", target=unit, data=diff)
    return unit
