"""Node timeouts on the beat: remind, escalate or pass, once per node visit."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from zhiban.inbox.models import Notification, WorkItem
from zhiban.org.models import Delegation, User
from zhiban.workflow import services, tasks
from zhiban.workflow.models import FlowAction, FlowInstance, FlowTask
from zhiban.workflow.timeouts import timeouts_sweep

from .conftest import approver, publish

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def timed(
    node_id: str, *people: User, minutes: int = 60, policy: str = "remind", **more: Any
) -> dict[str, Any]:
    return {
        **approver(node_id, *people),
        "timeout_minutes": minutes,
        "on_timeout": policy,
        **more,
    }


def start(people: dict[str, User], *nodes: dict[str, Any]) -> FlowInstance:
    publish("seal", people["alice"], *nodes)
    return services.instance_start(
        flow_code="seal", form={}, by=people["alice"], title="超时测试", now=T0
    )


def notes(kind: str) -> list[str]:
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("id")
        .values_list("recipient__username", flat=True)
    )


def timeouts(instance: FlowInstance) -> list[FlowAction]:
    return list(instance.actions.filter(kind="timeout").order_by("sequence"))


def test_a_task_is_due_after_its_nodes_timeout_and_has_none_without(people):
    instance = start(
        people,
        timed("n1", people["bob"], minutes=90),
        approver("n2", people["carol"]),
    )
    task = instance.tasks.get()
    assert task.due_at == T0 + 90 * MINUTE

    services.instance_act(
        instance_id=instance.pk, kind="approve", by=people["bob"], now=T0 + MINUTE
    )

    assert instance.tasks.get(state="open").due_at is None


def test_remind_tells_the_holders_once_however_often_the_sweep_runs(people):
    instance = start(
        people,
        timed("n1", people["bob"], people["carol"], policy="remind"),
        approver("n2", people["dave"]),
    )

    early = timeouts_sweep(now=T0 + 59 * MINUTE)
    first = timeouts_sweep(now=T0 + 60 * MINUTE)
    again = timeouts_sweep(now=T0 + 61 * MINUTE)
    later = timeouts_sweep(now=T0 + 600 * MINUTE)

    assert (early, first, again, later) == (0, 1, 0, 0)
    assert notes("workflow.urge") == ["bob"]
    [action] = timeouts(instance)
    assert (action.actor, action.node_id, action.at) == (None, "", T0 + 60 * MINUTE)
    assert action.body["node_id"] == "n1"
    assert [e["text"] for e in action.events] == ["审批n1：超时提醒"]
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RUNNING
    assert instance.current_nodes == ["n1"]
    assert instance.tasks.get().state == FlowTask.State.OPEN


def test_remind_reaches_the_delegate_who_holds_the_work_item(people):
    # The inbox routes by today's date: cover T0's day and today.
    day = datetime.timedelta(days=1)
    Delegation.objects.create(
        delegator=people["bob"],
        delegate=people["dave"],
        starts_on=min(timezone.localdate(T0), timezone.localdate()) - day,
        ends_on=max(timezone.localdate(T0), timezone.localdate()) + day,
    )
    start(people, timed("n1", people["bob"]))

    assert timeouts_sweep(now=T0 + 60 * MINUTE) == 1

    assert notes("workflow.urge") == ["dave"]


def test_escalate_tells_the_contacts_not_the_holders(people):
    instance = start(
        people,
        timed(
            "n1",
            people["bob"],
            policy="escalate",
            escalate_to=[str(people["dave"].pk)],
        ),
    )

    assert timeouts_sweep(now=T0 + 2 * 60 * MINUTE) == 1
    assert timeouts_sweep(now=T0 + 3 * 60 * MINUTE) == 0

    assert notes("workflow.escalate") == ["dave"]
    assert notes("workflow.urge") == []
    [action] = timeouts(instance)
    assert action.events[0]["text"] == "审批n1：超时升级"
    assert action.events[0]["users"] == [str(people["dave"].pk)]


def test_auto_pass_completes_the_node_and_opens_the_next(people):
    instance = start(
        people,
        timed("n1", people["bob"], policy="auto_pass"),
        approver("n2", people["carol"]),
    )

    assert timeouts_sweep(now=T0 + 60 * MINUTE) == 1
    assert timeouts_sweep(now=T0 + 61 * MINUTE) == 0

    instance.refresh_from_db()
    assert instance.current_nodes == ["n2"]
    assert list(
        instance.tasks.order_by("id").values_list(
            "assignee__username", "state", "outcome"
        )
    ) == [("bob", "cancelled", "not_needed"), ("carol", "open", "")]
    assert list(
        WorkItem.objects.filter(target_id=str(instance.pk))
        .order_by("id")
        .values_list("assignee__username", "state")
    ) == [("bob", "cancelled"), ("carol", "open")]
    [action] = timeouts(instance)
    assert [e["text"] for e in action.events][:2] == [
        "审批n1：超时自动通过",
        "审批n1：已通过",
    ]
    assert services.instance_replay(
        instance=instance
    ) == services.engine.state_from_dict(instance.state)


def test_auto_pass_of_the_last_node_approves_the_request(people):
    instance = start(people, timed("n1", people["bob"], policy="auto_pass"))

    assert timeouts_sweep(now=T0 + 60 * MINUTE) == 1

    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED
    assert not instance.tasks.filter(state="open").exists()


def test_a_node_entered_again_after_a_return_times_out_again(people):
    instance = start(
        people,
        timed("n1", people["bob"]),
        approver("n2", people["carol"]),
    )
    assert timeouts_sweep(now=T0 + 60 * MINUTE) == 1
    services.instance_act(
        instance_id=instance.pk, kind="approve", by=people["bob"], now=T0 + 61 * MINUTE
    )
    services.instance_act(
        instance_id=instance.pk,
        kind="return",
        by=people["carol"],
        payload={"to_node": "n1", "reason": "补充材料"},
        now=T0 + 62 * MINUTE,
    )

    assert timeouts_sweep(now=T0 + 100 * MINUTE) == 0  # the new visit is not due
    assert timeouts_sweep(now=T0 + 122 * MINUTE) == 1
    assert timeouts_sweep(now=T0 + 200 * MINUTE) == 0

    assert notes("workflow.urge") == ["bob", "bob"]
    assert len(timeouts(instance)) == 2


def test_finished_or_untimed_instances_are_left_alone(people):
    done = start(people, timed("n1", people["bob"]))
    services.instance_act(
        instance_id=done.pk, kind="withdraw", by=people["alice"], now=T0 + MINUTE
    )
    publish("plain", people["alice"], approver("n1", people["bob"]))
    plain = services.instance_start(
        flow_code="plain", form={}, by=people["alice"], now=T0
    )

    assert timeouts_sweep(now=T0 + 1000 * MINUTE) == 0

    assert not FlowAction.objects.filter(kind="timeout").exists()
    assert plain.tasks.get().due_at is None


def test_the_sweep_queries_do_not_grow_with_already_handled_nodes(
    people, django_assert_max_num_queries
):
    start(people, timed("n1", people["bob"]))
    publish("other", people["alice"], timed("n1", people["carol"]))
    for _ in range(4):
        services.instance_start(flow_code="other", form={}, by=people["dave"], now=T0)
    assert timeouts_sweep(now=T0 + 60 * MINUTE) == 5

    # Five overdue tasks whose nodes already timed out: read, nothing locked.
    with django_assert_max_num_queries(1):
        assert timeouts_sweep(now=T0 + 61 * MINUTE) == 0


def test_the_celery_task_runs_the_sweep_now(people):
    publish("seal", people["alice"], timed("n1", people["bob"]))
    instance = services.instance_start(
        flow_code="seal",
        form={},
        by=people["alice"],
        now=timezone.now() - 61 * MINUTE,
    )

    first = tasks.sweep_timeouts.delay().get()
    second = tasks.sweep_timeouts.delay().get()

    assert (first, second) == (1, 0)
    assert len(timeouts(instance)) == 1


def test_the_sweep_is_on_the_beat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["workflow-sweep-timeouts"]

    assert entry == {"task": "zhiban.workflow.tasks.sweep_timeouts", "schedule": 60.0}


# --- a real worker ------------------------------------------------------------------


def test_a_real_worker_discovers_and_runs_the_sweep(transactional_db, tmp_path):
    from zhiban.core.tests.test_celery import _sending_to, _worker
    from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory

    office = DepartmentFactory(unit=UnitFactory())
    alice, bob = (
        UserFactory(username=name, primary_department=office)
        for name in ("alice", "bob")
    )
    publish("seal", alice, timed("n1", bob))
    instance = services.instance_start(
        flow_code="seal", form={}, by=alice, now=timezone.now() - 61 * MINUTE
    )
    broker_url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    queue = f"zhiban-test-{uuid.uuid4().hex[:12]}"

    with (
        _worker(broker_url=broker_url, queue=queue, tmp_path=tmp_path) as worker,
        _sending_to(broker_url),
    ):
        # Given the sweep delivered twice
        tasks.sweep_timeouts.apply_async(queue=queue)
        tasks.sweep_timeouts.apply_async(queue=queue)

        # When the worker has run both
        worker.wait_for(
            lambda: worker.output().count("succeeded") >= 2, "the worker to sweep"
        )

        # Then the node timed out once, and the worker found the task by itself
        assert FlowAction.objects.filter(instance=instance, kind="timeout").count() == 1
        assert Notification.objects.filter(kind="workflow.urge").count() == 1
        assert "zhiban.workflow.tasks.sweep_timeouts" in worker.output()
