"""Every write of bookings: once, a series, a change, a cancel, the approval outcome.

No double booking. Each booking write runs in one transaction that checks for
overlaps before it writes, and the database refuses an overlap itself (ADR 12):

- SQLite runs every transaction IMMEDIATE (settings), so the write lock is held
  from ``BEGIN``: the check and the insert of two requests never interleave, and
  a trigger refuses what a writer without the check would slip in;
- PostgreSQL checks under READ COMMITTED, so two requests can both see a free
  slot; the exclusion constraint then makes the second insert wait for the first
  and fail, and its IntegrityError becomes the same message as the check's.

A refused booking writes nothing: every service raises DomainError (a
``BookingConflictError`` naming the conflicts for an overlap) before or instead of
its writes, and the transaction is rolled back.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox import services as inbox
from zhiban.meetings import policies
from zhiban.meetings.models import (
    WORK_KIND,
    Booking,
    BookingSeries,
    Room,
)
from zhiban.meetings.services.approval import _start_approval, _withdraw_if_unused
from zhiban.meetings.services.rules import (
    REASON_MAX,
    TITLE_MAX,
    BookingConflictError,
    Slot,
    _check_slots,
    _guarded,
    _local,
    _overlap_error,
    _overlapping,
    _text,
    _url,
    slot_text,
)
from zhiban.org.models import User

State = Booking.State
MAX_OCCURRENCES = 100


def booking_create(
    *,
    room: Room,
    by: User,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    attendees: int,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book a room for the organiser; in a room that needs approval it waits for it."""
    title = _text(title, "title", limit=TITLE_MAX)
    moment = now or timezone.now()
    slot = Slot(starts_at, ends_at)

    def write() -> Booking:
        # SQLite: the IMMEDIATE transaction already holds the write lock here.
        locked = Room.objects.select_related("manager").get(pk=room.pk)
        _check_slots(locked, [slot], attendees=attendees, now=moment)
        booking = Booking(
            room=locked,
            title=title,
            organiser=by,
            department_id=by.primary_department_id,
            attendees=attendees,
            starts_at=starts_at,
            ends_at=ends_at,
            state=State.PENDING if locked.needs_approval else State.CONFIRMED,
        )
        booking.full_clean(exclude=["room", "organiser", "department", "instance"])
        booking.save()
        audit_record(
            actor=by,
            action="meetings.booking_create",
            target=booking,
            data={
                "room": locked.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "state": booking.state,
            },
        )
        if locked.needs_approval:
            _start_approval([booking], room=locked, by=by, series=None)
            booking.refresh_from_db()
        return booking

    return _guarded(room, write)


def _occurrences(
    slot: Slot,
    *,
    frequency: str,
    until: datetime.date | None,
    count: int | None,
) -> list[Slot]:
    """Return the series' occurrences, same local wall time each time."""
    if frequency not in BookingSeries.Frequency.values:
        raise DomainError(
            {"frequency": [_("Choose how often it repeats.")]}, code="bad_frequency"
        )
    if (until is None) == (count is None):
        raise DomainError(
            {"until": [_("Give either an end date or a number of occurrences.")]},
            code="bad_end",
        )
    step = 7 if frequency == BookingSeries.Frequency.WEEKLY else 14
    start, end = _local(slot.starts_at), _local(slot.ends_at)
    if count is not None and not 2 <= count <= MAX_OCCURRENCES:
        raise DomainError(
            {
                "count": [
                    _("A series has from 2 to %(max)s occurrences.")
                    % {"max": MAX_OCCURRENCES}
                ]
            },
            code="bad_count",
        )
    if until is not None and until <= start.date():
        raise DomainError(
            {"until": [_("The end date must be after the first occurrence.")]},
            code="bad_until",
        )
    tz = timezone.get_current_timezone()
    found: list[Slot] = []
    index = 0
    while True:
        day = start.date() + datetime.timedelta(days=step * index)
        if until is not None and day > until:
            break
        if count is not None and index >= count:
            break
        if len(found) >= MAX_OCCURRENCES:
            raise DomainError(
                {
                    "until": [
                        _("A series has from 2 to %(max)s occurrences.")
                        % {"max": MAX_OCCURRENCES}
                    ]
                },
                code="bad_count",
            )
        found.append(
            Slot(
                datetime.datetime.combine(day, start.time(), tzinfo=tz),
                datetime.datetime.combine(
                    day + (end.date() - start.date()), end.time(), tzinfo=tz
                ),
            )
        )
        index += 1
    if len(found) < 2:  # a series of one is a booking
        raise DomainError(
            {"until": [_("A series has at least two occurrences.")]}, code="bad_count"
        )
    return found


