"""Every action: what it does, and the typed error when it is not allowed."""

from __future__ import annotations

import json

import pytest

from zhiban.workflow.engine import (
    AddApprover,
    Approve,
    Branch,
    Comment,
    Definition,
    InstanceFinished,
    InvalidAction,
    Mode,
    NotAllowedByFlow,
    NotDelegated,
    NotInitiator,
    NotYourTask,
    ParallelNode,
    Reject,
    Return,
    ReturnPolicy,
    Revoke,
    State,
    Status,
    Submit,
    TaskOutcome,
    Timeout,
    TimeoutPolicy,
    Transfer,
    Urge,
    UrgeTooSoon,
    Withdraw,
    action_from_dict,
    action_to_dict,
    apply,
    urge_allowed,
)

from .support import ORG, approver, at

THREE = Definition(
    "f",
    "f",
    (approver("n1", "bob"), approver("n2", "carol"), approver("n3", "dave")),
    allow_revoke=True,
)


def open_tasks(state: State) -> list[tuple[str, str]]:
    return [(t.node_id, t.assignee) for t in state.open_tasks()]


def run(definition: Definition, *actions) -> State:
    state = State()
    for action in actions:
        state = apply(definition, state, action, ORG).state
    return state


def test_reject_requires_a_reason_and_closes_every_task():
    definition = Definition("f", "f", (approver("n1", "bob", "carol", mode=Mode.ALL),))
    state = run(definition, Submit("alice", at(0)))

    with pytest.raises(InvalidAction, match="reason is required"):
        apply(definition, state, Reject("bob", at(1), reason="  "), ORG)
    outcome = apply(definition, state, Reject("bob", at(1), reason="用途不明"), ORG)

    assert outcome.state.status is Status.REJECTED
    assert outcome.state.open_tasks() == ()
    assert sorted((t.assignee, t.outcome) for t in outcome.closed) == [
        ("bob", TaskOutcome.REJECTED),
        ("carol", TaskOutcome.NOT_NEEDED),
    ]


def test_acting_on_a_finished_instance_is_refused():
    state = run(THREE, Submit("alice", at(0)), Reject("bob", at(1), reason="不同意"))

    with pytest.raises(InstanceFinished, match="already rejected"):
        apply(THREE, state, Approve("bob", at(2)), ORG)
    with pytest.raises(InstanceFinished):
        apply(THREE, state, Submit("alice", at(2)), ORG)


def test_acting_without_a_task_is_refused():
    state = run(THREE, Submit("alice", at(0)))

    with pytest.raises(NotYourTask, match="carol holds no open task"):
        apply(THREE, state, Approve("carol", at(1)), ORG)


def test_return_to_initiator_then_resubmit_rewalks_from_the_start():
    state = run(
        THREE,
        Submit("alice", at(0)),
        Approve("bob", at(1)),
        Return("carol", at(2), reason="请补充附件"),
    )
    assert state.status is Status.RETURNED
    assert state.open_tasks() == ()

    state = apply(THREE, state, Submit("alice", at(3), form={"x": 1}), ORG).state

    assert state.status is Status.RUNNING
    assert open_tasks(state) == [("n1", "bob")]
    assert state.form == {"x": 1}


def test_return_to_initiator_straight_back_skips_the_nodes_between():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1", "bob"),
            approver("n2", "carol", return_policy=ReturnPolicy.STRAIGHT_BACK),
        ),
    )
    state = run(
        definition,
        Submit("alice", at(0)),
        Approve("bob", at(1)),
        Return("carol", at(2)),
    )

    state = apply(definition, state, Submit("alice", at(3)), ORG).state

    assert open_tasks(state) == [("n2", "carol")]


def test_return_to_an_earlier_node_rewalks_the_nodes_between():
    state = run(
        THREE,
        Submit("alice", at(0)),
        Approve("bob", at(1)),
        Approve("carol", at(2)),
        Return("dave", at(3), to_node="n1"),
    )
    assert open_tasks(state) == [("n1", "bob")]

    state = apply(THREE, state, Approve("bob", at(4)), ORG).state

    assert open_tasks(state) == [("n2", "carol")]


