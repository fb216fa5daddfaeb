"""Demo vehicle requests for the seeded organisation, through the approval services."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.utils import timezone

from zhiban.org.models import User
from zhiban.vehicles.defaults import CODE, ensure_default_flow
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowDefinition, FlowInstance, FlowTask, FlowVersion

# (requester, destination, days ahead, hour, hours, passengers, names, approved?)
REQUESTS: tuple[tuple[str, str, int, int, int, int, str, bool], ...] = (
    ("songjian", "九里山矿", 1, 8, 9, 3, "宋健、林波、陈刚", True),
    ("hejing", "河南省国资委", 2, 9, 4, 2, "何静、朱丹", True),
    ("linbo", "赵固一矿", 3, 7, 10, 2, "林波、周涛", False),
)


def _approve_one(instance: FlowInstance) -> FlowInstance:
    task = (
        FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN)
        .select_related("assignee")
        .first()
    )
    if task is None:
        return instance
    return workflow.instance_act(
        instance_id=instance.pk,
        kind="approve",
        by=task.assignee,
        payload={"opinion": "同意。"},
    )


def seed_demo_vehicles(*, people: Mapping[str, User]) -> list[FlowInstance]:
    """Run a few vehicle requests: two approved (awaiting dispatch), one in approval."""
    ensure_default_flow(FlowDefinition, FlowVersion)
    today = timezone.localdate()
    started: list[FlowInstance] = []
    for who, destination, days, hour, hours, count, names, approve in REQUESTS:
        if who not in people:
            continue
        start = timezone.make_aware(
            datetime.datetime.combine(
                today + datetime.timedelta(days=days), datetime.time(hour)
            )
        )
        end = start + datetime.timedelta(hours=hours)
        instance = workflow.instance_start(
            flow_code=CODE,
            form={
                "purpose": f"前往{destination}开展工作",
                "window": {"start": start.isoformat(), "end": end.isoformat()},
                "passengers": count,
                "passenger_names": names,
                "destination": destination,
                "departure": "集团本部",
            },
            by=people[who],
            title=f"用车申请：{destination}",
        )
        while approve and instance.status == FlowInstance.Status.RUNNING:
            before = instance.sequence
            instance = _approve_one(instance)
            if instance.sequence == before:
                break
        started.append(instance)
    return started
