"""Reads for the approval pages: my requests, my tasks, and one instance's page.

The visibility rule stays in ``selectors`` (``instance_visible_to``); this module
only shapes what the pages show: lists with their filters, the path of an
instance (every node reached, current or ahead, with its people and why), its
timeline with attachments, and which actions the viewer may take.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import engine, formschema, policies, selectors, services
from zhiban.workflow.facts import APPROVAL_KIND, DjangoOrgFacts
from zhiban.workflow.models import (
    FlowAction,
    FlowDefinition,
    FlowFile,
    FlowInstance,
    FlowTask,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 50

# How a closed task ended, as the timeline of people shows it.
OUTCOME_LABELS: dict[str, Any] = {
    "approved": pgettext_lazy("task outcome", "Approved"),
    "rejected": pgettext_lazy("task outcome", "Rejected"),
    "returned": pgettext_lazy("task outcome", "Returned"),
    "transferred": pgettext_lazy("task outcome", "Transferred"),
    "added_before": pgettext_lazy("task outcome", "Handed to an added approver"),
    "not_needed": pgettext_lazy("task outcome", "No longer needed"),
    "withdrawn": pgettext_lazy("task outcome", "Withdrawn"),
    "timeout": pgettext_lazy("task outcome", "Timed out"),
}

STATUS_STYLES: dict[str, str] = {
    "draft": "secondary",
    "running": "primary",
    "returned": "warning",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "secondary",
    "revoked": "dark",
}


# --- lists ----------------------------------------------------------------------


@dataclass(frozen=True)
class MineFilters:
    """The filters of "my requests": status, flow code and a title search."""

    status: str = ""
    flow: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> MineFilters:
        """Read the filters from a query string, dropping unknown values."""
        status = str(query.get("status") or "")
        if status not in FlowInstance.Status.values:
            status = ""
        return cls(
            status=status,
            flow=str(query.get("flow") or "")[:64],
            q=str(query.get("q") or "").strip()[:100],
        )


def instance_list_mine(*, user: User, filters: MineFilters) -> QuerySet[FlowInstance]:
    """Return the requests the user started, newest first, filtered."""
    rows = FlowInstance.objects.filter(initiator=user).select_related(
        "version__definition"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.flow:
        rows = rows.filter(version__definition__code=filters.flow)
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    return rows.order_by("-created_at", "-id")


def flows_started_by(*, user: User) -> QuerySet[FlowDefinition]:
    """Return the flows the user started a request on (the flow filter's choices)."""
    return (
        FlowDefinition.objects.filter(versions__instances__initiator=user)
        .distinct()
        .order_by("name")
    )


def task_list_pending(*, user: User) -> QuerySet[FlowTask]:
    """Return the user's open tasks, their own and those they hold for others."""
    return selectors.task_list_for(user=user)


def task_list_handled(*, user: User) -> QuerySet[FlowTask]:
    """Return the tasks the user closed (also on someone's behalf), newest first."""
    return (
        FlowTask.objects.filter(closed_by=user)
        .exclude(state=FlowTask.State.OPEN)
        .select_related(
            "instance__version__definition",
            "instance__initiator",
            "assignee",
            "on_behalf_of",
        )
        .order_by("-closed_at", "-id")
    )


def cc_list_for(*, user: User) -> QuerySet[WorkItem]:
    """Return the approvals copied to the user (CC work items), newest first."""
    return (
        WorkItem.objects.filter(
            assignee=user,
            is_cc=True,
            kind=APPROVAL_KIND,
            target_type=ContentType.objects.get_for_model(FlowInstance),
        )
        .select_related("initiator")
        .order_by("-opened_at", "-id")
    )


def attach_instances(items: list[WorkItem]) -> list[tuple[WorkItem, FlowInstance]]:
    """Pair CC work items with their instances, in one query."""
    ids = {int(item.target_id) for item in items if str(item.target_id).isdigit()}
    found = FlowInstance.objects.filter(pk__in=ids).select_related(
        "version__definition", "initiator"
    )
    by_id = {row.pk: row for row in found}
    return [
        (item, by_id[int(item.target_id)])
        for item in items
        if str(item.target_id).isdigit() and int(item.target_id) in by_id
    ]


# --- one instance -----------------------------------------------------------------


@dataclass
class Person:
    """One person at a node: their task state, why they are there, when."""

    user: User | None
    reason: str = ""
    state: str = ""  # open / done / cancelled / ahead
    outcome: str = ""
    on_behalf_of: User | None = None
    opened_at: Any = None
    closed_at: Any = None

    @property
    def outcome_label(self) -> str:
        """Return how the task ended, for people."""
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))


@dataclass
class Step:
    """One node of the path: done, current, ahead or not reached."""

    node_id: str
    kind: str
    name: str
    state: str  # done / current / ahead / skipped
    note: str = ""
    people: list[Person] = field(default_factory=list)


