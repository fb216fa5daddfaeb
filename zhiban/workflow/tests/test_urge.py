"""Only those whose turn it is are told; urging (催办) reaches them, rate-limited."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from zhiban.core.errors import DomainError
from zhiban.inbox.models import Notification, WorkItem
from zhiban.org.models import Delegation, User
from zhiban.workflow import services
from zhiban.workflow.models import FlowInstance

from .conftest import approver, publish
from .test_services import snapshot

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def told(**filters: object) -> list[str]:
    """Return who got notifications (matching the filters), in order."""
    return list(
        Notification.objects.filter(**filters)
        .order_by("id")
        .values_list("recipient__username", flat=True)
    )


def start(people: dict[str, User], *nodes: dict[str, object]) -> FlowInstance:
    publish("seal", people["alice"], *nodes, urge_interval_seconds=600)
    return services.instance_start(
        flow_code="seal", form={}, by=people["alice"], now=T0
    )


def urge(instance: FlowInstance, by: User, at: datetime.datetime) -> FlowInstance:
    return services.instance_act(
        instance_id=instance.pk,
        kind="urge",
        by=by,
        payload={"message": "请今天处理"},
        now=at,
    )


def test_only_the_first_of_a_sequential_node_is_told_until_their_turn(people):
    instance = start(
        people,
        approver("n1", people["bob"], people["carol"]),
        approver("n2", people["dave"]),
    )

    assert told() == ["bob"]
    assert list(
        WorkItem.objects.filter(target_id=str(instance.pk)).values_list(
            "assignee__username", flat=True
        )
    ) == ["bob"]

    services.instance_act(
        instance_id=instance.pk, kind="approve", by=people["bob"], now=T0 + SECOND
    )

    assert told() == ["bob", "carol"]


def test_an_urge_reaches_only_the_current_holders(people):
    instance = start(
        people,
        approver("n1", people["bob"], people["carol"], mode="all"),
        approver("n2", people["dave"]),
    )
    services.instance_act(
        instance_id=instance.pk, kind="approve", by=people["bob"], now=T0 + SECOND
    )

    urge(instance, people["alice"], T0 + 2 * SECOND)

    assert told(kind="workflow.urge") == ["carol"]
    note = Notification.objects.get(kind="workflow.urge")
    assert note.body == "催办：请今天处理"
    assert instance.actions.filter(kind="urge").count() == 1


def test_an_urge_reaches_the_delegate_holding_the_work_item(people):
    day = datetime.timedelta(days=1)
    Delegation.objects.create(
        delegator=people["bob"],
        delegate=people["dave"],
        starts_on=min(timezone.localdate(T0), timezone.localdate()) - day,
        ends_on=max(timezone.localdate(T0), timezone.localdate()) + day,
    )
    instance = start(people, approver("n1", people["bob"]))

    urge(instance, people["alice"], T0 + SECOND)

    assert told(kind="workflow.urge") == ["dave"]


def test_urging_is_rate_limited_per_instance(people):
    first = start(people, approver("n1", people["bob"]))
    second = services.instance_start(
        flow_code="seal", form={}, by=people["alice"], now=T0
    )
    urge(first, people["alice"], T0 + SECOND)
    before = snapshot(first)

    with pytest.raises(DomainError, match="urged a short while ago"):
        urge(first, people["alice"], T0 + 599 * SECOND)

    assert snapshot(first) == before
    urge(second, people["alice"], T0 + 2 * SECOND)  # another instance: its own limit
    urge(first, people["alice"], T0 + 601 * SECOND)  # after the interval
    assert told(kind="workflow.urge") == ["bob", "bob", "bob"]


def test_only_the_initiator_urges(people):
    instance = start(people, approver("n1", people["bob"]))
    before = snapshot(instance)

    with pytest.raises(DomainError, match="Only the initiator"):
        urge(instance, people["carol"], T0 + SECOND)

    assert snapshot(instance) == before


def test_a_finished_instance_cannot_be_urged(people):
    instance = start(people, approver("n1", people["bob"]))
    services.instance_act(
        instance_id=instance.pk, kind="approve", by=people["bob"], now=T0 + SECOND
    )
    before = snapshot(instance)

    with pytest.raises(DomainError, match="already finished"):
        urge(instance, people["alice"], T0 + 2 * SECOND)

    assert snapshot(instance) == before
