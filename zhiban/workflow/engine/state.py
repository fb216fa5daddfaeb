"""Instance state, tasks, events, notifications and actions as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from .definitions import Form, UserRef


class Status(StrEnum):
    """Where an instance stands."""

    DRAFT = "draft"
    RUNNING = "running"
    RETURNED = "returned"  # back with the initiator, who may resubmit or withdraw
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


TERMINAL = frozenset(
    {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.REVOKED}
)


class TaskState(StrEnum):
    """Where a task stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskOutcome(StrEnum):
    """How a task was closed."""

    NONE = ""
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    TRANSFERRED = "transferred"
    ADDED_BEFORE = "added_before"  # handed to an added approver; reopens afterwards
    NOT_NEEDED = "not_needed"  # closed because the node completed without it
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Task:
    """One person's turn to act at one node run.

    ``extra`` marks tasks of added approvers (加签): they do not count towards the
    node's mode, but the node waits for them. ``resume_for`` is the approver whose
    task reopens when this (added-before) task is approved.
    """

    id: str
    node_id: str
    run: int
    assignee: UserRef
    reason: str
    state: TaskState = TaskState.OPEN
    outcome: TaskOutcome = TaskOutcome.NONE
    extra: bool = False
    resume_for: UserRef | None = None


@dataclass(frozen=True, slots=True)
class NodeRun:
    """An approver node that is currently active, with who must and who did approve."""

    node_id: str
    run: int
    approvers: tuple[UserRef, ...]
    reasons: tuple[str, ...]
    required: int
    approved: tuple[UserRef, ...] = ()
    satisfied: bool = False  # the mode is met; only added approvers remain
    entered_at: datetime | None = None
    timed_out: bool = False  # the node's timeout policy has been applied


