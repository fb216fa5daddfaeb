"""Rooms and bookings through the services: the rules, series, approval, cancel."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox.models import Notification, WorkItem
from zhiban.meetings import services
from zhiban.meetings.models import Booking, BookingSeries, OpenDays, Room
from zhiban.org.models import Unit, User, WorkingDayOverride
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowInstance

from .conftest import NOW, at, book, make_room

pytestmark = pytest.mark.django_db
State = Booking.State


def _messages(error: DomainError) -> list[str]:
    return [m for messages in error.message_dict.values() for m in messages]


def test_a_booking_in_a_free_room_is_confirmed_and_audited(
    room: Room, people: dict[str, User]
) -> None:
    booking = book(room, people["organiser"], at(5, 9))

    assert booking.state == State.CONFIRMED
    assert booking.department == people["organiser"].primary_department
    assert booking.instance is None
    assert AuditEntry.objects.filter(action="meetings.booking_create").count() == 1


def test_back_to_back_bookings_do_not_overlap(
    room: Room, people: dict[str, User]
) -> None:
    book(room, people["organiser"], at(5, 9))
    second = book(room, people["other"], at(5, 10))

    assert second.state == State.CONFIRMED


@pytest.mark.parametrize(
    ("start", "hours", "field", "text"),
    [
        (at(5, 9, 30), 1, "__all__", "already booked from 09:00 to 10:00"),
        (at(5, 8, 30), 2, "__all__", "already booked from 09:00 to 10:00"),
        (at(4, 7, 0), 1, "starts_at", "already passed"),
        (at(5, 11), 0, "ends_at", "end must be after the start"),
        (at(5, 11), -1, "ends_at", "end must be after the start"),
        (at(5, 7, 30), 1, "starts_at", "from 08:00 to 18:00 on one day"),
        (at(5, 17, 30), 1, "starts_at", "from 08:00 to 18:00 on one day"),
        (at(5, 11, 10), 1, "starts_at", "on the quarter hour"),
    ],
)
def test_a_refused_booking_says_why_and_changes_nothing(
    room: Room,
    people: dict[str, User],
    start: datetime.datetime,
    hours: float,
    field: str,
    text: str,
) -> None:
    book(room, people["organiser"], at(5, 9))
    entries = AuditEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        book(room, people["other"], start, hours=hours)

    assert any(text in m for m in refused.value.message_dict[field]), refused.value
    assert Booking.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_over_capacity_is_refused(room: Room, people: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="seats 20; 21 attendees do not fit"):
        book(room, people["organiser"], at(5, 9), attendees=21)
    assert Booking.objects.count() == 0


def test_an_inactive_room_is_refused(room: Room, people: dict[str, User]) -> None:
    Room.objects.filter(pk=room.pk).update(is_active=False)
    room.refresh_from_db()

    with pytest.raises(DomainError, match="not in use"):
        book(room, people["organiser"], at(5, 9))
    assert Booking.objects.count() == 0


def test_a_booking_over_a_year_ahead_is_refused(
    room: Room, people: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="up to a year ahead"):
        book(room, people["organiser"], NOW + datetime.timedelta(days=400))


def test_a_blank_title_is_refused(room: Room, people: dict[str, User]) -> None:
    with pytest.raises(DomainError) as refused:
        book(room, people["organiser"], at(5, 9), title="   ")
    assert refused.value.message_dict == {"title": ["This field is required."]}


def test_a_room_open_on_working_days_follows_the_working_calendar(
    people: dict[str, User], flows: None
) -> None:
    room = make_room(people, open_days=OpenDays.WORKING)
    WorkingDayOverride.objects.create(
        day=datetime.date(2030, 3, 6), is_working_day=False
    )
    WorkingDayOverride.objects.create(
        day=datetime.date(2030, 3, 9), is_working_day=True
    )

    with pytest.raises(DomainError, match="is not open on 2030-03-06"):
        book(room, people["organiser"], at(6, 9))
    saturday = book(room, people["organiser"], at(9, 9))  # a make-up working day

    assert saturday.state == State.CONFIRMED


def test_weekdays_rooms_are_closed_at_the_weekend(
    people: dict[str, User], flows: None
) -> None:
    room = make_room(people, open_days=OpenDays.WEEKDAYS)

    with pytest.raises(DomainError, match="is not open on 2030-03-10"):
        book(room, people["organiser"], at(10, 9))


def test_cancel_releases_the_slot(room: Room, people: dict[str, User]) -> None:
    first = book(room, people["organiser"], at(5, 9))

    services.booking_cancel(booking=first, by=people["organiser"], now=NOW)
    again = book(room, people["other"], at(5, 9))

    first.refresh_from_db()
    assert (first.state, first.cancelled_by) == (State.CANCELLED, people["organiser"])
    assert again.state == State.CONFIRMED


def test_only_the_organiser_the_manager_or_the_office_cancel(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = book(approval_room, people["organiser"], at(5, 9))

    with pytest.raises(PermissionDeniedError):
        services.booking_cancel(booking=booking, by=people["other"], now=NOW)
    booking.refresh_from_db()
    assert booking.state == State.PENDING

    services.booking_cancel(booking=booking, by=people["director"], now=NOW)
    booking.refresh_from_db()
    assert booking.state == State.CANCELLED
    notice = Notification.objects.get(recipient=people["organiser"])
    assert "was cancelled" in notice.title


def test_a_cancelled_booking_cannot_be_cancelled_again(
    room: Room, people: dict[str, User]
) -> None:
    booking = book(room, people["organiser"], at(5, 9))
    services.booking_cancel(booking=booking, by=people["organiser"], now=NOW)

    with pytest.raises(DomainError, match="Cancelled: it can no longer be changed"):
        services.booking_cancel(booking=booking, by=people["organiser"], now=NOW)


def test_change_moves_the_booking_and_checks_the_new_time(
    room: Room, people: dict[str, User], flows: None
) -> None:
    other_room = make_room(people, name="第二会议室")
    booking = book(room, people["organiser"], at(5, 9))
    book(room, people["other"], at(5, 14))

    with pytest.raises(DomainError, match="already booked from 14:00 to 15:00"):
        services.booking_change(
            booking=booking,
            by=people["organiser"],
            starts_at=at(5, 14, 30),
            ends_at=at(5, 15, 30),
            now=NOW,
        )
    booking.refresh_from_db()
    assert booking.starts_at == at(5, 9)

    moved = services.booking_change(
        booking=booking,
        by=people["organiser"],
        room=other_room,
        starts_at=at(5, 14, 30),
        ends_at=at(5, 15, 30),
        now=NOW,
    )
    assert (moved.room, moved.starts_at, moved.state) == (
        other_room,
        at(5, 14, 30),
        State.CONFIRMED,
    )


def test_a_change_within_the_same_booking_does_not_conflict_with_itself(
    room: Room, people: dict[str, User]
) -> None:
    booking = book(room, people["organiser"], at(5, 9), hours=2)

    moved = services.booking_change(
        booking=booking,
        by=people["organiser"],
        starts_at=at(5, 10),
        ends_at=at(5, 12),
        now=NOW,
    )

    assert moved.starts_at == at(5, 10)


# --- series -------------------------------------------------------------------------


def _series(room: Room, who: User, **extra: Any) -> BookingSeries:
    arguments: dict[str, Any] = {
        "room": room,
        "by": who,
        "title": "周例会",
        "starts_at": at(4, 9),
        "ends_at": at(4, 10),
        "attendees": 12,
        "frequency": BookingSeries.Frequency.WEEKLY,
        "count": 4,
        "now": NOW,
        **extra,
    }
    return services.series_create(**arguments)


def test_a_weekly_series_books_every_occurrence(
    room: Room, people: dict[str, User]
) -> None:
    series = _series(room, people["organiser"])

    starts = list(
        series.bookings.order_by("starts_at").values_list("starts_at", flat=True)
    )
    assert starts == [
        at(4, 9),
        at(11, 9),
        at(18, 9),
        at(25, 9),
    ]
    assert set(series.bookings.values_list("state", flat=True)) == {State.CONFIRMED}


def test_a_biweekly_series_until_a_date(room: Room, people: dict[str, User]) -> None:
    series = _series(
        room,
        people["organiser"],
        frequency=BookingSeries.Frequency.BIWEEKLY,
        count=None,
        until=datetime.date(2030, 4, 15),
    )

    days = [b.starts_at.astimezone(at(1, 0).tzinfo).day for b in series.bookings.all()]
    assert days == [4, 18, 1, 15]


def test_a_series_with_conflicts_names_each_and_books_nothing(
    room: Room, people: dict[str, User]
) -> None:
    book(room, people["other"], at(11, 9, 30))
    book(room, people["other"], at(25, 8), hours=1.25)

    with pytest.raises(services.BookingConflictError) as refused:
        _series(room, people["organiser"])

    assert [slot.starts_at for slot in refused.value.conflicts] == [
        at(11, 9),
        at(25, 9),
    ]
    message = _messages(refused.value)[0]
    assert "already booked at 2 of these times" in message
    assert "2030-03-11" in message
    assert "2030-03-25" in message
    assert BookingSeries.objects.count() == 0
    assert Booking.objects.count() == 2


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        ({"count": None}, "either an end date or a number"),
        ({"until": datetime.date(2030, 5, 1)}, "either an end date or a number"),
        ({"count": 1}, "from 2 to 100 occurrences"),
        ({"count": 101}, "from 2 to 100 occurrences"),
        ({"count": None, "until": datetime.date(2031, 6, 1)}, "a year ahead"),
        ({"frequency": "daily"}, "how often it repeats"),
    ],
)
def test_a_series_with_bad_repetition_is_refused(
    room: Room, people: dict[str, User], extra: dict[str, Any], text: str
) -> None:
    with pytest.raises(DomainError, match=text):
        _series(room, people["organiser"], **extra)
    assert Booking.objects.count() == 0


def test_one_occurrence_is_moved_or_cancelled_alone(
    room: Room, people: dict[str, User]
) -> None:
    series = _series(room, people["organiser"])
    second, third = list(series.bookings.order_by("starts_at"))[1:3]

    services.booking_change(
        booking=second,
        by=people["organiser"],
        starts_at=at(12, 15),
        ends_at=at(12, 16),
        now=NOW,
    )
    services.booking_cancel(booking=third, by=people["organiser"], now=NOW)

    rows = list(series.bookings.order_by("starts_at").values_list("starts_at", "state"))
    assert rows == [
        (at(4, 9), State.CONFIRMED),
        (at(12, 15), State.CONFIRMED),
        (at(18, 9), State.CANCELLED),
        (at(25, 9), State.CONFIRMED),
    ]


def test_cancelling_a_series_cancels_what_is_still_to_come(
    room: Room, people: dict[str, User]
) -> None:
    series = _series(room, people["organiser"])

    count = services.series_cancel(series=series, by=people["organiser"], now=at(12, 8))

    assert count == 2
    states = list(series.bookings.order_by("starts_at").values_list("state", flat=True))
    assert states == [
        State.CONFIRMED,
        State.CONFIRMED,
        State.CANCELLED,
        State.CANCELLED,
    ]


# --- approval -----------------------------------------------------------------------


def _decide(instance: FlowInstance, kind: str, by: User) -> FlowInstance:
    return workflow.instance_act(
        instance_id=instance.pk, kind=kind, by=by, payload={"opinion": "意见"}
    )


def test_a_room_that_needs_approval_holds_the_slot_while_pending(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = book(approval_room, people["organiser"], at(5, 9))

    assert booking.state == State.PENDING
    assert booking.instance is not None
    task = WorkItem.objects.get(assignee=people["manager"], state=WorkItem.State.OPEN)
    assert "党委会议室" in task.title
    with pytest.raises(DomainError, match="already booked"):
        book(approval_room, people["other"], at(5, 9))


def test_approval_confirms_and_tells_the_organiser(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = book(approval_room, people["organiser"], at(5, 9))
    assert booking.instance is not None

    _decide(booking.instance, "approve", people["manager"])

    booking.refresh_from_db()
    assert booking.state == State.CONFIRMED
    notice = Notification.objects.get(recipient=people["organiser"], kind="meeting")
    assert notice.title.startswith("Room booking approved")
    assert AuditEntry.objects.filter(action="meetings.booking_approve").count() == 1


def test_rejection_releases_the_slot(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = book(approval_room, people["organiser"], at(5, 9))
    assert booking.instance is not None

    _decide(booking.instance, "reject", people["manager"])

    booking.refresh_from_db()
    assert booking.state == State.REJECTED
    assert Notification.objects.get(
        recipient=people["organiser"], kind="meeting"
    ).title.startswith("Room booking not approved")
    assert book(approval_room, people["other"], at(5, 9)).state == State.PENDING


def test_cancelling_a_pending_booking_withdraws_its_approval(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = book(approval_room, people["organiser"], at(5, 9))
    assert booking.instance is not None

    services.booking_cancel(booking=booking, by=people["organiser"], now=NOW)

    booking.instance.refresh_from_db()
    assert booking.instance.status == FlowInstance.Status.WITHDRAWN
    assert not WorkItem.objects.filter(
        assignee=people["manager"], state=WorkItem.State.OPEN
    ).exists()


def test_a_series_in_an_approval_room_is_one_approval_for_all(
    approval_room: Room, people: dict[str, User]
) -> None:
    series = _series(approval_room, people["organiser"], count=3)
    instances = set(series.bookings.values_list("instance", flat=True))
    assert len(instances) == 1

    _decide(FlowInstance.objects.get(pk=instances.pop()), "approve", people["manager"])

    assert set(series.bookings.values_list("state", flat=True)) == {State.CONFIRMED}


def test_moving_a_confirmed_booking_in_an_approval_room_asks_again(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = book(approval_room, people["organiser"], at(5, 9))
    assert booking.instance is not None
    first = booking.instance
    _decide(first, "approve", people["manager"])

    moved = services.booking_change(
        booking=booking,
        by=people["organiser"],
        starts_at=at(5, 14),
        ends_at=at(5, 15),
        now=NOW,
    )

    assert moved.state == State.PENDING
    assert moved.instance is not None
    assert moved.instance != first


def test_a_room_that_needs_approval_needs_a_manager(
    people: dict[str, User], flows: None
) -> None:
    with pytest.raises(DomainError) as refused:
        make_room(people, needs_approval=True, manager=None)
    assert "manager" in refused.value.message_dict
    assert Room.objects.count() == 0


def test_only_the_office_keeps_rooms(people: dict[str, User], flows: None) -> None:
    room = make_room(people)
    data = services.RoomData(
        unit=room.unit,
        building="办公楼",
        floor="3F",
        name="改名",
        capacity=5,
        equipment=[],
        opens_at=datetime.time(8),
        closes_at=datetime.time(18),
        open_days=OpenDays.EVERY_DAY,
        needs_approval=False,
        manager=None,
    )

    with pytest.raises(PermissionDeniedError):
        services.room_save(by=people["organiser"], room=room, data=data)
    room.refresh_from_db()
    assert room.name == "第一会议室"


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("photo.png", b"not an image at all", "not an allowed kind of file"),
        ("photo.pdf", b"%PDF-1.4 fake", "not an allowed kind of file"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "larger than"),
    ],
)
def test_a_room_photo_must_be_a_small_image(
    people: dict[str, User], flows: None, name: str, content: bytes, text: str
) -> None:
    import io

    upload = io.BytesIO(content)
    upload.name = name  # type: ignore[attr-defined]

    with pytest.raises(DomainError, match=text):
        services.room_save(
            by=people["director"],
            data=services.RoomData(
                unit=Unit.objects.get(code="HQ"),
                building="办公楼",
                floor="3F",
                name="带照片",
                capacity=5,
                equipment=[],
                opens_at=datetime.time(8),
                closes_at=datetime.time(18),
                open_days=OpenDays.EVERY_DAY,
                needs_approval=False,
                manager=None,
            ),
            photo=upload,
        )
    assert Room.objects.count() == 0
