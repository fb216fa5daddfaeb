"""A vehicle request's outcome: ready for dispatch on approval, cancelled on revoke."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.dateparse import parse_datetime

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.vehicles.models import VehicleRequest
from zhiban.workflow import revocation
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowInstance, FlowTask

from .conftest import approve_all, request_vehicle

pytestmark = pytest.mark.django_db


def test_the_head_then_any_fleet_manager_approves(people: dict[str, Any]):
    instance = request_vehicle(people["requester"])
    instance = workflow.instance_act(
        instance_id=instance.pk, kind="approve", by=people["head"]
    )
    open_tasks = FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN)
    assert sorted(open_tasks.values_list("assignee__username", flat=True)) == [
        "manager",
        "manager2",
    ]
    assert not VehicleRequest.objects.exists()

    instance = workflow.instance_act(
        instance_id=instance.pk, kind="approve", by=people["manager2"]
    )

    assert instance.status == FlowInstance.Status.APPROVED
    request = VehicleRequest.objects.get(instance=instance)
    window = instance.form["window"]
    assert (
        request.requester,
        request.department,
        request.starts_at,
        request.ends_at,
        request.destination,
        request.departure,
        request.passengers,
        request.passenger_names,
        request.purpose,
        request.status,
    ) == (
        people["requester"],
        people["requester"].primary_department,
        parse_datetime(window["start"]),
        parse_datetime(window["end"]),
        "九里山矿",
        "集团本部",
        3,
        "宋健、林波、陈刚",
        "安全检查",
        VehicleRequest.Status.AWAITING_DISPATCH,
    )
    assert AuditEntry.objects.filter(action="vehicle.request_open").count() == 1


def test_a_window_in_the_past_or_backwards_is_refused(people: dict[str, Any]):
    with pytest.raises(DomainError) as caught:
        request_vehicle(people["requester"], hours_ahead=-5)
    assert list(caught.value.message_dict) == ["window"]
    with pytest.raises(DomainError) as caught:
        request_vehicle(
            people["requester"],
            window_start="2099-01-02T10:00",
            window_end="2099-01-02T09:00",
        )
    assert caught.value.message_dict == {"window": ["The end is before the start."]}
    with pytest.raises(DomainError) as caught:
        request_vehicle(people["requester"], passengers="0")
    assert list(caught.value.message_dict) == ["passengers"]
    assert not FlowInstance.objects.filter(
        version__definition__code="vehicle_use"
    ).exists()


def test_a_rejected_request_books_nothing(people: dict[str, Any]):
    instance = request_vehicle(people["requester"])
    workflow.instance_act(
        instance_id=instance.pk,
        kind="reject",
        by=people["head"],
        payload={"reason": "改乘班车"},
    )
    assert not VehicleRequest.objects.exists()


def test_revoking_cancels_the_request(people: dict[str, Any]):
    instance = approve_all(request_vehicle(people["requester"]))
    asked = revocation.instance_revoke_request(
        instance=instance, by=people["requester"], reason="行程取消"
    )
    approve_all(asked)

    request = VehicleRequest.objects.get()
    assert request.status == VehicleRequest.Status.CANCELLED
    assert request.cancelled_at is not None
    assert AuditEntry.objects.filter(action="vehicle.request_cancel").count() == 1