def test_return_straight_back_comes_back_to_the_returning_node():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1", "bob"),
            approver("n2", "carol"),
            approver("n3", "dave", return_policy=ReturnPolicy.STRAIGHT_BACK),
        ),
    )
    state = run(
        definition,
        Submit("alice", at(0)),
        Approve("bob", at(1)),
        Approve("carol", at(2)),
        Return("dave", at(3), to_node="n1"),
    )

    state = apply(definition, state, Approve("bob", at(4)), ORG).state

    assert open_tasks(state) == [("n3", "dave")]


def test_return_to_a_node_not_yet_passed_is_refused():
    state = run(THREE, Submit("alice", at(0)), Approve("bob", at(1)))

    with pytest.raises(InvalidAction, match="Cannot return to 'n3'"):
        apply(THREE, state, Return("carol", at(2), to_node="n3"), ORG)


def test_transfer_hands_the_task_over_with_a_reason():
    state = run(THREE, Submit("alice", at(0)))

    outcome = apply(THREE, state, Transfer("bob", at(1), to_user="erin"), ORG)

    assert [(t.assignee, t.reason) for t in outcome.opened] == [
        ("erin", "转交：王博转交")
    ]
    assert [(t.assignee, t.outcome) for t in outcome.closed] == [
        ("bob", TaskOutcome.TRANSFERRED)
    ]
    state = apply(THREE, outcome.state, Approve("erin", at(2)), ORG).state
    assert open_tasks(state) == [("n2", "carol")]


def test_transfer_to_myself_or_nobody_is_refused():
    state = run(THREE, Submit("alice", at(0)))

    for target in ("bob", ""):
        with pytest.raises(InvalidAction, match="already an approver"):
            apply(THREE, state, Transfer("bob", at(1), to_user=target), ORG)


def test_add_before_me_lets_the_added_approver_go_first_then_reopens_mine():
    state = run(THREE, Submit("alice", at(0)))

    state = apply(THREE, state, AddApprover("bob", at(1), user="erin"), ORG).state
    assert open_tasks(state) == [("n1", "erin")]
    state = apply(THREE, state, Approve("erin", at(2)), ORG).state
    assert open_tasks(state) == [("n1", "bob")]
    state = apply(THREE, state, Approve("bob", at(3)), ORG).state

    assert open_tasks(state) == [("n2", "carol")]


def test_an_added_approver_can_add_another_before_themselves():
    state = run(
        THREE,
        Submit("alice", at(0)),
        AddApprover("bob", at(1), user="erin"),
        AddApprover("erin", at(2), user="zhao"),
    )
    assert open_tasks(state) == [("n1", "zhao")]

    state = apply(THREE, state, Approve("zhao", at(3)), ORG).state
    assert [(t.assignee, t.reason) for t in state.open_tasks()] == [
        ("erin", "加签：王博前加签")
    ]
    state = apply(THREE, state, Approve("erin", at(4)), ORG).state
    assert open_tasks(state) == [("n1", "bob")]
    state = apply(THREE, state, Approve("bob", at(5)), ORG).state

    assert open_tasks(state) == [("n2", "carol")]


def test_add_after_me_approves_mine_and_waits_for_the_added_approver():
    state = run(THREE, Submit("alice", at(0)))

    state = apply(
        THREE, state, AddApprover("bob", at(1), user="erin", before=False), ORG
    ).state
    assert open_tasks(state) == [("n1", "erin")]
    state = apply(THREE, state, Approve("erin", at(2)), ORG).state

    assert open_tasks(state) == [("n2", "carol")]


def test_withdraw_while_nobody_has_acted():
    state = run(THREE, Submit("alice", at(0)))

    outcome = apply(THREE, state, Withdraw("alice", at(1)), ORG)

    assert outcome.state.status is Status.WITHDRAWN
    assert outcome.state.open_tasks() == ()
    assert [(n.recipient, n.text) for n in outcome.notifications] == [
        ("bob", "发起人已撤回")
    ]


def test_withdraw_after_an_approval_only_where_the_flow_allows_it():
    state = run(THREE, Submit("alice", at(0)), Approve("bob", at(1)))
    late = Definition(
        THREE.key, THREE.name, THREE.nodes, allow_withdraw_after_action=True
    )

    with pytest.raises(NotAllowedByFlow, match="no late withdrawal"):
        apply(THREE, state, Withdraw("alice", at(2)), ORG)
    assert apply(late, state, Withdraw("alice", at(2)), ORG).state.status == "withdrawn"


