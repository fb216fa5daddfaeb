"""Fixtures of the seal tests: a small organisation, seals and the default flow."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiban.notices.demo import tiny_pdf
from zhiban.org.models import Role, User
from zhiban.org.tests.factories import (
    DepartmentFactory,
    UnitFactory,
    UserFactory,
    make_head,
)
from zhiban.seals.models import Seal
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowInstance, FlowTask

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
    b"\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Assert against the English messages."""
    from django.utils import translation

    with translation.override("en"):
        yield


def make_org() -> dict[str, Any]:
    """Build a unit with an office, a production department and its section."""
    hq = UnitFactory(code="HQ", name="集团本部", short_name="本部")
    mine = UnitFactory(code="MINE", name="朝阳煤矿", short_name="朝阳矿")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    production = DepartmentFactory(unit=hq, code="PRD", name="生产技术部")
    section = DepartmentFactory(
        unit=hq, code="PRD-GEO", name="地质测量科", parent=production
    )
    nohead = DepartmentFactory(unit=hq, code="NOH", name="纪委办公室")
    mine_office = DepartmentFactory(unit=mine, code="M-OFF", name="矿办公室")
    people = {
        "admin": UserFactory(
            username="admin", primary_department=office, roles=[Role.SYSTEM_ADMIN]
        ),
        "director": make_head(
            UserFactory(
                username="director",
                name="陈静",
                primary_department=office,
                roles=[Role.OFFICE_DIRECTOR],
            )
        ),
        "keeper": UserFactory(
            username="keeper", name="王芳", primary_department=office
        ),
        "deputy": UserFactory(
            username="deputy", name="李强", primary_department=office
        ),
        "head": make_head(
            UserFactory(username="head", name="冯涛", primary_department=production)
        ),
        "requester": UserFactory(
            username="requester", name="高峰", primary_department=production
        ),
        "geologist": UserFactory(
            username="geologist", name="罗敏", primary_department=section
        ),
        "colleague": UserFactory(
            username="colleague", name="林波", primary_department=production
        ),
        "lonely": UserFactory(
            username="lonely", name="许超", primary_department=nohead
        ),
        "stranger": UserFactory(
            username="stranger", name="路人", primary_department=mine_office
        ),
        "mine_keeper": UserFactory(
            username="mine_keeper", name="张丽", primary_department=mine_office
        ),
    }
    return {
        "units": {"hq": hq, "mine": mine},
        "departments": {
            "office": office,
            "production": production,
            "section": section,
            "nohead": nohead,
            "mine_office": mine_office,
        },
        "people": people,
    }


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_org()


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, User]:
    return org["people"]


def make_seals(org: dict[str, Any]) -> dict[str, Seal]:
    people = org["people"]
    return {
        "official": Seal.objects.create(
            name="集团公章",
            kind=Seal.Kind.OFFICIAL,
            unit=org["units"]["hq"],
            keeper=people["keeper"],
            deputy_keeper=people["deputy"],
            location="综合办公室机要柜",
        ),
        "contract": Seal.objects.create(
            name="合同专用章",
            kind=Seal.Kind.CONTRACT,
            unit=org["units"]["hq"],
            keeper=people["deputy"],
        ),
        "mine": Seal.objects.create(
            name="朝阳煤矿公章",
            kind=Seal.Kind.OFFICIAL,
            unit=org["units"]["mine"],
            keeper=people["mine_keeper"],
        ),
    }


@pytest.fixture
def seals(org: dict[str, Any]) -> dict[str, Seal]:
    return make_seals(org)


def document() -> SimpleUploadedFile:
    return SimpleUploadedFile("合同.pdf", tiny_pdf("contract"), "application/pdf")


def scan_file(name: str = "scan.png", content: bytes = PNG) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def request_seal(
    by: User, seal: Seal, *, copies: int = 2, title: str = "采购合同"
) -> FlowInstance:
    """Start a seal-use request on the default flow."""
    return workflow.instance_start(
        flow_code="seal_use",
        form={
            "seal": str(seal.pk),
            "document_title": title,
            "copies": str(copies),
            "purpose": "签订年度采购合同",
        },
        files={"attachment": [document()]},
        by=by,
    )


def approve_all(instance: FlowInstance) -> FlowInstance:
    """Approve every open task, as its holder, until the instance finishes."""
    for _ in range(10):
        task = (
            FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN)
            .select_related("assignee")
            .first()
        )
        if task is None:
            break
        instance = workflow.instance_act(
            instance_id=instance.pk, kind="approve", by=task.assignee
        )
    instance.refresh_from_db()
    return instance


def open_assignees(instance: FlowInstance) -> list[str]:
    return sorted(
        FlowTask.objects.filter(
            instance=instance, state=FlowTask.State.OPEN
        ).values_list("assignee__username", flat=True)
    )
