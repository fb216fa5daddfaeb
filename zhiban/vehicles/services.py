"""Every write of the vehicle requests: booked on approval, cancelled on revocation.

Both run inside the acting approval's transaction (the flow kind's outcome
handler) and write their audit entry last.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.vehicles.models import VehicleRequest
from zhiban.workflow.models import FlowInstance


def _moment(value: Any) -> datetime.datetime:
    parsed = parse_datetime(str(value or ""))
    if parsed is None:
        raise DomainError(
            _("The time window of this request is not readable."), code="bad_window"
        )
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _whole(value: Any) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def vehicle_request_open(*, instance: FlowInstance) -> VehicleRequest:
    """Book an approved vehicle request as ready for dispatch (once per instance)."""
    existing = VehicleRequest.objects.filter(instance=instance).first()
    if existing is not None:
        return existing
    form = instance.form or {}
    raw = form.get("window")
    window: dict[str, Any] = raw if isinstance(raw, dict) else {}
    starts_at = _moment(window.get("start"))
    ends_at = _moment(window.get("end"))
    if ends_at < starts_at:
        raise DomainError(
            _("The end of the time window is before its start."), code="bad_window"
        )
    requester = instance.initiator
    request = VehicleRequest(
        instance=instance,
        requester=requester,
        department_id=requester.primary_department_id,
        purpose=str(form.get("purpose") or ""),
        starts_at=starts_at,
        ends_at=ends_at,
        destination=str(form.get("destination") or "")[:200],
        departure=str(form.get("departure") or "")[:200],
        passengers=_whole(form.get("passengers")),
        passenger_names=str(form.get("passenger_names") or "")[:200],
        approved_at=instance.finished_at or timezone.now(),
    )
    request.full_clean(exclude=["instance"])
    request.save()
    audit_record(
        actor=None,
        action="vehicle.request_open",
        target=request,
        data={"instance": instance.pk, "starts_at": starts_at.isoformat()},
    )
    return request


def vehicle_request_cancel(*, instance: FlowInstance) -> VehicleRequest | None:
    """Cancel the vehicle request of a revoked approval."""
    request = (
        VehicleRequest.objects.select_for_update().filter(instance=instance).first()
    )
    if request is None or request.status == VehicleRequest.Status.CANCELLED:
        return request
    request.status = VehicleRequest.Status.CANCELLED
    request.cancelled_at = instance.finished_at or timezone.now()
    request.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(
        actor=instance.initiator,
        action="vehicle.request_cancel",
        target=request,
        data={"instance": instance.pk},
    )
    return request


def vehicle_outcome(instance: FlowInstance) -> None:
    """React to a vehicle request's outcome (registered for the flow kind "vehicle")."""
    if instance.status == FlowInstance.Status.APPROVED:
        vehicle_request_open(instance=instance)
    elif instance.status == FlowInstance.Status.REVOKED:
        vehicle_request_cancel(instance=instance)
