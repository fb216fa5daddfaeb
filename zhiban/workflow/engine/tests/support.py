"""Shared test fixtures for the engine: an in-memory organisation and small flows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zhiban.workflow.engine import (
    ApproverNode,
    AssigneeKind,
    Assignees,
    InMemoryOrg,
    Mode,
)

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    """Return a fixed time ``minutes`` after T0."""
    return T0 + timedelta(minutes=minutes)


ORG = InMemoryOrg(
    user_units={
        "alice": "hq",
        "bob": "hq",
        "carol": "hq",
        "dave": "hq",
        "erin": "hq",
        "mia": "mine",
    },
    user_departments={
        "alice": "prod",
        "bob": "prod",
        "carol": "office",
        "dave": "office",
        "erin": "office",
        "mia": "mine-office",
    },
    roles={("office_director", "hq"): ("dave",), ("office_director", "mine"): ()},
    heads={
        "prod": ("bob",),
        "ops": ("carol",),
        "board": ("erin",),
        "office": ("dave",),
    },
    parents={"prod": "ops", "ops": "board", "office": "board"},
    leaders={"prod": "zhao", "office": "erin"},
    delegations=frozenset({("bob", "carol")}),
    names={
        "alice": "李爱丽",
        "bob": "王博",
        "carol": "陈卡",
        "dave": "丁大为",
        "erin": "尔琳",
        "zhao": "赵海涛",
        "prod": "生产技术部",
        "ops": "运营中心",
        "board": "集团领导",
        "office": "综合办公室",
        "hq": "集团本部",
        "mine": "一号矿",
        "office_director": "办公室主任",
    },
)


def users(*people: str) -> Assignees:
    """Return an assignee spec naming the users."""
    return Assignees(AssigneeKind.USERS, users=people)


def approver(
    node_id: str, *people: str, mode: Mode = Mode.SEQUENTIAL, **options: object
) -> ApproverNode:
    """Return an approver node of named users."""
    return ApproverNode(node_id, f"审批{node_id}", users(*people), mode, **options)  # type: ignore[arg-type]
