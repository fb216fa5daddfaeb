"""Sign-in by the rotating code and by staff; the attendance record."""

from __future__ import annotations

import datetime

import pytest

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import services
from zhiban.meetings.models import Meeting, Room, SignIn
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

from .conftest import NOW, at
from .test_meetings import make_meeting

DURING = at(5, 9, 5)  # the meeting is 2030-03-05 09:00-10:00


@pytest.fixture
def meeting(people: dict[str, User], room: Room) -> Meeting:
    draft = make_meeting(people, room, people=[people["other"], people["manager"]])
    return services.meeting_publish(meeting=draft, by=people["organiser"], now=NOW)


def test_the_code_signs_an_attendee_in_once(
    people: dict[str, User], meeting: Meeting
) -> None:
    token = services.signin_token(meeting=meeting, now=DURING)

    row, created = services.sign_in_by_token(
        token=token, by=people["other"], now=DURING
    )
    again, created_again = services.sign_in_by_token(
        token=token, by=people["other"], now=DURING + datetime.timedelta(seconds=30)
    )

    assert (created, created_again) == (True, False)
    assert again.pk == row.pk
    assert row.signed_at == DURING
    assert row.method == SignIn.Method.CODE


def test_the_code_changes_every_minute(meeting: Meeting) -> None:
    first = services.signin_token(meeting=meeting, now=DURING)
    later = services.signin_token(
        meeting=meeting, now=DURING + datetime.timedelta(seconds=61)
    )
    assert first != later


def test_an_expired_code_is_refused_and_nothing_is_kept(
    people: dict[str, User], meeting: Meeting
) -> None:
    token = services.signin_token(meeting=meeting, now=DURING)

    with pytest.raises(DomainError, match="has expired") as caught:
        services.sign_in_by_token(
            token=token, by=people["other"], now=DURING + datetime.timedelta(minutes=5)
        )

    assert caught.value.code == "expired_token"
    assert SignIn.objects.count() == 0


@pytest.mark.parametrize("token", ["", "nonsense", "1.2:forged"])
def test_a_forged_code_is_refused(
    people: dict[str, User], meeting: Meeting, token: str
) -> None:
    with pytest.raises(DomainError, match="not valid"):
        services.sign_in_by_token(token=token, by=people["other"], now=DURING)
    assert SignIn.objects.count() == 0


def test_someone_not_invited_cannot_sign_in(meeting: Meeting) -> None:
    token = services.signin_token(meeting=meeting, now=DURING)
    stranger = UserFactory(username="stranger", name="路人")

    with pytest.raises(DomainError, match="路人 is not on the list"):
        services.sign_in_by_token(token=token, by=stranger, now=DURING)


def test_sign_in_opens_half_an_hour_before(
    people: dict[str, User], meeting: Meeting
) -> None:
    early = at(5, 8, 20)
    token = services.signin_token(meeting=meeting, now=early)
    with pytest.raises(DomainError, match="opens 30 minutes before"):
        services.sign_in_by_token(token=token, by=people["other"], now=early)


def test_staff_sign_in_and_the_rate(people: dict[str, User], meeting: Meeting) -> None:
    with pytest.raises(PermissionDeniedError):
        services.sign_in_by_staff(
            meeting=meeting, person=people["manager"], by=people["other"], now=DURING
        )
    services.sign_in_by_staff(
        meeting=meeting, person=people["manager"], by=people["organiser"], now=DURING
    )

    attendance = services.meeting_attendance(meeting=meeting)

    assert (attendance.expected, attendance.signed, attendance.rate) == (2, 1, 50)
    signed = {a.user.username: s.method if s else None for a, s in attendance.rows}
    assert signed == {"other": None, "manager": "staff"}
