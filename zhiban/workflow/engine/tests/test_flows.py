"""Modes, branches, CC and dry runs on small flows."""

from __future__ import annotations

from zhiban.workflow.engine import (
    AddApprover,
    Approve,
    ApproverNode,
    AssigneeKind,
    Assignees,
    Branch,
    CcNode,
    CcTiming,
    Condition,
    ConditionNode,
    Definition,
    Mode,
    Op,
    ParallelNode,
    State,
    Status,
    Submit,
    TaskOutcome,
    apply,
    dry_run,
)

from .support import ORG, approver, at


def open_tasks(state: State) -> list[tuple[str, str]]:
    return [(t.node_id, t.assignee) for t in state.open_tasks()]


def start(definition: Definition, form: dict | None = None) -> State:
    return apply(
        definition, State(), Submit("alice", at(0), form=form or {}), ORG
    ).state


def test_sequential_opens_one_task_at_a_time_in_order():
    definition = Definition("f", "f", (approver("n1", "bob", "carol", "dave"),))
    state = start(definition)
    assert open_tasks(state) == [("n1", "bob")]

    state = apply(definition, state, Approve("bob", at(1)), ORG).state
    assert open_tasks(state) == [("n1", "carol")]
    state = apply(definition, state, Approve("carol", at(2)), ORG).state
    assert open_tasks(state) == [("n1", "dave")]
    state = apply(definition, state, Approve("dave", at(3)), ORG).state

    assert state.status is Status.APPROVED
    assert state.open_tasks() == ()


def test_all_sign_waits_for_every_approver():
    definition = Definition(
        "f",
        "f",
        (approver("n1", "bob", "carol", mode=Mode.ALL), approver("n2", "dave")),
    )
    state = start(definition)
    assert open_tasks(state) == [("n1", "bob"), ("n1", "carol")]

    state = apply(definition, state, Approve("carol", at(1)), ORG).state
    assert open_tasks(state) == [("n1", "bob")]
    state = apply(definition, state, Approve("bob", at(2)), ORG).state

    assert open_tasks(state) == [("n2", "dave")]


def test_any_sign_completes_on_first_approval_and_closes_the_others():
    definition = Definition(
        "f", "f", (approver("n1", "bob", "carol", "dave", mode=Mode.ANY),)
    )
    state = start(definition)

    outcome = apply(definition, state, Approve("carol", at(1)), ORG)

    assert outcome.state.status is Status.APPROVED
    assert sorted((t.assignee, t.outcome) for t in outcome.closed) == [
        ("bob", TaskOutcome.NOT_NEEDED),
        ("carol", TaskOutcome.APPROVED),
        ("dave", TaskOutcome.NOT_NEEDED),
    ]


def test_threshold_completes_after_x_of_n():
    definition = Definition(
        "f",
        "f",
        (approver("n1", "bob", "carol", "dave", mode=Mode.THRESHOLD, threshold=2),),
    )
    state = start(definition)
    state = apply(definition, state, Approve("bob", at(1)), ORG).state
    assert state.status is Status.RUNNING
    assert open_tasks(state) == [("n1", "carol"), ("n1", "dave")]

    state = apply(definition, state, Approve("dave", at(2)), ORG).state

    assert state.status is Status.APPROVED
    assert state.open_tasks() == ()


def test_add_after_me_on_any_sign_waits_for_the_added_approver():
    definition = Definition("f", "f", (approver("n1", "bob", "carol", mode=Mode.ANY),))
    state = start(definition)

    state = apply(
        definition, state, AddApprover("bob", at(1), user="erin", before=False), ORG
    ).state
    assert open_tasks(state) == [("n1", "erin")]
    state = apply(definition, state, Approve("erin", at(2)), ORG).state

    assert state.status is Status.APPROVED


def seal_flow() -> Definition:
    many = Branch(
        "b-many",
        "超过10份",
        (approver("director", "dave"),),
        (Condition("copies", Op.GT, 10),),
    )
    other = Branch("b-other", "其他", (), is_default=True)
    return Definition(
        "seal",
        "用印申请",
        (
            approver("head", "bob"),
            ConditionNode("copies?", "份数", (many, other)),
            CcNode(
                "cc", "抄送印章管理员", Assignees(AssigneeKind.USERS, users=("erin",))
            ),
        ),
    )


