"""Node timeouts (超时): the sweep the beat schedule runs every minute.

A task opens with ``due_at`` = opened + its node's timeout. The sweep finds the
instances with an open task past due, and applies the engine's Timeout action,
as the system, to every node run that is due and not yet timed out: remind the
holders, escalate to the node's contacts, or pass the node (recorded in the
log). The engine marks the run ``timed_out``, and the instance row is locked
while it is applied, so however often (or concurrently) the sweep runs, a node
visit times out once; a return that re-enters the node starts a new visit.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction

from zhiban.core.errors import DomainError
from zhiban.workflow import engine, services
from zhiban.workflow.facts import DjangoOrgFacts
from zhiban.workflow.models import FlowInstance, FlowTask

logger = logging.getLogger(__name__)

SYSTEM = "system"  # the engine actor of the sweep's actions


def _due_nodes(
    definition: engine.Definition, state: engine.State, now: datetime.datetime
) -> list[str]:
    """Return the waiting nodes whose timeout is due and not yet applied."""
    due: list[str] = []
    for run in state.runs:
        node = definition.nodes_by_id.get(run.node_id)
        if (
            isinstance(node, engine.ApproverNode)
            and node.timeout_minutes
            and not run.timed_out
            and run.entered_at is not None
            and now - run.entered_at >= datetime.timedelta(minutes=node.timeout_minutes)
        ):
            due.append(run.node_id)
    return due


def _sweep_one(instance_id: int, now: datetime.datetime) -> int:
    """Apply the due timeouts of one instance under its row lock; return how many."""
    applied = 0
    with transaction.atomic():
        instance = services.instance_lock(instance_id=instance_id, running_only=True)
        if instance is None:
            return 0
        definition = services.definition_of(instance.version)
        state = engine.state_from_dict(instance.state)
        for node_id in _due_nodes(definition, state, now):
            # An earlier timeout of this sweep (an auto-pass) may have moved on.
            current = engine.state_from_dict(instance.state)
            if node_id not in _due_nodes(definition, current, now):
                continue
            facts = DjangoOrgFacts()
            facts.remember(instance.initiator)
            services._apply(
                instance=instance,
                action=engine.Timeout(SYSTEM, now, node_id=node_id),
                by=None,
                on_behalf_of=None,
                facts=facts,
                now=now,
            )
            applied += 1
            if instance.status != FlowInstance.Status.RUNNING:
                break
    return applied


def timeouts_sweep(*, now: datetime.datetime) -> int:
    """Apply every due node timeout once; return how many were applied.

    Each instance is handled in its own transaction: one that cannot be handled
    (say, a person of its flow was deleted) is logged and the others go on.
    """
    candidates = (
        FlowTask.objects.filter(
            state=FlowTask.State.OPEN,
            due_at__lte=now,
            instance__status=FlowInstance.Status.RUNNING,
        )
        .values_list("instance_id", flat=True)
        .distinct()
        .order_by("instance_id")
    )
    # Read without locks first: tasks of a node that already timed out (reminded
    # or escalated) stay open past due, and need no lock every minute.
    rows = FlowInstance.objects.filter(pk__in=candidates).values_list(
        "pk", "version_id", "version__body", "state"
    )
    definitions: dict[int, engine.Definition] = {}
    due: list[int] = []
    for pk, version_id, body, state in rows:
        if version_id not in definitions:
            definitions[version_id] = engine.definition_from_dict(body)
        if _due_nodes(definitions[version_id], engine.state_from_dict(state), now):
            due.append(pk)
    applied = 0
    for pk in sorted(due):
        try:
            applied += _sweep_one(pk, now)
        except DomainError:
            logger.exception("The timeout of approval %s could not be applied", pk)
    return applied


__all__ = ["timeouts_sweep"]
