"""Reads of approval flows that carry a rule: who may see an instance."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Field,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from zhiban.core import rows
from zhiban.inbox.models import WorkItem
from zhiban.org.models import (
    DISPLAY_NAME_COLUMNS,
    Delegation,
    User,
    display_name_of,
)
from zhiban.org.work_kinds import is_delegable
from zhiban.workflow import policies
from zhiban.workflow.facts import APPROVAL_KIND
from zhiban.workflow.kinds import KINDS
from zhiban.workflow.models import (
    FlowAction,
    FlowDefinition,
    FlowInstance,
    FlowTask,
    FlowVersion,
)


def _delegators_of(user: User, on: datetime.date) -> QuerySet[Delegation]:
    """Return the delegations of approvals to the user in force on the day.

    The same rule as the inbox's routing (active, covering approvals; a
    delegation lists no kinds for "every kind"), as a subquery: no extra query.
    """
    if not is_delegable(APPROVAL_KIND):
        return Delegation.objects.none()
    return Delegation.objects.filter(
        delegate=user,
        delegate__is_active=True,
        is_active=True,
        starts_on__lte=on,
        ends_on__gte=on,
    ).filter(Q(kinds=[]) | Q(kinds__icontains=f'"{APPROVAL_KIND}"'))


def _open_tasks_delegated_to(user: User, on: datetime.date) -> QuerySet[FlowTask]:
    """Return open tasks whose principal delegated approvals to the user today.

    They reach the delegate although the delegation began after the task opened
    (the work item stayed with the principal); never on the user's own requests.
    """
    return (
        FlowTask.objects.filter(state=FlowTask.State.OPEN)
        .exclude(assignee=user)
        .exclude(instance__initiator=user)
        .annotate(principal=Coalesce("on_behalf_of", "assignee"))
        .filter(
            Exists(_delegators_of(user, on).filter(delegator=OuterRef("principal")))
        )
    )


def instance_visible_to(*, user: User) -> QuerySet[FlowInstance]:
    """Return the instances the user may see.

    The initiator, everyone who held a task or acted (also on someone's behalf),
    everyone who got a work item about it (CC included), the delegate of someone
    whose turn it is now, and administrators.
    """
    instances = FlowInstance.objects.select_related("version__definition", "initiator")
    if policies.can_see_every_instance(user):
        return instances
    content_type = ContentType.objects.get_for_model(FlowInstance)
    target_id = Cast(OuterRef("pk"), output_field=WorkItem._meta.get_field("target_id"))
    delegated = _open_tasks_delegated_to(user, timezone.localdate())
    return instances.filter(
        Q(initiator=user)
        | Exists(delegated.filter(instance=OuterRef("pk")))
        | Exists(
            FlowTask.objects.filter(instance=OuterRef("pk")).filter(
                Q(assignee=user) | Q(on_behalf_of=user)
            )
        )
        | Exists(
            FlowAction.objects.filter(instance=OuterRef("pk")).filter(
                Q(actor=user) | Q(on_behalf_of=user)
            )
        )
        | Exists(
            WorkItem.objects.filter(
                target_type=content_type, target_id=target_id
            ).filter(Q(assignee=user) | Q(on_behalf_of=user))
        )
        | _kind_viewers(user)
    )


def _kind_viewers(user: User) -> Q:
    """Return the instances the flow kinds open to the user (none by default)."""
    rule = Q(pk__in=[])
    for kind in KINDS.values():
        if kind.viewers is not None:
            rule |= Q(version__definition__kind=kind.code) & kind.viewers(user)
    return rule


def instance_get_for(*, user: User, instance_id: int) -> FlowInstance | None:
    """Return the instance if the user may see it, else None."""
    return instance_visible_to(user=user).filter(pk=instance_id).first()


def instance_timeline(*, instance: FlowInstance) -> QuerySet[FlowAction]:
    """Return the instance's actions in order, with who acted and for whom."""
    return instance.actions.select_related("actor", "on_behalf_of").order_by("sequence")


def instance_open_tasks(*, instance: FlowInstance) -> QuerySet[FlowTask]:
    """Return the instance's open tasks with their holders."""
    return (
        instance.tasks.filter(state=FlowTask.State.OPEN)
        .select_related("assignee", "on_behalf_of")
        .order_by("id")
    )


def _named_values(
    model: type[FlowAction | FlowTask],
    instance: FlowInstance,
    fields: tuple[str, ...],
    people: tuple[str, ...],
    where: str = "",
    params: tuple[Any, ...] = (),
    order: str = "id",
) -> list[dict[str, Any]]:
    """Return the instance's rows' fields as dicts, each person's name as ``<person>_name``.

    Written once (``zhiban.core.rows``), names read as columns
    (``DISPLAY_NAME_COLUMNS``) by outer joins: the approval API's answer is on every
    approval's path, and compiling the ORM's ``values()`` with its joins cost more
    than running it (bench/README.md). ``where``: more conditions on the rows ``r``.
    """
    select = [f"r.{rows.column(model, name)}" for name in fields]
    joins = []
    for number, person in enumerate(people):
        alias = f"p{number}"
        select += [
            f"{alias}.{rows.column(User, name)}" for name in DISPLAY_NAME_COLUMNS
        ]
        joins.append(
            f" LEFT JOIN {rows.table(User)} {alias}"
            f" ON {alias}.id = r.{rows.column(model, person)}"
        )
    sql = (
        f"SELECT {', '.join(select)} FROM {rows.table(model)} r"  # noqa: S608 - every value is a parameter
        f"{''.join(joins)} WHERE r.{rows.column(model, 'instance')} = %s{where}"
        f" ORDER BY r.{rows.column(model, order)}"
    )
    width = len(DISPLAY_NAME_COLUMNS)
    converted: list[Field[Any, Any] | None] = [rows.field(model, n) for n in fields]
    converted += [None] * (width * len(people))
    found = []
    for values in rows.values(sql, [instance.pk, *params], converted):
        row = dict(zip(fields, values, strict=False))
        for number, person in enumerate(people):
            start = len(fields) + number * width
            row[f"{person}_name"] = (
                display_name_of(*values[start : start + width])
                if row[f"{person}_id"] is not None
                else ""
            )
        found.append(row)
    return found


def instance_timeline_values(*, instance: FlowInstance) -> list[dict[str, Any]]:
    """Return ``instance_timeline``'s rows as values with the people's names.

    The same rows in the same order (the approval answer's test holds the two equal).
    """
    return _named_values(
        FlowAction,
        instance,
        ("sequence", "kind", "node_id", "actor_id", "on_behalf_of_id", "at", "comment"),
        ("actor", "on_behalf_of"),
        order="sequence",
    )


def instance_open_task_values(*, instance: FlowInstance) -> list[dict[str, Any]]:
    """Return ``instance_open_tasks``' rows as values with the holders' names.

    The same rows in the same order (the approval answer's test holds the two equal).
    """
    return _named_values(
        FlowTask,
        instance,
        (
            "id",
            "node_id",
            "node_name",
            "assignee_id",
            "on_behalf_of_id",
            "reason",
            "opened_at",
        ),
        ("assignee", "on_behalf_of"),
        where=f" AND r.{rows.column(FlowTask, 'state')} = %s",
        params=(FlowTask.State.OPEN.value,),
    )


def task_list_for(*, user: User) -> QuerySet[FlowTask]:
    """Return the open tasks the user holds or may act on by delegation.

    Their own, those that reached them as a delegate, and those of someone who
    delegated approvals to them after the task opened. ``acting_for_id`` is
    whose behalf they act on (None for their own turn); ``acting_for`` names
    them (``assignee`` or ``on_behalf_of``, both loaded).
    """
    delegated = _open_tasks_delegated_to(user, timezone.localdate())
    return (
        FlowTask.objects.filter(state=FlowTask.State.OPEN)
        .filter(Q(assignee=user) | Q(pk__in=delegated.values("pk")))
        .annotate(
            acting_for_id=Case(
                When(assignee=user, then=F("on_behalf_of")),
                default=Coalesce("on_behalf_of", "assignee"),
            ),
        )
        .select_related(
            "instance__version__definition",
            "instance__initiator",
            "assignee",
            "on_behalf_of",
        )
        .order_by("-opened_at", "-id")
    )


def task_acting_for(task: FlowTask) -> User | None:
    """Return whose behalf the task's viewer acts on (a ``task_list_for`` row)."""
    acting_for_id = getattr(task, "acting_for_id", task.on_behalf_of_id)
    if acting_for_id is None:
        return None
    if acting_for_id == task.on_behalf_of_id:
        return task.on_behalf_of
    return task.assignee


def task_list_held_by_inactive(*, user: User) -> QuerySet[FlowTask]:
    """Return open tasks whose holder was deactivated, for a flow administrator."""
    if not policies.can_reassign_tasks(user):
        return FlowTask.objects.none()
    return (
        FlowTask.objects.filter(state=FlowTask.State.OPEN, assignee__is_active=False)
        .select_related("instance__initiator", "assignee", "on_behalf_of")
        .order_by("opened_at", "id")
    )


def definition_list_for() -> QuerySet[FlowDefinition]:
    """Return every flow type with its latest version's number and date."""
    latest = FlowVersion.objects.filter(definition=OuterRef("pk")).order_by("-number")
    return FlowDefinition.objects.annotate(
        latest_version=Subquery(latest.values("number")[:1]),
        latest_published_at=Subquery(latest.values("published_at")[:1]),
    ).order_by("code")


def flow_list_for(*, user: User) -> QuerySet[FlowDefinition]:
    """Return the flows a designer manages, with latest version and running count."""
    if not policies.can_design_flows(user):
        return FlowDefinition.objects.none()
    running = (
        FlowInstance.objects.filter(
            version__definition=OuterRef("pk"),
            status__in=[FlowInstance.Status.RUNNING, FlowInstance.Status.RETURNED],
        )
        .order_by()
        .values("version__definition")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return definition_list_for().annotate(running_count=Coalesce(Subquery(running), 0))


def flow_get_for(*, user: User, code: str) -> FlowDefinition | None:
    """Return the flow for its designer, or None (unknown, or not a designer)."""
    return flow_list_for(user=user).filter(code=code).first()


def flow_versions_for(*, definition: FlowDefinition) -> QuerySet[FlowVersion]:
    """Return a flow's versions, newest first, with who published them."""
    return (
        definition.versions.select_related("published_by")
        .annotate(instance_count=Count("instances"))
        .order_by("-number")
    )


# --- the apply page (helper "forms") ------------------------------------------------


def department_ids_with_ancestors(*, user: User) -> set[int]:
    """Return the user's departments and every department above them (2 queries)."""
    from zhiban.org.models import Department
    from zhiban.org.selectors import user_department_ids

    own = user_department_ids(user=user)
    if not own:
        return set()
    parents = dict(Department.objects.values_list("id", "parent_id"))
    found: set[int] = set()
    for department_id in own:
        current: int | None = department_id
        while current is not None and current not in found:
            found.add(current)
            current = parents.get(current)
    return found


def flow_startable_for(*, user: User) -> QuerySet[FlowDefinition]:
    """Return the flows the user may start: active, startable, published, and for
    everyone or for one of the user's departments (or a department above it)."""
    departments = department_ids_with_ancestors(user=user)
    starters = FlowDefinition.starter_departments.through.objects.filter(
        flowdefinition_id=OuterRef("pk")
    )
    return (
        definition_list_for()
        .filter(is_active=True, startable=True)
        .filter(Exists(FlowVersion.objects.filter(definition=OuterRef("pk"))))
        .filter(
            ~Exists(starters) | Exists(starters.filter(department_id__in=departments))
        )
        .order_by("group", "name", "code")
    )


def flow_startable_get_for(*, user: User, code: str) -> FlowDefinition | None:
    """Return the flow if the user may start it, else None."""
    return flow_startable_for(user=user).filter(code=code).first()
