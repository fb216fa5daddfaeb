"""Services: publishing versions, starting and acting, work items, delegation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.inbox.models import Notification, WorkItem
from zhiban.org.models import Delegation, User
from zhiban.org.tests.factories import DepartmentFactory, UserFactory, make_head
from zhiban.workflow import engine, services
from zhiban.workflow.models import FlowAction, FlowDefinition, FlowInstance, FlowTask

from .conftest import approver, body, publish

pytestmark = pytest.mark.django_db


def items(instance: FlowInstance, **filters: Any) -> list[tuple[str, str, str]]:
    """Return (assignee, state, outcome) of the instance's work items, in order."""
    return [
        (item.assignee.username, item.state, item.outcome)
        for item in WorkItem.objects.filter(
            target_id=str(instance.pk), **filters
        ).order_by("id")
    ]


def snapshot(instance: FlowInstance) -> tuple[Any, ...]:
    """Return everything an action could change, to prove a refusal changed nothing."""
    instance.refresh_from_db()
    return (
        instance.sequence,
        instance.status,
        instance.state,
        FlowAction.objects.filter(instance=instance).count(),
        list(FlowTask.objects.filter(instance=instance).values_list("key", "state")),
        items(instance),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )


# --- publishing ---------------------------------------------------------------------


def test_publish_refuses_an_invalid_definition_naming_each_node(people):
    flow = services.flow_create(code="seal", name="用印申请", by=people["alice"])
    bad = body(
        "seal",
        {"type": "approver", "id": "n1", "name": "空", "assignees": {"kind": "users"}},
        {
            "type": "approver",
            "id": "n2",
            "name": "角色",
            "assignees": {"kind": "role"},
        },
    )

    with pytest.raises(DomainError) as caught:
        services.flow_publish(definition=flow, body=bad, by=people["alice"])

    assert caught.value.message_dict == {
        "definition": ["Node “n1”: 没有指定审批人", "Node “n2”: 没有选择审批人的角色"]
    }
    assert flow.versions.count() == 0


def test_publish_refuses_a_malformed_body(people):
    flow = services.flow_create(code="seal", name="用印申请", by=people["alice"])

    with pytest.raises(DomainError, match="malformed"):
        services.flow_publish(
            definition=flow,
            body={"key": "seal", "nodes": [{"type": "x"}]},
            by=people["alice"],
        )


def test_publishing_makes_a_new_version_and_a_running_instance_keeps_its_own(people):
    # Given an instance running on version 1 (bob approves)
    v1 = publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    # When version 2 (carol approves) is published
    v2 = publish("seal", people["alice"], approver("n1", people["carol"]))

    # Then new instances use version 2, the running one stays on version 1
    assert (v1.number, v2.number) == (1, 2)
    later = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    assert later.version == v2
    assert items(later) == [("carol", "open", "")]
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["bob"])
    instance.refresh_from_db()
    assert instance.version == v1
    assert instance.status == FlowInstance.Status.APPROVED


def test_start_refuses_an_unknown_or_inactive_flow(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    FlowDefinition.objects.filter(code="seal").update(is_active=False)

    with pytest.raises(DomainError, match="no published flow"):
        services.instance_start(flow_code="seal", form={}, by=people["alice"])
    assert FlowInstance.objects.count() == 0


# --- acting -------------------------------------------------------------------------


def test_start_approve_completes_and_closes_every_work_item(people):
    # Given a two-step flow bob → carol, and a handler for the flow type
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
    )
    seen: list[tuple[int, str]] = []
    services.register_outcome_handler("seal", lambda i: seen.append((i.pk, i.status)))
    try:
        instance = services.instance_start(
            flow_code="seal", form={"copies": 3}, by=people["alice"], title="用印：合同"
        )
        assert instance.status == FlowInstance.Status.RUNNING
        assert instance.current_nodes == ["n1"]
        assert items(instance) == [("bob", "open", "")]
        assert WorkItem.objects.get(assignee=people["bob"]).reason == "指定人员"

        # When bob and then carol approve
        services.instance_act(
            instance_id=instance.pk,
            kind="approve",
            by=people["bob"],
            payload={"opinion": "同意盖章"},
        )
        assert items(instance) == [("bob", "done", "approved"), ("carol", "open", "")]
        services.instance_act(
            instance_id=instance.pk, kind="approve", by=people["carol"]
        )
    finally:
        services.unregister_outcome_handler("seal")

    # Then the instance is approved, the handler ran once, nothing is left open
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED
    assert instance.current_nodes == []
    assert instance.finished_at is not None
    assert seen == [(instance.pk, "approved")]
    assert items(instance) == [
        ("bob", "done", "approved"),
        ("carol", "done", "approved"),
    ]
    assert list(instance.actions.values_list("sequence", "kind", "comment")) == [
        (1, "submit", ""),
        (2, "approve", "同意盖章"),
        (3, "approve", ""),
    ]
    assert list(
        Notification.objects.filter(kind="workflow.result").values_list(
            "recipient__username", "body"
        )
    ) == [("alice", "审批已通过")]
    assert list(
        AuditEntry.objects.filter(action__startswith="workflow.instance")
        .values_list("action", flat=True)
        .order_by("id")
    ) == [
        "workflow.instance_submit",
        "workflow.instance_approve",
        "workflow.instance_approve",
    ]


