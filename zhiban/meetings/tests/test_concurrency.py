"""Many people booking the same slot at the same instant: exactly one wins.

Real threads with their own connections, released together by a barrier
(``zhiban.core.tests.concurrency.race``). On SQLite the IMMEDIATE transactions
queue the writers, so the later ones see the winner in their check; on PostgreSQL
the checks can pass together and the exclusion constraint refuses all but one,
whose IntegrityError the service turns into the same refusal.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from zhiban.core.tests.concurrency import race
from zhiban.meetings import services
from zhiban.meetings.models import Booking, BookingSeries, Room
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

from .conftest import NOW, at

pytestmark = pytest.mark.django_db(transaction=True)
RACERS = 8


def _in_english(call: Any, **arguments: Any) -> Any:
    """Call in English: a thread does not share the test's active language."""
    with translation.override("en"):
        return call(**arguments)


def test_many_booking_one_slot_at_once_gives_one_booking(
    room: Room, people: dict[str, User]
) -> None:
    racers = [
        UserFactory(primary_department=people["organiser"].primary_department)
        for _ in range(RACERS)
    ]

    results = race(
        *[
            (
                lambda who=who, n=n: _in_english(
                    services.booking_create,
                    room=room,
                    by=who,
                    title=f"会议{n}",
                    # Every racer wants 09:00-10:00 or a time overlapping it.
                    starts_at=at(5, 9) + datetime.timedelta(minutes=15 * (n % 3)),
                    ends_at=at(5, 10) + datetime.timedelta(minutes=15 * (n % 3)),
                    attendees=5,
                    now=NOW,
                )
            )
            for n, who in enumerate(racers)
        ]
    )

    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error"] * (RACERS - 1) + ["ok"], results
    refusals = [value for kind, value in results if kind == "error"]
    assert {error.code for error in refusals} == {"overlap"}
    assert all("already booked" in error.messages[0] for error in refusals)
    winner = next(value for kind, value in results if kind == "ok")
    assert list(Booking.objects.values_list("pk", flat=True)) == [winner.pk]


def test_a_series_and_a_booking_racing_for_one_slot_give_one_of_them(
    room: Room, people: dict[str, User]
) -> None:
    results = race(
        lambda: services.series_create(
            room=room,
            by=people["organiser"],
            title="周例会",
            starts_at=at(4, 9),
            ends_at=at(4, 10),
            attendees=5,
            frequency=BookingSeries.Frequency.WEEKLY,
            count=4,
            now=NOW,
        ),
        lambda: services.booking_create(
            room=room,
            by=people["other"],
            title="专题会",
            starts_at=at(18, 9, 30),
            ends_at=at(18, 10, 30),
            attendees=5,
            now=NOW,
        ),
    )

    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error", "ok"], results
    refused = next(value for kind, value in results if kind == "error")
    assert refused.code == "overlap"
    if isinstance(results[0][1], BookingSeries):
        # The series won: the lone booking is refused, four occurrences stand.
        assert Booking.objects.count() == 4
    else:
        # The booking won: the series names the occurrence that clashes, books none.
        assert [slot.starts_at for slot in refused.conflicts] == [at(18, 9)]
        assert Booking.objects.count() == 1
        assert BookingSeries.objects.count() == 0