@dataclass
class Panel:
    """What the viewer may do on the instance."""

    task: FlowTask | None = None
    acting_for: User | None = None
    return_targets: list[tuple[str, str]] = field(default_factory=list)
    can_withdraw: bool = False
    can_resubmit: bool = False
    can_urge: bool = False
    can_revoke: bool = False
    can_comment: bool = False
    is_initiator: bool = False

    @property
    def any(self) -> bool:
        """Return whether any action is open to the viewer."""
        return bool(
            self.task
            or self.can_withdraw
            or self.can_resubmit
            or self.can_urge
            or self.can_revoke
            or self.can_comment
        )


def _definition(instance: FlowInstance) -> engine.Definition | None:
    try:
        return services.definition_of(instance.version)
    except Exception:  # a broken stored version must not break the page
        logger.exception("cannot load the definition of instance %s", instance.pk)
        return None


def _state(instance: FlowInstance) -> engine.State:
    return engine.state_from_dict(instance.state) if instance.state else engine.State()


def instance_tasks(*, instance: FlowInstance) -> list[FlowTask]:
    """Return every task of the instance, in order, with its people."""
    return list(
        instance.tasks.select_related("assignee", "on_behalf_of").order_by("id")
    )


def instance_path(
    *,
    instance: FlowInstance,
    definition: engine.Definition | None,
    all_tasks: list[FlowTask],
) -> list[Step]:
    """Return the instance's path: reached nodes with their tasks, the rest ahead.

    Nodes not reached yet come from a dry run on the current form, so their
    people and reasons are the engine's own ("部门负责人：生产技术部").
    """
    state = _state(instance)
    tasks: dict[str, list[FlowTask]] = defaultdict(list)
    for task in all_tasks:
        tasks[task.node_id].append(task)
    planned: list[engine.PathStep] = []
    if definition is not None and state.initiator is not None:
        facts = DjangoOrgFacts()
        facts.remember(instance.initiator)
        try:
            planned = list(
                engine.dry_run(
                    definition,
                    dict(state.form),
                    state.initiator,
                    facts,
                    state.picks,
                    labels=formschema.field_labels(instance.version.form_schema or []),
                ).steps
            )
        except Exception:  # the path is a courtesy; the timeline is the record
            logger.exception("cannot dry-run instance %s", instance.pk)
    if not planned:  # no definition: the nodes that have tasks, in order
        planned = [
            engine.PathStep(node_id, "approver", rows[0].node_name or node_id)
            for node_id, rows in tasks.items()
        ]
    ahead_ids = {ref for step in planned for ref, _reason in step.approvers}
    people = User.objects.in_bulk([int(r) for r in ahead_ids if str(r).isdigit()])
    current = set(instance.current_nodes)
    completed = set(state.completed)
    finished = instance.is_finished
    steps: list[Step] = []
    for plan in planned:
        if plan.kind == "start":
            steps.append(
                Step(
                    "start",
                    "start",
                    str(pgettext_lazy("approval path", "Initiated")),
                    "done",
                    people=[Person(instance.initiator, state="done")],
                )
            )
            continue
        if plan.kind == "end":
            steps.append(
                Step(
                    "end",
                    "end",
                    str(_("Finished")),
                    "done" if finished else "ahead",
                )
            )
            continue
        rows = tasks.get(plan.node_id, [])
        if plan.node_id in current:
            where = "current"
        elif plan.node_id in completed or plan.node_id in state.reached or rows:
            where = "done"
        else:
            where = "skipped" if finished else "ahead"
        step = Step(plan.node_id, plan.kind, plan.name, where, plan.note)
        if rows:
            step.people = [
                Person(
                    row.assignee,
                    row.reason,
                    row.state,
                    row.outcome,
                    row.on_behalf_of,
                    row.opened_at,
                    row.closed_at,
                )
                for row in rows
            ]
        else:
            step.people = [
                Person(people.get(int(ref)) if str(ref).isdigit() else None, reason)
                for ref, reason in plan.approvers
            ]
            for person in step.people:
                person.state = "done" if where == "done" else "ahead"
        steps.append(step)
    return steps


@dataclass
class FormRow:
    """One form field as the page shows it; ``files`` for attachment fields."""

    label: str
    value: str | list[str]
    files: list[FlowFile] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        """Return whether the value is a list of items."""
        return isinstance(self.value, list)


