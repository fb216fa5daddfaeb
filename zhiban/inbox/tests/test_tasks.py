"""Tests of reminders and escalation: each happens exactly once, however often run."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.inbox import services, tasks
from zhiban.inbox.models import Notification, WorkItem
from zhiban.inbox.tests.factories import NOW, WorkItemFactory
from zhiban.org.tests.factories import DepartmentFactory, UserFactory, make_head

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    with override_settings(WEBHOOK_URL=""):
        yield


def en_user(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(language="en", **kwargs)


@override_settings(REMINDER_HOURS=24)
def test_remind_due_items_once():  # type: ignore[no-untyped-def]
    user = en_user()
    soon = WorkItemFactory(assignee=user, title="签报", due_at=NOW + 3 * HOUR)
    WorkItemFactory(assignee=user, due_at=NOW + 25 * HOUR)  # not yet
    WorkItemFactory(assignee=user, due_at=NOW - HOUR)  # overdue: escalated instead
    WorkItemFactory(assignee=user, due_at=NOW + HOUR, state="done")
    WorkItemFactory(assignee=user, due_at=NOW + HOUR, is_cc=True)
    WorkItemFactory(assignee=user)  # no due time

    first = services.work_items_remind_due(now=NOW)
    second = services.work_items_remind_due(now=NOW)
    # An hour later the item due in 25 hours comes within the window, once.
    third = services.work_items_remind_due(now=NOW + HOUR)

    assert (first, second, third) == (1, 0, 1)
    assert Notification.objects.count() == 2
    soon.refresh_from_db()
    assert soon.reminded_at == NOW
    note = Notification.objects.get(work_item=soon)
    assert (note.recipient, note.kind) == (user, "inbox.reminder")
    assert note.title == "Due soon: 签报"
    assert note.body == "This item is due at 2026-11-26 13:00."


def test_reminders_speak_the_assignees_language():  # type: ignore[no-untyped-def]
    user = UserFactory(language="zh-hans")
    WorkItemFactory(assignee=user, title="签报", due_at=NOW + HOUR)

    services.work_items_remind_due(now=NOW)

    assert Notification.objects.get().title == "即将到期：签报"


def test_escalate_overdue_items_to_the_department_heads_once():  # type: ignore[no-untyped-def]
    department = DepartmentFactory()
    clerk = en_user(primary_department=department, name="小王")
    head = make_head(en_user(primary_department=department))
    other_head = make_head(en_user())  # heads another department
    overdue = WorkItemFactory(assignee=clerk, title="来文办理", due_at=NOW - HOUR)
    WorkItemFactory(assignee=clerk, due_at=NOW + HOUR)

    first = services.work_items_escalate_overdue(now=NOW)
    second = services.work_items_escalate_overdue(now=NOW + HOUR)

    assert (first, second) == (1, 0)
    overdue.refresh_from_db()
    assert overdue.escalated_at == NOW
    [note] = Notification.objects.all()
    assert (note.recipient, note.kind) == (head, "inbox.escalation")
    assert note.title == "Overdue: 来文办理"
    assert note.body == "小王 has not handled this item by its due time."
    assert not Notification.objects.filter(recipient=other_head).exists()
    entry = AuditEntry.objects.get(action="inbox.work_item_escalate")
    assert (entry.object_id, entry.data) == (str(overdue.pk), {"to": [head.pk]})


def test_a_head_is_not_told_about_their_own_overdue_item():  # type: ignore[no-untyped-def]
    head = make_head(en_user())
    item = WorkItemFactory(assignee=head, due_at=NOW - HOUR)

    assert services.work_items_escalate_overdue(now=NOW) == 1

    item.refresh_from_db()
    assert item.escalated_at == NOW
    assert Notification.objects.count() == 0


def test_a_closed_item_is_neither_reminded_nor_escalated():  # type: ignore[no-untyped-def]
    WorkItemFactory(due_at=NOW - HOUR, state=WorkItem.State.DONE)
    WorkItemFactory(due_at=NOW + HOUR, state=WorkItem.State.CANCELLED)

    assert services.work_items_remind_due(now=NOW) == 0
    assert services.work_items_escalate_overdue(now=NOW) == 0


def test_sweep_task_runs_both_and_is_safe_to_repeat():  # type: ignore[no-untyped-def]
    department = DepartmentFactory()
    clerk = en_user(primary_department=department)
    make_head(en_user(primary_department=department))
    now = timezone.now()
    WorkItemFactory(assignee=clerk, due_at=now + HOUR)
    WorkItemFactory(assignee=clerk, due_at=now - HOUR)

    first = tasks.sweep_due()
    second = tasks.sweep_due()

    assert first == {"reminded": 1, "escalated": 1}
    assert second == {"reminded": 0, "escalated": 0}
    assert Notification.objects.count() == 2


def test_an_item_reminded_by_another_run_meanwhile_is_skipped(  # type: ignore[no-untyped-def]
    monkeypatch,
):
    item = WorkItemFactory(due_at=NOW + HOUR)
    original = services.notify_many
    calls = []

    def notify_spy(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(services, "notify_many", notify_spy)
    # Another worker claimed it after this run read its candidates.
    original_filter = WorkItem.objects.filter

    def claimed_elsewhere(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("pk") == item.pk and "reminded_at__isnull" in kwargs:
            WorkItem.objects.all().update(reminded_at=NOW)
        return original_filter(*args, **kwargs)

    monkeypatch.setattr(WorkItem.objects, "filter", claimed_elsewhere)

    assert services.work_items_remind_due(now=NOW) == 0
    assert calls == []
