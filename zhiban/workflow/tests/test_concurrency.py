"""Real threads acting on one instance at the same instant: one consistent outcome.

Each thread has its own database connection; a barrier starts them together.
PostgreSQL serialises them on the instance row lock, SQLite on its IMMEDIATE
write transaction. Transactional tests flush the database, role groups too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from zhiban.core.tests.concurrency import held, lock_timeout, race
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Role, User, role_groups
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
from zhiban.workflow import services
from zhiban.workflow.models import FlowAction, FlowInstance, FlowTask

from .conftest import approver, publish

pytestmark = pytest.mark.django_db(transaction=True)


def org() -> dict[str, User]:
    role_groups([Role.EMPLOYEE])
    hq = UnitFactory(code="HQ", name="集团本部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    return {
        name: UserFactory(username=name, primary_department=office)
        for name in ("alice", "bob", "carol", "dave")
    }


def act(instance: FlowInstance, kind: str, by: User) -> Callable[[], Any]:
    return lambda: services.instance_act(instance_id=instance.pk, kind=kind, by=by)


def test_two_all_sign_approvals_at_once_are_both_recorded_and_complete_once():
    people = org()
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"], people["carol"], mode="all"),
        approver("n2", people["dave"]),
    )
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    results = race(
        act(instance, "approve", people["bob"]),
        act(instance, "approve", people["carol"]),
    )

    assert [status for status, _value in results] == ["ok", "ok"]
    instance.refresh_from_db()
    assert instance.sequence == 3
    assert sorted(
        instance.actions.filter(kind="approve").values_list(
            "actor__username", flat=True
        )
    ) == ["bob", "carol"]
    completed = [
        event
        for events in instance.actions.values_list("events", flat=True)
        for event in events
        if event["kind"] == "completed"
    ]
    assert [event["node_id"] for event in completed] == ["n1"]
    assert instance.current_nodes == ["n2"]
    assert list(
        FlowTask.objects.filter(instance=instance)
        .order_by("key")
        .values_list("assignee__username", "state")
    ) == [("bob", "done"), ("carol", "done"), ("dave", "open")]
    assert (
        WorkItem.objects.filter(
            target_id=str(instance.pk), assignee=people["dave"], state="open"
        ).count()
        == 1
    )
    assert services.instance_replay(
        instance=instance
    ) == services.engine.state_from_dict(instance.state)


def test_two_any_sign_approvals_at_once_let_exactly_one_win():
    people = org()
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"], people["carol"], mode="any"),
    )
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    results = race(
        act(instance, "approve", people["bob"]),
        act(instance, "approve", people["carol"]),
    )

    assert sorted(status for status, _value in results) == ["error", "ok"]
    error = next(value for status, value in results if status == "error")
    assert error.code in ("not_your_task", "instance_finished")
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED
    assert instance.sequence == 2
    assert FlowAction.objects.filter(instance=instance, kind="approve").count() == 1
    assert sorted(
        WorkItem.objects.filter(target_id=str(instance.pk)).values_list(
            "state", flat=True
        )
    ) == ["cancelled", "done"]
    assert not FlowTask.objects.filter(instance=instance, state="open").exists()


def test_withdraw_racing_an_approval_gives_one_consistent_outcome():
    people = org()
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
    )
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    results = race(
        act(instance, "withdraw", people["alice"]),
        act(instance, "approve", people["bob"]),
    )

    assert sorted(status for status, _value in results) == ["error", "ok"]
    instance.refresh_from_db()
    assert instance.sequence == 2
    items = dict(
        WorkItem.objects.filter(target_id=str(instance.pk)).values_list(
            "assignee__username", "state"
        )
    )
    if results[0][0] == "ok":
        # The withdrawal came first: the approval finds the instance finished.
        assert instance.status == FlowInstance.Status.WITHDRAWN
        assert results[1][1].code in ("instance_finished", "not_your_task")
        assert items == {"bob": "cancelled"}
    else:
        # The approval came first: a late withdrawal is not allowed by this flow.
        assert instance.status == FlowInstance.Status.RUNNING
        assert results[0][1].code == "not_allowed_by_flow"
        assert items == {"bob": "done", "carol": "open"}
    assert services.instance_replay(
        instance=instance
    ) == services.engine.state_from_dict(instance.state)


def test_a_locked_instance_holds_up_only_itself_not_its_flows_other_instances():
    # The lock covers the instance's row only: locking the joined version row too
    # made every approval of a flow wait for every other one (bench/README.md).
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    people = org()
    publish("seal", people["alice"], approver("n1", people["bob"]))
    first = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    second = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    with held(lambda: services.instance_lock(instance_id=first.pk)):
        with transaction.atomic():
            lock_timeout(5000)
            services.instance_act(
                instance_id=second.pk, kind="approve", by=people["bob"]
            )
            # A new request on the flow checks its version's row (its foreign key):
            # with that row locked too, this waited, and could deadlock on the audit
            # chain's lock against an approval of the flow.
            third = services.instance_start(
                flow_code="seal", form={}, by=people["alice"]
            )
        with transaction.atomic():
            lock_timeout(200)
            with pytest.raises(OperationalError), transaction.atomic():
                services.instance_lock(instance_id=first.pk)
    second.refresh_from_db()
    first.refresh_from_db()
    third.refresh_from_db()
    assert (first.status, second.status, third.status) == (
        "running",
        "approved",
        "running",
    )