def series_create(
    *,
    room: Room,
    by: User,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    attendees: int,
    frequency: str,
    until: datetime.date | None = None,
    count: int | None = None,
    now: datetime.datetime | None = None,
) -> BookingSeries:
    """Book a recurring meeting: every occurrence or none (conflicts are named)."""
    title = _text(title, "title", limit=TITLE_MAX)
    moment = now or timezone.now()
    slots = _occurrences(
        Slot(starts_at, ends_at), frequency=frequency, until=until, count=count
    )

    def write() -> BookingSeries:
        locked = Room.objects.select_related("manager").get(pk=room.pk)
        _check_slots(locked, slots, attendees=attendees, now=moment, series=True)
        series = BookingSeries(
            title=title,
            organiser=by,
            frequency=frequency,
            first_starts_at=starts_at,
            until=until,
            count=count,
        )
        series.full_clean(exclude=["organiser"])
        series.save()
        state = State.PENDING if locked.needs_approval else State.CONFIRMED
        bookings = Booking.objects.bulk_create(
            [
                Booking(
                    room=locked,
                    title=title,
                    organiser=by,
                    department_id=by.primary_department_id,
                    attendees=attendees,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    state=state,
                    series=series,
                )
                for slot in slots
            ]
        )
        if bookings and bookings[0].pk is None:  # SQLite before RETURNING
            bookings = list(series.bookings.order_by("starts_at"))
        audit_record(
            actor=by,
            action="meetings.series_create",
            target=series,
            data={
                "room": locked.pk,
                "frequency": frequency,
                "occurrences": len(bookings),
                "first": starts_at.isoformat(),
                "state": state,
            },
        )
        if locked.needs_approval:
            _start_approval(bookings, room=locked, by=by, series=series)
        return series

    try:
        return _guarded(room, write)
    except BookingConflictError as error:
        if error.conflicts:
            raise
        # Another request won a race for one of the times: name which, as the check
        # would have (nothing was written).
        found = _overlapping(room, slots)
        if found:
            raise _overlap_error(room, found, series=True) from error
        raise


def _locked_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("room", "room__manager", "series", "instance")
        .get(pk=booking.pk)
    )


def _refuse_inactive(booking: Booking) -> None:
    if not booking.is_active:
        raise DomainError(
            _("This booking is %(state)s: it can no longer be changed.")
            % {"state": booking.get_state_display()},
            code="not_active",
        )


