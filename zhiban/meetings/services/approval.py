"""Bookings on the approval engine: start the flow, withdraw it, settle its outcome."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.inbox import services as inbox
from zhiban.meetings.models import (
    BOOKING_FLOW_CODE,
    WORK_KIND,
    Booking,
    BookingSeries,
    Room,
)
from zhiban.meetings.services.rules import (
    Slot,
    _local,
    _url,
    slot_text,
)
from zhiban.org.models import User

State = Booking.State


def _start_approval(
    bookings: list[Booking], *, room: Room, by: User, series: BookingSeries | None
) -> None:
    """Start the booking flow for the pending bookings and link them to it."""
    from zhiban.workflow.services import instance_start

    first = bookings[0]
    title = first.title
    instance = instance_start(
        flow_code=BOOKING_FLOW_CODE,
        form={
            "room": str(room)[:200],
            "title": title,
            "window": {
                "start": _local(first.starts_at).isoformat(),
                "end": _local(first.ends_at).isoformat(),
            },
            "occurrences": len(bookings),
            "attendees": first.attendees,
            "manager": room.manager_id,
        },
        by=by,
        title=(
            _("Room booking: %(room)s, %(title)s")
            if series is None
            else _("Room booking (%(count)s times): %(room)s, %(title)s")
        )
        % {"room": str(room), "title": title, "count": len(bookings)},
    )
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(instance=instance)
    for booking in bookings:
        booking.instance = instance
    instance.refresh_from_db()
    if instance.is_finished:  # every node passed at once: settle it here
        _settle(instance)


def _withdraw_if_unused(instance: Any) -> None:
    """Withdraw a running approval that no active booking waits for any more."""
    from zhiban.workflow.models import FlowInstance
    from zhiban.workflow.services import instance_act

    if instance is None or instance.status != FlowInstance.Status.RUNNING:
        return
    if Booking.objects.filter(instance=instance, state=State.PENDING).exists():
        return
    instance_act(
        instance_id=instance.pk,
        kind="withdraw",
        by=instance.initiator,
        payload={"opinion": _("The booking was cancelled or moved.")},
    )


def _settle(instance: Any) -> None:
    """Confirm or release the bookings an approval decided, and tell the organiser."""
    from zhiban.workflow.models import FlowInstance

    status = instance.status
    rows = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(instance=instance, state=State.PENDING)
        .select_related("room", "organiser")
        .order_by("starts_at")
    )
    if not rows:
        return
    now = timezone.now()
    if status == FlowInstance.Status.APPROVED:
        state, action = State.CONFIRMED, "meetings.booking_approve"
        title = _("Room booking approved: %(room)s, %(time)s, “%(title)s”")
    elif status == FlowInstance.Status.REJECTED:
        state, action = State.REJECTED, "meetings.booking_reject"
        title = _("Room booking not approved: %(room)s, %(time)s, “%(title)s”")
    elif status in (FlowInstance.Status.WITHDRAWN, FlowInstance.Status.REVOKED):
        state, action = State.CANCELLED, "meetings.booking_withdraw"
        title = _("Room booking withdrawn: %(room)s, %(time)s, “%(title)s”")
    else:
        return
    for booking in rows:
        booking.state = state
        booking.decided_at = now
        if state == State.CANCELLED:
            booking.cancelled_at = now
    Booking.objects.bulk_update(rows, ["state", "decided_at", "cancelled_at"])
    first = rows[0]
    when = slot_text(Slot(first.starts_at, first.ends_at))
    if len(rows) > 1:
        when += f" (+{len(rows) - 1})"
    inbox.notify(
        recipient=first.organiser,
        kind=WORK_KIND,
        title=title % {"room": str(first.room), "time": when, "title": first.title},
        url=_url(first),
        dedupe_key=f"meetings:outcome:{instance.pk}:{status}",
    )
    audit_record(
        actor=None,
        action=action,
        target=first,
        data={"instance": instance.pk, "bookings": [b.pk for b in rows]},
    )


def booking_outcome(instance: Any) -> None:
    """React to the booking flow's outcome (registered for its flow kind)."""
    _settle(instance)
