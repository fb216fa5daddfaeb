"""Walking a definition: resolving nodes, opening and closing tasks, joining branches.

:class:`Walker` holds a mutable copy of one instance's state for the length of one
action; :mod:`.core` subclasses it with the actions.
"""

from __future__ import annotations

from .definitions import (
    ApproverNode,
    CcNode,
    CcTiming,
    ConditionNode,
    Definition,
    EmptyPolicy,
    InitiatorPolicy,
    Mode,
    Node,
    UserRef,
)
from .errors import (
    InvalidDefinition,
)
from .org import OrgFacts, ResolvedApprover, resolve_assignees
from .state import (
    AnyAction,
    Event,
    NodeRun,
    Notification,
    Outcome,
    State,
    Status,
    Task,
    TaskOutcome,
    TaskState,
)
from .validation import choose_branch, validate

NOTE_SKIP_INITIATOR = "发起人本人，自动跳过"
NOTE_SKIP_SAME = "与上一节点审批人相同，自动跳过"
NOTE_FALLBACK = "无人可审，转交兜底人员"
NOTE_NOBODY_PASSES = "无人可审，自动通过"
NOTE_ALL_SKIPPED = "审批人均已跳过，自动通过"
NOTE_INACTIVE = "已停用，跳过"


def active_people(
    resolved: tuple[ResolvedApprover, ...], facts: OrgFacts | None
) -> tuple[tuple[ResolvedApprover, ...], tuple[str, ...]]:
    """Return the resolved people who are active, and a note for each one dropped."""
    if facts is None:
        return resolved, ()
    kept = tuple(p for p in resolved if facts.is_active(p.user))
    notes = tuple(
        f"{facts.user_name(p.user)}{NOTE_INACTIVE}"
        for p in resolved
        if not facts.is_active(p.user)
    )
    return kept, notes


def apply_node_policies(
    node: ApproverNode,
    resolved: tuple[ResolvedApprover, ...],
    *,
    initiator: UserRef,
    previous: tuple[UserRef, ...],
    facts: OrgFacts | None = None,
) -> tuple[tuple[ResolvedApprover, ...], tuple[str, ...]]:
    """Return the approvers left after the node's policies, and notes on what was done.

    No approvers left means the node passes; the notes say why. With ``facts``,
    deactivated people are dropped first (noted): a node left with nobody falls
    to its when-empty policy, whose fallback people must be active too.
    """
    people: list[ResolvedApprover] = []
    resolved, dropped = active_people(resolved, facts)
    notes: list[str] = list(dropped)
    for person in resolved:
        if person.user == initiator and node.initiator_policy is InitiatorPolicy.SKIP:
            notes.append(NOTE_SKIP_INITIATOR)
        elif node.skip_same_as_previous and person.user in previous:
            notes.append(NOTE_SKIP_SAME)
        else:
            people.append(person)
    if people:
        return tuple(people), tuple(notes)
    if resolved:
        return (), (*notes, NOTE_ALL_SKIPPED)
    fallback = tuple(
        user
        for user in dict.fromkeys(node.fallback_users)
        if facts is None or facts.is_active(user)
    )
    if node.when_empty is EmptyPolicy.FALLBACK and fallback:
        return tuple(ResolvedApprover(u, NOTE_FALLBACK) for u in fallback), (
            *notes,
            NOTE_FALLBACK,
        )
    return (), (*notes, NOTE_NOBODY_PASSES)


def required_approvals(node: ApproverNode, count: int) -> int:
    """Return how many approvals of ``count`` approvers complete the node."""
    if node.mode is Mode.ANY:
        return 1
    if node.mode is Mode.THRESHOLD:
        return max(1, min(node.threshold, count))
    return count


def ensure_valid(definition: Definition) -> None:
    """Raise :class:`InvalidDefinition` unless the definition validates (cached)."""
    if definition.checked is None:
        object.__setattr__(definition, "checked", tuple(validate(definition)))
    if definition.checked:
        first = definition.checked[0]
        raise InvalidDefinition(
            f"The flow definition is invalid: {first}", f"流程定义有误：{first}"
        )


