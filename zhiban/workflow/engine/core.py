"""The engine's transitions: ``apply`` one action, ``replay`` a log, ``dry_run`` a form.

Every function here is pure: it reads the definition, the state, the action and
the organisation facts, and returns a new state with the tasks to open and close,
the notifications to send and the events that explain what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .definitions import (
    ApproverNode,
    CcTiming,
    Definition,
    Mode,
    ReturnPolicy,
    TimeoutPolicy,
    UserRef,
)
from .errors import (
    InstanceFinished,
    InvalidAction,
    NotAllowedByFlow,
    NotDelegated,
    NotInitiator,
    NotYourTask,
    UrgeTooSoon,
)
from .org import OrgFacts
from .state import (
    AddApprover,
    AnyAction,
    Approve,
    Comment,
    NodeRun,
    Outcome,
    Reject,
    Return,
    Revoke,
    State,
    Status,
    Submit,
    Task,
    TaskOutcome,
    TaskState,
    Timeout,
    Transfer,
    Urge,
    Withdraw,
)
from .walk import Walker, ensure_valid


def urge_allowed(last: datetime | None, now: datetime, interval_seconds: int) -> bool:
    """Return whether an urge at ``now`` respects the minimum interval since ``last``."""
    return last is None or (now - last).total_seconds() >= interval_seconds


class _Transition(Walker):
    """Apply one action on top of the walking machinery."""

    # --- helpers for actions ----------------------------------------------------

    def my_task(self) -> int:
        """Return the index of the principal's open task (or the named one)."""
        principal = self.action.principal
        wanted = self.action.task_id
        for i, task in enumerate(self.tasks):
            if (
                task.state is TaskState.OPEN
                and task.assignee == principal
                and (not wanted or task.id == wanted)
            ):
                return i
        raise NotYourTask(
            f"{principal} holds no open task on this instance",
            f"{self.name(principal)}在此审批中没有待办任务",
        )

    def after_own_approval(self, task: Task) -> None:
        """Count an approval in its run and move the node on."""
        run = self.runs[task.node_id]
        if task.extra and task.resume_for is not None and not run.satisfied:
            # Reopen the task that was handed over, as it was (it may itself
            # be an added approver's task).
            for held in reversed(self.tasks):
                if (
                    held.run == run.run
                    and held.assignee == task.resume_for
                    and held.outcome is TaskOutcome.ADDED_BEFORE
                ):
                    self.open_task(
                        run,
                        held.assignee,
                        held.reason,
                        extra=held.extra,
                        resume_for=held.resume_for,
                    )
                    return
        if not task.extra:
            approved = (*run.approved, task.assignee)
            satisfied = len(approved) >= run.required
            run = NodeRun(
                run.node_id,
                run.run,
                run.approvers,
                run.reasons,
                run.required,
                approved,
                satisfied,
                run.entered_at,
                run.timed_out,
            )
            self.runs[run.node_id] = run
            if satisfied:
                for i in self.open_indexes(run.run):
                    if not self.tasks[i].extra:
                        self.close_task(i, TaskOutcome.NOT_NEEDED)
        self.advance(run)

    def advance(self, run: NodeRun) -> None:
        """Complete a satisfied node, or open the next sequential task."""
        busy = self.open_indexes(run.run)
        if run.satisfied:
            if not busy:
                self.complete_run(run)
            return
        node = self.definition.nodes_by_id[run.node_id]
        if isinstance(node, ApproverNode) and node.mode is Mode.SEQUENTIAL and not busy:
            for user, reason in zip(run.approvers, run.reasons, strict=True):
                if user not in run.approved:
                    self.open_task(run, user, reason)
                    return

    def require_running(self) -> None:
        """Raise unless the instance is running."""
        if self.status in (
            Status.APPROVED,
            Status.REJECTED,
            Status.WITHDRAWN,
            Status.REVOKED,
        ):
            raise InstanceFinished(
                f"The instance is already {self.status.value}",
                "该审批已结束，不能再操作",
            )
        if self.status is not Status.RUNNING:
            raise InvalidAction(
                f"The instance is {self.status.value}, not running",
                "该审批不在审批中",
            )

    def require_initiator(self) -> None:
        """Raise unless the principal is the initiator."""
        if self.action.principal != self.initiator:
            raise NotInitiator(
                "Only the initiator may do this", "只有发起人可以执行此操作"
            )

    # --- actions ----------------------------------------------------------------

    def submit(self, action: Submit) -> None:
        """Start (or restart after a return) the walk."""
        if self.status is Status.DRAFT:
            self.initiator = action.principal
        elif self.status is Status.RETURNED:
            self.require_initiator()
        elif self.status is Status.RUNNING:
            raise InvalidAction("The instance is already submitted", "该审批已提交")
        else:
            self.require_running()
        ensure_valid(self.definition)
        resubmit = self.status is Status.RETURNED
        # A resubmission without a form or picks keeps the ones already given.
        if action.form or not resubmit:
            self.form = dict(action.form)
        if action.picks or not resubmit:
            self.picks = {k: tuple(v) for k, v in action.picks.items()}
        self.status = Status.RUNNING
        self.submitted_at = action.at
        self.acted = False
        self.event("submitted", "", "重新提交" if resubmit else "提交申请")
        if not resubmit and self.definition.cc_timing in (
            CcTiming.SUBMISSION,
            CcTiming.BOTH,
        ):
            self.cc_flow("抄送：已提交申请")
        target = self.straight_back
        if resubmit and target is not None and target[0] == "":
            self.straight_back = None
            returner = self.definition.nodes_by_id[target[1]]
            self.event(
                "straight_back", returner.id, f"直接回到退回节点：{returner.name}"
            )
            self.enter_and_continue(returner)
            return
        self.straight_back = None
        self.completed = ()
        self.last_approvers = ()
        if not self.enter_sequence(self.definition.nodes, 0):
            self.finish(Status.APPROVED)

    def approve(self, action: Approve) -> None:
        """Approve the principal's task."""
        self.require_running()
        task = self.close_task(self.my_task(), TaskOutcome.APPROVED)
        self.acted = True
        opinion = f"：{action.opinion}" if action.opinion else ""
        self.event("approved", task.node_id, f"同意{opinion}", task.assignee)
        self.after_own_approval(task)

    def reject(self, action: Reject) -> None:
        """Reject the instance; a reason is required."""
        self.require_running()
        index = self.my_task()
        if not action.reason.strip():
            raise InvalidAction("A reason is required to reject", "驳回必须填写理由")
        task = self.close_task(index, TaskOutcome.REJECTED)
        self.acted = True
        self.event("rejected", task.node_id, f"驳回：{action.reason}", task.assignee)
        self.close_all(TaskOutcome.NOT_NEEDED)
        self.finish(Status.REJECTED)

    def return_(self, action: Return) -> None:
        """Return to the initiator or to an earlier approver node."""
        self.require_running()
        index = self.my_task()
        task = self.tasks[index]
        returner = self.definition.nodes_by_id[task.node_id]
        assert isinstance(returner, ApproverNode)  # noqa: S101 - tasks sit at approvers
        target = (
            self.definition.nodes_by_id.get(action.to_node) if action.to_node else None
        )
        if action.to_node and (
            not isinstance(target, ApproverNode)
            or target.id not in self.completed
            or target.id == returner.id
            or self.definition.locations[target.id].in_parallel
        ):
            raise InvalidAction(
                f"Cannot return to {action.to_node!r}: not an earlier approver "
                "node outside parallel branches",
                "只能退回到之前已通过、且不在并行分支中的审批节点",
            )
        self.close_task(index, TaskOutcome.RETURNED)
        self.acted = True
        self.close_all(TaskOutcome.NOT_NEEDED)
        # Coming straight back into one parallel branch would leave its sibling
        # branches unwalked, so a returner inside a parallel node always re-walks.
        straight = (
            returner.return_policy is ReturnPolicy.STRAIGHT_BACK
            and not self.definition.locations[returner.id].in_parallel
        )
        reason = f"：{action.reason}" if action.reason else ""
        if target is None:
            assert self.initiator is not None  # noqa: S101 - running has an initiator
            self.status = Status.RETURNED
            self.straight_back = ("", returner.id) if straight else None
            self.event("returned", returner.id, f"退回发起人{reason}", task.assignee)
            self.notify(self.initiator, "returned", f"已退回发起人{reason}")
            return
        self.straight_back = (target.id, returner.id) if straight else None
        self.event(
            "returned", returner.id, f"退回至“{target.name}”{reason}", task.assignee
        )
        # Nodes after the target are walked again, unless this is a straight-back.
        if straight:
            self.completed = tuple(c for c in self.completed if c != target.id)
        else:
            self.completed = self.completed[: self.completed.index(target.id)]
        self.last_approvers = ()
        self.enter_and_continue(target)

    def transfer(self, action: Transfer) -> None:
        """Hand the principal's task to another person."""
        self.require_running()
        index = self.my_task()
        task = self.tasks[index]
        run = self.runs[task.node_id]
        self.check_newcomer(action.to_user, run)
        if action.administrative and not action.on_behalf_of:
            raise InvalidAction(
                "An administrative transfer names the holder in on_behalf_of",
                "管理员改派须指明原办理人",
            )
        self.close_task(index, TaskOutcome.TRANSFERRED)
        # An administrator's reassignment is not an approver acting.
        self.acted = self.acted or not action.administrative
        if action.administrative:
            reason = (
                f"改派：管理员{self.name(action.actor)}"
                f"改派（原办理人{self.name(task.assignee)}）"
            )
        else:
            reason = f"转交：{self.name(task.assignee)}转交"
        if not task.extra:
            approvers = tuple(
                action.to_user if u == task.assignee else u for u in run.approvers
            )
            reasons = tuple(
                reason if u == task.assignee else r
                for u, r in zip(run.approvers, run.reasons, strict=True)
            )
            run = NodeRun(
                run.node_id,
                run.run,
                approvers,
                reasons,
                run.required,
                run.approved,
                run.satisfied,
                run.entered_at,
                run.timed_out,
            )
            self.runs[run.node_id] = run
        verb = "管理员改派给" if action.administrative else "转交给"
        self.event(
            "transferred",
            task.node_id,
            f"{verb}{self.name(action.to_user)}",
            task.assignee,
            action.to_user,
        )
        self.open_task(
            run,
            action.to_user,
            reason,
            extra=task.extra,
            resume_for=task.resume_for,
        )

    def check_newcomer(self, user: UserRef, run: NodeRun) -> None:
        """Raise unless the user may join the run (not empty, not already in it)."""
        busy = {self.tasks[i].assignee for i in self.open_indexes(run.run)}
        if not user or user in run.approvers or user in busy:
            raise InvalidAction(
                f"{user!r} is empty or already an approver of this node",
                "该人员为空或已是本节点的审批人",
            )
        if not self.facts.is_active(user):
            raise InvalidAction(
                f"{user!r} is deactivated", f"{self.name(user)}已停用，不能办理"
            )

    def add_approver(self, action: AddApprover) -> None:
        """Add an approver before the principal (they go first) or after (I approve)."""
        self.require_running()
        index = self.my_task()
        task = self.tasks[index]
        run = self.runs[task.node_id]
        self.check_newcomer(action.user, run)
        self.acted = True
        me = self.name(task.assignee)
        if action.before:
            self.close_task(index, TaskOutcome.ADDED_BEFORE)
            self.event(
                "added", task.node_id, f"前加签：{self.name(action.user)}", action.user
            )
            self.open_task(
                run,
                action.user,
                f"加签：{me}前加签",
                extra=True,
                resume_for=task.assignee,
            )
            return
        closed = self.close_task(index, TaskOutcome.APPROVED)
        opinion = f"：{action.opinion}" if action.opinion else ""
        self.event("approved", task.node_id, f"同意{opinion}", task.assignee)
        self.event(
            "added", task.node_id, f"后加签：{self.name(action.user)}", action.user
        )
        self.open_task(run, action.user, f"加签：{me}后加签", extra=True)
        self.after_own_approval(closed)

    def withdraw(self, action: Withdraw) -> None:
        """Withdraw the instance by its initiator."""
        if self.status is Status.RETURNED:
            self.require_initiator()
        else:
            self.require_running()
            self.require_initiator()
            if self.acted and not self.definition.allow_withdraw_after_action:
                raise NotAllowedByFlow(
                    "An approver has already acted; this flow allows no late withdrawal",
                    "已有审批人处理，此流程不允许撤回",
                )
        for i in self.open_indexes():
            closed = self.close_task(i, TaskOutcome.WITHDRAWN)
            self.notify(closed.assignee, "result", "发起人已撤回", closed.node_id)
        self.runs = {}
        reason = f"：{action.reason}" if action.reason else ""
        self.event("withdrawn", "", f"发起人撤回{reason}")
        self.status = Status.WITHDRAWN
        self.finished_at = action.at

    def urge(self, action: Urge) -> None:
        """Remind the people whose turn it is, at most once per interval."""
        self.require_running()
        self.require_initiator()
        interval = self.definition.urge_interval_seconds
        if not urge_allowed(self.last_urged_at, action.at, interval):
            raise UrgeTooSoon(
                f"Urged less than {interval} seconds ago",
                f"催办过于频繁，请在 {interval // 60} 分钟后再试",
            )
        self.last_urged_at = action.at
        holders = [self.tasks[i] for i in self.open_indexes()]
        text = f"催办：{action.message}" if action.message else "催办：请尽快审批"
        for task in holders:
            self.notify(task.assignee, "urge", text, task.node_id)
        self.event("urged", "", text, *(t.assignee for t in holders))

    def comment(self, action: Comment) -> None:
        """Add a comment (with attachments) to the timeline."""
        if self.status is Status.DRAFT:
            raise InvalidAction("Submit before commenting", "请先提交再评论")
        if not action.text.strip() and not action.attachments:
            raise InvalidAction(
                "A comment needs text or an attachment", "评论需要填写内容或附件"
            )
        self.comments += 1
        self.event("comment", "", f"评论：{action.text}")
        if self.initiator is not None and action.principal != self.initiator:
            self.notify(self.initiator, "comment", f"新评论：{action.text}")

    def timeout(self, action: Timeout) -> None:
        """Apply a waiting node's timeout policy: remind, escalate or auto-pass."""
        self.require_running()
        run = self.runs.get(action.node_id)
        node = self.definition.nodes_by_id.get(action.node_id)
        if (
            run is None
            or not isinstance(node, ApproverNode)
            or not node.timeout_minutes
        ):
            raise InvalidAction(
                f"Node {action.node_id!r} is not waiting with a timeout",
                "该节点不在等待中或未设置超时",
            )
        due = run.entered_at is not None and (
            (action.at - run.entered_at).total_seconds() >= node.timeout_minutes * 60
        )
        if run.timed_out or not due:
            raise InvalidAction(
                f"Node {action.node_id!r} is not due or already timed out",
                "该节点尚未超时或已处理过超时",
            )
        self.runs[run.node_id] = run = NodeRun(
            run.node_id,
            run.run,
            run.approvers,
            run.reasons,
            run.required,
            run.approved,
            run.satisfied,
            run.entered_at,
            True,
        )
        holders = [self.tasks[i].assignee for i in self.open_indexes(run.run)]
        if node.on_timeout is TimeoutPolicy.REMIND:
            for user in holders:
                self.notify(user, "urge", f"超时提醒：{node.name}", node.id)
            self.event("timeout", node.id, f"{node.name}：超时提醒", *holders)
        elif node.on_timeout is TimeoutPolicy.ESCALATE:
            contacts = tuple(u for u in node.escalate_to if self.facts.is_active(u))
            for user in contacts:
                self.notify(user, "escalate", f"超时升级：{node.name}", node.id)
            self.event("timeout", node.id, f"{node.name}：超时升级", *contacts)
        else:
            self.event("timeout", node.id, f"{node.name}：超时自动通过", *holders)
            self.complete_run(run)

    def revoke(self, action: Revoke) -> None:
        """Revoke an approved instance where the flow allows it."""
        if self.status is not Status.APPROVED:
            if self.status in (Status.REJECTED, Status.WITHDRAWN, Status.REVOKED):
                self.require_running()
            raise InvalidAction(
                "Only an approved instance can be revoked", "只能撤销已通过的审批"
            )
        self.require_initiator()
        if not self.definition.allow_revoke:
            raise NotAllowedByFlow(
                "This flow does not allow revoking", "此流程不允许撤销"
            )
        self.status = Status.REVOKED
        self.finished_at = action.at
        reason = f"：{action.reason}" if action.reason else ""
        self.event("revoked", "", f"发起人撤销{reason}")
        approvers = dict.fromkeys(
            t.assignee for t in self.tasks if t.outcome is TaskOutcome.APPROVED
        )
        for user in approvers:
            self.notify(user, "result", f"审批已撤销{reason}")


