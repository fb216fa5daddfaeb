"""Fixtures of the supervision tests: a small group with heads, leaders and officers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.org.models import Role, User
from zhiban.org.tests.factories import (
    DepartmentFactory,
    UnitFactory,
    UserFactory,
    make_head,
)
from zhiban.supervision import services
from zhiban.supervision.defaults import ensure_profiles
from zhiban.supervision.models import ClockProfile, SupervisionItem


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    hq = UnitFactory(code="HQ", name="集团本部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    production = DepartmentFactory(unit=hq, code="PRD", name="生产技术部")
    safety = DepartmentFactory(unit=hq, code="SAF", name="安全监察部")
    leaders = DepartmentFactory(unit=hq, code="LDR", name="公司领导")
    empty = DepartmentFactory(unit=hq, code="EMP", name="无负责人部门")
    return {
        "leader": UserFactory(
            username="leader",
            name="王总",
            primary_department=leaders,
            roles=[Role.OVERSEEING_LEADER],
        ),
        "officer": UserFactory(
            username="officer",
            name="督查员",
            primary_department=office,
            roles=[Role.SUPERVISION_OFFICER],
        ),
        "head": make_head(
            UserFactory(username="head", name="生产部长", primary_department=production)
        ),
        "staff": UserFactory(
            username="staff", name="林波", primary_department=production
        ),
        "safety_head": make_head(
            UserFactory(
                username="safety_head", name="安监部长", primary_department=safety
            )
        ),
        "outsider": UserFactory(username="outsider", primary_department=empty),
    }


@pytest.fixture
def profile(db: Any) -> ClockProfile:
    ensure_profiles(ClockProfile)
    return ClockProfile.objects.get(code="13710")


def new_item(
    people: dict[str, User], profile: ClockProfile, **extra: Any
) -> SupervisionItem:
    arguments: dict[str, Any] = {
        "by": people["leader"],
        "title": "落实煤矿安全生产专项整治",
        "content": "对照三年行动方案，逐项落实整治措施。",
        "lead_department": people["head"].primary_department,
        "co_departments": [people["safety_head"].primary_department],
        "leader": people["leader"],
        "officer": people["officer"],
        "profile": profile,
        **extra,
    }
    return services.item_create(**arguments)


def issued_item(
    people: dict[str, User], profile: ClockProfile, **extra: Any
) -> SupervisionItem:
    item = new_item(people, profile, **extra)
    return services.item_issue(item=item, by=people["leader"])


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
