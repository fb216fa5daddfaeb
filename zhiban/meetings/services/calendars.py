"""Meeting calendars: the secret ICS address of a person, and the feed itself."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from zhiban.audit.services import audit_record
from zhiban.meetings.models import CalendarFeed, Meeting
from zhiban.org.models import User


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Give the person a new secret address; the old one stops working at once."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.update_or_create(
            user=user,
            defaults={
                "secret": secrets.token_urlsafe(32),
                "created_at": timezone.now(),
            },
        )
        audit_record(actor=user, action="meetings.calendar_feed_renew", target=feed)
    return feed


def calendar_feed_revoke(*, user: User) -> int:
    """Stop the person's calendar address; return how many were stopped."""
    with transaction.atomic():
        count, _rows = CalendarFeed.objects.filter(user=user).delete()
        if count:
            audit_record(
                actor=user, action="meetings.calendar_feed_revoke", target=user
            )
    return count


def calendar_ics(*, meetings: list[Meeting], name: str, base_url: str) -> bytes:
    """Return the meetings as an iCalendar file (RFC 5545)."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Zhiban//Meetings//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(datetime.UTC)
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.pk}@zhiban")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
        event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
        event.add("summary", meeting.title)
        event.add("location", meeting.where)
        event.add("url", f"{base_url}/meetings/meetings/{meeting.pk}/")
        if meeting.state == Meeting.State.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
