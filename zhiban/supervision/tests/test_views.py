"""The supervision pages: list, new item, item page and its actions, export, links."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiban.documents import services as documents
from zhiban.documents.models import Direction, IncomingStep, Stage
from zhiban.org.models import Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.supervision import services
from zhiban.supervision.models import ClockProfile, Source, SupervisionItem
from zhiban.supervision.tests.conftest import days, issued_item, new_item

pytestmark = pytest.mark.django_db
State = SupervisionItem.State


def client_for(user: User, language: str = "en") -> Client:
    """Return a client signed in as the user, who reads the pages in the language."""
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(user)
    return client


def create_form(
    people: dict[str, User], profile: ClockProfile, **extra: Any
) -> dict[str, Any]:
    return {
        "title": "推进智能化工作面建设",
        "content": "年底前完成两个智能化工作面。",
        "source": Source.KEY_WORK,
        "item_type": "general",
        "profile": profile.pk,
        "leader": people["leader"].pk,
        "officer": people["officer"].pk,
        "lead_department": people["head"].primary_department_id,
        "co_departments": [people["safety_head"].primary_department_id],
        "then": "issue",
        **extra,
    }


def test_leader_issues_from_the_page(
    people: dict[str, User], profile: ClockProfile
) -> None:
    client = client_for(people["leader"])
    assert client.get(reverse("supervision:create")).status_code == 200
    response = client.post(reverse("supervision:create"), create_form(people, profile))
    item = SupervisionItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:detail", args=[item.pk])
    assert item.state == State.ISSUED
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert item.number in page.content.decode()


def test_bad_input_shows_the_reason_and_keeps_nothing(
    people: dict[str, User], profile: ClockProfile
) -> None:
    client = client_for(people["leader"])
    url = reverse("supervision:create")
    yesterday = (timezone.localdate() - days(1)).isoformat()
    response = client.post(url, create_form(people, profile, deadline=yesterday))
    assert response.status_code == 400
    assert (
        "The deadline cannot be before the day the item is issued."
        in response.content.decode()
    )
    response = client.post(url, create_form(people, profile, leader=""))
    assert response.status_code == 400
    assert "Choose the assigning leader." in response.content.decode()
    response = client.post(
        url,
        create_form(
            people, profile, co_departments=[people["outsider"].primary_department_id]
        ),
    )
    assert response.status_code == 400
    assert "无负责人部门" in response.content.decode()
    # The leader asks for their own review: refused, and no orphan draft is left.
    response = client.post(url, create_form(people, profile, then="review"))
    assert response.status_code == 400
    assert "issue the item yourself" in response.content.decode()
    assert not SupervisionItem.objects.exists()


def test_an_employee_cannot_create_or_see_others_items(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    client = client_for(people["outsider"])
    assert client.get(reverse("supervision:create")).status_code == 403
    assert client.get(reverse("supervision:detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("supervision:list")).status_code == 200
    # A member of the lead department sees it.
    assert (
        client_for(people["staff"])
        .get(reverse("supervision:detail", args=[item.pk]))
        .status_code
        == 200
    )


def test_the_department_acts_from_the_page(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    head = client_for(people["head"])
    url = reverse("supervision:detail", args=[item.pk])
    page = head.get(url).content.decode()
    assert 'data-testid="sign-form"' in page

    def act(action: str, data: dict[str, Any]) -> Any:
        return head.post(reverse("supervision:act", args=[item.pk, action]), data)

    response = act("sign", {"arrangement": "", "department": item.lead_department_id})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert (
        act(
            "sign",
            {
                "arrangement": "部署到位",
                "department": item.lead_department_id,
                "responsible": people["staff"].pk,
            },
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.state == State.SIGNED
    assert item.responsible == people["staff"]
    staff = client_for(people["staff"])
    milestone = (timezone.localdate() + days(5)).isoformat()
    response = staff.post(
        reverse("supervision:act", args=[item.pk, "plan"]),
        {"plan": "分两步", "milestone_date_1": milestone, "milestone_label_1": ""},
    )
    assert response.status_code == 400
    assert "Say what is done by this date." in response.content.decode()
    response = staff.post(
        reverse("supervision:act", args=[item.pk, "plan"]),
        {
            "plan": "分两步",
            "milestone_date_1": milestone,
            "milestone_label_1": "完成设备安装",
        },
    )
    assert response.status_code == 302
    photo = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    photo.name = "现场照片.png"
    node = item.nodes.get(step="milestone")
    response = staff.post(
        reverse("supervision:act", args=[item.pk, "report"]),
        {"text": "设备已安装", "node": node.pk, "files": [photo]},
    )
    assert response.status_code == 302
    attached = item.files.get()
    download = staff.get(reverse("supervision:file", args=[attached.pk]))
    assert download.status_code == 200
    assert (
        client_for(people["outsider"])
        .get(reverse("supervision:file", args=[attached.pk]))
        .status_code
        == 404
    )
    assert (
        staff.post(
            reverse("supervision:act", args=[item.pk, "complete"]), {"summary": "完成"}
        ).status_code
        == 302
    )
    officer = client_for(people["officer"])
    response = officer.post(
        reverse("supervision:act", args=[item.pk, "verify"]),
        {"decision": "close", "grade": "fail"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = officer.post(
        reverse("supervision:act", args=[item.pk, "verify"]),
        {"decision": "close", "grade": "excellent"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.CLOSED
    assert item.grade == "excellent"
    # Acting again is refused with the reason, not a 500.
    response = staff.post(
        reverse("supervision:act", args=[item.pk, "report"]), {"text": "再报"}
    )
    assert response.status_code == 400
    assert "no more progress reports" in response.content.decode()
    assert (
        head.post(
            reverse("supervision:act", args=[item.pk, "nonsense"]), {}
        ).status_code
        == 404
    )


def test_list_counts_lights_and_exports_what_it_shows(
    people: dict[str, User], profile: ClockProfile
) -> None:
    first = issued_item(people, profile, title="甲事项")
    issued_item(people, profile, title="乙事项")
    new_item(people, profile, title="丙草稿")
    # Move the first item's clock back: its arrange node is overdue (red).
    first.nodes.filter(key="arrange").update(due_on=timezone.localdate() - days(2))
    services._refresh_next_due(first)
    client = client_for(people["officer"])
    page = client.get(reverse("supervision:list")).content.decode()
    assert 'data-testid="light-count-red"' in page
    response = client.get(reverse("supervision:list"), {"light": "red"})
    assert response.context["page"].paginator.count == 1
    assert response.context["page"].object_list[0].title == "甲事项"
    assert {light: n for light, _label, n, _shown in response.context["light_counts"]}[
        "red"
    ] == 1
    export = client.get(reverse("supervision:export"), {"light": "red"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "甲事项"
    assert rows[1][2] == "Red"
    # A co-department sees the issued items, not the draft.
    page = (
        client_for(people["safety_head"])
        .get(reverse("supervision:list"))
        .content.decode()
    )
    assert "甲事项" in page
    assert "丙草稿" not in page


@pytest.mark.parametrize("viewer", ["head", "officer"])
def test_the_list_reads_as_many_statements_for_two_items_as_for_thirty(
    people: dict[str, User], profile: ClockProfile, viewer: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people[viewer])
    issued_item(people, profile, title="一", responsible=people["head"])
    issued_item(people, profile, title="二")
    client.get(reverse("supervision:list"))  # the session and caches, once

    def statements() -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("supervision:list"), {"page": 2})
        assert response.status_code == 200
        return len(context)

    few = statements()
    for n in range(28):
        issued_item(people, profile, title=f"事项{n}")
    assert statements() == few
    # A head's list is read in five parts (the departments', then each of four
    # roles): three reads of each, a few statements more, none of them growing.
    assert few <= {"head": 24, "officer": 8}[viewer]


def test_instruction_becomes_an_item_linked_both_ways(
    people: dict[str, User], profile: ClockProfile
) -> None:
    office = people["officer"].primary_department
    production = people["head"].primary_department
    safety = people["safety_head"].primary_department
    assert office is not None
    assert production is not None
    assert safety is not None
    clerk = UserFactory(username="clerk", primary_department=office, roles=[Role.CLERK])
    document = documents.document_register(
        by=clerk,
        direction=Direction.INCOMING,
        unit=office.unit,
        document_type="notice",
        title="关于开展安全生产大检查的通知",
        sender="河南省应急管理厅",
        document_number="豫应急〔2026〕30号",
        received_on=datetime.date(2026, 11, 20),
        department=office,
    )
    documents.incoming_check(document=document, by=clerk, passed=True)
    documents.incoming_propose(
        document=document, by=clerk, proposal="请王总阅示", leader=people["leader"]
    )
    deadline = timezone.localdate() + days(15)
    documents.incoming_instruct(
        document=document,
        by=people["leader"],
        instruction="请生产技术部牵头，安全监察部配合，抓好落实。",
        lead=production,
        co_departments=[safety],
        deadline=deadline,
    )
    step = IncomingStep.objects.get(document=document, stage=Stage.INSTRUCT)
    leader = client_for(people["leader"])
    page = leader.get(reverse("documents:detail", args=[document.pk])).content.decode()
    create_url = f"{reverse('supervision:create')}?step={step.pk}"
    assert create_url.replace("&", "&amp;") in page or create_url in page
    form = leader.get(create_url)
    assert form.status_code == 200
    assert (
        form.context["form"].initial["content"]
        == "请生产技术部牵头，安全监察部配合，抓好落实。"
    )
    assert form.context["form"].initial["deadline"] == deadline
    people_initial = form.context["people"]
    assert people_initial["leader"] == [people["leader"]]
    assert people_initial["lead_department"] == [people["head"].primary_department]
    assert people_initial["co_departments"] == [
        people["safety_head"].primary_department
    ]
    data = create_form(
        people,
        profile,
        step=step.pk,
        source=Source.INSTRUCTION,
        deadline=deadline.isoformat(),
    )
    response = leader.post(reverse("supervision:create"), data)
    assert response.status_code == 302
    item = SupervisionItem.objects.get()
    assert item.source_id == str(step.pk)
    detail = leader.get(response["Location"]).content.decode()
    assert reverse("documents:detail", args=[document.pk]) in detail
    page = leader.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert item.number in page
    # Someone who cannot see the document cannot start from its instruction.
    other_leader = UserFactory(
        username="leader2",
        primary_department=people["leader"].primary_department,
        roles=[Role.OVERSEEING_LEADER],
    )
    response = client_for(other_leader).get(create_url)
    assert response.context["source"] is None


def test_a_drill_down_shows_its_filters_and_keeps_them(
    people: dict[str, User], profile: ClockProfile
) -> None:
    issued_item(people, profile, title="生产事项")
    safety = people["safety_head"].primary_department
    issued_item(
        people, profile, title="安监事项", lead_department=safety, co_departments=[]
    )
    client = client_for(people["officer"])
    assert safety is not None
    response = client.get(reverse("supervision:list"), {"department": str(safety.pk)})
    assert response.context["page"].paginator.count == 1
    assert response.context["active_filters"][0][1] == "安全监察部"
    page = response.content.decode()
    assert f'name="department" value="{safety.pk}"' in page
    assert "安监事项" in page
    assert "生产事项" not in page
