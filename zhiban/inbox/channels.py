"""Notification channels behind one interface: in-app, e-mail and webhook.

A channel has a `name` and `send(notification)`, which raises on failure. The
in-app channel is the Notification row itself (the unread badge counts it), so it
sends nothing. Outside channels (e-mail, webhook) are never sent inside the user's
request: `dispatch` records one Delivery per notification and channel and queues
its sending after the transaction commits; `services.delivery_send` sends, records
the outcome and schedules retries.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from zhiban.inbox.models import ChannelPreference, Delivery, Notification
from zhiban.org.models import User

logger = logging.getLogger(__name__)


class Channel(Protocol):
    """A way of telling a person about a notification."""

    name: str

    def is_available_for(self, user: User) -> bool:
        """Return whether the channel can reach this person at all."""
        ...

    def send(self, notification: Notification) -> None:
        """Send the notification; raise on any failure."""
        ...


def absolute_url(url: str) -> str:
    """Return a link that works outside the app (in a mail or chat message)."""
    if not url:
        return ""
    return urljoin(settings.BASE_URL.rstrip("/") + "/", url)


class InAppChannel:
    """The notification row itself, counted by the unread badge."""

    name = "in_app"

    def is_available_for(self, user: User) -> bool:
        return True

    def send(self, notification: Notification) -> None:
        return None


class EmailChannel:
    """E-mail through Django's mail API and the configured mailer."""

    name = ChannelPreference.Channel.EMAIL.value

    def is_available_for(self, user: User) -> bool:
        return bool(user.email)

    def send(self, notification: Notification) -> None:
        recipient = notification.recipient
        if not recipient.email:
            raise ValueError("the recipient has no e-mail address")
        link = absolute_url(notification.url)
        body = "\n\n".join(part for part in (notification.body, link) if part)
        send_mail(
            notification.title,
            body or notification.title,
            None,
            [recipient.email],
            fail_silently=False,
        )


class WebhookChannel:
    """A JSON POST to settings.WEBHOOK_URL, e.g. an enterprise chat robot."""

    name = ChannelPreference.Channel.WEBHOOK.value

    def is_available_for(self, user: User) -> bool:
        return bool(settings.WEBHOOK_URL)

    def payload(self, notification: Notification) -> dict[str, object]:
        """Return the JSON document posted for a notification."""
        recipient = notification.recipient
        return {
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "url": absolute_url(notification.url),
            "recipient": {
                "username": recipient.username,
                "name": recipient.display_name,
                "employee_number": recipient.employee_number or "",
            },
            "created_at": timezone.localtime(notification.created_at).isoformat(),
        }

    def send(self, notification: Notification) -> None:
        url = settings.WEBHOOK_URL
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"the webhook URL {url!r} is not http(s)")
        data = json.dumps(self.payload(notification), ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        # urlopen raises HTTPError for any 4xx/5xx answer and URLError when the
        # endpoint cannot be reached; both are recorded by the caller.
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=settings.WEBHOOK_TIMEOUT
        ) as response:
            response.read(1024)


IN_APP = InAppChannel()
OUTSIDE_CHANNELS: dict[str, Channel] = {
    EmailChannel.name: EmailChannel(),
    WebhookChannel.name: WebhookChannel(),
}


def channel_for(name: str) -> Channel:
    """Return the outside channel of that name; KeyError if there is none."""
    return OUTSIDE_CHANNELS[name]


def _enqueue(delivery_ids: list[int]) -> None:
    from zhiban.inbox import tasks

    if len(delivery_ids) == 1:
        tasks.send_delivery.delay(delivery_ids[0])
        return
    for start in range(0, len(delivery_ids), tasks.BATCH):
        tasks.send_deliveries.delay(delivery_ids[start : start + tasks.BATCH])


def dispatch(
    *, notifications: Iterable[Notification], recipients: Iterable[User] = ()
) -> list[Delivery]:
    """Record the outside deliveries of notifications and send them after commit.

    Which channels deliver is each recipient's choice (or the default). A broker
    that is down never fails the user's action: the deliveries stay pending and
    the periodic retry picks them up. ``recipients``: the users the caller has
    loaded already (with their e-mail addresses); the others are read.
    """
    from zhiban.inbox.selectors import channel_preferences_for_many

    notifications = list(notifications)
    if not notifications:
        return []
    recipient_ids = {n.recipient_id for n in notifications}
    loaded = {
        user.pk: user
        for user in recipients
        if user.pk in recipient_ids and "email" not in user.get_deferred_fields()
    }
    users = list(loaded.values())
    if len(loaded) < len(recipient_ids):
        users += User.objects.filter(pk__in=recipient_ids - loaded.keys()).only(
            "id", "email"
        )
    preferences = channel_preferences_for_many(users=users)
    by_id = {user.pk: user for user in users}
    now = timezone.now()
    deliveries = [
        Delivery(notification=n, channel=name, next_attempt_at=now)
        for n in notifications
        if n.recipient_id in by_id
        for name, channel in OUTSIDE_CHANNELS.items()
        if preferences[n.recipient_id].get(name)
        and channel.is_available_for(by_id[n.recipient_id])
    ]
    if not deliveries:
        return []
    created = Delivery.objects.bulk_create(deliveries, batch_size=500)
    ids = [d.pk for d in created if d.pk is not None]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return created
