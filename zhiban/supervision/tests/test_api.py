"""The supervision API: the pages' rules, the lights of one rule, 409 when an item moved on."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from zhiban.org.models import User
from zhiban.org.workdays import WorkingCalendar
from zhiban.supervision import services
from zhiban.supervision.assessment import department_scores
from zhiban.supervision.lights import light_rule
from zhiban.supervision.models import (
    ClockProfile,
    Grade,
    ItemNode,
    Report,
    SupervisionItem,
)
from zhiban.supervision.tests.conftest import days, issued_item, new_item

pytestmark = pytest.mark.django_db
State = SupervisionItem.State
ITEMS = "/api/supervision-items/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def api(user: User) -> APIClient:
    """Return a client signed in as the user, who reads in English."""
    User.objects.filter(pk=user.pk).update(language="en")
    client = APIClient()
    # The user's language applies to a session; a forced authentication asks in English.
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def working_day(n: int) -> datetime.date:
    return WorkingCalendar().add_working_days(timezone.localdate(), n)


def overdue(item: SupervisionItem, by_days: int) -> None:
    """Make the item's first open node `by_days` late (time moved forward)."""
    node = item.nodes.filter(done_at__isnull=True).order_by("due_on").first()
    assert node is not None
    ItemNode.objects.filter(pk=node.pk).update(
        due_on=timezone.localdate() - days(by_days)
    )
    services._refresh_next_due(item)


def create_body(people: dict[str, User], **changes: Any) -> dict[str, Any]:
    body = {
        "title": "推进智能化工作面建设",
        "content": "年底前完成两个智能化工作面。",
        "source": "key_work",
        "profile": "13710",
        "leader": people["leader"].pk,
        "officer": people["officer"].pk,
        "lead_department": people["head"].primary_department_id,
        "co_departments": [people["safety_head"].primary_department_id],
        "then": "issue",
    }
    body.update(changes)
    return body


def nodes_of(body: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (node["key"], node["step"], node["due_on"], node["light"])
        for node in body["nodes"]
    ]


# --- the whole path -----------------------------------------------------------------


