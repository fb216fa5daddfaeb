"""Approver resolution: every kind, with its reason, and the node policies."""

from __future__ import annotations

import pytest

from zhiban.workflow.engine import (
    Approve,
    ApproverNode,
    AssigneeKind,
    Assignees,
    Definition,
    EmptyPolicy,
    InitiatorPolicy,
    State,
    Submit,
    apply,
    dry_run,
    resolve_assignees,
)

from .support import ORG, approver, at


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            Assignees(AssigneeKind.USERS, users=("carol", "dave", "carol")),
            [("carol", "指定人员"), ("dave", "指定人员")],
        ),
        (
            Assignees(AssigneeKind.ROLE, role="office_director"),
            [("dave", "角色：办公室主任（集团本部）")],
        ),
        (
            Assignees(AssigneeKind.DEPARTMENT_HEAD),
            [("bob", "部门负责人：生产技术部")],
        ),
        (
            Assignees(AssigneeKind.LEVELS_UP, levels=2),
            [
                ("bob", "逐级主管第1级：生产技术部"),
                ("carol", "逐级主管第2级：运营中心"),
            ],
        ),
        (
            Assignees(AssigneeKind.LEVELS_UP, levels=9),
            [
                ("bob", "逐级主管第1级：生产技术部"),
                ("carol", "逐级主管第2级：运营中心"),
                ("erin", "逐级主管第3级：集团领导"),
            ],
        ),
        (
            Assignees(AssigneeKind.OVERSEEING_LEADER),
            [("zhao", "分管领导：赵海涛")],
        ),
        (
            Assignees(AssigneeKind.INITIATOR_PICK),
            [("erin", "发起人自选")],
        ),
        (
            Assignees(AssigneeKind.FORM_FIELD, field="keeper"),
            [("carol", "表单所选：keeper"), ("dave", "表单所选：keeper")],
        ),
    ],
)
def test_each_assignee_kind_resolves_with_its_reason(spec, expected):
    people = resolve_assignees(
        spec,
        node_id="n1",
        initiator="alice",
        form={"keeper": ["carol", "dave"]},
        picks={"n1": ("erin",), "n2": ("bob",)},
        facts=ORG,
    )

    assert [(p.user, p.reason) for p in people] == expected


def test_a_person_chosen_in_a_form_field_is_given_the_fields_label():
    people = resolve_assignees(
        Assignees(AssigneeKind.FORM_FIELD, field="keeper"),
        node_id="n1",
        initiator="alice",
        form={"keeper": ["carol"]},
        picks={},
        facts=ORG,
        labels={"keeper": "印章保管人", "other": "别的"},
    )

    assert [(p.user, p.reason) for p in people] == [("carol", "表单所选：印章保管人")]


def test_the_definitions_labels_name_the_field_in_tasks_and_the_path():
    node = ApproverNode(
        "n1", "会签", Assignees(AssigneeKind.FORM_FIELD, field="keeper")
    )
    definition = Definition(
        key="f", name="f", nodes=(node,), field_labels={"keeper": "会签人"}
    )

    outcome = apply(
        definition, State(), Submit("alice", at(0), form={"keeper": ["carol"]}), ORG
    )
    path = dry_run(definition, {"keeper": ["carol"]}, "alice", ORG)

    assert [t.reason for t in outcome.state.tasks] == ["表单所选：会签人"]
    assert [e.text for e in outcome.events if e.kind == "entered"] == [
        "会签：陈卡（表单所选：会签人）"
    ]
    assert path.steps[1].approvers == (("carol", "表单所选：会签人"),)


def test_role_outside_the_initiators_unit_resolves_nobody():
    people = resolve_assignees(
        Assignees(AssigneeKind.ROLE, role="office_director"),
        node_id="n1",
        initiator="mia",
        form={},
        picks={},
        facts=ORG,
    )

    assert people == ()


def submit(definition: Definition, form: dict | None = None, initiator="alice"):
    return apply(definition, State(), Submit(initiator, at(0), form=form or {}), ORG)


def test_initiator_is_approver_is_skipped_when_the_node_says_so():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1", "alice", initiator_policy=InitiatorPolicy.SKIP),
            approver("n2", "bob"),
        ),
    )

    outcome = submit(definition)

    assert [t.assignee for t in outcome.opened] == ["bob"]
    assert [e.text for e in outcome.events if e.kind == "skipped"] == [
        "审批n1：发起人本人，自动跳过",
        "审批n1：审批人均已跳过，自动通过",
    ]


def test_initiator_is_approver_keeps_the_task_by_default():
    definition = Definition("f", "f", (approver("n1", "alice"),))

    outcome = submit(definition)

    assert [(t.node_id, t.assignee) for t in outcome.opened] == [("n1", "alice")]


def test_same_approver_as_previous_node_is_skipped():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1", "bob"),
            approver("n2", "bob", "carol", skip_same_as_previous=True),
        ),
    )

    state = submit(definition).state
    outcome = apply(definition, state, Approve("bob", at(1)), ORG)

    assert [(t.node_id, t.assignee) for t in outcome.opened] == [("n2", "carol")]
    assert "审批n2：与上一节点审批人相同，自动跳过" in [e.text for e in outcome.events]


def test_nobody_resolves_goes_to_the_fallback_person():
    node = ApproverNode(
        "n1",
        "主任审批",
        Assignees(AssigneeKind.ROLE, role="office_director"),
        when_empty=EmptyPolicy.FALLBACK,
        fallback_users=("erin",),
    )
    definition = Definition("f", "f", (node,))

    outcome = submit(definition, initiator="mia")

    assert [(t.assignee, t.reason) for t in outcome.opened] == [
        ("erin", "无人可审，转交兜底人员")
    ]


def test_nobody_resolves_auto_passes_and_says_so():
    node = ApproverNode(
        "n1", "主任审批", Assignees(AssigneeKind.ROLE, role="office_director")
    )
    definition = Definition("f", "f", (node,))

    outcome = submit(definition, initiator="mia")

    assert outcome.state.status == "approved"
    assert outcome.opened == ()
    assert "主任审批：无人可审，自动通过" in [e.text for e in outcome.events]