def test_withdraw_by_someone_else_is_refused():
    state = run(THREE, Submit("alice", at(0)))

    with pytest.raises(NotInitiator):
        apply(THREE, state, Withdraw("bob", at(1)), ORG)


def test_urge_notifies_the_current_holders_and_is_rate_limited():
    state = run(THREE, Submit("alice", at(0)))

    outcome = apply(THREE, state, Urge("alice", at(1)), ORG)
    assert [(n.recipient, n.kind) for n in outcome.notifications] == [("bob", "urge")]
    with pytest.raises(UrgeTooSoon, match="600 seconds"):
        apply(THREE, outcome.state, Urge("alice", at(5)), ORG)
    again = apply(THREE, outcome.state, Urge("alice", at(11)), ORG)

    assert again.state.last_urged_at == at(11)


def test_urge_allowed_is_a_pure_check():
    assert urge_allowed(None, at(0), 600)
    assert not urge_allowed(at(0), at(9), 600)
    assert urge_allowed(at(0), at(10), 600)


def test_comment_needs_text_or_attachment_and_is_recorded():
    state = run(THREE, Submit("alice", at(0)))

    with pytest.raises(InvalidAction, match="text or an attachment"):
        apply(THREE, state, Comment("bob", at(1)), ORG)
    outcome = apply(
        THREE, state, Comment("bob", at(1), text="附件见", attachments=("f1",)), ORG
    )

    assert outcome.state.comments == 1
    assert [(n.recipient, n.kind) for n in outcome.notifications] == [
        ("alice", "comment")
    ]


def approved_three() -> State:
    return run(
        THREE,
        Submit("alice", at(0)),
        Approve("bob", at(1)),
        Approve("carol", at(2)),
        Approve("dave", at(3)),
    )


def test_revoke_an_approved_instance_where_allowed():
    state = approved_three()

    outcome = apply(THREE, state, Revoke("alice", at(4), reason="不再需要"), ORG)

    assert outcome.state.status is Status.REVOKED
    assert [n.recipient for n in outcome.notifications] == ["bob", "carol", "dave"]


def test_revoke_is_refused_where_the_flow_does_not_allow_it():
    strict = Definition(THREE.key, THREE.name, THREE.nodes)

    with pytest.raises(NotAllowedByFlow):
        apply(strict, approved_three(), Revoke("alice", at(4)), ORG)
    with pytest.raises(InvalidAction, match="Only an approved"):
        apply(THREE, run(THREE, Submit("alice", at(0))), Revoke("alice", at(1)), ORG)


def test_delegate_acts_on_behalf_of_the_delegator():
    state = run(THREE, Submit("alice", at(0)))

    outcome = apply(THREE, state, Approve("carol", at(1), on_behalf_of="bob"), ORG)

    assert [(e.kind, e.actor, e.on_behalf_of) for e in outcome.events][:1] == [
        ("approved", "carol", "bob")
    ]
    assert open_tasks(outcome.state) == [("n2", "carol")]


def test_acting_for_someone_without_delegation_is_refused():
    state = run(THREE, Submit("alice", at(0)))

    with pytest.raises(NotDelegated, match="dave may not act for bob"):
        apply(THREE, state, Approve("dave", at(1), on_behalf_of="bob"), ORG)


def test_submitting_an_invalid_definition_is_refused():
    broken = Definition("f", "f", (approver("n1"),))

    with pytest.raises(Exception, match="invalid") as caught:
        apply(broken, State(), Submit("alice", at(0)), ORG)
    assert caught.value.code == "invalid_definition"  # type: ignore[attr-defined]


def test_resubmit_without_a_form_keeps_the_submitted_one():
    state = run(
        THREE,
        Submit("alice", at(0), form={"copies": 3}),
        Return("bob", at(1)),
        Submit("alice", at(2)),
    )

    assert state.form == {"copies": 3}
    assert open_tasks(state) == [("n1", "bob")]


