"""Reads of the audit trail."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.audit.policies import can_browse_audit
from zhiban.org.models import User


@dataclass(frozen=True)
class AuditFilters:
    """What the administrator narrows the trail to; empty values filter nothing."""

    object_type: str = ""
    object_id: str = ""
    user: str = ""
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entry_list_for(*, user: Any, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Return the entries the administrator asked for, newest first."""
    if not can_browse_audit(user):
        raise PermissionDenied
    entries = AuditEntry.objects.select_related("actor", "on_behalf_of").order_by("-id")
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.user:
        people = User.objects.filter(
            Q(username=filters.user)
            | Q(employee_number=filters.user)
            | Q(name=filters.user)
        ).values("id")
        entries = entries.filter(Q(actor_id__in=people) | Q(on_behalf_of_id__in=people))
    if filters.action:
        entries = entries.filter(action__startswith=filters.action)
    if filters.date_from:
        entries = entries.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(
            at__lt=_start_of(filters.date_to + datetime.timedelta(days=1))
        )
    return entries


def audit_entry_get_for(*, user: Any, entry_id: int) -> AuditEntry:
    """Return one entry for an administrator, or raise AuditEntry.DoesNotExist."""
    if not can_browse_audit(user):
        raise PermissionDenied
    return AuditEntry.objects.select_related("actor", "on_behalf_of").get(pk=entry_id)