def test_condition_branch_adds_the_office_director_for_many_copies():
    definition = seal_flow()
    state = start(definition, {"copies": 12})

    outcome = apply(definition, state, Approve("bob", at(1)), ORG)

    assert open_tasks(outcome.state) == [("director", "dave")]
    assert "条件分支：选择“超过10份”" in [e.text for e in outcome.events]


def test_default_branch_goes_straight_on_and_ccs():
    definition = seal_flow()
    state = start(definition, {"copies": 3})

    outcome = apply(definition, state, Approve("bob", at(1)), ORG)

    assert outcome.state.status is Status.APPROVED
    assert [(n.recipient, n.kind) for n in outcome.notifications] == [
        ("erin", "cc"),
        ("alice", "result"),
    ]


def test_parallel_branches_join_before_going_on():
    definition = Definition(
        "f",
        "f",
        (
            ParallelNode(
                "par",
                "并行",
                (
                    Branch(
                        "pa", "甲", (approver("a1", "bob"), approver("a2", "carol"))
                    ),
                    Branch("pb", "乙", (approver("b1", "dave"),)),
                ),
            ),
            approver("after", "erin"),
        ),
    )
    state = start(definition)
    assert open_tasks(state) == [("a1", "bob"), ("b1", "dave")]

    state = apply(definition, state, Approve("dave", at(1)), ORG).state
    assert open_tasks(state) == [("a1", "bob")]
    state = apply(definition, state, Approve("bob", at(2)), ORG).state
    assert open_tasks(state) == [("a2", "carol")]
    state = apply(definition, state, Approve("carol", at(3)), ORG).state

    assert open_tasks(state) == [("after", "erin")]


def test_flow_cc_at_submission_and_completion():
    definition = Definition(
        "f",
        "f",
        (approver("n1", "bob"),),
        cc=Assignees(AssigneeKind.USERS, users=("erin",)),
        cc_timing=CcTiming.BOTH,
    )
    submitted = apply(definition, State(), Submit("alice", at(0)), ORG)
    finished = apply(definition, submitted.state, Approve("bob", at(1)), ORG)

    assert [(n.recipient, n.text) for n in submitted.notifications] == [
        ("erin", "抄送：已提交申请"),
        ("bob", "待审批：指定人员"),
    ]
    assert [(n.recipient, n.text) for n in finished.notifications] == [
        ("alice", "审批已通过"),
        ("erin", "抄送：审批已通过"),
    ]


def test_dry_run_shows_path_approvers_and_reasons_without_side_effects():
    base = seal_flow()
    definition = Definition(
        base.key,
        base.name,
        (
            *base.nodes[:2],
            ApproverNode(
                "leader", "分管领导审批", Assignees(AssigneeKind.OVERSEEING_LEADER)
            ),
        ),
    )

    path = dry_run(definition, {"copies": 12}, "alice", ORG)

    assert [(s.node_id, s.approvers, s.note) for s in path.steps] == [
        ("start", (("alice", "发起人"),), ""),
        ("head", (("bob", "指定人员"),), ""),
        ("copies?", (), "满足条件 copies > 10，走分支“超过10份”"),
        ("director", (("dave", "指定人员"),), ""),
        ("leader", (("zhao", "分管领导：赵海涛"),), ""),
        ("end", (), ""),
    ]
    few = dry_run(definition, {"copies": 2}, "alice", ORG)
    assert [s.node_id for s in few.steps] == [
        "start",
        "head",
        "copies?",
        "leader",
        "end",
    ]
    assert few.steps[2].note == "其他条件均不满足，走默认分支“其他”"
    # With the form's labels, the condition names the field as the form does.
    labelled = dry_run(
        definition, {"copies": 12}, "alice", ORG, labels={"copies": "用印份数"}
    )
    assert labelled.steps[2].note == "满足条件 用印份数 > 10，走分支“超过10份”"
