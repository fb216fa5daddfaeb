"""Fixtures of the vehicle tests: a small organisation and the default flow."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from zhiban.org.models import Role, User
from zhiban.org.tests.factories import (
    DepartmentFactory,
    UnitFactory,
    UserFactory,
    make_head,
)
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowInstance, FlowTask


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    hq = UnitFactory(code="HQ", name="集团本部")
    fleet = DepartmentFactory(unit=hq, code="CD", name="车队")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    production = DepartmentFactory(unit=hq, code="PRD", name="生产技术部")
    return {
        "manager": UserFactory(
            username="manager", primary_department=fleet, roles=[Role.FLEET_MANAGER]
        ),
        "manager2": UserFactory(
            username="manager2", primary_department=fleet, roles=[Role.FLEET_MANAGER]
        ),
        "director": UserFactory(
            username="director", primary_department=office, roles=[Role.OFFICE_DIRECTOR]
        ),
        "head": make_head(UserFactory(username="head", primary_department=production)),
        "requester": UserFactory(
            username="requester", name="宋健", primary_department=production
        ),
        "colleague": UserFactory(username="colleague", primary_department=production),
    }


def window(hours_ahead: int = 24, length: int = 3) -> dict[str, str]:
    start = timezone.localtime() + datetime.timedelta(hours=hours_ahead)
    end = start + datetime.timedelta(hours=length)
    return {
        "window_start": start.strftime("%Y-%m-%dT%H:%M"),
        "window_end": end.strftime("%Y-%m-%dT%H:%M"),
    }


def request_vehicle(
    by: User, *, destination: str = "九里山矿", hours_ahead: int = 24, **extra: Any
) -> FlowInstance:
    form: dict[str, Any] = {
        "purpose": "安全检查",
        "passengers": "3",
        "passenger_names": "宋健、林波、陈刚",
        "destination": destination,
        "departure": "集团本部",
        **window(hours_ahead),
        **extra,
    }
    return workflow.instance_start(flow_code="vehicle_use", form=form, by=by)


def approve_all(instance: FlowInstance) -> FlowInstance:
    for _ in range(10):
        task = (
            FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN)
            .select_related("assignee")
            .first()
        )
        if task is None:
            break
        workflow.instance_act(instance_id=instance.pk, kind="approve", by=task.assignee)
    instance.refresh_from_db()
    return instance
