"""Flow definitions: a node tree as in the DingTalk designer, as frozen dataclasses.

A definition is the sequence of nodes between the implicit start (the initiator
submits) and the implicit end (the instance is approved). A node is an approver
node, a CC node, a condition node (ordered branches, one default) or a parallel
node (branches that all run and join). Definitions round-trip through plain
JSON-able dicts with :func:`definition_to_dict` / :func:`definition_from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

type UserRef = str
type FormValue = Any
type Form = dict[str, FormValue]


class Mode(StrEnum):
    """How the approvers of one node decide."""

    SEQUENTIAL = "sequential"  # 依次
    ALL = "all"  # 会签
    ANY = "any"  # 或签
    THRESHOLD = "threshold"  # X of N


class AssigneeKind(StrEnum):
    """Where the approvers (or CC recipients) of a node come from."""

    USERS = "users"  # named users
    ROLE = "role"  # a role within the initiator's unit
    DEPARTMENT_HEAD = "department_head"  # head of the initiator's department
    LEVELS_UP = "levels_up"  # 连续多级主管: N levels up the department tree
    OVERSEEING_LEADER = "overseeing_leader"  # 分管领导 of the initiator's department
    INITIATOR_PICK = "initiator_pick"  # chosen by the initiator on submission
    FORM_FIELD = "form_field"  # a person (or people) taken from a form field


class InitiatorPolicy(StrEnum):
    """What to do when the initiator resolves as an approver of a node."""

    APPROVE = "approve"  # the initiator approves their own request
    SKIP = "skip"  # the initiator is skipped (recorded)


class EmptyPolicy(StrEnum):
    """What to do when nobody resolves as approver of a node."""

    FALLBACK = "fallback"  # hand the node to the fallback users
    AUTO_PASS = "auto_pass"  # noqa: S105 - pass the node automatically (recorded)


class ReturnPolicy(StrEnum):
    """Where a node that returned an instance is walked back to."""

    REWALK = "rewalk"  # walk every node between the target and this node again
    STRAIGHT_BACK = "straight_back"  # come straight back to this node


class TimeoutPolicy(StrEnum):
    """What to do when an approver node waits longer than its timeout."""

    REMIND = "remind"  # remind the people whose turn it is
    ESCALATE = "escalate"  # tell the escalation contacts
    AUTO_PASS = "auto_pass"  # noqa: S105 - pass the node automatically (recorded)


class CcTiming(StrEnum):
    """When the flow-level CC recipients are told."""

    SUBMISSION = "submission"
    COMPLETION = "completion"
    BOTH = "both"


class Op(StrEnum):
    """Comparison operators of a branch condition."""

    EQ = "=="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    IN = "in"
    CONTAINS = "contains"


@dataclass(frozen=True, slots=True)
class Assignees:
    """Describe who a node's people are; which fields matter depends on ``kind``."""

    kind: AssigneeKind
    users: tuple[UserRef, ...] = ()
    role: str = ""
    levels: int = 1
    field: str = ""


@dataclass(frozen=True, slots=True)
class ApproverNode:
    """Ask one or more people to approve, in the node's mode, under its policies."""

    id: str
    name: str
    assignees: Assignees
    mode: Mode = Mode.SEQUENTIAL
    threshold: int = 0
    initiator_policy: InitiatorPolicy = InitiatorPolicy.APPROVE
    skip_same_as_previous: bool = False
    when_empty: EmptyPolicy = EmptyPolicy.AUTO_PASS
    fallback_users: tuple[UserRef, ...] = ()
    return_policy: ReturnPolicy = ReturnPolicy.REWALK
    timeout_minutes: int = 0  # 0: no timeout
    on_timeout: TimeoutPolicy = TimeoutPolicy.REMIND
    escalate_to: tuple[UserRef, ...] = ()


@dataclass(frozen=True, slots=True)
class CcNode:
    """Tell people about the instance when the walk reaches this node."""

    id: str
    name: str
    assignees: Assignees


@dataclass(frozen=True, slots=True)
class Condition:
    """Compare one form field with a value: ``form[field] op value``."""

    field: str
    op: Op
    value: FormValue