def apply(
    definition: Definition, state: State, action: AnyAction, facts: OrgFacts
) -> Outcome:
    """Apply one action; return the new state and the side effects, or raise.

    Raises an :class:`~zhiban.workflow.engine.errors.EngineError` subclass when the
    action is not allowed; the given state is never changed.
    """
    administrative = isinstance(action, Transfer) and action.administrative
    if (
        action.on_behalf_of
        and action.on_behalf_of != action.actor
        and not administrative
        and not facts.may_act_for(action.actor, action.on_behalf_of, action.at)
    ):
        raise NotDelegated(
            f"{action.actor} may not act for {action.on_behalf_of}",
            f"{facts.user_name(action.actor)}没有"
            f"{facts.user_name(action.on_behalf_of)}的委托",
        )
    work = _Transition(definition, state, action, facts)
    match action:
        case Submit():
            work.submit(action)
        case Approve():
            work.approve(action)
        case Reject():
            work.reject(action)
        case Return():
            work.return_(action)
        case Transfer():
            work.transfer(action)
        case AddApprover():
            work.add_approver(action)
        case Withdraw():
            work.withdraw(action)
        case Urge():
            work.urge(action)
        case Comment():
            work.comment(action)
        case Revoke():
            work.revoke(action)
        case Timeout():
            work.timeout(action)
    return work.outcome()


def replay(
    definition: Definition,
    actions: Iterable[AnyAction],
    facts: OrgFacts,
    state: State | None = None,
) -> State:
    """Fold :func:`apply` over the action log from the initial (or given) state."""
    current = state if state is not None else State()
    for action in actions:
        current = apply(definition, current, action, facts).state
    return current