def test_reject_needs_a_reason_and_then_ends_the_instance(people):
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"], people["carol"], mode="all"),
    )
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    before = snapshot(instance)

    with pytest.raises(DomainError, match="A reason is required to reject"):
        services.instance_act(instance_id=instance.pk, kind="reject", by=people["bob"])
    with (
        translation.override("zh-hans"),
        pytest.raises(DomainError, match="驳回必须填写理由"),
    ):
        services.instance_act(instance_id=instance.pk, kind="reject", by=people["bob"])
    assert snapshot(instance) == before

    services.instance_act(
        instance_id=instance.pk,
        kind="reject",
        by=people["bob"],
        payload={"reason": "用途不明"},
    )
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.REJECTED
    assert items(instance) == [
        ("bob", "done", "rejected"),
        ("carol", "cancelled", "not_needed"),
    ]
    assert instance.actions.get(sequence=2).comment == "用途不明"


def test_withdraw_cancels_the_open_work_items(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    services.instance_act(
        instance_id=instance.pk,
        kind="withdraw",
        by=people["alice"],
        payload={"reason": "填错了"},
    )

    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.WITHDRAWN
    assert items(instance) == [("bob", "cancelled", "withdrawn")]
    assert FlowTask.objects.get(instance=instance).state == FlowTask.State.CANCELLED


def test_withdraw_by_someone_else_is_refused_and_changes_nothing(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    before = snapshot(instance)

    with pytest.raises(DomainError, match="Only the initiator may do this"):
        services.instance_act(
            instance_id=instance.pk, kind="withdraw", by=people["bob"]
        )

    assert snapshot(instance) == before


def test_any_sign_first_approval_closes_the_others_work_items(people):
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"], people["carol"], people["dave"], mode="any"),
    )
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    assert [i[0] for i in items(instance)] == ["bob", "carol", "dave"]

    services.instance_act(instance_id=instance.pk, kind="approve", by=people["carol"])

    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED
    assert items(instance) == [
        ("bob", "cancelled", "not_needed"),
        ("carol", "done", "approved"),
        ("dave", "cancelled", "not_needed"),
    ]


def test_delegated_task_is_recorded_as_on_behalf_of_its_owner(people):
    # Given bob delegated his approvals to dave
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=people["bob"],
        delegate=people["dave"],
        kinds=["approval"],
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
    )
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    # Then the work item reached dave on bob's behalf
    task = FlowTask.objects.get(instance=instance)
    assert (task.assignee, task.on_behalf_of) == (people["dave"], people["bob"])
    assert task.work_item is not None
    assert task.work_item.on_behalf_of == people["bob"]

    # When dave approves
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["dave"])

    # Then the log, the task and the audit trail say "dave on behalf of bob"
    action = instance.actions.get(sequence=2)
    assert (action.actor, action.on_behalf_of) == (people["dave"], people["bob"])
    assert action.body["actor"] == str(people["dave"].pk)
    assert action.body["on_behalf_of"] == str(people["bob"].pk)
    task.refresh_from_db()
    assert (task.state, task.closed_by) == (FlowTask.State.DONE, people["dave"])
    entry = AuditEntry.objects.get(action="workflow.instance_approve")
    assert (entry.actor_id, entry.on_behalf_of_id) == (
        people["dave"].pk,
        people["bob"].pk,
    )
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED


