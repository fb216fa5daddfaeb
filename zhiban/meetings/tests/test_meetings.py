"""Meetings: the notice, replies (attend, leave, substitute), changes, cancelling."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox.models import Notification, WorkItem
from zhiban.meetings import selectors, services
from zhiban.meetings.models import Attendee, Booking, Meeting, MeetingType, Room
from zhiban.org.models import Role, User
from zhiban.org.tests.factories import UserFactory

from .conftest import NOW, at, book

Reply = Attendee.Reply


@pytest.fixture
def invited(people: dict[str, User]) -> dict[str, User]:
    department = people["other"].primary_department
    return {
        "a": UserFactory(username="att_a", name="甲", primary_department=department),
        "b": UserFactory(username="att_b", name="乙", primary_department=department),
        "c": UserFactory(username="att_c", name="丙", primary_department=department),
        "outsider": UserFactory(username="outsider", name="丁"),
    }


def make_meeting(
    cast: dict[str, User], room: Room | None = None, **extra: Any
) -> Meeting:
    """Draft a meeting by the organiser, in a booking of the room or off-site."""
    people = cast
    arguments: dict[str, Any] = {
        "by": people["organiser"],
        "title": "安全生产专题会",
        "meeting_type": MeetingType.TOPIC,
        "chair": people["director"],
        "agenda": [("通报事故隐患", people["other"]), ("部署整改", None)],
        **extra,
    }
    if room is not None:
        arguments["booking"] = book(room, people["organiser"], at(5, 9))
    else:
        arguments.setdefault("place", "二号矿井调度室")
        arguments.setdefault("starts_at", at(5, 14))
        arguments.setdefault("ends_at", at(5, 15))
    return services.meeting_create(**arguments)


@pytest.fixture
def published(people: dict[str, User], invited: dict[str, User], room: Room) -> Meeting:
    meeting = make_meeting(
        people,
        room,
        departments=[people["other"].primary_department],
    )
    return services.meeting_publish(meeting=meeting, by=people["organiser"], now=NOW)


def _reply_items(meeting: Meeting) -> list[str]:
    return sorted(
        WorkItem.objects.filter(
            target_id=str(meeting.pk), state=WorkItem.State.OPEN, kind="meeting"
        ).values_list("assignee__username", flat=True)
    )


def test_a_meeting_in_a_booked_room_takes_its_times_and_agenda(
    people: dict[str, User], room: Room
) -> None:
    meeting = make_meeting(people, room)

    assert (meeting.starts_at, meeting.ends_at) == (at(5, 9), at(5, 10))
    assert meeting.where == "办公楼 第一会议室"
    assert meeting.state == Meeting.State.DRAFT
    assert [(a.title, a.presenter_id) for a in meeting.agenda_items.all()] == [
        ("通报事故隐患", people["other"].pk),
        ("部署整改", None),
    ]


def test_an_off_site_meeting_needs_a_place(people: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="give the place") as caught:
        make_meeting(people, place="")

    assert caught.value.code == "no_place"
    assert Meeting.objects.count() == 0


def test_a_booking_holds_one_meeting(people: dict[str, User], room: Room) -> None:
    meeting = make_meeting(people, room)

    with pytest.raises(DomainError, match="already holds a meeting"):
        services.meeting_create(
            by=people["organiser"], title="又一个", booking=meeting.booking
        )
    assert Meeting.objects.count() == 1


def test_someone_elses_booking_is_refused(people: dict[str, User], room: Room) -> None:
    booking = book(room, people["other"], at(5, 9))

    with pytest.raises(DomainError, match="your own bookings"):
        services.meeting_create(by=people["organiser"], title="会", booking=booking)


def test_publishing_expands_people_departments_and_roles_once_each(
    people: dict[str, User], invited: dict[str, User], room: Room
) -> None:
    leader = UserFactory(username="leader", roles=[Role.PRINCIPAL_LEADER])
    gone = UserFactory(
        username="gone", primary_department=people["other"].primary_department
    )
    gone.is_active = False
    gone.save()
    meeting = make_meeting(
        people,
        room,
        people=[invited["a"], invited["outsider"]],
        departments=[people["other"].primary_department],
        roles=[Role.PRINCIPAL_LEADER],
    )

    services.meeting_publish(meeting=meeting, by=people["organiser"], now=NOW)

    names = sorted(meeting.attendees.values_list("user__username", flat=True))
    assert names == ["att_a", "att_b", "att_c", "leader", "other", "outsider"]
    assert _reply_items(meeting) == names
    assert leader.pk in meeting.attendees.values_list("user_id", flat=True)


def test_publishing_twice_is_refused(
    published: Meeting, people: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="already been published"):
        services.meeting_publish(meeting=published, by=people["organiser"], now=NOW)
    assert published.attendees.count() == 4


def test_only_the_organiser_or_office_publishes(
    people: dict[str, User], invited: dict[str, User], room: Room
) -> None:
    meeting = make_meeting(people, room, people=[invited["a"]])

    with pytest.raises(PermissionDeniedError):
        services.meeting_publish(meeting=meeting, by=invited["a"], now=NOW)
    assert Attendee.objects.count() == 0


def test_replies_attend_leave_and_substitute(
    published: Meeting, people: dict[str, User], invited: dict[str, User]
) -> None:
    organiser = people["organiser"]

    services.attendee_reply(meeting=published, by=invited["a"], reply="attend", now=NOW)
    services.attendee_reply(
        meeting=published, by=invited["b"], reply="leave", reason="出差", now=NOW
    )
    services.attendee_reply(
        meeting=published,
        by=invited["c"],
        reply="substitute",
        substitute=invited["outsider"],
        now=NOW,
    )

    replies = selectors.meeting_replies(meeting=published)
    assert replies.total == 5
    assert replies.counts[Reply.ATTEND] == 2  # a and the substitute
    assert replies.counts[Reply.LEAVE_ASKED] == 1
    assert replies.counts[Reply.SUBSTITUTED] == 1
    assert replies.counts[Reply.PENDING] == 1
    substitute = Attendee.objects.get(meeting=published, user=invited["outsider"])
    assert substitute.substitute_for is not None
    assert substitute.substitute_for.user == invited["c"]
    assert _reply_items(published) == ["other"]
    leave_items = WorkItem.objects.filter(
        assignee=organiser, state=WorkItem.State.OPEN
    ).values_list("title", flat=True)
    assert list(leave_items) == ["乙 asks for leave from “安全生产专题会”: 出差"]
    told = sorted(
        Notification.objects.filter(recipient=organiser).values_list("title", flat=True)
    )
    assert told == [
        "丙 replied to “安全生产专题会”: sends 丁 in their place",
        "乙 asks for leave from “安全生产专题会”: 出差",
        "甲 replied to “安全生产专题会”: Will attend",
    ]
    assert Notification.objects.filter(
        recipient=invited["outsider"], title__contains="in place of 丙"
    ).exists()


def test_leave_needs_a_reason(published: Meeting, invited: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="required"):
        services.attendee_reply(
            meeting=published, by=invited["b"], reply="leave", reason=" ", now=NOW
        )
    assert Attendee.objects.get(user=invited["b"]).reply == Reply.PENDING


@pytest.mark.parametrize("who", ["a", "organiser_self"])
def test_a_substitute_already_attending_is_refused(
    published: Meeting, invited: dict[str, User], who: str
) -> None:
    substitute = invited["a"] if who == "a" else invited["c"]

    with pytest.raises(DomainError, match="already an attendee") as caught:
        services.attendee_reply(
            meeting=published,
            by=invited["c"],
            reply="substitute",
            substitute=substitute,
            now=NOW,
        )

    assert caught.value.code == "already_attendee"
    row = Attendee.objects.get(meeting=published, user=invited["c"])
    assert row.reply == Reply.PENDING
    assert published.attendees.count() == 4
    assert "att_c" in _reply_items(published)


def test_someone_not_invited_cannot_reply(
    published: Meeting, invited: dict[str, User]
) -> None:
    with pytest.raises(PermissionDeniedError, match="not invited"):
        services.attendee_reply(
            meeting=published, by=invited["outsider"], reply="attend", now=NOW
        )


@pytest.mark.parametrize("grant", [True, False])
def test_the_organiser_decides_leave(
    published: Meeting, people: dict[str, User], invited: dict[str, User], grant: bool
) -> None:
    row = services.attendee_reply(
        meeting=published, by=invited["b"], reply="leave", reason="出差", now=NOW
    )

    with pytest.raises(PermissionDeniedError):
        services.leave_decide(attendee=row, by=invited["a"], grant=grant, now=NOW)
    decided = services.leave_decide(
        attendee=row, by=people["organiser"], grant=grant, now=NOW
    )

    assert decided.reply == (Reply.LEAVE_GRANTED if grant else Reply.LEAVE_REFUSED)
    assert not WorkItem.objects.filter(
        assignee=people["organiser"], state=WorkItem.State.OPEN
    ).exists()
    expected = "is granted" if grant else "is refused"
    assert Notification.objects.filter(
        recipient=invited["b"], title__contains=expected
    ).exists()
    with pytest.raises(DomainError, match="already been decided"):
        services.leave_decide(attendee=row, by=people["organiser"], grant=grant)


def test_a_granted_leave_is_settled(
    published: Meeting, people: dict[str, User], invited: dict[str, User]
) -> None:
    row = services.attendee_reply(
        meeting=published, by=invited["b"], reply="leave", reason="出差", now=NOW
    )
    services.leave_decide(attendee=row, by=people["organiser"], grant=True, now=NOW)

    with pytest.raises(DomainError, match="settled"):
        services.attendee_reply(
            meeting=published, by=invited["b"], reply="attend", now=NOW
        )


def test_moving_a_meeting_moves_its_booking_and_tells_everyone(
    published: Meeting, people: dict[str, User], invited: dict[str, User]
) -> None:
    row = services.attendee_reply(
        meeting=published, by=invited["b"], reply="leave", reason="出差", now=NOW
    )
    services.leave_decide(attendee=row, by=people["organiser"], grant=True, now=NOW)

    services.meeting_change(
        meeting=published,
        by=people["organiser"],
        starts_at=at(6, 10),
        ends_at=at(6, 11),
        now=NOW,
    )

    booking = Booking.objects.get(pk=published.booking_id or 0)
    assert (booking.starts_at, booking.ends_at) == (at(6, 10), at(6, 11))
    told = sorted(
        Notification.objects.filter(title__contains="moved to").values_list(
            "recipient__username", flat=True
        )
    )
    # Not the organiser who moved it, not b on leave.
    assert told == ["att_a", "att_c", "director", "other"]


def test_moving_onto_a_taken_slot_changes_nothing(
    published: Meeting, people: dict[str, User], room: Room
) -> None:
    book(room, people["other"], at(6, 10))

    with pytest.raises(DomainError, match="already booked"):
        services.meeting_change(
            meeting=published,
            by=people["organiser"],
            starts_at=at(6, 10),
            ends_at=at(6, 11),
            now=NOW,
        )
    published.refresh_from_db()
    assert published.starts_at == at(5, 9)
    assert not Notification.objects.filter(title__contains="moved to").exists()


def test_cancelling_releases_the_room_and_closes_the_replies(
    published: Meeting, people: dict[str, User], invited: dict[str, User], room: Room
) -> None:
    services.attendee_reply(
        meeting=published, by=invited["b"], reply="leave", reason="出差", now=NOW
    )

    services.meeting_cancel(
        meeting=published, by=people["organiser"], reason="改期", now=NOW
    )

    published.refresh_from_db()
    assert published.state == Meeting.State.CANCELLED
    assert Booking.objects.get(pk=published.booking_id or 0).state == "cancelled"
    assert not WorkItem.objects.filter(state=WorkItem.State.OPEN).exists()
    told = Notification.objects.filter(title__contains="is cancelled")
    assert told.count() == 5
    # The slot is free again.
    book(room, people["other"], at(5, 9))
    with pytest.raises(DomainError, match="replies are closed"):
        services.attendee_reply(
            meeting=published, by=invited["a"], reply="attend", now=NOW
        )


def test_a_meeting_is_seen_by_its_attendees_only(
    published: Meeting, people: dict[str, User], invited: dict[str, User]
) -> None:
    outsider = invited["outsider"]
    assert selectors.meeting_get_for(user=outsider, pk=published.pk) is None
    assert selectors.meeting_get_for(user=invited["a"], pk=published.pk) == published
    assert selectors.meeting_get_for(user=people["director"], pk=published.pk)
    services.attendee_reply(
        meeting=published,
        by=invited["c"],
        reply="substitute",
        substitute=outsider,
        now=NOW,
    )
    assert selectors.meeting_get_for(user=outsider, pk=published.pk) == published


def test_a_past_meeting_takes_no_replies(
    published: Meeting, invited: dict[str, User]
) -> None:
    later = NOW + datetime.timedelta(days=3)
    with pytest.raises(DomainError, match="over"):
        services.attendee_reply(
            meeting=published, by=invited["a"], reply="attend", now=later
        )