@dataclass(frozen=True, slots=True)
class Event:
    """One explained thing that happened, for the timeline."""

    kind: str
    node_id: str
    text: str
    actor: UserRef | None = None
    on_behalf_of: UserRef | None = None
    users: tuple[UserRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Notification:
    """A message to send to one person."""

    recipient: UserRef
    kind: str  # task, cc, urge, result, returned, comment
    text: str
    node_id: str = ""


@dataclass(frozen=True, slots=True)
class State:
    """Everything the engine knows about one instance; equal states are identical."""

    status: Status = Status.DRAFT
    initiator: UserRef | None = None
    form: Form = field(default_factory=dict)
    picks: dict[str, tuple[UserRef, ...]] = field(default_factory=dict)
    runs: tuple[NodeRun, ...] = ()
    tasks: tuple[Task, ...] = ()
    reached: frozenset[str] = frozenset()
    completed: tuple[str, ...] = ()
    last_approvers: tuple[UserRef, ...] = ()
    # (target node, returning node) of a straight-back return; "" target = initiator.
    straight_back: tuple[str, str] | None = None
    acted: bool = False  # an approver acted since the last submission
    counter: int = 0
    submitted_at: datetime | None = None
    finished_at: datetime | None = None
    last_urged_at: datetime | None = None
    comments: int = 0

    def open_tasks(self) -> tuple[Task, ...]:
        """Return the open tasks."""
        return tuple(t for t in self.tasks if t.state is TaskState.OPEN)

    @property
    def is_finished(self) -> bool:
        """Return whether the instance is in a terminal state."""
        return self.status in TERMINAL


# --- actions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    """Base of every action: who acts, for whom (delegation) and when."""

    actor: UserRef
    at: datetime
    on_behalf_of: UserRef | None = None
    task_id: str = ""  # which of my open tasks, when I hold more than one

    @property
    def principal(self) -> UserRef:
        """Return the person in whose name the action is taken."""
        return self.on_behalf_of or self.actor


@dataclass(frozen=True, slots=True)
class Submit(Action):
    """Submit (or resubmit after a return) with the form and the initiator's picks."""

    form: Form = field(default_factory=dict)
    picks: dict[str, tuple[UserRef, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Approve(Action):
    """Approve my task, with an optional opinion."""

    opinion: str = ""


@dataclass(frozen=True, slots=True)
class Reject(Action):
    """Reject the instance; a reason is required."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Return(Action):
    """Return to the initiator (``to_node`` empty) or to an earlier approver node."""

    to_node: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Transfer(Action):
    """Hand my task to another person (转交).

    ``administrative``: a flow administrator (``actor``) reassigns the task held
    by ``on_behalf_of`` without a delegation from them, e.g. because the holder
    was deactivated. Who may do that is the caller's rule, not the engine's.
    """

    to_user: UserRef = ""
    reason: str = ""
    administrative: bool = False


@dataclass(frozen=True, slots=True)
class AddApprover(Action):
    """Add an approver before me (they approve first) or after me (I approve now)."""

    user: UserRef = ""
    before: bool = True
    opinion: str = ""


@dataclass(frozen=True, slots=True)
class Withdraw(Action):
    """Withdraw by the initiator (撤回)."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class Urge(Action):
    """Urge the people whose turn it is (催办)."""

    message: str = ""


@dataclass(frozen=True, slots=True)
class Comment(Action):
    """Comment on the instance, with attachment references."""

    text: str = ""
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timeout(Action):
    """Apply a node's timeout policy (sent by the scheduler, e.g. actor "system")."""

    node_id: str = ""


@dataclass(frozen=True, slots=True)
class Revoke(Action):
    """Revoke an approved instance (撤销) where the flow allows it."""

    reason: str = ""


type AnyAction = (
    Submit
    | Approve
    | Reject
    | Return
    | Transfer
    | AddApprover
    | Withdraw
    | Urge
    | Comment
    | Revoke
    | Timeout
)


ACTION_TYPES: dict[str, type[Action]] = {
    cls.__name__.lower(): cls
    for cls in (
        Submit,
        Approve,
        Reject,
        Return,
        Transfer,
        AddApprover,
        Withdraw,
        Urge,
        Comment,
        Revoke,
        Timeout,
    )
}


def action_to_dict(action: AnyAction) -> dict[str, Any]:
    """Return a JSON-able dict of an action, for the action log."""
    data: dict[str, Any] = {"type": type(action).__name__.lower()}
    for item in fields(action):
        value = getattr(action, item.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        elif item.name == "picks":
            value = {k: list(v) for k, v in value.items()}
        data[item.name] = value
    return data


def action_from_dict(data: dict[str, Any]) -> AnyAction:
    """Build an action from :func:`action_to_dict` output; raise ``KeyError`` if unknown."""
    cls = ACTION_TYPES[data["type"]]
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in data:
            continue
        value = data[item.name]
        if item.name == "at":
            value = datetime.fromisoformat(value)
        elif item.name == "attachments":
            value = tuple(value)
        elif item.name == "picks":
            value = {k: tuple(v) for k, v in value.items()}
        values[item.name] = value
    action: AnyAction = cls(**values)  # type: ignore[assignment]
    return action


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one action did: the new state and the side effects to carry out."""

    state: State
    opened: tuple[Task, ...] = ()
    closed: tuple[Task, ...] = ()
    notifications: tuple[Notification, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class PathStep:
    """One node of a dry run: what would happen there and who would approve."""

    node_id: str
    kind: str
    name: str
    approvers: tuple[tuple[UserRef, str], ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Path:
    """The nodes a dry run would walk, in order."""

    steps: tuple[PathStep, ...]


# --- storage --------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def state_to_dict(state: State) -> dict[str, Any]:
    """Return a JSON-able dict of a state that :func:`state_from_dict` turns back."""
    return {
        "status": state.status.value,
        "initiator": state.initiator,
        "form": dict(state.form),
        "picks": {k: list(v) for k, v in state.picks.items()},
        "runs": [
            {
                "node_id": run.node_id,
                "run": run.run,
                "approvers": list(run.approvers),
                "reasons": list(run.reasons),
                "required": run.required,
                "approved": list(run.approved),
                "satisfied": run.satisfied,
                "entered_at": _when(run.entered_at),
                "timed_out": run.timed_out,
            }
            for run in state.runs
        ],
        "tasks": [
            {
                "id": task.id,
                "node_id": task.node_id,
                "run": task.run,
                "assignee": task.assignee,
                "reason": task.reason,
                "state": task.state.value,
                "outcome": task.outcome.value,
                "extra": task.extra,
                "resume_for": task.resume_for,
            }
            for task in state.tasks
        ],
        "reached": sorted(state.reached),
        "completed": list(state.completed),
        "last_approvers": list(state.last_approvers),
        "straight_back": list(state.straight_back) if state.straight_back else None,
        "acted": state.acted,
        "counter": state.counter,
        "submitted_at": _when(state.submitted_at),
        "finished_at": _when(state.finished_at),
        "last_urged_at": _when(state.last_urged_at),
        "comments": state.comments,
    }


def state_from_dict(data: dict[str, Any]) -> State:
    """Build a state from :func:`state_to_dict` output."""
    straight = data.get("straight_back")
    return State(
        status=Status(data["status"]),
        initiator=data.get("initiator"),
        form=dict(data.get("form", {})),
        picks={k: tuple(v) for k, v in data.get("picks", {}).items()},
        runs=tuple(
            NodeRun(
                node_id=run["node_id"],
                run=int(run["run"]),
                approvers=tuple(run["approvers"]),
                reasons=tuple(run["reasons"]),
                required=int(run["required"]),
                approved=tuple(run["approved"]),
                satisfied=bool(run["satisfied"]),
                entered_at=_parse_when(run.get("entered_at")),
                timed_out=bool(run.get("timed_out", False)),
            )
            for run in data.get("runs", ())
        ),
        tasks=tuple(
            Task(
                id=task["id"],
                node_id=task["node_id"],
                run=int(task["run"]),
                assignee=task["assignee"],
                reason=task["reason"],
                state=TaskState(task["state"]),
                outcome=TaskOutcome(task["outcome"]),
                extra=bool(task["extra"]),
                resume_for=task.get("resume_for"),
            )
            for task in data.get("tasks", ())
        ),
        reached=frozenset(data.get("reached", ())),
        completed=tuple(data.get("completed", ())),
        last_approvers=tuple(data.get("last_approvers", ())),
        straight_back=(straight[0], straight[1]) if straight else None,
        acted=bool(data.get("acted", False)),
        counter=int(data.get("counter", 0)),
        submitted_at=_parse_when(data.get("submitted_at")),
        finished_at=_parse_when(data.get("finished_at")),
        last_urged_at=_parse_when(data.get("last_urged_at")),
        comments=int(data.get("comments", 0)),
    )
