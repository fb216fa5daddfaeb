"""Tests of the outside channels against a real local HTTP server and the mail outbox."""

from __future__ import annotations

import datetime
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.test import override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks

from zhiban.inbox import channels, services, tasks
from zhiban.inbox.models import Delivery, Notification, WorkItem
from zhiban.inbox.tests.factories import NOW, NotificationFactory
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


@dataclass
class Hook:
    """A webhook endpoint on 127.0.0.1 that records what it receives."""

    url: str
    status: int = 200
    received: list[dict] = field(default_factory=list)


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.received.append(
                {
                    "content_type": self.headers["Content-Type"],
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/robot"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with override_settings(WEBHOOK_URL=state.url, WEBHOOK_TIMEOUT=5):
            yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there now: connecting is refused.
    with override_settings(WEBHOOK_URL=f"http://127.0.0.1:{port}/robot"):
        yield f"http://127.0.0.1:{port}/robot"


def webhook_delivery(**notification) -> Delivery:  # type: ignore[no-untyped-def]
    recipient = UserFactory(username="zhangsan", name="张三", employee_number="E9")
    note = NotificationFactory.create(recipient=recipient, **notification)
    return Delivery.objects.create(notification=note, channel="webhook")


def test_the_channel_interface_is_one_for_all() -> None:
    every = [channels.IN_APP, *channels.OUTSIDE_CHANNELS.values()]

    assert [c.name for c in every] == ["in_app", "email", "webhook"]
    assert all(callable(c.send) for c in every)


def test_webhook_success_records_sent(hook: Hook) -> None:
    delivery = webhook_delivery(title="请审批", body="用车申请", url="/approvals/7/")

    state = services.delivery_send(delivery_id=delivery.pk, now=NOW)

    delivery.refresh_from_db()
    assert state == "sent"
    assert (delivery.state, delivery.attempts, delivery.sent_at) == ("sent", 1, NOW)
    assert delivery.last_error == ""
    [request] = hook.received
    assert request["content_type"] == "application/json; charset=utf-8"
    assert request["json"] == {
        "kind": "approval",
        "title": "请审批",
        "body": "用车申请",
        "url": "http://127.0.0.1:8000/approvals/7/",
        "recipient": {"username": "zhangsan", "name": "张三", "employee_number": "E9"},
        "created_at": NOW.isoformat(),
    }


def test_running_the_task_twice_sends_once(hook: Hook) -> None:
    delivery = webhook_delivery()

    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == "sent"
    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == "sent"
    tasks.send_delivery(delivery.pk)

    assert len(hook.received) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_delivery_claimed_by_another_run_is_not_sent_again(hook: Hook) -> None:
    delivery = webhook_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", attempts=1, next_attempt_at=NOW + 60 * SECOND
    )

    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == "sending"
    assert hook.received == []


def test_webhook_500_records_the_error_and_retries_with_back_off(hook: Hook) -> None:
    hook.status = 500
    delivery = webhook_delivery()

    state = services.delivery_send(delivery_id=delivery.pk, now=NOW)

    delivery.refresh_from_db()
    assert state == "pending"
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "HTTPError: HTTP Error 500: Internal Server Error"
    assert delivery.next_attempt_at == NOW + 60 * SECOND
    # Not due before its time; due then, and the back-off doubles.
    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == "pending"
    assert len(hook.received) == 1
    later = NOW + 60 * SECOND
    assert services.delivery_send(delivery_id=delivery.pk, now=later) == "pending"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, later + 120 * SECOND)


@override_settings(DELIVERY_MAX_ATTEMPTS=3, DELIVERY_RETRY_SECONDS=10)
def test_after_the_last_attempt_the_delivery_fails(hook: Hook) -> None:
    hook.status = 503
    delivery = webhook_delivery()
    at = NOW
    states = []
    for _ in range(4):
        states.append(services.delivery_send(delivery_id=delivery.pk, now=at))
        delivery.refresh_from_db()
        at = delivery.next_attempt_at or at

    assert states == ["pending", "pending", "failed", "failed"]
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (
        "failed",
        3,
        None,
    )
    assert len(hook.received) == 3


def test_connection_refused_is_recorded_and_retried(closed_port_url: str) -> None:
    delivery = webhook_delivery()

    state = services.delivery_send(delivery_id=delivery.pk, now=NOW)

    delivery.refresh_from_db()
    assert state == "pending"
    assert delivery.last_error.startswith("URLError: <urlopen error [Errno 111]")
    assert delivery.next_attempt_at == NOW + 60 * SECOND


def test_a_failing_webhook_never_fails_the_users_action(  # type: ignore[no-untyped-def]
    closed_port_url, django_capture_on_commit_callbacks
):
    assignee = UserFactory(email="")

    with django_capture_on_commit_callbacks(execute=True):
        item = services.work_item_open(assignee=assignee, kind="approval", title="x")

    assert WorkItem.objects.filter(pk=item.pk, state="open").exists()
    [delivery] = Delivery.objects.all()
    assert (delivery.channel, delivery.state, delivery.attempts) == (
        "webhook",
        "pending",
        1,
    )
    assert "Errno 111" in delivery.last_error


