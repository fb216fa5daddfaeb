"""Fixtures for the Django side of the approval engine."""

from __future__ import annotations

from typing import Any

import pytest

from zhiban.org.models import User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
from zhiban.workflow import services
from zhiban.workflow.models import FlowDefinition, FlowVersion


def approver(node_id: str, *people: User, mode: str = "sequential") -> dict[str, Any]:
    """Return an approver node of named people, as stored JSON."""
    return {
        "type": "approver",
        "id": node_id,
        "name": f"审批{node_id}",
        "assignees": {"kind": "users", "users": [str(p.pk) for p in people]},
        "mode": mode,
    }


def body(code: str, *nodes: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """Return a definition body with the nodes."""
    return {"key": code, "name": "用印申请", "nodes": list(nodes), **settings}


def publish(
    code: str, by: User, *nodes: dict[str, Any], **settings: Any
) -> FlowVersion:
    """Publish the nodes as the flow's next version, creating the flow if needed."""
    flow = FlowDefinition.objects.filter(code=code).first() or services.flow_create(
        code=code, name="用印申请", by=by
    )
    return services.flow_publish(
        definition=flow, body=body(code, *nodes, **settings), by=by
    )


DEFAULT_FLOW_CODES = (
    "seal_use",
    "vehicle_use",
    "request",
    "general",
    "document_outgoing",
    "supervision_extension",
    "meeting_room_booking",
)


@pytest.fixture(autouse=True)
def _no_default_flows(request: pytest.FixtureRequest) -> None:
    """Start workflow tests without the default flows the data migrations create.

    These tests build the flows they need (several under the default codes) and
    count the flows they see; the defaults have their own tests in their apps.
    """
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    FlowVersion.objects.filter(definition__code__in=DEFAULT_FLOW_CODES).delete()
    FlowDefinition.objects.filter(code__in=DEFAULT_FLOW_CODES).delete()


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    """An initiator, three approvers and a stranger in one unit."""
    hq = UnitFactory(code="HQ", name="集团本部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    return {
        name: UserFactory(username=name, name=label, primary_department=office)
        for name, label in (
            ("alice", "李爱丽"),
            ("bob", "王博"),
            ("carol", "陈卡"),
            ("dave", "丁大为"),
            ("stranger", "路人"),
        )
    }


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Assert against the English messages."""
    from django.utils import translation

    with translation.override("en"):
        yield
