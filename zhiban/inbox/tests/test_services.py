"""Tests of the to-do centre's writes: open, route, close, read, preferences."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.inbox import services
from zhiban.inbox.models import ChannelPreference, Delivery, Notification, WorkItem
from zhiban.inbox.tests.factories import NOW, NotificationFactory, WorkItemFactory
from zhiban.org.models import Delegation
from zhiban.org.tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def delegate(delegator, delegate_to, kinds=None):  # type: ignore[no-untyped-def]
    today = datetime.date.today()
    return Delegation.objects.create(
        delegator=delegator,
        delegate=delegate_to,
        kinds=kinds or [],
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
    )


def test_open_creates_the_item_and_tells_the_assignee():  # type: ignore[no-untyped-def]
    user, boss = UserFactory(), UserFactory()
    department = DepartmentFactory()

    item = services.work_item_open(
        assignee=user,
        kind="approval",
        title="用印申请",
        target=department,
        url="/approvals/1/",
        reason="您是审批人",
        initiator=boss,
        urgency=2,
    )

    item.refresh_from_db()
    assert (item.assignee, item.on_behalf_of, item.initiator) == (user, None, boss)
    assert (item.state, item.urgency, item.target_id) == ("open", 2, str(department.pk))
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.title, notification.work_item) == (
        user,
        "用印申请",
        item,
    )


def test_bulk_open_routes_each_person_through_their_delegation(  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,
):
    away, present, deputy = UserFactory(), UserFactory(), UserFactory(name="王五")
    other_kind = UserFactory()
    delegate(away, deputy)
    delegate(other_kind, deputy, kinds=["document"])
    people = [away, present, other_kind, *UserFactory.create_batch(20)]

    # One query for the delegations, whatever the number of people.
    with django_assert_max_num_queries(12):
        items = services.work_items_open(
            assignees=people, kind="approval", title="通知", url="/x/"
        )

    routed = {(i.assignee_id, i.on_behalf_of_id) for i in items[:3]}
    assert routed == {
        (deputy.pk, away.pk),
        (present.pk, None),
        (other_kind.pk, None),
    }
    assert WorkItem.objects.count() == 23
    assert Notification.objects.filter(recipient=deputy).count() == 1


def test_an_ended_delegation_routes_nothing():  # type: ignore[no-untyped-def]
    away, deputy = UserFactory(), UserFactory()
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=away,
        delegate=deputy,
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today - datetime.timedelta(days=1),
    )

    item = services.work_item_open(assignee=away, kind="approval", title="x")

    assert (item.assignee, item.on_behalf_of) == (away, None)


def test_personal_kinds_are_never_delegated():  # type: ignore[no-untyped-def]
    away, deputy = UserFactory(), UserFactory()
    delegate(away, deputy)  # every kind

    item = services.work_item_open(assignee=away, kind="notice.read", title="通知")

    assert (item.assignee, item.on_behalf_of) == (away, None)


def test_a_delegate_never_handles_their_own_request_on_someone_s_behalf():  # type: ignore[no-untyped-def]
    head, deputy, colleague = UserFactory(), UserFactory(), UserFactory()
    delegate(head, deputy)

    own = services.work_item_open(
        assignee=head, kind="approval", title="用车申请", initiator=deputy
    )
    others = services.work_item_open(
        assignee=head, kind="approval", title="用印申请", initiator=colleague
    )

    assert (own.assignee, own.on_behalf_of) == (head, None)
    assert (others.assignee, others.on_behalf_of) == (deputy, head)


def test_close_is_idempotent():  # type: ignore[no-untyped-def]
    item = WorkItemFactory()
    closer = UserFactory()

    first = services.work_item_close(item=item, by=closer, outcome="同意")
    second = services.work_item_close(item=item, by=UserFactory(), outcome="again")

    assert (first.state, first.closed_by, first.outcome) == ("done", closer, "同意")
    assert (second.closed_by, second.outcome, second.closed_at) == (
        closer,
        "同意",
        first.closed_at,
    )


def test_closing_many_closes_the_open_ones_only():  # type: ignore[no-untyped-def]
    closer, earlier = UserFactory(), UserFactory()
    first, second, closed = WorkItemFactory(), WorkItemFactory(), WorkItemFactory()
    untouched = WorkItemFactory()
    services.work_item_close(item=closed, by=earlier, outcome="同意")

    count = services.work_items_close(
        ids=[first.pk, second.pk, closed.pk],
        by=closer,
        outcome="已取消",
        state=WorkItem.State.CANCELLED,
    )

    assert count == 2
    rows = {
        row.pk: (row.state, row.closed_by_id, row.outcome)
        for row in WorkItem.objects.all()
    }
    assert rows[first.pk] == rows[second.pk] == ("cancelled", closer.pk, "已取消")
    assert rows[closed.pk] == ("done", earlier.pk, "同意")
    assert rows[untouched.pk] == ("open", None, "")
    assert services.work_items_close(ids=[], by=closer) == 0


def test_close_for_a_target_closes_the_delegated_items_too():  # type: ignore[no-untyped-def]
    department = DepartmentFactory()
    away, deputy, other = UserFactory(), UserFactory(), UserFactory()
    delegate(away, deputy)
    services.work_items_open(
        assignees=[away, other], kind="approval", title="x", target=department
    )
    WorkItemFactory(kind="approval")  # another target

    closed = services.work_items_close_for(
        target=department, kind="approval", assignees=[away], by=deputy
    )
    again = services.work_items_close_for(
        target=department, kind="approval", assignees=[away], by=deputy
    )

    assert (closed, again) == (1, 0)
    assert WorkItem.objects.filter(state="open").count() == 2


def test_reading_a_cc_item_closes_it_once():  # type: ignore[no-untyped-def]
    reader = UserFactory()
    item = WorkItemFactory(assignee=reader, is_cc=True)
    task = WorkItemFactory(assignee=reader)

    assert services.work_item_cc_read(item=item, by=reader, now=NOW) is True
    assert services.work_item_cc_read(item=item, by=reader) is False
    assert services.work_item_cc_read(item=task, by=reader) is False
    item.refresh_from_db()
    task.refresh_from_db()
    assert (item.state, item.closed_at, item.outcome) == ("done", NOW, "read")
    assert task.state == "open"


def test_mark_read_only_the_recipients_notification():  # type: ignore[no-untyped-def]
    mine = NotificationFactory()
    theirs = NotificationFactory()

    assert services.notification_mark_read(
        user=mine.recipient, notification_id=mine.pk, now=NOW
    )
    assert not services.notification_mark_read(
        user=mine.recipient, notification_id=mine.pk
    )
    with pytest.raises(Notification.DoesNotExist):
        services.notification_mark_read(user=mine.recipient, notification_id=theirs.pk)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.read_at, theirs.read_at) == (NOW, None)


def test_mark_all_read():  # type: ignore[no-untyped-def]
    user = UserFactory()
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=user, read_at=NOW)
    other = NotificationFactory()

    assert services.notifications_mark_all_read(user=user, now=NOW) == 3
    assert Notification.objects.filter(recipient=user, read_at=NOW).count() == 4
    other.refresh_from_db()
    assert other.read_at is None


def test_channel_preference_set_records_the_choice_and_audits():  # type: ignore[no-untyped-def]
    user = UserFactory()

    services.channel_preference_set(user=user, channel="email", is_enabled=False)
    services.channel_preference_set(user=user, channel="email", is_enabled=True)

    assert list(ChannelPreference.objects.values_list("channel", "is_enabled")) == [
        ("email", True)
    ]
    assert AuditEntry.objects.filter(action="inbox.channel_preference_set").count() == 2


def test_channel_preference_set_refuses_an_unknown_channel():  # type: ignore[no-untyped-def]
    user = UserFactory()

    with pytest.raises(DomainError) as raised:
        services.channel_preference_set(user=user, channel="sms", is_enabled=True)

    assert raised.value.message_dict == {"channel": ["不存在名为“sms”的提醒渠道。"]}
    assert ChannelPreference.objects.count() == 0


@override_settings(WEBHOOK_URL="", LANGUAGE_CODE="en")
def test_notify_sends_email_after_commit_by_preference(  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,
):
    wants, refuses, no_address = UserFactory(), UserFactory(), UserFactory(email="")
    ChannelPreference.objects.create(user=refuses, channel="email", is_enabled=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify_many(
            recipients=[wants, refuses, no_address],
            kind="notice",
            title="会议通知",
            body="明天九点开会",
            url="/notices/1/",
        )

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[wants.email]]
    assert mail.outbox[0].subject == "会议通知"
    assert mail.outbox[0].body == "明天九点开会\n\nhttp://127.0.0.1:8000/notices/1/"
    assert list(Delivery.objects.values_list("channel", "state", "attempts")) == [
        ("email", "sent", 1)
    ]


def test_notify_with_a_dedupe_key_notifies_once():  # type: ignore[no-untyped-def]
    user = UserFactory()

    first = services.notify(recipient=user, kind="k", title="t", dedupe_key="once")
    second = services.notify(recipient=user, kind="k", title="t", dedupe_key="once")

    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1


def test_notify_each_sends_different_messages_once(db):
    from zhiban.inbox.models import Notification
    from zhiban.inbox.services import Message, notify_each
    from zhiban.org.tests.factories import UserFactory

    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    messages = [
        Message(recipient=alice, title="甲", dedupe_key="k:1"),
        Message(recipient=bob, title="乙", dedupe_key="k:2"),
    ]
    assert len(notify_each(kind="test", messages=messages)) == 2
    # The same keys again: nothing new.
    assert notify_each(kind="test", messages=messages) == []
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["乙", "甲"]
