"""The rules of a booking: when a room may be booked, overlaps, the messages.

Used by the booking services inside their transaction; no writes here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhiban.core.errors import DomainError
from zhiban.meetings.models import (
    NO_OVERLAP,
    Booking,
    OpenDays,
    Room,
)
from zhiban.org.workdays import WorkingCalendar

State = Booking.State
STEP_MINUTES = 15
TITLE_MAX = 200
REASON_MAX = 200
# How far ahead a booking may be made.
HORIZON = datetime.timedelta(days=366)


# --- refusals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One wanted time in a room: a booking to make, or an occurrence of a series."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime


class BookingConflictError(DomainError):
    """The room is taken at (some of) the wanted times; ``conflicts`` names them."""

    def __init__(self, message: Any, conflicts: Sequence[Slot]):
        super().__init__(message, code="overlap")
        self.conflicts = list(conflicts)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def _hm(moment: datetime.datetime) -> str:
    return _local(moment).strftime("%H:%M")


def _day_text(moment: datetime.datetime) -> str:
    return formats.date_format(_local(moment).date(), "Y-m-d (D)")


def slot_text(slot: Slot) -> str:
    """Return a slot as people read it: 2026-12-03 (Thu) 09:00-10:30."""
    return f"{_day_text(slot.starts_at)} {_hm(slot.starts_at)}-{_hm(slot.ends_at)}"


def room_is_open_on(room: Room, day: datetime.date, calendar: WorkingCalendar) -> bool:
    """Return whether the room may be booked on the day (its open days)."""
    if room.open_days == OpenDays.EVERY_DAY:
        return True
    if room.open_days == OpenDays.WEEKDAYS:
        return day.weekday() < 5
    return calendar.is_working_day(day)


def _time_refusals(
    room: Room,
    slot: Slot,
    *,
    attendees: int,
    now: datetime.datetime,
    calendar: WorkingCalendar,
) -> dict[str, list[str]]:
    """Return what is wrong with the slot in this room, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not room.is_active:
        refuse("room", _("This room is not in use; choose another."))
    if attendees < 1:
        refuse("attendees", _("At least one person attends."))
    elif attendees > room.capacity:
        refuse(
            "attendees",
            _("%(room)s seats %(capacity)s; %(attendees)s attendees do not fit.")
            % {"room": room.name, "capacity": room.capacity, "attendees": attendees},
        )
    start, end = _local(slot.starts_at), _local(slot.ends_at)
    if end <= start:
        refuse("ends_at", _("The end must be after the start."))
        return errors
    if (
        start.second
        or start.microsecond
        or end.second
        or end.microsecond
        or (start.minute % STEP_MINUTES or end.minute % STEP_MINUTES)
    ):
        refuse(
            "starts_at",
            _("Bookings start and end on the quarter hour (e.g. 09:00, 09:15)."),
        )
    if slot.starts_at < now:
        refuse("starts_at", _("This time has already passed."))
    elif slot.starts_at > now + HORIZON:
        refuse("starts_at", _("Bookings can be made up to a year ahead."))
    closes = room.closes_at
    if (
        end.date() != start.date()
        or start.time() < room.opens_at
        or end.time() > closes
    ):
        refuse(
            "starts_at",
            _("%(room)s can be booked from %(opens)s to %(closes)s on one day.")
            % {
                "room": room.name,
                "opens": room.opens_at.strftime("%H:%M"),
                "closes": closes.strftime("%H:%M"),
            },
        )
    elif not room_is_open_on(room, start.date(), calendar):
        refuse(
            "starts_at",
            _("%(room)s is not open on %(day)s (open: %(days)s).")
            % {
                "room": room.name,
                "day": _day_text(slot.starts_at),
                "days": room.get_open_days_display(),
            },
        )
    return errors


def _overlapping(
    room: Room, slots: Iterable[Slot], *, exclude: Iterable[int] = ()
) -> list[tuple[Slot, Booking]]:
    """Return the wanted slots that overlap an active booking of the room, with it."""
    slots = list(slots)
    if not slots:
        return []
    window = Q()
    for slot in slots:
        window |= Q(starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
    taken = list(
        Booking.objects.filter(window, room=room, state__in=Booking.ACTIVE_STATES)
        .exclude(pk__in=list(exclude))
        .order_by("starts_at")
    )
    found = []
    for slot in slots:
        for booking in taken:
            if booking.starts_at < slot.ends_at and booking.ends_at > slot.starts_at:
                found.append((slot, booking))
                break
    return found


def _overlap_error(
    room: Room, found: list[tuple[Slot, Booking]], *, series: bool
) -> BookingConflictError:
    if not series:
        _slot, booking = found[0]
        return BookingConflictError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "%(room)s is already booked from %(start)s to %(end)s. "
                        "Choose another time or room."
                    )
                    % {
                        "room": room.name,
                        "start": _hm(booking.starts_at),
                        "end": _hm(booking.ends_at),
                    }
                ]
            },
            [slot for slot, _booking in found],
        )
    return BookingConflictError(
        {
            NON_FIELD_ERRORS: [
                _(
                    "%(room)s is already booked at %(count)s of these times, so "
                    "nothing was booked: %(times)s."
                )
                % {
                    "room": room.name,
                    "count": len(found),
                    "times": "; ".join(slot_text(slot) for slot, _b in found),
                }
            ]
        },
        [slot for slot, _booking in found],
    )


def _race_error(room: Room) -> BookingConflictError:
    return BookingConflictError(
        {
            NON_FIELD_ERRORS: [
                _(
                    "%(room)s is already booked at this time (by someone a moment "
                    "ago). Choose another time or room."
                )
                % {"room": room.name}
            ]
        },
        [],
    )


def _guarded[T](room: Room, write: Callable[[], T]) -> T:
    """Run a booking write in its own transaction; the database's refusal of an
    overlap (the race another request won) becomes a clear message."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        if NO_OVERLAP in str(error):
            raise _race_error(room) from error
        raise


def _text(value: str, field: str, *, limit: int, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError({field: [_("This field is required.")]}, code="required")
    if len(text) > limit:
        raise DomainError(
            {field: [_("Keep it under %(limit)s characters.") % {"limit": limit}]},
            code="too_long",
        )
    return text


def _url(booking: Booking) -> str:
    return reverse("meetings:booking", args=[booking.pk])


# --- bookings ------------------------------------------------------------------------


def _check_slots(
    room: Room,
    slots: Sequence[Slot],
    *,
    attendees: int,
    now: datetime.datetime,
    exclude: Iterable[int] = (),
    series: bool = False,
) -> None:
    """Refuse the slots by the rules, then by overlaps (inside the transaction)."""
    calendar = WorkingCalendar()
    if slots:
        calendar.load(
            _local(slots[0].starts_at).date(), _local(slots[-1].starts_at).date()
        )
    # field -> message -> the occurrences it refuses (a series names them).
    refused: dict[str, dict[str, list[str]]] = {}
    for slot in slots:
        errors = _time_refusals(
            room, slot, attendees=attendees, now=now, calendar=calendar
        )
        for field, messages in errors.items():
            for message in messages:
                refused.setdefault(field, {}).setdefault(message, []).append(
                    _day_text(slot.starts_at)
                )
    if refused:
        raise DomainError(
            {
                field: [
                    f"{message} ({'; '.join(days)})" if series else message
                    for message, days in by_message.items()
                ]
                for field, by_message in refused.items()
            },
            code="invalid_booking",
        )
    found = _overlapping(room, slots, exclude=exclude)
    if found:
        raise _overlap_error(room, found, series=series)