@dataclass(frozen=True, slots=True)
class Branch:
    """One branch of a condition or parallel node: its conditions and its nodes."""

    id: str
    name: str
    nodes: tuple[Node, ...] = ()
    conditions: tuple[Condition, ...] = ()
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class ConditionNode:
    """Take the first branch whose conditions all hold, else the default branch."""

    id: str
    name: str
    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class ParallelNode:
    """Run every branch at once; continue when all of them have finished."""

    id: str
    name: str
    branches: tuple[Branch, ...]


type Node = ApproverNode | CcNode | ConditionNode | ParallelNode


@dataclass(frozen=True, slots=True)
class Location:
    """Where a node sits: its sequence, its index there and the node owning it."""

    sequence: tuple[Node, ...]
    index: int
    owner: ConditionNode | ParallelNode | None
    in_parallel: bool


@dataclass(frozen=True)
class Definition:
    """A flow: settings plus the node sequence between start and end."""

    key: str
    name: str
    nodes: tuple[Node, ...]
    cc: Assignees | None = None
    cc_timing: CcTiming = CcTiming.COMPLETION
    allow_withdraw_after_action: bool = False
    allow_revoke: bool = False
    urge_interval_seconds: int = 600
    # The form fields' labels by key, for the texts that name a field (a person
    # chosen in a form field). They belong to the form schema, not to the stored
    # definition: the loader passes them in, and they are never serialised.
    field_labels: Mapping[str, str] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    # Derived lookups, built once so that every transition is a dict lookup.
    nodes_by_id: dict[str, Node] = field(
        init=False, compare=False, repr=False, hash=False
    )
    locations: dict[str, Location] = field(
        init=False, compare=False, repr=False, hash=False
    )
    # Set by the engine the first time it validates this definition.
    checked: tuple[object, ...] | None = field(
        init=False, default=None, compare=False, repr=False, hash=False
    )

    def __post_init__(self) -> None:
        """Index every node by id (the first wins; validation reports duplicates)."""
        nodes: dict[str, Node] = {}
        locations: dict[str, Location] = {}

        def walk(
            sequence: tuple[Node, ...],
            owner: ConditionNode | ParallelNode | None,
            in_parallel: bool,
        ) -> None:
            for index, node in enumerate(sequence):
                if node.id not in nodes:
                    nodes[node.id] = node
                    locations[node.id] = Location(sequence, index, owner, in_parallel)
                if isinstance(node, ConditionNode | ParallelNode):
                    inner = in_parallel or isinstance(node, ParallelNode)
                    for branch in node.branches:
                        walk(branch.nodes, node, inner)

        walk(self.nodes, None, False)
        object.__setattr__(self, "nodes_by_id", nodes)
        object.__setattr__(self, "locations", locations)

    def approver_nodes(self) -> tuple[ApproverNode, ...]:
        """Return every approver node in walk order."""
        return tuple(
            n for n in self.nodes_by_id.values() if isinstance(n, ApproverNode)
        )


# --- serialisation --------------------------------------------------------------


