"""Property tests: random valid flows and random action sequences keep the invariants.

Invariants (issue 3): an instance reaches at most one terminal state and never
leaves it (the one recorded exception: 撤销 turns approved into revoked); a 会签
node never completes without every required approval; a 或签 node completes on the
first approval and closes the others' tasks; a rejected or withdrawn instance has
no open tasks; nobody holds a task for a node not yet reached; replaying the
action log reproduces the state exactly. Also: a running instance always has an
open task (it never gets stuck), and a refused action changes nothing.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from zhiban.workflow.engine import (
    AddApprover,
    Approve,
    ApproverNode,
    AssigneeKind,
    Assignees,
    Branch,
    CcNode,
    Comment,
    Condition,
    ConditionNode,
    Definition,
    EmptyPolicy,
    EngineError,
    InitiatorPolicy,
    Mode,
    Op,
    Outcome,
    ParallelNode,
    Reject,
    Return,
    ReturnPolicy,
    Revoke,
    State,
    Status,
    Submit,
    TaskOutcome,
    TaskState,
    Timeout,
    TimeoutPolicy,
    Transfer,
    Urge,
    Withdraw,
    action_from_dict,
    action_to_dict,
    apply,
    replay,
    state_from_dict,
    state_to_dict,
    validate,
)

from .support import ORG, T0

# ZHIBAN_ENGINE_EXAMPLES runs a deeper search (e.g. 5000) without editing the file.
settings.register_profile(
    "engine",
    max_examples=int(os.environ.get("ZHIBAN_ENGINE_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ENGINE = settings.get_profile("engine")

POOL = ("alice", "bob", "carol", "dave", "erin", "zhao")
TERMINAL = {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.REVOKED}


@st.composite
def assignees(draw: st.DrawFn) -> Assignees:
    kind = draw(st.sampled_from(list(AssigneeKind)))
    if kind is AssigneeKind.USERS:
        people = draw(
            st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True)
        )
        return Assignees(kind, users=tuple(people))
    if kind is AssigneeKind.ROLE:
        return Assignees(kind, role="office_director")
    if kind is AssigneeKind.LEVELS_UP:
        return Assignees(kind, levels=draw(st.integers(1, 3)))
    if kind is AssigneeKind.FORM_FIELD:
        return Assignees(kind, field="person")
    return Assignees(kind)


@st.composite
def approver_nodes(draw: st.DrawFn, ident: str) -> ApproverNode:
    spec = draw(assignees())
    mode = draw(st.sampled_from(list(Mode)))
    limit = len(spec.users) if spec.kind is AssigneeKind.USERS else 3
    when_empty = draw(st.sampled_from(list(EmptyPolicy)))
    fallback: tuple[str, ...] = ()
    if when_empty is EmptyPolicy.FALLBACK:
        fallback = tuple(
            draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=2, unique=True))
        )
    return ApproverNode(
        ident,
        f"节点{ident}",
        spec,
        mode,
        threshold=draw(st.integers(1, limit)) if mode is Mode.THRESHOLD else 0,
        initiator_policy=draw(st.sampled_from(list(InitiatorPolicy))),
        skip_same_as_previous=draw(st.booleans()),
        when_empty=when_empty,
        fallback_users=fallback,
        return_policy=draw(st.sampled_from(list(ReturnPolicy))),
        timeout_minutes=draw(st.sampled_from([0, 10, 30])),
        on_timeout=draw(st.sampled_from(list(TimeoutPolicy))),
        escalate_to=("erin",),
    )


@st.composite
def sequences(draw: st.DrawFn, depth: int, ids: list[int], least: int) -> tuple:
    kinds = ["approver", "approver", "approver", "cc"]
    if depth < 2:
        kinds += ["condition", "parallel"]
    nodes: list[Any] = []
    for _ in range(draw(st.integers(least, 3))):
        ids[0] += 1
        ident = f"n{ids[0]}"
        kind = draw(st.sampled_from(kinds))
        if kind == "approver":
            nodes.append(draw(approver_nodes(ident)))
        elif kind == "cc":
            nodes.append(CcNode(ident, f"抄送{ident}", draw(assignees())))
        elif kind == "condition":
            tests = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([Op.GT, Op.LE, Op.EQ]),
                        st.sampled_from([0, 5, 10]),
                    ),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            )
            branches = []
            for index, (op, value) in enumerate(tests):
                branches.append(
                    Branch(
                        f"{ident}b{index}",
                        f"分支{index}",
                        draw(sequences(depth + 1, ids, 0)),
                        (Condition("amount", op, value),),
                    )
                )
            branches.append(
                Branch(
                    f"{ident}d",
                    "默认",
                    draw(sequences(depth + 1, ids, 0)),
                    is_default=True,
                )
            )
            nodes.append(ConditionNode(ident, f"条件{ident}", tuple(branches)))
        else:
            count = draw(st.integers(2, 3))
            nodes.append(
                ParallelNode(
                    ident,
                    f"并行{ident}",
                    tuple(
                        Branch(
                            f"{ident}p{i}",
                            f"并行{i}",
                            draw(sequences(depth + 1, ids, 1)),
                        )
                        for i in range(count)
                    ),
                )
            )
    return tuple(nodes)


@st.composite
def definitions(draw: st.DrawFn) -> Definition:
    return Definition(
        "flow",
        "随机流程",
        draw(sequences(0, [0], 1)),
        allow_withdraw_after_action=draw(st.booleans()),
        allow_revoke=draw(st.booleans()),
    )


KINDS = (
    "approve",
    "approve",
    "approve",
    "approve",
    "approve",
    "approve",
    "reject",
    "return",
    "transfer",
    "reassign",
    "add",
    "withdraw",
    "urge",
    "comment",
    "revoke",
    "submit",
    "timeout",
    "stranger",
)
moves = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 11), st.integers(0, 11)),
    max_size=30,
)
forms = st.fixed_dictionaries(
    {"amount": st.sampled_from([0, 5, 10, 20]), "person": st.sampled_from(POOL)}
)


def make_action(
    definition: Definition, state: State, move: tuple[str, int, int], at: datetime
) -> Any:
    kind, i, j = move
    initiator = state.initiator or "alice"
    tasks = state.open_tasks()
    task = tasks[i % len(tasks)] if tasks else None
    actor = task.assignee if task else POOL[i % len(POOL)]
    task_id = task.id if task else ""
    other = POOL[j % len(POOL)]
    if kind == "approve":
        return Approve(actor, at, task_id=task_id)
    if kind == "reject":
        return Reject(actor, at, task_id=task_id, reason="" if j % 4 == 0 else "不同意")
    if kind == "return":
        targets = ["", *(n for n in state.completed if n in definition.nodes_by_id)]
        return Return(actor, at, task_id=task_id, to_node=targets[j % len(targets)])
    if kind == "transfer":
        return Transfer(actor, at, task_id=task_id, to_user=other)
    if kind == "reassign":  # an administrator hands the holder's task on
        return Transfer(
            "admin",
            at,
            on_behalf_of=actor,
            task_id=task_id,
            to_user=other,
            administrative=True,
        )
    if kind == "add":
        return AddApprover(actor, at, task_id=task_id, user=other, before=j % 2 == 0)
    if kind == "withdraw":
        return Withdraw(initiator if i % 5 else other, at)
    if kind == "urge":
        return Urge(initiator, at)
    if kind == "comment":
        return Comment(other, at, text="意见" if i % 3 else "")
    if kind == "revoke":
        return Revoke(initiator, at)
    if kind == "timeout":
        nodes = [run.node_id for run in state.runs] or ["n1"]
        return Timeout("system", at, node_id=nodes[j % len(nodes)])
    if kind == "submit":
        return Submit(initiator, at, form={"amount": (5, 20)[j % 2], "person": other})
    return Approve(other, at)


def check_state(state: State) -> None:
    """Invariants that hold for every single state."""
    open_tasks = state.open_tasks()
    runs = {run.node_id: run for run in state.runs}
    for task in open_tasks:
        # Nobody holds a task for a node not reached (nor for a finished run).
        assert task.node_id in state.reached
        assert task.node_id in runs
        assert runs[task.node_id].run == task.run
    assert all(run.node_id in state.reached for run in state.runs)
    pairs = [(t.run, t.assignee) for t in open_tasks]
    assert len(pairs) == len(set(pairs))
    if state.status in TERMINAL or state.status is Status.RETURNED:
        assert open_tasks == ()
        assert state.runs == ()
    if state.status is Status.RUNNING:
        assert open_tasks, "a running instance must wait for someone"


def check_step(
    definition: Definition, before: State, action: Any, outcome: Outcome
) -> None:
    """Invariants about one transition."""
    after = outcome.state
    completed = {e.node_id for e in outcome.events if e.kind == "completed"}
    if before.status in TERMINAL:
        assert after.status == before.status or (
            before.status is Status.APPROVED and after.status is Status.REVOKED
        )
    tasks_after = {t.id: t for t in after.tasks}
    for run in before.runs:
        node = definition.nodes_by_id[run.node_id]
        assert isinstance(node, ApproverNode)
        passed = run.node_id in completed
        if passed:
            assert all(r.run != run.run for r in after.runs)
        approved = {
            t.assignee
            for t in after.tasks
            if t.run == run.run and not t.extra and t.outcome is TaskOutcome.APPROVED
        }
        if passed and isinstance(action, Timeout):
            # The one recorded exception: a timeout auto-pass completes the node.
            assert node.on_timeout is TimeoutPolicy.AUTO_PASS
            assert f"{node.name}：超时自动通过" in [e.text for e in outcome.events]
            continue
        if passed and node.mode in (Mode.ALL, Mode.SEQUENTIAL):
            # 会签 (and 依次): every required approver approved.
            assert set(run.approvers) <= approved
        if passed:
            assert len(approved) >= run.required
        if (
            node.mode is Mode.ANY
            and isinstance(action, Approve)
            and action.task_id
            and action.task_id in tasks_after
        ):
            acted = tasks_after[action.task_id]
            if acted.run == run.run and not acted.extra:
                # 或签: the first approval closes everyone else's task at once ...
                assert not any(
                    t.run == run.run and not t.extra and t.state is TaskState.OPEN
                    for t in after.tasks
                )
                # ... and completes the node unless an added approver is still due.
                extra_open = any(
                    t.run == run.run and t.extra and t.state is TaskState.OPEN
                    for t in after.tasks
                )
                assert passed or extra_open


@ENGINE
@given(definitions())
def test_generated_definitions_are_valid(definition: Definition) -> None:
    assert validate(definition) == []


@ENGINE
@given(definitions(), forms, moves, st.sampled_from(("alice", "bob", "mia")))
def test_random_action_sequences_keep_the_invariants(
    definition: Definition,
    form: dict[str, Any],
    steps: list[tuple[str, int, int]],
    initiator: str,
) -> None:
    picks: dict[str, tuple[str, ...]] = {
        node.id: (POOL[len(node.id) % len(POOL)],)
        for node in definition.approver_nodes()
    }
    first = Submit(initiator, T0, form=form, picks=picks)
    state = apply(definition, State(), first, ORG).state
    log: list[Any] = [first]
    terminals: list[Status] = [state.status] if state.status in TERMINAL else []
    check_state(state)
    clock = T0
    for move in steps:
        # Between 1 and 25 minutes pass: some urges come too soon, some timeouts due.
        clock += timedelta(minutes=1 + (move[1] * move[2]) % 25)
        action = make_action(definition, state, move, clock)
        try:
            outcome = apply(definition, state, action, ORG)
        except EngineError as error:
            event(f"refused {type(action).__name__}: {type(error).__name__}")
            continue
        event(f"done {type(action).__name__}")
        after = outcome.state
        check_state(after)
        check_step(definition, state, action, outcome)
        if after.status in TERMINAL and after.status != state.status:
            terminals.append(after.status)
        log.append(action)
        state = after

    event(f"final {state.status.value}")
    assert terminals in ([], [Status.APPROVED, Status.REVOKED]) or len(terminals) == 1
    assert replay(definition, log, ORG) == state
    # The log survives storage as JSON and still replays to the same state.
    stored = json.loads(
        json.dumps([action_to_dict(a) for a in log], ensure_ascii=False)
    )
    assert replay(definition, [action_from_dict(a) for a in stored], ORG) == state
    # So does the state itself, for the Django side to store beside the log.
    saved = json.loads(json.dumps(state_to_dict(state), ensure_ascii=False))
    assert state_from_dict(saved) == state