def test_a_broker_that_is_down_never_fails_the_users_action(  # type: ignore[no-untyped-def]
    hook, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(delivery_id: int) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_delivery, "delay", broker_down)
    monkeypatch.setattr(tasks.send_deliveries, "delay", broker_down)
    assignee = UserFactory(email="")

    with django_capture_on_commit_callbacks(execute=True):
        services.work_item_open(assignee=assignee, kind="approval", title="x")

    assert WorkItem.objects.count() == 1
    assert Delivery.objects.get().state == "pending"


def test_retry_picks_due_deliveries_and_frees_stale_claims(hook: Hook) -> None:
    due = webhook_delivery()
    Delivery.objects.filter(pk=due.pk).update(next_attempt_at=NOW - SECOND)
    later = Delivery.objects.create(
        notification=NotificationFactory.create(),
        channel="webhook",
        next_attempt_at=NOW + SECOND,
    )
    stale = Delivery.objects.create(
        notification=NotificationFactory.create(),
        channel="webhook",
        state="sending",
        next_attempt_at=NOW - SECOND,
    )
    Delivery.objects.create(
        notification=NotificationFactory.create(), channel="webhook", state="sent"
    )

    assert services.deliveries_due(now=NOW) == [due.pk, stale.pk]
    stale.refresh_from_db()
    later.refresh_from_db()
    assert (stale.state, later.state) == ("pending", "pending")


def test_retry_task_sends_what_is_due(hook: Hook) -> None:
    delivery = webhook_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=NOW)

    assert tasks.retry_deliveries() == 1
    assert tasks.retry_deliveries() == 0

    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert len(hook.received) == 1


@override_settings(WEBHOOK_URL="")
def test_email_delivery_goes_to_the_outbox() -> None:
    note = NotificationFactory.create(title="公文待签收", body="", url="")
    delivery = Delivery.objects.create(notification=note, channel="email")

    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == "sent"

    [message] = mail.outbox
    assert (message.subject, message.body, message.to) == (
        "公文待签收",
        "公文待签收",
        [note.recipient.email],
    )


@override_settings(WEBHOOK_URL="ftp://127.0.0.1/robot")
def test_a_webhook_url_that_is_not_http_is_refused() -> None:
    delivery = webhook_delivery()

    services.delivery_send(delivery_id=delivery.pk, now=NOW)

    delivery.refresh_from_db()
    assert delivery.last_error == (
        "ValueError: the webhook URL 'ftp://127.0.0.1/robot' is not http(s)"
    )


def test_the_in_app_channel_is_the_row_itself() -> None:
    note = NotificationFactory.create()

    channels.IN_APP.send(note)

    assert Notification.objects.get() == note
    assert Delivery.objects.count() == 0


@override_settings(WEBHOOK_URL="")
def test_many_deliveries_are_queued_in_batches(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.send_deliveries, "delay", queued.append)
    people = UserFactory.create_batch(tasks.BATCH + 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.notify_many(recipients=people, kind="notice", title="全员通知")

    assert [len(batch) for batch in queued] == [tasks.BATCH, 1]
    assert sorted(i for batch in queued for i in batch) == sorted(
        Delivery.objects.values_list("id", flat=True)
    )


@override_settings(WEBHOOK_URL="")
def test_a_batch_run_twice_sends_each_mail_once() -> None:
    notes = NotificationFactory.create_batch(3)
    ids = [Delivery.objects.create(notification=n, channel="email").pk for n in notes]

    first = tasks.send_deliveries(ids)
    second = tasks.send_deliveries(ids)

    assert (first, second) == (["sent"] * 3, ["sent"] * 3)
    assert len(mail.outbox) == 3


@override_settings(WEBHOOK_URL="")
def test_recipients_the_caller_loaded_are_not_read_again(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    """dispatch() reads only the recipients it was not given with their address;
    a user loaded without the e-mail column is read again, not trusted."""
    from zhiban.org.models import User

    with_mail, without_mail, not_given = (
        UserFactory(email="a@example.com"),
        UserFactory(email=""),
        UserFactory(email="c@example.com"),
    )
    notes = [
        NotificationFactory.create(recipient=person)
        for person in (with_mail, without_mail, not_given)
    ]
    deferred = User.objects.only("id").get(pk=with_mail.pk)

    # preferences + deliveries: the recipients are not read
    with django_assert_num_queries(2):
        created = channels.dispatch(
            notifications=notes[:2], recipients=[with_mail, without_mail]
        )
    assert [(d.notification.recipient_id, d.channel) for d in created] == [
        (with_mail.pk, "email")
    ]
    # the one not given and the one without its address are read: one query more
    Delivery.objects.all().delete()
    with django_assert_num_queries(3):
        created = channels.dispatch(
            notifications=[notes[0], notes[2]], recipients=[deferred]
        )
    assert sorted(d.notification.recipient_id for d in created) == sorted(
        [with_mail.pk, not_given.pk]
    )
