"""Meeting calendars: the week page and the secret, revocable ICS address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhiban.meetings import selectors, services
from zhiban.meetings.models import CalendarFeed, Meeting
from zhiban.org.models import User

from .conftest import days_ahead
from .test_views import _as

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(people: dict[str, User], flows: None) -> Meeting:
    draft = services.meeting_create(
        by=people["organiser"],
        title="生产周例会",
        place="调度室",
        starts_at=days_ahead(2, 9),
        ends_at=days_ahead(2, 10),
        people=[people["other"]],
    )
    return services.meeting_publish(meeting=draft, by=people["organiser"])


def test_the_feed_lists_my_meetings_and_stops_when_revoked(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    feed = services.calendar_feed_renew(user=people["other"])
    url = reverse("meetings:calendar_feed", args=[feed.secret])

    response = client.get(url)  # no sign-in: calendar apps cannot

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert "SUMMARY:生产周例会" in body
    assert f"UID:meeting-{meeting.pk}@zhiban" in body

    renewed = services.calendar_feed_renew(user=people["other"])
    assert client.get(url).status_code == 404
    services.calendar_feed_revoke(user=people["other"])
    assert (
        client.get(reverse("meetings:calendar_feed", args=[renewed.secret])).status_code
        == 404
    )
    assert CalendarFeed.objects.count() == 0


def test_a_cancelled_meeting_says_so_in_the_feed(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    services.meeting_cancel(meeting=meeting, by=people["organiser"])
    feed = services.calendar_feed_renew(user=people["other"])

    body = client.get(reverse("meetings:calendar_feed", args=[feed.secret])).content

    assert b"STATUS:CANCELLED" in body


def test_my_and_my_departments_calendar(
    people: dict[str, User], meeting: Meeting
) -> None:
    start, end = days_ahead(0, 0), days_ahead(7, 0)
    assert selectors.calendar_meetings(user=people["other"], start=start, end=end) == [
        meeting
    ]
    assert (
        selectors.calendar_meetings(user=people["manager"], start=start, end=end) == []
    )
    colleague = people["other"].primary_department
    from zhiban.org.tests.factories import UserFactory

    same = UserFactory(username="same", primary_department=colleague)
    assert selectors.calendar_meetings(
        user=same, start=start, end=end, department=True
    ) == [meeting]


def test_the_calendar_page(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    signed_in = _as(client, people["other"], "zh-hans")
    week = days_ahead(2, 9).date().isoformat()

    page = signed_in.get(reverse("meetings:calendar"), {"week": week})
    assert "生产周例会" in page.content.decode()
    signed_in.post(reverse("meetings:calendar_feed_manage"), {"action": "renew"})
    page = signed_in.get(reverse("meetings:calendar"), {"week": "nonsense"})
    assert page.status_code == 200
    assert CalendarFeed.objects.get().secret in page.content.decode()
