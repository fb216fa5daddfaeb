"""Deactivated people get no work, and an administrator can reassign a task."""

from __future__ import annotations

import dataclasses

import pytest

from zhiban.workflow.engine import (
    AddApprover,
    Approve,
    CcNode,
    Definition,
    EmptyPolicy,
    InvalidAction,
    NotDelegated,
    State,
    Status,
    Submit,
    TaskOutcome,
    Transfer,
    Withdraw,
    action_from_dict,
    action_to_dict,
    apply,
    dry_run,
    replay,
)

from .support import ORG, approver, at, users

GONE = dataclasses.replace(ORG, inactive=frozenset({"bob"}))


def submit(definition: Definition, org=GONE):  # type: ignore[no-untyped-def]
    return apply(definition, State(), Submit("alice", at(0)), org)


def test_a_deactivated_named_approver_is_skipped_with_the_reason():
    flow = Definition("f", "f", (approver("n1", "bob", "carol"),))

    outcome = submit(flow)

    assert [(t.node_id, t.assignee) for t in outcome.opened] == [("n1", "carol")]
    assert ("skipped", "审批n1：王博已停用，跳过") in [
        (e.kind, e.text) for e in outcome.events
    ]
    assert outcome.state.runs[0].approvers == ("carol",)


def test_a_node_left_with_nobody_falls_to_its_fallback():
    flow = Definition(
        "f",
        "f",
        (
            approver(
                "n1", "bob", when_empty=EmptyPolicy.FALLBACK, fallback_users=("dave",)
            ),
        ),
    )

    outcome = submit(flow)

    assert [(t.assignee, t.reason) for t in outcome.opened] == [
        ("dave", "无人可审，转交兜底人员")
    ]
    assert "审批n1：王博已停用，跳过" in [e.text for e in outcome.events]


def test_a_deactivated_fallback_person_is_not_used_either():
    flow = Definition(
        "f",
        "f",
        (
            approver(
                "n1", "carol", when_empty=EmptyPolicy.FALLBACK, fallback_users=("bob",)
            ),
        ),
    )
    org = dataclasses.replace(ORG, inactive=frozenset({"bob", "carol"}))

    outcome = submit(flow, org)

    assert outcome.opened == ()
    assert outcome.state.status is Status.APPROVED
    assert [e.text for e in outcome.events if e.kind == "skipped"] == [
        "审批n1：陈卡已停用，跳过",
        "审批n1：无人可审，自动通过",
    ]


def test_deactivated_cc_recipients_are_not_told():
    flow = Definition(
        "f", "f", (CcNode("c1", "抄送", users("bob", "carol")), approver("n1", "dave"))
    )

    outcome = submit(flow)

    assert [n.recipient for n in outcome.notifications if n.kind == "cc"] == ["carol"]


def test_the_dry_run_shows_the_deactivated_person_skipped():
    flow = Definition("f", "f", (approver("n1", "bob", "carol"),))

    path = dry_run(flow, {}, "alice", GONE)

    step = path.steps[1]
    assert step.approvers == (("carol", "指定人员"),)
    assert step.note == "王博已停用，跳过"


@pytest.mark.parametrize("kind", ["transfer", "add_approver"])
def test_work_cannot_be_handed_to_a_deactivated_person(kind):
    flow = Definition("f", "f", (approver("n1", "carol"),))
    state = submit(flow).state
    action = (
        Transfer("carol", at(1), to_user="bob")
        if kind == "transfer"
        else AddApprover("carol", at(1), user="bob")
    )

    with pytest.raises(InvalidAction, match="deactivated"):
        apply(flow, state, action, GONE)


# --- an administrator reassigns a task --------------------------------------------


def test_an_administrative_transfer_needs_no_delegation_and_is_recorded():
    flow = Definition("f", "f", (approver("n1", "bob"), approver("n2", "carol")))
    state = submit(flow, ORG).state
    action = Transfer(
        "admin",
        at(5),
        on_behalf_of="bob",
        to_user="dave",
        reason="王博已离职",
        administrative=True,
    )

    outcome = apply(flow, state, action, GONE)

    assert [(t.assignee, t.outcome) for t in outcome.closed] == [
        ("bob", TaskOutcome.TRANSFERRED)
    ]
    [opened] = outcome.opened
    assert (opened.assignee, opened.reason) == (
        "dave",
        "改派：管理员admin改派（原办理人王博）",
    )
    [event] = outcome.events
    assert (event.kind, event.text, event.actor, event.on_behalf_of) == (
        "transferred",
        "管理员改派给丁大为",
        "admin",
        "bob",
    )
    # Not an approver acting: the initiator may still withdraw.
    assert outcome.state.acted is False
    withdrawn = apply(flow, outcome.state, Withdraw("alice", at(6)), GONE).state
    assert withdrawn.status is Status.WITHDRAWN
    # And the log replays.
    log = [Submit("alice", at(0)), action]
    stored = [action_from_dict(action_to_dict(a)) for a in log]
    assert replay(flow, stored, ORG) == outcome.state


def test_the_same_transfer_without_the_mark_needs_a_delegation():
    flow = Definition("f", "f", (approver("n1", "bob"),))
    state = submit(flow, ORG).state

    with pytest.raises(NotDelegated):
        apply(
            flow,
            state,
            Transfer("admin", at(5), on_behalf_of="bob", to_user="dave"),
            ORG,
        )


def test_an_administrative_transfer_must_name_the_holder():
    flow = Definition("f", "f", (approver("n1", "bob"),))
    state = submit(flow, ORG).state

    with pytest.raises(InvalidAction):
        apply(
            flow,
            state,
            Transfer("bob", at(5), to_user="dave", administrative=True),
            ORG,
        )


def test_the_new_holder_approves_and_the_flow_goes_on():
    flow = Definition("f", "f", (approver("n1", "bob"), approver("n2", "carol")))
    state = submit(flow, ORG).state
    state = apply(
        flow,
        state,
        Transfer(
            "admin", at(5), on_behalf_of="bob", to_user="dave", administrative=True
        ),
        GONE,
    ).state

    state = apply(flow, state, Approve("dave", at(6)), GONE).state

    assert [(t.node_id, t.assignee) for t in state.open_tasks()] == [("n2", "carol")]