def _freeze(value: FormValue) -> FormValue:
    """Turn lists into tuples so that definitions stay hashable and comparable."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: FormValue) -> FormValue:
    """Turn tuples back into lists for JSON."""
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _assignees_to_dict(spec: Assignees) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": spec.kind.value}
    if spec.users:
        data["users"] = list(spec.users)
    if spec.role:
        data["role"] = spec.role
    if spec.kind is AssigneeKind.LEVELS_UP:
        data["levels"] = spec.levels
    if spec.field:
        data["field"] = spec.field
    return data


def _assignees_from_dict(data: dict[str, Any]) -> Assignees:
    return Assignees(
        kind=AssigneeKind(data["kind"]),
        users=tuple(str(u) for u in data.get("users", ())),
        role=str(data.get("role", "")),
        levels=int(data.get("levels", 1)),
        field=str(data.get("field", "")),
    )


def node_to_dict(node: Node) -> dict[str, Any]:
    """Return a JSON-able dict for one node (and its branches)."""
    if isinstance(node, ApproverNode):
        return {
            "type": "approver",
            "id": node.id,
            "name": node.name,
            "assignees": _assignees_to_dict(node.assignees),
            "mode": node.mode.value,
            "threshold": node.threshold,
            "initiator_policy": node.initiator_policy.value,
            "skip_same_as_previous": node.skip_same_as_previous,
            "when_empty": node.when_empty.value,
            "fallback_users": list(node.fallback_users),
            "return_policy": node.return_policy.value,
            "timeout_minutes": node.timeout_minutes,
            "on_timeout": node.on_timeout.value,
            "escalate_to": list(node.escalate_to),
        }
    if isinstance(node, CcNode):
        return {
            "type": "cc",
            "id": node.id,
            "name": node.name,
            "assignees": _assignees_to_dict(node.assignees),
        }
    kind = "condition" if isinstance(node, ConditionNode) else "parallel"
    return {
        "type": kind,
        "id": node.id,
        "name": node.name,
        "branches": [
            {
                "id": b.id,
                "name": b.name,
                "is_default": b.is_default,
                "conditions": [
                    {"field": c.field, "op": c.op.value, "value": _thaw(c.value)}
                    for c in b.conditions
                ],
                "nodes": [node_to_dict(n) for n in b.nodes],
            }
            for b in node.branches
        ],
    }


def node_from_dict(data: dict[str, Any]) -> Node:
    """Build one node from its dict; raise ``ValueError`` or ``KeyError`` if malformed."""
    kind = data["type"]
    if kind == "approver":
        return ApproverNode(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            assignees=_assignees_from_dict(data["assignees"]),
            mode=Mode(data.get("mode", Mode.SEQUENTIAL.value)),
            threshold=int(data.get("threshold", 0)),
            initiator_policy=InitiatorPolicy(
                data.get("initiator_policy", InitiatorPolicy.APPROVE.value)
            ),
            skip_same_as_previous=bool(data.get("skip_same_as_previous", False)),
            when_empty=EmptyPolicy(data.get("when_empty", EmptyPolicy.AUTO_PASS.value)),
            fallback_users=tuple(str(u) for u in data.get("fallback_users", ())),
            return_policy=ReturnPolicy(
                data.get("return_policy", ReturnPolicy.REWALK.value)
            ),
            timeout_minutes=int(data.get("timeout_minutes", 0)),
            on_timeout=TimeoutPolicy(
                data.get("on_timeout", TimeoutPolicy.REMIND.value)
            ),
            escalate_to=tuple(str(u) for u in data.get("escalate_to", ())),
        )
    if kind == "cc":
        return CcNode(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            assignees=_assignees_from_dict(data["assignees"]),
        )
    if kind in ("condition", "parallel"):
        branches = tuple(
            Branch(
                id=str(b["id"]),
                name=str(b.get("name", "")),
                is_default=bool(b.get("is_default", False)),
                conditions=tuple(
                    Condition(str(c["field"]), Op(c["op"]), _freeze(c.get("value")))
                    for c in b.get("conditions", ())
                ),
                nodes=tuple(node_from_dict(n) for n in b.get("nodes", ())),
            )
            for b in data.get("branches", ())
        )
        if kind == "condition":
            return ConditionNode(str(data["id"]), str(data.get("name", "")), branches)
        return ParallelNode(str(data["id"]), str(data.get("name", "")), branches)
    raise ValueError(f"unknown node type {kind!r}")


def definition_to_dict(definition: Definition) -> dict[str, Any]:
    """Return a JSON-able dict that :func:`definition_from_dict` turns back."""
    return {
        "key": definition.key,
        "name": definition.name,
        "nodes": [node_to_dict(n) for n in definition.nodes],
        "cc": _assignees_to_dict(definition.cc) if definition.cc else None,
        "cc_timing": definition.cc_timing.value,
        "allow_withdraw_after_action": definition.allow_withdraw_after_action,
        "allow_revoke": definition.allow_revoke,
        "urge_interval_seconds": definition.urge_interval_seconds,
    }


def definition_from_dict(
    data: dict[str, Any], *, field_labels: Mapping[str, str] | None = None
) -> Definition:
    """Build a definition from its dict; raise ``ValueError``/``KeyError`` if malformed.

    ``field_labels`` names the form fields (key → label) for the reasons that
    name one.
    """
    cc = data.get("cc")
    return Definition(
        key=str(data["key"]),
        name=str(data.get("name", "")),
        nodes=tuple(node_from_dict(n) for n in data.get("nodes", ())),
        cc=_assignees_from_dict(cc) if cc else None,
        cc_timing=CcTiming(data.get("cc_timing", CcTiming.COMPLETION.value)),
        allow_withdraw_after_action=bool(
            data.get("allow_withdraw_after_action", False)
        ),
        allow_revoke=bool(data.get("allow_revoke", False)),
        urge_interval_seconds=int(data.get("urge_interval_seconds", 600)),
        field_labels=dict(field_labels or {}),
    )