def test_the_whole_path_by_the_api(
    people: dict[str, User], profile: ClockProfile
) -> None:
    leader, head, staff = (
        api(people["leader"]),
        api(people["head"]),
        api(people["staff"]),
    )
    officer = api(people["officer"])
    today = timezone.localdate()

    created = leader.post(ITEMS, create_body(people), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["state"], body["light"], body["number"]) == (
        "issued",
        "yellow",
        f"督〔{today.year}〕1号",
    )
    assert (body["source"], body["profile"], body["issued_on"]) == (
        "key_work",
        "13710",
        today.isoformat(),
    )
    assert body["leader"] == {"id": people["leader"].pk, "name": "王总"}
    assert body["lead_department"]["name"] == "生产技术部"
    assert body["lead_department"]["signed_at"] is None
    assert [d["name"] for d in body["co_departments"]] == ["安全监察部"]
    assert nodes_of(body) == [
        ("arrange", "sign", working_day(1).isoformat(), "yellow"),
        ("report", "plan", working_day(3).isoformat(), "green"),
        ("complete", "complete", working_day(7).isoformat(), "green"),
    ]

    signed = head.post(
        f"{ITEMS}{pk}/sign/",
        {"arrangement": "部长牵头，林波具体负责", "responsible": people["staff"].pk},
        format="json",
    )
    assert signed.status_code == 200, signed.json()
    body = signed.json()
    assert (body["state"], body["light"]) == ("signed", "green")
    assert body["responsible"] == {"id": people["staff"].pk, "name": "林波"}
    assert body["lead_department"]["signed_by"]["name"] == "生产部长"
    assert body["co_departments"][0]["signed_at"] is None
    co_signed = api(people["safety_head"]).post(
        f"{ITEMS}{pk}/sign/", {"arrangement": "配合现场检查"}, format="json"
    )
    assert co_signed.status_code == 200
    assert co_signed.json()["co_departments"][0]["signed_at"] is not None

    milestone_day = working_day(2)
    planned = staff.post(
        f"{ITEMS}{pk}/plan/",
        {
            "plan": "分三步推进",
            "milestones": [{"due_on": milestone_day.isoformat(), "label": "完成排查"}],
        },
        format="json",
    )
    assert planned.status_code == 200, planned.json()
    body = planned.json()
    assert (body["state"], body["light"]) == ("in_progress", "green")
    assert body["next_due_on"] == milestone_day.isoformat()
    assert [(key, light) for key, _step, _due, light in nodes_of(body)] == [
        ("arrange", "done"),
        ("milestone-1", "green"),
        ("report", "done"),
        ("complete", "green"),
    ]
    milestone = next(n for n in body["nodes"] if n["key"] == "milestone-1")

    reported = staff.post(
        f"{ITEMS}{pk}/report/",
        {"text": "排查完成", "node": milestone["id"]},
        format="json",
    )
    assert reported.status_code == 201, reported.json()
    report = reported.json()
    assert (report["kind"], report["node"], report["on_time"], report["text"]) == (
        "progress",
        milestone["id"],
        True,
        "排查完成",
    )
    assert report["by"]["name"] == "林波"
    assert report["department"]["name"] == "生产技术部"
    assert ItemNode.objects.get(pk=milestone["id"]).done_at is not None

    completed = staff.post(
        f"{ITEMS}{pk}/complete/", {"summary": "全部整改到位"}, format="json"
    )
    assert completed.status_code == 200
    body = completed.json()
    assert (body["state"], body["light"], body["next_due_on"]) == (
        "requested",
        "green",
        None,
    )
    assert {light for _k, _s, _d, light in nodes_of(body)} == {"done"}

    returned = officer.post(
        f"{ITEMS}{pk}/return/",
        {"reason": "缺少验收材料", "due_on": today.isoformat()},
        format="json",
    )
    assert returned.status_code == 200, returned.json()
    body = returned.json()
    assert (body["state"], body["light"], body["returned_count"]) == (
        "returned",
        "yellow",
        1,
    )
    assert [n for n in nodes_of(body) if n[3] != "done"] == [
        ("complete", "complete", today.isoformat(), "yellow")
    ]

    assert (
        staff.post(
            f"{ITEMS}{pk}/complete/", {"summary": "补充了验收材料"}, format="json"
        ).json()["state"]
        == "requested"
    )
    closed = officer.post(f"{ITEMS}{pk}/close/", {"grade": "good"}, format="json")

    assert closed.status_code == 200
    body = closed.json()
    assert (body["state"], body["light"], body["grade"], body["grade_reason"]) == (
        "closed",
        "none",
        "good",
        "",
    )
    assert [r["kind"] for r in body["reports"]] == [
        "sign",
        "sign",
        "plan",
        "progress",
        "completion",
        "completion",
    ]
    assert [e["kind"] for e in body["events"]] == [
        "create",
        "issue",
        "sign",
        "sign",
        "plan",
        "report",
        "request_completion",
        "return",
        "request_completion",
        "close",
    ]
    archived = officer.post(f"{ITEMS}{pk}/archive/")
    assert (archived.status_code, archived.json()["state"]) == (200, "archived")