def booking_change(
    *,
    booking: Booking,
    by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None = None,
    attendees: int | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Move one booking (an occurrence of a series too) to another time or room.

    Moving into a room that needs approval (or within one) asks for it again.
    """
    moment = now or timezone.now()
    target_room = room or booking.room

    def write() -> Booking:
        locked = _locked_booking(booking)
        if not policies.can_change(by, locked):
            raise PermissionDeniedError(
                _("Only the organiser or the office changes a booking.")
            )
        _refuse_inactive(locked)
        if locked.ends_at <= moment:
            raise DomainError(
                _("This booking is over: it can no longer be changed."), code="past"
            )
        new_room = Room.objects.select_related("manager").get(pk=target_room.pk)
        count = locked.attendees if attendees is None else attendees
        _check_slots(
            new_room,
            [Slot(starts_at, ends_at)],
            attendees=count,
            now=moment,
            exclude=[locked.pk],
        )
        before = {
            "room": locked.room_id,
            "starts_at": locked.starts_at.isoformat(),
            "ends_at": locked.ends_at.isoformat(),
        }
        old_instance = locked.instance
        was_pending = locked.state == State.PENDING
        locked.room = new_room
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.attendees = count
        # Any change in a room that needs approval is approved again; a booking
        # moved out of one no longer waits for its approval.
        again = new_room.needs_approval
        if again or was_pending:
            locked.state = State.PENDING if again else State.CONFIRMED
            locked.instance = None
            locked.decided_at = None
        locked.full_clean(exclude=["room", "organiser", "department", "instance"])
        locked.save(
            update_fields=[
                "room",
                "starts_at",
                "ends_at",
                "attendees",
                "state",
                "instance",
                "decided_at",
                "updated_at",
            ]
        )
        if again or was_pending:
            _withdraw_if_unused(old_instance)
        audit_record(
            actor=by,
            action="meetings.booking_change",
            target=locked,
            data={
                "before": before,
                "room": new_room.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
        if again:
            _start_approval([locked], room=new_room, by=locked.organiser, series=None)
            locked.refresh_from_db()
        if by.pk != locked.organiser_id:
            inbox.notify(
                recipient=locked.organiser,
                kind=WORK_KIND,
                title=_("Your booking “%(title)s” was moved to %(room)s, %(time)s")
                % {
                    "title": locked.title,
                    "room": str(new_room),
                    "time": slot_text(Slot(starts_at, ends_at)),
                },
                url=_url(locked),
            )
        return locked

    return _guarded(target_room, write)


def _cancel_rows(
    bookings: list[Booking], *, by: User, reason: str, now: datetime.datetime
) -> None:
    for booking in bookings:
        booking.state = State.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking.cancel_reason = reason
    Booking.objects.bulk_update(
        bookings,
        ["state", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"],
    )
    for instance in {b.instance for b in bookings if b.instance is not None}:
        _withdraw_if_unused(instance)


def _notify_cancelled(bookings: list[Booking], *, by: User) -> None:
    first = bookings[0]
    if by.pk == first.organiser_id:
        return
    inbox.notify(
        recipient=first.organiser,
        kind=WORK_KIND,
        title=_("Your booking “%(title)s” in %(room)s, %(time)s was cancelled")
        % {
            "title": first.title,
            "room": str(first.room),
            "time": slot_text(Slot(first.starts_at, first.ends_at))
            + (f" (+{len(bookings) - 1})" if len(bookings) > 1 else ""),
        },
        url=_url(first),
    )


def booking_cancel(
    *,
    booking: Booking,
    by: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Booking:
    """Cancel one booking (or one occurrence of a series); the room is free again."""
    reason = _text(reason, "reason", limit=REASON_MAX, required=False)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked_booking(booking)
        if not policies.can_change(by, locked):
            raise PermissionDeniedError(
                _("Only the organiser or the office cancels a booking.")
            )
        _refuse_inactive(locked)
        if locked.ends_at <= moment:
            raise DomainError(
                _("This booking is over: it can no longer be cancelled."), code="past"
            )
        _cancel_rows([locked], by=by, reason=reason, now=moment)
        _notify_cancelled([locked], by=by)
        audit_record(
            actor=by,
            action="meetings.booking_cancel",
            target=locked,
            data={"reason": reason, "series": locked.series_id},
        )
    return locked


def series_cancel(
    *,
    series: BookingSeries,
    by: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> int:
    """Cancel every occurrence of a series still to come; return how many."""
    reason = _text(reason, "reason", limit=REASON_MAX, required=False)
    moment = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Booking.objects.select_for_update(of=("self",))
            .filter(
                series=series, state__in=Booking.ACTIVE_STATES, starts_at__gt=moment
            )
            .select_related("room", "instance")
            .order_by("starts_at")
        )
        if not rows:
            raise DomainError(
                _("No occurrence of this series is left to cancel."), code="nothing"
            )
        if not policies.can_change(by, rows[0]):
            raise PermissionDeniedError(
                _("Only the organiser or the office cancels a booking.")
            )
        _cancel_rows(rows, by=by, reason=reason, now=moment)
        _notify_cancelled(rows, by=by)
        audit_record(
            actor=by,
            action="meetings.series_cancel",
            target=series,
            data={"reason": reason, "occurrences": len(rows)},
        )
    return len(rows)
