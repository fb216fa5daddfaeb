"""Replies at the same instant: one substitute per person, one item per decision."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from zhiban.core.tests.concurrency import race
from zhiban.meetings import services
from zhiban.meetings.models import Attendee, Meeting, Room
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

from .conftest import NOW
from .test_meetings import make_meeting

pytestmark = pytest.mark.django_db(transaction=True)


def _in_english(call: Any, **arguments: Any) -> Any:
    with translation.override("en"):
        return call(**arguments)


def test_two_attendees_sending_the_same_substitute_at_once_give_one(
    people: dict[str, User], room: Room
) -> None:
    a, b = UserFactory(username="a"), UserFactory(username="b")
    substitute = UserFactory(username="sub", name="代")
    meeting: Meeting = make_meeting(people, room, people=[a, b])
    services.meeting_publish(meeting=meeting, by=people["organiser"], now=NOW)

    results = race(
        *[
            (
                lambda who=who: _in_english(
                    services.attendee_reply,
                    meeting=meeting,
                    by=who,
                    reply="substitute",
                    substitute=substitute,
                    now=NOW,
                )
            )
            for who in (a, b)
        ]
    )

    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert error.code == "already_attendee"
    assert "代 is already an attendee" in error.messages[0]
    assert Attendee.objects.filter(meeting=meeting, user=substitute).count() == 1
    replies = sorted(
        Attendee.objects.filter(user__in=[a, b]).values_list("reply", flat=True)
    )
    assert replies == ["pending", "substituted"]


def test_one_person_replying_twice_at_once_keeps_one_reply(
    people: dict[str, User], room: Room
) -> None:
    a = UserFactory(username="a")
    meeting = make_meeting(people, room, people=[a])
    services.meeting_publish(meeting=meeting, by=people["organiser"], now=NOW)

    results = race(
        lambda: _in_english(
            services.attendee_reply, meeting=meeting, by=a, reply="attend", now=NOW
        ),
        lambda: _in_english(
            services.attendee_reply,
            meeting=meeting,
            by=a,
            reply="leave",
            reason="出差",
            now=NOW,
        ),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    row = Attendee.objects.get(meeting=meeting, user=a)
    # The later reply wins whole: a leave keeps its reason, an attend has none.
    assert (row.reply, row.reason) in [("attend", ""), ("leave_asked", "出差")]
    assert Attendee.objects.filter(meeting=meeting).count() == 1


def test_signing_in_twice_at_once_keeps_one_sign_in(
    people: dict[str, User], room: Room
) -> None:
    from zhiban.meetings.models import SignIn

    from .conftest import at

    a = UserFactory(username="a")
    meeting = make_meeting(people, room, people=[a])
    services.meeting_publish(meeting=meeting, by=people["organiser"], now=NOW)
    during = at(5, 9, 5)
    token = services.signin_token(meeting=meeting, now=during)

    results = race(
        lambda: services.sign_in_by_token(token=token, by=a, now=during),
        lambda: services.sign_in_by_staff(
            meeting=meeting, person=a, by=people["organiser"], now=during
        ),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert sorted(created for _kind, (_row, created) in results) == [False, True]
    assert SignIn.objects.filter(meeting=meeting, user=a).count() == 1