def test_return_from_a_parallel_branch_closes_the_sibling_branch_and_rewalks():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1", "bob"),
            ParallelNode(
                "par",
                "并行",
                (
                    Branch(
                        "pa",
                        "甲",
                        (
                            approver(
                                "a1", "carol", return_policy=ReturnPolicy.STRAIGHT_BACK
                            ),
                        ),
                    ),
                    Branch("pb", "乙", (approver("b1", "dave"),)),
                ),
            ),
        ),
    )
    state = run(definition, Submit("alice", at(0)), Approve("bob", at(1)))

    outcome = apply(definition, state, Return("carol", at(2), to_node="n1"), ORG)
    assert open_tasks(outcome.state) == [("n1", "bob")]
    assert sorted((t.assignee, t.outcome) for t in outcome.closed) == [
        ("carol", TaskOutcome.RETURNED),
        ("dave", TaskOutcome.NOT_NEEDED),
    ]
    state = apply(definition, outcome.state, Approve("bob", at(3)), ORG).state

    assert open_tasks(state) == [("a1", "carol"), ("b1", "dave")]


def test_actions_round_trip_through_json():
    actions = [
        Submit("alice", at(0), form={"copies": 3}, picks={"n1": ("bob",)}),
        Approve("carol", at(1), on_behalf_of="bob", task_id="t2", opinion="同意"),
        AddApprover("bob", at(2), user="erin", before=False),
        Comment("bob", at(3), text="见附件", attachments=("f1", "f2")),
        Return("dave", at(4), to_node="n1", reason="补充"),
    ]

    stored = json.loads(json.dumps([action_to_dict(a) for a in actions]))

    assert [action_from_dict(a) for a in stored] == actions


def timed(policy: TimeoutPolicy) -> Definition:
    return Definition(
        "f",
        "f",
        (
            approver(
                "n1",
                "bob",
                "carol",
                mode=Mode.ALL,
                timeout_minutes=60,
                on_timeout=policy,
                escalate_to=("erin",),
            ),
            approver("n2", "dave"),
        ),
    )


def test_timeout_is_refused_before_it_is_due_and_after_it_was_applied():
    definition = timed(TimeoutPolicy.REMIND)
    state = run(definition, Submit("alice", at(0)))

    with pytest.raises(InvalidAction, match="not due"):
        apply(definition, state, Timeout("system", at(59), node_id="n1"), ORG)
    state = apply(definition, state, Timeout("system", at(60), node_id="n1"), ORG).state
    with pytest.raises(InvalidAction, match="already timed out"):
        apply(definition, state, Timeout("system", at(120), node_id="n1"), ORG)
    with pytest.raises(InvalidAction, match="not waiting"):
        apply(definition, state, Timeout("system", at(120), node_id="n2"), ORG)


def test_timeout_reminds_the_people_whose_turn_it_is():
    definition = timed(TimeoutPolicy.REMIND)
    state = run(definition, Submit("alice", at(0)))

    outcome = apply(definition, state, Timeout("system", at(61), node_id="n1"), ORG)

    assert [(n.recipient, n.kind, n.text) for n in outcome.notifications] == [
        ("bob", "urge", "超时提醒：审批n1"),
        ("carol", "urge", "超时提醒：审批n1"),
    ]
    assert open_tasks(outcome.state) == [("n1", "bob"), ("n1", "carol")]


def test_timeout_escalates_to_the_escalation_contacts():
    definition = timed(TimeoutPolicy.ESCALATE)
    state = run(definition, Submit("alice", at(0)))

    outcome = apply(definition, state, Timeout("system", at(61), node_id="n1"), ORG)

    assert [(n.recipient, n.kind) for n in outcome.notifications] == [
        ("erin", "escalate")
    ]


def test_timeout_auto_passes_and_records_it():
    definition = timed(TimeoutPolicy.AUTO_PASS)
    state = run(definition, Submit("alice", at(0)), Approve("bob", at(1)))

    outcome = apply(definition, state, Timeout("system", at(61), node_id="n1"), ORG)

    assert open_tasks(outcome.state) == [("n2", "dave")]
    assert [(t.assignee, t.outcome) for t in outcome.closed] == [
        ("carol", TaskOutcome.NOT_NEEDED)
    ]
    assert "审批n1：超时自动通过" in [e.text for e in outcome.events]