def test_plan_report_and_complete_take_files_as_multipart(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    head = api(people["head"])
    day = working_day(2).isoformat()

    planned = head.post(
        f"{ITEMS}{item.pk}/plan/",
        {
            "plan": "分两步",
            "milestones[0]due_on": day,
            "milestones[0]label": "完成排查",
            "files": [SimpleUploadedFile("方案.png", PNG, "image/png")],
        },
        format="multipart",
    )

    assert planned.status_code == 200, planned.json()
    plan = next(r for r in planned.json()["reports"] if r["kind"] == "plan")
    assert [f["original_name"] for f in plan["files"]] == ["方案.png"]
    assert [(n["key"], n["due_on"]) for n in planned.json()["nodes"]][1] == (
        "milestone-1",
        day,
    )
    reported = head.post(
        f"{ITEMS}{item.pk}/report/",
        {"text": "进展", "files": [SimpleUploadedFile("现场.png", PNG, "image/png")]},
        format="multipart",
    )
    assert reported.status_code == 201
    assert [f["content_type"] for f in reported.json()["files"]] == ["image/png"]
    assert reported.json()["node"] is None


def test_a_bad_file_is_a_400_and_stores_nothing(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_plan(item=item, by=people["head"], plan="p")

    response = api(people["head"]).post(
        f"{ITEMS}{item.pk}/report/",
        {
            "text": "进展",
            "files": [SimpleUploadedFile("a.exe", b"MZ\x90" + b"\0" * 99)],
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert not item.reports.filter(kind=Report.Kind.PROGRESS).exists()


def test_a_draft_goes_to_the_leader_for_review(
    people: dict[str, User], profile: ClockProfile
) -> None:
    officer, leader = api(people["officer"]), api(people["leader"])

    created = officer.post(ITEMS, create_body(people, then="review"), format="json")
    pk = created.json()["id"]
    assert (created.status_code, created.json()["state"]) == (201, "review")
    assert (created.json()["light"], created.json()["nodes"]) == ("none", [])

    refused = leader.post(f"{ITEMS}{pk}/review/", {"approve": False}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["opinion"]
    back = leader.post(
        f"{ITEMS}{pk}/review/", {"approve": False, "opinion": "补充要求"}, format="json"
    )
    assert back.json()["state"] == "draft"
    assert officer.post(f"{ITEMS}{pk}/submit-review/").json()["state"] == "review"
    approved = leader.post(f"{ITEMS}{pk}/review/", {"approve": True}, format="json")
    assert (approved.status_code, approved.json()["state"]) == (200, "issued")


def test_a_draft_is_issued_by_its_author(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = new_item(people, profile)

    response = api(people["leader"]).post(f"{ITEMS}{item.pk}/issue/")

    assert (response.status_code, response.json()["state"]) == (200, "issued")
    assert response.json()["light"] == "yellow"


# --- who may see and do what ------------------------------------------------------------


def test_anonymous_requests_are_refused(people: dict[str, User]) -> None:
    assert APIClient().get(ITEMS).status_code == 403
    assert APIClient().get("/api/supervision-dashboard/").status_code == 403


def test_an_item_the_user_may_not_see_is_a_404(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    outsider = api(people["outsider"])

    assert outsider.get(f"{ITEMS}{item.pk}/").status_code == 404
    signed = outsider.post(f"{ITEMS}{item.pk}/sign/", {"arrangement": "x"})
    assert signed.status_code == 404
    assert outsider.get(ITEMS, {"scope": "all"}).json()["results"] == []
    assert not item.departments.filter(signed_at__isnull=False).exists()


def test_a_draft_is_hidden_from_its_departments(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = new_item(people, profile)

    assert api(people["head"]).get(f"{ITEMS}{item.pk}/").status_code == 404
    assert api(people["leader"]).get(f"{ITEMS}{item.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("staff", 403),
        ("officer", 403),
        ("safety_head", 200),
        ("head", 200),
    ],
)
def test_who_signs_for_an_item(
    people: dict[str, User], profile: ClockProfile, who: str, status: int
) -> None:
    item = issued_item(people, profile)

    response = api(people[who]).post(
        f"{ITEMS}{item.pk}/sign/", {"arrangement": "部署"}, format="json"
    )

    assert response.status_code == status
    signed = item.departments.filter(signed_at__isnull=False).count()
    assert signed == (1 if status == 200 else 0)


def test_a_wrong_person_is_a_403_and_nothing_changes(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_request_completion(item=item, by=people["head"], summary="完成")

    closing = api(people["head"]).post(
        f"{ITEMS}{item.pk}/close/", {"grade": "excellent"}, format="json"
    )
    creating = api(people["staff"]).post(ITEMS, create_body(people), format="json")

    assert closing.status_code == 403
    assert "supervision officer" in closing.json()["detail"]
    assert SupervisionItem.objects.get(pk=item.pk).state == State.REQUESTED
    assert creating.status_code == 403
    assert SupervisionItem.objects.count() == 1


def test_a_step_that_no_longer_applies_is_a_409_with_its_code(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    head, officer = api(people["head"]), api(people["officer"])
    assert (
        head.post(f"{ITEMS}{item.pk}/sign/", {"arrangement": "部署"}).status_code == 200
    )
    assert head.post(f"{ITEMS}{item.pk}/plan/", {"plan": "p"}).status_code == 200

    again = head.post(f"{ITEMS}{item.pk}/sign/", {"arrangement": "再次"})
    early_close = officer.post(f"{ITEMS}{item.pk}/close/", {"grade": "good"})

    assert again.status_code == 409
    assert again.json() == {
        "detail": "生产技术部 has already signed for this item.",
        "code": "already_signed",
    }
    assert early_close.status_code == 409
    assert early_close.json()["code"] == "wrong_state"
    assert SupervisionItem.objects.get(pk=item.pk).state == State.IN_PROGRESS
    assert item.reports.filter(kind=Report.Kind.SIGN).count() == 1


def test_urging_twice_in_a_row_is_a_409(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    officer = api(people["officer"])

    first = officer.post(f"{ITEMS}{item.pk}/urge/", {"note": "请抓紧"}, format="json")
    second = officer.post(f"{ITEMS}{item.pk}/urge/", {"note": "再催"}, format="json")

    assert first.status_code == 200
    assert (second.status_code, second.json()["code"]) == (409, "urged_recently")
    assert item.escalations.count() == 1


def test_reporting_on_a_closed_item_or_a_done_node_is_a_409(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    head = api(people["head"])
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_plan(
        item=item,
        by=people["head"],
        plan="p",
        milestones=[(working_day(2), "排查")],
    )
    milestone = item.nodes.get(key="milestone-1")
    services.item_report(item=item, by=people["head"], text="排查完成", node=milestone)

    done = head.post(
        f"{ITEMS}{item.pk}/report/", {"text": "再报", "node": milestone.pk}
    )
    services.item_request_completion(item=item, by=people["head"], summary="完成")
    services.item_close(item=item, by=people["officer"], grade=Grade.PASS)
    closed = head.post(f"{ITEMS}{item.pk}/report/", {"text": "补充"})

    assert (done.status_code, done.json()["code"]) == (409, "node_done")
    assert (closed.status_code, closed.json()["code"]) == (409, "item_closed")
    assert item.reports.filter(kind=Report.Kind.PROGRESS).count() == 1


# --- bad input ---------------------------------------------------------------------------


def yesterday() -> str:
    return (timezone.localdate() - days(1)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (lambda people: {"deadline": yesterday()}, "deadline"),
        (lambda people: {"deadline": "not a date"}, "deadline"),
        (lambda people: {"title": ""}, "title"),
        (lambda people: {"profile": "no-such-clock"}, "profile"),
        (lambda people: {"officer": people["staff"].pk}, "officer"),
        (lambda people: {"lead_department": 999999}, "lead_department"),
        (lambda people: {"then": "publish"}, "then"),
    ],
    ids=[
        "deadline-past",
        "deadline-bad",
        "title",
        "profile",
        "officer",
        "department",
        "then",
    ],
)
def test_a_bad_new_item_is_a_400_by_field_and_stores_nothing(
    people: dict[str, User],
    profile: ClockProfile,
    changes: Any,
    field: str,
) -> None:
    response = api(people["leader"]).post(
        ITEMS, create_body(people, **changes(people)), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not SupervisionItem.objects.exists()


def test_the_deadline_refusal_says_why(
    people: dict[str, User], profile: ClockProfile
) -> None:
    response = api(people["leader"]).post(
        ITEMS, create_body(people, deadline=yesterday()), format="json"
    )

    assert response.json() == {
        "deadline": ["The deadline cannot be before the day the item is issued."]
    }


def test_a_fail_grade_needs_a_reason(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_request_completion(item=item, by=people["head"], summary="完成")
    officer = api(people["officer"])

    refused = officer.post(f"{ITEMS}{item.pk}/close/", {"grade": "fail"})
    unknown = officer.post(f"{ITEMS}{item.pk}/close/", {"grade": "superb"})

    assert (refused.status_code, list(refused.json())) == (400, ["reason"])
    assert (unknown.status_code, list(unknown.json())) == (400, ["grade"])
    assert SupervisionItem.objects.get(pk=item.pk).state == State.REQUESTED
    failed = officer.post(
        f"{ITEMS}{item.pk}/close/", {"grade": "fail", "reason": "未整改到位"}
    )
    assert (failed.json()["grade"], failed.json()["grade_reason"]) == (
        "fail",
        "未整改到位",
    )


def test_a_milestone_in_the_past_is_a_400_by_field(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    response = api(people["head"]).post(
        f"{ITEMS}{item.pk}/plan/",
        {"plan": "p", "milestones": [{"due_on": yesterday(), "label": "排查"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "milestones": ["A milestone cannot be in the past: 排查."]
    }
    assert SupervisionItem.objects.get(pk=item.pk).state == State.SIGNED
    assert not item.nodes.filter(key__startswith="milestone").exists()


def test_a_report_on_another_items_node_is_a_400(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    other = issued_item(people, profile, title="另一件")
    services.item_sign(item=item, by=people["head"], arrangement="部署")

    response = api(people["head"]).post(
        f"{ITEMS}{item.pk}/report/",
        {"text": "进展", "node": other.nodes.first().pk},  # type: ignore[union-attr]
        format="json",
    )

    assert (response.status_code, list(response.json())) == (400, ["node"])


# --- the list -------------------------------------------------------------------------------


@pytest.fixture
def spread(
    people: dict[str, User], profile: ClockProfile
) -> dict[str, SupervisionItem]:
    """Five items: red, yellow, green, closed and a draft."""
    red = issued_item(people, profile, title="红")
    overdue(red, 3)
    yellow = issued_item(people, profile, title="黄")
    green = issued_item(people, profile, title="绿")
    services.item_sign(item=green, by=people["head"], arrangement="部署")
    closed = issued_item(people, profile, title="销号")
    services.item_sign(item=closed, by=people["head"], arrangement="部署")
    services.item_request_completion(item=closed, by=people["head"], summary="完成")
    services.item_close(item=closed, by=people["officer"], grade=Grade.GOOD)
    draft = new_item(people, profile, title="草稿")
    return {
        "red": red,
        "yellow": yellow,
        "green": green,
        "closed": closed,
        "draft": draft,
    }


def test_the_light_in_the_list_is_the_rules_light(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    response = api(people["leader"]).get(ITEMS)

    assert response.status_code == 200
    rows = response.json()["results"]
    rule = light_rule()
    assert {row["title"]: row["light"] for row in rows} == {
        "红": "red",
        "黄": "yellow",
        "绿": "green",
        "销号": "none",
        "草稿": "none",
    }
    for row in rows:
        item = SupervisionItem.objects.get(pk=row["id"])
        assert row["light"] == rule.of(item).value
        detail = api(people["leader"]).get(f"{ITEMS}{item.pk}/").json()
        assert detail["light"] == row["light"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"light": "red"}, ["红"]),
        ({"state": "signed"}, ["绿"]),
        ({"q": "销"}, ["销号"]),
        ({"source": "meeting"}, []),
        ({}, ["草稿", "销号", "绿", "黄", "红"]),
    ],
)
def test_the_list_filters(
    people: dict[str, User],
    spread: dict[str, SupervisionItem],
    query: dict[str, str],
    titles: list[str],
) -> None:
    response = api(people["leader"]).get(ITEMS, query)

    assert [row["title"] for row in response.json()["results"]] == titles


def test_the_list_scope_and_department(
    people: dict[str, User],
    profile: ClockProfile,
    spread: dict[str, SupervisionItem],
) -> None:
    safety = people["safety_head"].primary_department
    issued_item(
        people, profile, title="安监", lead_department=safety, co_departments=[]
    )
    staff, officer = api(people["staff"]), api(people["officer"])

    mine = [row["title"] for row in staff.get(ITEMS).json()["results"]]
    query = {"department": str(people["safety_head"].primary_department_id)}
    by_department = officer.get(ITEMS, query).json()["results"]

    assert mine == ["销号", "绿", "黄", "红"]
    assert [row["title"] for row in by_department] == ["安监"]
    assert officer.get(ITEMS, {"light": "purple"}).status_code == 400


def populate(people: dict[str, User], profile: ClockProfile, n: int) -> None:
    for index in range(n):
        item = issued_item(people, profile, title=f"事项{index}")
        if index % 2:
            services.item_sign(item=item, by=people["head"], arrangement="部署")


def list_queries(user: User) -> int:
    client = api(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(ITEMS).status_code == 200
    return len(context.captured_queries)


def test_the_list_costs_the_same_queries_for_3_and_12_items(
    people: dict[str, User], profile: ClockProfile
) -> None:
    populate(people, profile, 3)
    few = list_queries(people["officer"])
    populate(people, profile, 9)
    many = list_queries(people["officer"])

    assert few == many
    body = api(people["officer"]).get(ITEMS).json()
    assert (body["count"], body["count_capped"]) == (12, False)


# --- the dashboard, the assessment, the clocks ---------------------------------------------


def test_the_dashboard_counts(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    response = api(people["officer"]).get("/api/supervision-dashboard/")

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 4
    assert body["by_light"] == {"red": 1, "yellow": 1, "green": 1, "none": 1}
    assert [(row["state"], row["count"]) for row in body["by_state"]] == [
        ("issued", 2),
        ("signed", 1),
        ("closed", 1),
    ]
    assert [
        (row["name"], row["total"], row["red"], row["finished"])
        for row in body["by_department"]
    ] == [("生产技术部", 4, 1, 1)]
    assert [(row["name"], row["total"]) for row in body["by_leader"]] == [("王总", 4)]
    assert [(row["source"], row["total"]) for row in body["by_source"]] == [
        ("other", 4)
    ]
    assert body["feedback_on_time"] == {"on_time": 2, "total": 2, "rate": 100.0}
    assert body["completion_on_time"] == {"on_time": 1, "total": 1, "rate": 100.0}
    red = spread["red"]
    assert body["overdue"] == [
        {
            "id": red.pk,
            "number": SupervisionItem.objects.get(pk=red.pk).number,
            "title": "红",
            "next_due_on": (timezone.localdate() - days(3)).isoformat(),
            "days_overdue": 3,
        }
    ]
    assert len(body["weekly"]) == 12
    assert body["weekly"][-1]["issued"] == 4


def test_the_dashboard_scope(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    officer = api(people["officer"])
    safety = str(people["safety_head"].primary_department_id)

    narrowed = officer.get("/api/supervision-dashboard/", {"department": safety})
    wrong = officer.get("/api/supervision-dashboard/", {"department": "abc"})

    assert narrowed.json()["total"] == 0
    assert (wrong.status_code, list(wrong.json())) == (400, ["department"])
    outsider = api(people["outsider"]).get("/api/supervision-dashboard/").json()
    assert outsider["total"] == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 403),
        ("head", 403),
        ("outsider", 403),
        ("officer", 200),
        ("leader", 200),
    ],
)
def test_the_assessment_is_for_the_office_and_the_leaders(
    people: dict[str, User],
    spread: dict[str, SupervisionItem],
    who: str,
    status: int,
) -> None:
    response = api(people[who]).get("/api/supervision-assessment/")

    assert response.status_code == status


def test_the_assessment_rows_are_the_department_scores(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    today = timezone.localdate()
    month = f"{today.year}-{today.month:02d}"

    response = api(people["officer"]).get(
        "/api/supervision-assessment/", {"month": month}
    )

    body = response.json()
    expected = department_scores(year=today.year, month=today.month, today=today)
    assert body["month"] == month
    assert [(r["rank"], r["name"], r["items"], r["score"]) for r in body["rows"]] == [
        (row.rank, row.name, row.items, str(row.score)) for row in expected
    ]
    assert body["rows"][0]["grades"] == {
        "excellent": 0,
        "good": 1,
        "pass": 0,
        "fail": 0,
    }
    bad = api(people["officer"]).get(
        "/api/supervision-assessment/", {"month": "2026-13"}
    )
    assert (bad.status_code, list(bad.json())) == (400, ["month"])


def test_the_clock_profiles(people: dict[str, User], profile: ClockProfile) -> None:
    response = api(people["staff"]).get("/api/supervision-profiles/")

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert rows["13710"]["day_basis"] == "working"
    assert [node["key"] for node in rows["13710"]["nodes"]][:2] == [
        "arrange",
        "report",
    ]
    assert api(people["staff"]).post("/api/supervision-profiles/").status_code == 405


# --- extension requests and on-site supervision ------------------------------------


def test_extension_request_by_api(
    people: dict[str, User], profile: ClockProfile
) -> None:
    from zhiban.supervision.defaults import ensure_extension_flow
    from zhiban.workflow.models import FlowDefinition, FlowVersion

    ensure_extension_flow(FlowDefinition, FlowVersion)
    item = issued_item(people, profile)
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    due = item.nodes.get(key="complete").due_on
    client = APIClient()
    client.force_authenticate(people["head"])
    url = f"/api/supervision-items/{item.pk}/extend/"
    response = client.post(
        url, {"new_due": due.isoformat(), "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "new_due" in response.json()
    later = (due + datetime.timedelta(days=9)).isoformat()
    response = client.post(url, {"new_due": later, "reason": "设备未到"}, format="json")
    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    assert response.json()["new_due"] == later
    again = client.post(url, {"new_due": later, "reason": "再次"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "extension_pending"


def test_inspection_by_api(people: dict[str, User], profile: ClockProfile) -> None:
    from zhiban.supervision.models import Inspection

    client = APIClient()
    client.force_authenticate(people["officer"])
    production = people["head"].primary_department_id
    body = {
        "title": "联合督查",
        "held_on": timezone.localdate().isoformat(),
        "place": "主井",
        "leader": people["leader"].pk,
        "participants": [people["officer"].pk, people["head"].pk],
        "departments": [production],
        "findings": "皮带机护栏缺失",
        "profile": profile.code,
        "points": [{"text": "加装皮带机护栏", "department": production}],
    }
    response = client.post("/api/supervision-inspections/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert len(data["sub_items"]) == 1
    sub = SupervisionItem.objects.get(pk=data["sub_items"][0])
    assert sub.state == "issued"
    listing = client.get("/api/supervision-inspections/").json()
    assert listing["count"] == 1
    stranger = APIClient()
    stranger.force_authenticate(people["outsider"])
    inspection = Inspection.objects.get()
    assert (
        stranger.get(f"/api/supervision-inspections/{inspection.pk}/").status_code
        == 404
    )
    refused = stranger.post("/api/supervision-inspections/", body, format="json")
    assert refused.status_code == 403
    bad = client.post(
        "/api/supervision-inspections/",
        {
            **body,
            "points": [
                {"text": "x", "department": people["outsider"].primary_department_id}
            ],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "points" in bad.json()
    assert Inspection.objects.count() == 1
