"""The database itself refuses overlapping active bookings, on SQLite and PostgreSQL.

These writes go around the services (bulk inserts and updates with no check), as a
careless script or a future code path would: the exclusion constraint (PostgreSQL)
or the triggers (SQLite) of migration 0002 must refuse them.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from zhiban.meetings.models import NO_OVERLAP, Booking, Room
from zhiban.org.models import User

from .conftest import at

pytestmark = pytest.mark.django_db
State = Booking.State


def _row(
    room: Room, who: User, start_hour: int, end_hour: int, **extra: object
) -> Booking:
    return Booking(
        room=room,
        title="会议",
        organiser=who,
        attendees=5,
        starts_at=at(5, start_hour),
        ends_at=at(5, end_hour),
        **extra,
    )


def test_an_overlapping_insert_is_refused_by_the_database(
    room: Room, people: dict[str, User]
) -> None:
    Booking.objects.bulk_create([_row(room, people["organiser"], 9, 11)])

    with pytest.raises(IntegrityError, match=NO_OVERLAP), transaction.atomic():
        Booking.objects.bulk_create([_row(room, people["other"], 10, 12)])

    assert Booking.objects.count() == 1


@pytest.mark.parametrize("state", [State.CANCELLED, State.REJECTED])
def test_released_bookings_do_not_hold_the_slot(
    room: Room, people: dict[str, User], state: str
) -> None:
    Booking.objects.bulk_create([_row(room, people["organiser"], 9, 11, state=state)])

    Booking.objects.bulk_create([_row(room, people["other"], 10, 12)])

    assert Booking.objects.count() == 2


def test_other_rooms_and_back_to_back_times_are_allowed(
    room: Room, people: dict[str, User]
) -> None:
    other = Room.objects.create(
        unit=room.unit, building="办公楼", floor="2F", name="小会议室", capacity=8
    )
    Booking.objects.bulk_create(
        [
            _row(room, people["organiser"], 9, 11),
            _row(other, people["other"], 9, 11),
            _row(room, people["other"], 11, 12),
        ]
    )

    assert Booking.objects.count() == 3


def test_an_update_into_an_overlap_is_refused(
    room: Room, people: dict[str, User]
) -> None:
    Booking.objects.bulk_create(
        [_row(room, people["organiser"], 9, 10), _row(room, people["other"], 10, 11)]
    )
    later = Booking.objects.get(starts_at=at(5, 10))

    with pytest.raises(IntegrityError, match=NO_OVERLAP), transaction.atomic():
        Booking.objects.filter(pk=later.pk).update(starts_at=at(5, 9, 30))


def test_reactivating_a_cancelled_booking_into_an_overlap_is_refused(
    room: Room, people: dict[str, User]
) -> None:
    Booking.objects.bulk_create(
        [
            _row(room, people["organiser"], 9, 10, state=State.CANCELLED),
            _row(room, people["other"], 9, 10),
        ]
    )
    cancelled = Booking.objects.get(state=State.CANCELLED)

    with pytest.raises(IntegrityError, match=NO_OVERLAP), transaction.atomic():
        Booking.objects.filter(pk=cancelled.pk).update(state=State.CONFIRMED)
