"""Helpers shared by the organisation services."""

from __future__ import annotations

from typing import Any


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _changes(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not UNSET}


def _apply(instance: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the changed attributes; return {field: [old, new]} of real changes."""
    diff: dict[str, Any] = {}
    for field, value in changes.items():
        old = getattr(instance, field)
        if old != value:
            setattr(instance, field, value)
            diff[field] = [_audit_value(old), _audit_value(value)]
    return diff


def _audit_value(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return value


def _columns(diff: dict[str, Any], instance: Any) -> list[str]:
    return [getattr(instance._meta.get_field(name), "attname", name) for name in diff]


def _fk_names(diff: dict[str, Any], instance: Any) -> list[str]:
    return [*_columns(diff, instance), "updated_at"]


def _others(queryset: Any, pk: int | None) -> Any:
    """Return the queryset without the row being edited (none when creating)."""
    return queryset if pk is None else queryset.exclude(pk=pk)