class Walker:
    """Carry one action's work: a mutable copy of the state plus the side effects."""

    def __init__(
        self, definition: Definition, state: State, action: AnyAction, facts: OrgFacts
    ) -> None:
        self.definition = definition
        self.facts = facts
        self.action = action
        self.status = state.status
        self.initiator = state.initiator
        self.form = state.form
        self.picks = state.picks
        self.runs: dict[str, NodeRun] = {run.node_id: run for run in state.runs}
        self.tasks: list[Task] = list(state.tasks)
        self.reached = state.reached
        self.completed = state.completed
        self.last_approvers = state.last_approvers
        self.straight_back = state.straight_back
        self.acted = state.acted
        self.counter = state.counter
        self.submitted_at = state.submitted_at
        self.finished_at = state.finished_at
        self.last_urged_at = state.last_urged_at
        self.comments = state.comments
        self.opened: list[Task] = []
        self.closed: list[Task] = []
        self.notifications: list[Notification] = []
        self.events: list[Event] = []

    # --- bookkeeping ------------------------------------------------------------

    def outcome(self) -> Outcome:
        """Freeze the work into an :class:`Outcome`."""
        state = State(
            status=self.status,
            initiator=self.initiator,
            form=self.form,
            picks=self.picks,
            runs=tuple(self.runs.values()),
            tasks=tuple(self.tasks),
            reached=self.reached,
            completed=self.completed,
            last_approvers=self.last_approvers,
            straight_back=self.straight_back,
            acted=self.acted,
            counter=self.counter,
            submitted_at=self.submitted_at,
            finished_at=self.finished_at,
            last_urged_at=self.last_urged_at,
            comments=self.comments,
        )
        return Outcome(
            state,
            tuple(self.opened),
            tuple(self.closed),
            tuple(self.notifications),
            tuple(self.events),
        )

    def event(self, kind: str, node_id: str, text: str, *users: UserRef) -> None:
        """Record an explained event, attributed to the action's actor."""
        self.events.append(
            Event(
                kind,
                node_id,
                text,
                self.action.actor,
                self.action.on_behalf_of,
                users,
            )
        )

    def notify(
        self, recipient: UserRef, kind: str, text: str, node_id: str = ""
    ) -> None:
        """Queue a notification."""
        self.notifications.append(Notification(recipient, kind, text, node_id))

    def name(self, user: UserRef) -> str:
        """Return a user's display name."""
        return self.facts.user_name(user)

    def open_task(
        self,
        run: NodeRun,
        assignee: UserRef,
        reason: str,
        *,
        extra: bool = False,
        resume_for: UserRef | None = None,
    ) -> None:
        """Open a task at the run for the assignee and tell them."""
        self.counter += 1
        task = Task(
            f"t{self.counter}",
            run.node_id,
            run.run,
            assignee,
            reason,
            extra=extra,
            resume_for=resume_for,
        )
        self.tasks.append(task)
        self.opened.append(task)
        self.notify(assignee, "task", f"待审批：{reason}", run.node_id)

    def close_task(self, index: int, outcome: TaskOutcome) -> Task:
        """Close the task at ``index`` with the outcome; cancelled unless acted on."""
        old = self.tasks[index]
        acted = outcome in (
            TaskOutcome.APPROVED,
            TaskOutcome.REJECTED,
            TaskOutcome.RETURNED,
            TaskOutcome.TRANSFERRED,
            TaskOutcome.ADDED_BEFORE,
        )
        new = Task(
            old.id,
            old.node_id,
            old.run,
            old.assignee,
            old.reason,
            TaskState.DONE if acted else TaskState.CANCELLED,
            outcome,
            old.extra,
            old.resume_for,
        )
        self.tasks[index] = new
        self.closed.append(new)
        return new

    def open_indexes(self, run: int | None = None) -> list[int]:
        """Return the indexes of open tasks, of one run or of all."""
        return [
            i
            for i, t in enumerate(self.tasks)
            if t.state is TaskState.OPEN and (run is None or t.run == run)
        ]

    def close_all(self, outcome: TaskOutcome) -> None:
        """Close every open task and forget the active runs."""
        for i in self.open_indexes():
            self.close_task(i, outcome)
        self.runs = {}

    def finish(self, status: Status) -> None:
        """Put the instance in a terminal state and tell the initiator."""
        self.status = status
        self.finished_at = self.action.at
        self.runs = {}
        assert self.initiator is not None  # noqa: S101 - set by every submission
        labels = {Status.APPROVED: "已通过", Status.REJECTED: "已驳回"}
        if status in labels:
            self.notify(self.initiator, "result", f"审批{labels[status]}")
            self.event("finished", "", f"审批结束：{labels[status]}")
            if self.definition.cc_timing in (CcTiming.COMPLETION, CcTiming.BOTH):
                self.cc_flow(f"抄送：审批{labels[status]}")

    def cc_flow(self, text: str) -> None:
        """Tell the flow-level CC recipients."""
        spec = self.definition.cc
        if spec is None or self.initiator is None:
            return
        people = resolve_assignees(
            spec,
            node_id="",
            initiator=self.initiator,
            form=self.form,
            picks=self.picks,
            facts=self.facts,
            labels=self.definition.field_labels,
        )
        people, _dropped = active_people(people, self.facts)
        for person in people:
            self.notify(person.user, "cc", text)
        if people:
            self.event("cc", "", text, *(p.user for p in people))

    # --- walking ----------------------------------------------------------------

    def enter_sequence(self, sequence: tuple[Node, ...], start: int) -> bool:
        """Walk a sequence from ``start``; return True if it stopped at an active node."""
        return any(self.enter_node(node) for node in sequence[start:])

    def enter_node(self, node: Node) -> bool:
        """Enter one node; return True if it is now waiting for people."""
        if node.id not in self.reached:
            self.reached = self.reached | {node.id}
        if isinstance(node, ApproverNode):
            return self.enter_approver(node)
        if isinstance(node, CcNode):
            self.enter_cc(node)
            return False
        if isinstance(node, ConditionNode):
            branch = choose_branch(node, self.form)
            if branch is None:
                return False
            self.event("branch", node.id, f"条件分支：选择“{branch.name}”")
            return self.enter_sequence(branch.nodes, 0)
        blocked = False
        for branch in node.branches:
            blocked = self.enter_sequence(branch.nodes, 0) or blocked
        return blocked

    def enter_cc(self, node: CcNode) -> None:
        """Tell a CC node's recipients and mark the node completed."""
        assert self.initiator is not None  # noqa: S101 - set by every submission
        people = resolve_assignees(
            node.assignees,
            node_id=node.id,
            initiator=self.initiator,
            form=self.form,
            picks=self.picks,
            facts=self.facts,
            labels=self.definition.field_labels,
        )
        people, _dropped = active_people(people, self.facts)
        for person in people:
            self.notify(
                person.user, "cc", f"抄送：{node.name}（{person.reason}）", node.id
            )
        self.event("cc", node.id, f"抄送：{node.name}", *(p.user for p in people))
        self.completed = (*self.completed, node.id)

    def enter_approver(self, node: ApproverNode) -> bool:
        """Resolve the approvers, apply the policies and open the first tasks."""
        assert self.initiator is not None  # noqa: S101 - set by every submission
        resolved = resolve_assignees(
            node.assignees,
            node_id=node.id,
            initiator=self.initiator,
            form=self.form,
            picks=self.picks,
            facts=self.facts,
            labels=self.definition.field_labels,
        )
        people, notes = apply_node_policies(
            node,
            resolved,
            initiator=self.initiator,
            previous=self.last_approvers,
            facts=self.facts,
        )
        for note in notes:
            if note != NOTE_FALLBACK:
                self.event("skipped", node.id, f"{node.name}：{note}")
        if not people:
            self.completed = (*self.completed, node.id)
            return False
        self.counter += 1
        run = NodeRun(
            node.id,
            self.counter,
            tuple(p.user for p in people),
            tuple(p.reason for p in people),
            required_approvals(node, len(people)),
            entered_at=self.action.at,
        )
        self.runs[node.id] = run
        self.event(
            "entered",
            node.id,
            f"{node.name}："
            + "；".join(f"{self.name(p.user)}（{p.reason}）" for p in people),
            *run.approvers,
        )
        first = people[:1] if node.mode is Mode.SEQUENTIAL else people
        for person in first:
            self.open_task(run, person.user, person.reason)
        return True

    def inside(self, node_id: str, owner_id: str) -> bool:
        """Return whether the node sits somewhere inside the owner's branches."""
        location = self.definition.locations.get(node_id)
        while location is not None and location.owner is not None:
            if location.owner.id == owner_id:
                return True
            location = self.definition.locations.get(location.owner.id)
        return False

    def continue_after(self, node_id: str) -> None:
        """Walk on from a finished node (or branch owner) to what comes next."""
        location = self.definition.locations[node_id]
        if self.enter_sequence(location.sequence, location.index + 1):
            return
        owner = location.owner
        if owner is None:
            self.finish(Status.APPROVED)
        elif isinstance(owner, ConditionNode) or not any(
            self.inside(active, owner.id) for active in self.runs
        ):
            # A condition branch goes on at once; a parallel branch waits to join.
            self.continue_after(owner.id)

    def proceed_from(self, node_id: str) -> None:
        """Go on from a passed node, jumping back to a returner if one is waiting."""
        if self.straight_back is not None and self.straight_back[0] == node_id:
            returner = self.definition.nodes_by_id[self.straight_back[1]]
            self.straight_back = None
            self.event(
                "straight_back", returner.id, f"直接回到退回节点：{returner.name}"
            )
            self.enter_and_continue(returner)
        else:
            self.continue_after(node_id)

    def enter_and_continue(self, node: Node) -> None:
        """Enter a node out of the normal order and go on if it passes at once."""
        if not self.enter_node(node):
            self.proceed_from(node.id)

    def complete_run(self, run: NodeRun) -> None:
        """Complete an approver node whose mode is met and whose tasks are all closed."""
        del self.runs[run.node_id]
        for i in self.open_indexes(run.run):
            self.close_task(i, TaskOutcome.NOT_NEEDED)
        self.completed = (*self.completed, run.node_id)
        self.last_approvers = run.approved
        node = self.definition.nodes_by_id[run.node_id]
        self.event("completed", run.node_id, f"{node.name}：已通过", *run.approved)
        self.proceed_from(run.node_id)