def instance_form_rows(
    *, instance: FlowInstance, files: list[FlowFile]
) -> list[FormRow]:
    """Return the form's fields with their shown values, files as download links."""
    fields = formschema.schema_fields(instance.version.form_schema or [])
    if not fields:  # a flow without a schema: show the raw values
        return [
            FormRow(str(key), str(value))
            for key, value in (instance.form or {}).items()
        ]
    by_id = {row.pk: row for row in files}
    rows: list[FormRow] = []
    for field_def, (label, value) in zip(
        fields, formschema.display_rows(fields, instance.form or {}), strict=True
    ):
        row = FormRow(label, value)
        if field_def.get("type") == "attachment":
            wanted = instance.form.get(str(field_def["key"])) or []
            if not isinstance(wanted, list):
                wanted = [wanted]
            row.files = [
                by_id[int(i)] for i in wanted if str(i).isdigit() and int(i) in by_id
            ]
        rows.append(row)
    return rows


def instance_timeline(*, instance: FlowInstance) -> list[FlowAction]:
    """Return the actions in order with their people and files (three queries)."""
    return list(
        selectors.instance_timeline(instance=instance).prefetch_related("files")
    )


def instance_panel(
    *,
    instance: FlowInstance,
    user: User,
    definition: engine.Definition | None,
) -> Panel:
    """Return the actions the viewer may take on the instance now."""
    state = _state(instance)
    panel = Panel(is_initiator=instance.initiator_id == user.pk)
    panel.can_comment = instance.status != FlowInstance.Status.DRAFT
    if instance.status == FlowInstance.Status.RUNNING:
        task = task_list_pending(user=user).filter(instance=instance).first()
        if task is not None:
            panel.task = task
            panel.acting_for = selectors.task_acting_for(task)
            panel.return_targets = _return_targets(definition, state, task.node_id)
    if panel.is_initiator and definition is not None:
        running = instance.status == FlowInstance.Status.RUNNING
        panel.can_withdraw = instance.status == FlowInstance.Status.RETURNED or (
            running and (not state.acted or definition.allow_withdraw_after_action)
        )
        panel.can_urge = running
        panel.can_resubmit = policies.can_resubmit(user, instance)
        panel.can_revoke = (
            instance.status == FlowInstance.Status.APPROVED
            and definition.allow_revoke
            and instance.revokes_id is None
            and not instance.revocations.filter(
                status__in=[
                    FlowInstance.Status.RUNNING,
                    FlowInstance.Status.RETURNED,
                ]
            ).exists()
        )
    return panel


def _return_targets(
    definition: engine.Definition | None, state: engine.State, node_id: str
) -> list[tuple[str, str]]:
    """Return where a task at the node may return the instance: the initiator first,
    then every earlier approver node that completed outside parallel branches."""
    targets: list[tuple[str, str]] = [("", str(_("The initiator")))]
    if definition is None:
        return targets
    for completed in dict.fromkeys(state.completed):
        node = definition.nodes_by_id.get(completed)
        if (
            isinstance(node, engine.ApproverNode)
            and node.id != node_id
            and not definition.locations[node.id].in_parallel
        ):
            targets.append((node.id, node.name))
    return targets


def transfer_candidates(*, user: User, instance: FlowInstance) -> QuerySet[User]:
    """Return the active people of the viewer's unit (the picker's fallback)."""
    unit_id = getattr(user.primary_department, "unit_id", None)
    people = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if unit_id is not None:
        people = people.filter(
            Q(primary_department__unit_id=unit_id) | Q(pk=instance.initiator_id)
        )
    return people.order_by("name", "username")[:500]


def instance_page(*, instance: FlowInstance, user: User) -> dict[str, Any]:
    """Return everything the instance page (and its printout) shows."""
    definition = _definition(instance)
    files = list(instance.files.all())
    all_tasks = instance_tasks(instance=instance)
    actions = instance_timeline(instance=instance)
    node_names = {task.node_id: task.node_name for task in all_tasks}
    for action in actions:  # which step an approver acted at, for the timeline
        action.node_name = node_names.get(action.node_id, "")  # type: ignore[attr-defined]
    return {
        "instance": instance,
        "status_style": STATUS_STYLES.get(instance.status, "secondary"),
        "form_rows": instance_form_rows(instance=instance, files=files),
        "path": instance_path(
            instance=instance, definition=definition, all_tasks=all_tasks
        ),
        "open_tasks": [t for t in all_tasks if t.state == FlowTask.State.OPEN],
        "actions": actions,
        "panel": instance_panel(instance=instance, user=user, definition=definition),
        "department": instance.initiator.primary_department,
    }


def file_get_for(*, user: User, file_id: int) -> FlowFile | None:
    """Return the file if the user may see its instance, else None."""
    row = FlowFile.objects.filter(pk=file_id).first()
    if row is None:
        return None
    if selectors.instance_get_for(user=user, instance_id=row.instance_id) is None:
        return None
    return row


def file_url(row: FlowFile) -> str:
    """Return the download address of a file."""
    return reverse("workflow:file", args=[row.pk])
