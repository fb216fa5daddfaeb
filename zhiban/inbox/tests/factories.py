"""Factories and fixed times for the to-do centre's tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import factory

from zhiban.inbox.models import Notification, WorkItem
from zhiban.org.tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


class WorkItemFactory(factory.django.DjangoModelFactory[WorkItem]):
    class Meta:
        model = WorkItem

    assignee = factory.SubFactory(UserFactory)
    kind = "approval"
    title = factory.Sequence(lambda n: f"审批事项{n}")
    url = factory.Sequence(lambda n: f"/approvals/{n}/")
    opened_at = NOW - datetime.timedelta(days=1)


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "approval"
    title = factory.Sequence(lambda n: f"通知{n}")
    url = "/inbox/"
    created_at = NOW
