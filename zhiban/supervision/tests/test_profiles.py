"""Clock profiles are data: administrators and the office director edit them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org.models import Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.supervision import services
from zhiban.supervision.lights import light_rule
from zhiban.supervision.models import ClockProfile
from zhiban.supervision.tests.conftest import issued_item

pytestmark = pytest.mark.django_db


def director(people: dict[str, User]) -> User:
    return UserFactory(
        username="director",
        primary_department=people["officer"].primary_department,
        roles=[Role.OFFICE_DIRECTOR],
        language="en",
    )


def test_edit_a_profile_from_the_page(
    people: dict[str, User], profile: ClockProfile
) -> None:
    client = Client()
    client.force_login(director(people))
    url = reverse("supervision:profile_edit", args=[profile.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["node_label_1"] == "研究部署"
    data = {
        "name": "13710（自然日）",
        "description": "按自然日计算",
        "day_basis": "calendar",
        "yellow_days": "2",
        "is_active": "on",
        "node_label_1": "研究部署",
        "node_step_1": "sign",
        "node_days_1": "1",
        "node_label_2": "反馈进展",
        "node_step_2": "plan",
        "node_days_2": "3",
        "node_label_3": "申请办结",
        "node_step_3": "complete",
        "node_days_3": "7",
        "node_types_3": ["general"],
        "rung_handler_light": "yellow",
        "rung_head_light": "red",
        "rung_head_after": "0",
        "rung_leader_light": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.day_basis == "calendar"
    assert profile.yellow_days == 2
    assert [n["key"] for n in profile.nodes] == ["arrange", "report", "complete"]
    assert profile.nodes[2]["types"] == ["general"]
    assert [r["rung"] for r in profile.ladder] == ["handler", "head"]
    # A node with both days and months is pointed out, and nothing changes.
    response = client.post(url, {**data, "node_months_2": "1", "name": "坏"})
    assert response.status_code == 400
    assert "Node 2 needs either days" in response.content.decode()
    profile.refresh_from_db()
    assert profile.name == "13710（自然日）"


def test_new_profile_and_the_yellow_threshold_applies_at_once(
    people: dict[str, User], profile: ClockProfile
) -> None:
    boss = director(people)
    item = issued_item(people, profile)
    today = timezone.localdate()
    item.nodes.update(due_on=today + datetime.timedelta(days=10))
    item.refresh_from_db()
    services._refresh_next_due(item)
    before = light_rule(today=today).of(item)
    services.profile_save(
        by=boss,
        profile=profile,
        code="",
        name=profile.name,
        description="",
        day_basis="calendar",
        yellow_days=12,
        nodes=profile.nodes,
        ladder=profile.ladder,
    )
    after = light_rule(today=today).of(item)
    assert (before, after) == ("green", "yellow")
    created = services.profile_save(
        by=boss,
        profile=None,
        code="weekly",
        name="周报",
        description="",
        day_basis="working",
        yellow_days=1,
        nodes=[{"key": "k", "label": "签收", "step": "sign", "days": 1}],
        ladder=[],
    )
    assert created.code == "weekly"
    with pytest.raises(DomainError) as error:
        services.profile_save(
            by=boss,
            profile=None,
            code="weekly",
            name="重复",
            description="",
            day_basis="working",
            yellow_days=1,
            nodes=[{"key": "k", "label": "签收", "step": "sign", "days": 1}],
            ladder=[],
        )
    assert error.value.code == "code_taken"
    with pytest.raises(DomainError) as error:
        services.profile_save(
            by=boss,
            profile=None,
            code="bad",
            name="坏",
            description="",
            day_basis="working",
            yellow_days=1,
            nodes=[],
            ladder=[{"rung": "boss", "light": "red"}],
        )
    assert error.value.code == "invalid_nodes"
    with pytest.raises(PermissionDeniedError):
        services.profile_save(
            by=people["officer"],
            profile=profile,
            code="",
            name="x",
            description="",
            day_basis="working",
            yellow_days=1,
            nodes=profile.nodes,
            ladder=[],
        )
    stranger = Client()
    stranger.force_login(people["officer"])
    assert stranger.get(reverse("supervision:profiles")).status_code == 403
