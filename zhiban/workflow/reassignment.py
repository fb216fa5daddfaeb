"""A flow administrator hands someone's open task to another person (改派).

For the open tasks of a person who was deactivated (or is otherwise unable to
act): the engine's Transfer, marked administrative, with the administrator as
actor on behalf of the holder, so the log says who reassigned whose task.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.core.errors import DomainError
from zhiban.org.models import User
from zhiban.workflow import engine, policies, services
from zhiban.workflow.facts import DjangoOrgFacts
from zhiban.workflow.models import FlowTask


def task_reassign(
    *,
    task: FlowTask,
    to: User,
    by: User,
    reason: str,
    now: datetime.datetime | None = None,
) -> FlowTask:
    """Hand an open task to another active person; return the task opened for them.

    Only a flow administrator, with a reason. Recorded as a transfer by the
    administrator on behalf of the task's holder (the engine's assignee).
    """
    if not policies.can_reassign_tasks(by):
        raise DomainError(
            _("Only a flow administrator may reassign a task."), code="forbidden"
        )
    text = reason.strip()
    if not text:
        raise DomainError(
            {"reason": _("Give the reason for reassigning.")}, code="reason_required"
        )
    at = now or timezone.now()
    with transaction.atomic():
        instance = services.instance_lock(instance_id=task.instance_id)
        assert instance is not None  # noqa: S101 - the task's foreign key
        current = (
            FlowTask.objects.select_related("assignee", "on_behalf_of")
            .filter(pk=task.pk, state=FlowTask.State.OPEN)
            .first()
        )
        if current is None:
            raise DomainError(
                _("This task has already been handled; reload the page."),
                code=engine.NotYourTask.code,
            )
        holder = current.on_behalf_of or current.assignee
        facts = DjangoOrgFacts()
        facts.remember(by, holder, instance.initiator)
        action = engine.Transfer(
            str(by.pk),
            at,
            on_behalf_of=str(holder.pk),
            task_id=current.key,
            to_user=services._user_ref(to, "to"),
            reason=text,
            administrative=True,
        )
        acted = services._apply(
            instance=instance,
            action=action,
            by=by,
            on_behalf_of=holder,
            facts=facts,
            now=at,
        )
        return acted.tasks.filter(state=FlowTask.State.OPEN).latest("id")


__all__ = ["task_reassign"]