def test_acting_on_a_task_that_is_not_yours_changes_nothing(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    before = snapshot(instance)

    with pytest.raises(DomainError, match="You hold no open task") as caught:
        services.instance_act(
            instance_id=instance.pk, kind="approve", by=people["stranger"]
        )

    assert caught.value.code == "not_your_task"
    assert snapshot(instance) == before


def test_acting_on_a_finished_instance_changes_nothing(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["bob"])
    before = snapshot(instance)

    for kind, by in (("approve", "bob"), ("withdraw", "alice"), ("urge", "alice")):
        with pytest.raises(DomainError, match="already finished") as caught:
            services.instance_act(instance_id=instance.pk, kind=kind, by=people[by])
        assert caught.value.code == "instance_finished"

    assert snapshot(instance) == before


def test_unknown_action_and_unknown_person_are_refused(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    before = snapshot(instance)

    with pytest.raises(DomainError, match="Unknown action"):
        services.instance_act(instance_id=instance.pk, kind="explode", by=people["bob"])
    with pytest.raises(DomainError, match="Choose an active person"):
        services.instance_act(
            instance_id=instance.pk,
            kind="transfer",
            by=people["bob"],
            payload={"to_user": 999999},
        )

    assert snapshot(instance) == before


def test_transfer_moves_the_work_item(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])

    services.instance_act(
        instance_id=instance.pk,
        kind="transfer",
        by=people["bob"],
        payload={"to_user": people["carol"].pk, "reason": "出差"},
    )

    assert items(instance) == [("bob", "done", "transferred"), ("carol", "open", "")]
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["carol"])
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED


def test_department_head_is_resolved_with_the_reason(people):
    # Given alice's department 生产技术部 headed by bob
    production = DepartmentFactory(
        unit=people["alice"].primary_department.unit, code="PROD", name="生产技术部"
    )
    alice: User = people["alice"]
    alice.primary_department = production
    alice.save(update_fields=["primary_department"])
    head = make_head(UserFactory(username="head", primary_department=production))
    publish(
        "seal",
        alice,
        {
            "type": "approver",
            "id": "n1",
            "name": "部门审批",
            "assignees": {"kind": "department_head"},
        },
    )

    instance = services.instance_start(flow_code="seal", form={}, by=alice)

    item = WorkItem.objects.get(target_id=str(instance.pk))
    assert (item.assignee, item.reason) == (head, "部门负责人：生产技术部")


def test_replaying_the_stored_log_reproduces_the_stored_state(people):
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"], people["carol"], mode="all"),
        approver("n2", people["dave"]),
    )
    instance = services.instance_start(
        flow_code="seal", form={"n": 1}, by=people["alice"]
    )
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["carol"])
    services.instance_act(
        instance_id=instance.pk,
        kind="comment",
        by=people["bob"],
        payload={"text": "请补材料"},
    )
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["bob"])
    services.instance_act(
        instance_id=instance.pk,
        kind="return",
        by=people["dave"],
        payload={"reason": "重新审"},
    )
    services.instance_act(instance_id=instance.pk, kind="submit", by=people["alice"])
    instance.refresh_from_db()

    replayed = services.instance_replay(instance=instance)

    assert engine.state_to_dict(replayed) == instance.state
    assert replayed == engine.state_from_dict(instance.state)
    assert instance.status == FlowInstance.Status.RUNNING
    assert sorted(
        FlowTask.objects.filter(instance=instance, state="open").values_list(
            "assignee__username", flat=True
        )
    ) == ["bob", "carol"]


def test_a_failing_outcome_handler_keeps_nothing_of_the_action(people):
    publish("seal", people["alice"], approver("n1", people["bob"]))
    instance = services.instance_start(flow_code="seal", form={}, by=people["alice"])
    before = snapshot(instance)

    def handler(finished: FlowInstance) -> None:
        raise DomainError("印章已停用", code="seal_inactive")

    services.register_outcome_handler("seal", handler)
    try:
        with pytest.raises(DomainError, match="印章已停用"):
            services.instance_act(
                instance_id=instance.pk, kind="approve", by=people["bob"]
            )
    finally:
        services.unregister_outcome_handler("seal")

    assert snapshot(instance) == before
