"""Fixtures of the document tests: a unit with an office, registry roles, a series."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.documents import services
from zhiban.documents.models import Direction, Document, NumberSeries
from zhiban.org.models import Role, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Assert against the English messages."""
    from django.utils import translation

    with translation.override("en"):
        yield


def make_org() -> dict[str, Any]:
    """Build two units, an office and a production department, and their people."""
    hq = UnitFactory(code="HQ", name="集团本部")
    mine = UnitFactory(code="MINE", name="朝阳煤矿")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    production = DepartmentFactory(unit=hq, code="PRD", name="生产技术部")
    mine_office = DepartmentFactory(unit=mine, code="M-OFF", name="矿办公室")
    people = {
        "admin": UserFactory(
            username="admin", primary_department=office, roles=[Role.SYSTEM_ADMIN]
        ),
        "director": UserFactory(
            username="director",
            primary_department=office,
            roles=[Role.OFFICE_DIRECTOR],
        ),
        "clerk": UserFactory(
            username="clerk", name="王芳", primary_department=office, roles=[Role.CLERK]
        ),
        "secret": UserFactory(
            username="secret",
            name="赵敏",
            primary_department=office,
            roles=[Role.CONFIDENTIAL_CLERK],
        ),
        "engineer": UserFactory(username="engineer", primary_department=production),
        "stranger": UserFactory(username="stranger", primary_department=office),
        "mine_clerk": UserFactory(
            username="mine_clerk", primary_department=mine_office, roles=[Role.CLERK]
        ),
    }
    return {
        "hq": hq,
        "mine": mine,
        "office": office,
        "production": production,
        "mine_office": mine_office,
        "people": people,
    }


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_org()


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, User]:
    return org["people"]


def make_series(
    org: dict[str, Any], code: str = "集团办", **kwargs: Any
) -> NumberSeries:
    return services.series_create(
        by=org["people"]["director"],
        unit=org["hq"],
        code=code,
        name=kwargs.pop("name", f"{code}发文"),
        **kwargs,
    )


def incoming(org: dict[str, Any], by: str = "clerk", **fields: Any) -> Document:
    values: dict[str, Any] = {
        "document_type": "notice",
        "title": "关于做好冬季安全生产工作的通知",
        "sender": "河南省应急管理厅",
        "document_number": "豫应急〔2026〕12号",
        "received_on": datetime.date(2026, 11, 20),
        "department": org["production"],
    }
    values.update(fields)
    return services.document_register(
        by=org["people"][by], direction=Direction.INCOMING, unit=org["hq"], **values
    )


def outgoing(org: dict[str, Any], by: str = "clerk", **fields: Any) -> Document:
    values: dict[str, Any] = {
        "document_type": "notice",
        "title": "关于开展安全生产大检查的通知",
        "main_recipients": "各二级单位、集团各部门",
        "department": org["office"],
    }
    values.update(fields)
    return services.document_register(
        by=org["people"][by], direction=Direction.OUTGOING, unit=org["hq"], **values
    )


def classified(org: dict[str, Any], **fields: Any) -> Document:
    values: dict[str, Any] = {
        "secrecy_level": "机密",
        "secrecy_term_years": 5,
        "copy_number": "000003",
        "title": "关于重大项目谈判方案的请示",
        "document_type": "request",
        "main_recipients": "集团公司",
        "paper_holder": org["people"]["secret"],
        "paper_location": "机要室保密柜2号",
    }
    values.update(fields)
    return outgoing(org, by="secret", **values)
