"""Reads of approval flows that carry a rule: who may see an instance."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import policies
from zhiban.workflow.models import (
    FlowAction,
    FlowDefinition,
    FlowInstance,
    FlowTask,
    FlowVersion,
)


def instance_visible_to(*, user: User) -> QuerySet[FlowInstance]:
    """Return the instances the user may see.

    The initiator, everyone who held a task or acted (also on someone's behalf),
    everyone who got a work item about it (CC included), and administrators.
    """
    instances = FlowInstance.objects.select_related("version__definition", "initiator")
    if policies.can_see_every_instance(user):
        return instances
    content_type = ContentType.objects.get_for_model(FlowInstance)
    target_id = Cast(OuterRef("pk"), output_field=WorkItem._meta.get_field("target_id"))
    return instances.filter(
        Q(initiator=user)
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
    )


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


def task_list_for(*, user: User) -> QuerySet[FlowTask]:
    """Return the open tasks the user holds (their own and delegated ones)."""
    return (
        FlowTask.objects.filter(assignee=user, state=FlowTask.State.OPEN)
        .select_related(
            "instance__version__definition", "instance__initiator", "on_behalf_of"
        )
        .order_by("-opened_at", "-id")
    )


def definition_list_for() -> QuerySet[FlowDefinition]:
    """Return every flow type with its latest version's number and date."""
    latest = FlowVersion.objects.filter(definition=OuterRef("pk")).order_by("-number")
    return FlowDefinition.objects.annotate(
        latest_version=Subquery(latest.values("number")[:1]),
        latest_published_at=Subquery(latest.values("published_at")[:1]),
    ).order_by("code")
