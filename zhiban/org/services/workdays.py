"""Overrides of the working-day calendar (工作日历调整)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org import policies
from zhiban.org.models import User, WorkingDayOverride
from zhiban.org.services._common import _apply

NOTE_MAX_LENGTH = WorkingDayOverride._meta.get_field("note").max_length or 0


def _check_may_manage(by: User | None) -> None:
    # None is a system job (a seed or a migration), which may.
    if by is not None and not policies.can_manage_calendar(by):
        raise PermissionDeniedError(
            _(
                "Only system administrators and office directors may change the "
                "working-day calendar."
            ),
            code="forbidden",
        )


def _checked_input(
    *, day: Any, is_working_day: Any, note: Any
) -> tuple[datetime.date, bool, str]:
    errors: dict[str, list[str]] = {}
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        errors.setdefault("day", []).append(_("Choose a day."))
    if not isinstance(is_working_day, bool):
        errors.setdefault("is_working_day", []).append(
            _("Choose whether the day is a working day or a rest day.")
        )
    note = note.strip() if isinstance(note, str) else ""
    if not note:
        errors.setdefault("note", []).append(
            _("Say why the day changes, for example 2027年国庆调休.")
        )
    elif len(note) > NOTE_MAX_LENGTH:
        errors.setdefault("note", []).append(
            _("The note may have at most %(limit)d characters; it has %(count)d.")
            % {"limit": NOTE_MAX_LENGTH, "count": len(note)}
        )
    if errors:
        raise DomainError(errors, code="invalid_override")
    return day, is_working_day, note


@transaction.atomic
def working_day_override_set(
    *,
    by: User | None,
    day: datetime.date | None,
    is_working_day: bool | None,
    note: str,
) -> WorkingDayOverride:
    """Rule that the day is a working day or a rest day, replacing an earlier ruling.

    The ruling wins over the official calendar (zhiban.org.workdays).
    """
    _check_may_manage(by)
    day, is_working_day, note = _checked_input(
        day=day, is_working_day=is_working_day, note=note
    )
    override = WorkingDayOverride.objects.filter(day=day).first()
    if override is None:
        override = WorkingDayOverride(
            day=day,
            is_working_day=is_working_day,
            note=note,
            created_by=by,
            updated_by=by,
        )
        override.full_clean()
        override.save()
        audit_record(
            actor=by,
            action="org.working_day_override_set",
            target=override,
            data={
                "day": day.isoformat(),
                "is_working_day": is_working_day,
                "note": note,
            },
        )
        return override
    diff = _apply(override, {"is_working_day": is_working_day, "note": note})
    if not diff:
        return override
    override.updated_by = by
    override.full_clean()
    override.save(update_fields=[*diff, "updated_by", "updated_at"])
    audit_record(
        actor=by,
        action="org.working_day_override_set",
        target=override,
        data={"day": day.isoformat(), **diff},
    )
    return override


@transaction.atomic
def working_day_override_delete(
    *, by: User | None, override: WorkingDayOverride
) -> None:
    """Delete an override: the official calendar rules the day again."""
    _check_may_manage(by)
    audit_record(
        actor=by,
        action="org.working_day_override_delete",
        target=override,
        data={
            "day": override.day.isoformat(),
            "is_working_day": override.is_working_day,
            "note": override.note,
        },
    )
    override.delete()
