"""The supervision lifecycle in Chromium (issue 5, "done when").

A leader issues an item under the 13710 clock; the department head signs for it and
names the responsible person, who reports the plan and progress and applies for
completion; the officer returns it once, then closes it with a grade; the dashboard's
counts and lights follow. Time is moved forward by moving the item's dates back (what
the clock sees is the same): yellow, then red, and the urge ladder's rungs, each sent
once however often the sweep runs.

Screenshots at desktop and phone width: supervision-new, supervision-issued,
supervision-yellow, supervision-red, supervision-dashboard-red, supervision-plan,
supervision-verify, supervision-closed, supervision-dashboard.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password


@pytest.fixture
def world(default_flows: None) -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from zhiban.org.models import Role
    from zhiban.org.tests.factories import (
        DepartmentFactory,
        UnitFactory,
        UserFactory,
        make_head,
    )
    from zhiban.supervision.defaults import ensure_profiles
    from zhiban.supervision.models import ClockProfile

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    ensure_profiles(ClockProfile)
    hq = UnitFactory(code="HQ", name="豫能集团")
    leaders = DepartmentFactory(unit=hq, code="LD", name="公司领导")
    office = DepartmentFactory(unit=hq, code="ZHB", name="综合办公室")
    safety = DepartmentFactory(unit=hq, code="AJ", name="安全监察部")
    return {
        "leader": UserFactory(
            username="zhougang",
            name="周刚",
            primary_department=leaders,
            roles=[Role.OVERSEEING_LEADER],
        ),
        "officer": UserFactory(
            username="zhaolei",
            name="赵磊",
            primary_department=office,
            roles=[Role.SUPERVISION_OFFICER],
        ),
        "head": make_head(
            UserFactory(username="songjian", name="宋健", primary_department=safety)
        ),
        "staff": UserFactory(username="linbo", name="林波", primary_department=safety),
    }


def _as(page: Any, sign_in: Any, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def _pick(page: Any, name: str, text: str) -> None:
    """Choose a person or department in the picker of the field `name`."""
    picker = page.get_by_test_id(f"picker-{name}")
    picker.locator("input[type=search]").fill(text)
    picker.locator("[data-picker-option]").filter(has_text=text).first.click()


def _move_time_forward(item_id: int, days: int) -> None:
    """Move every date of the item `days` back: the clock now reads `days` later."""
    from django.db.models import F

    from zhiban.supervision import services
    from zhiban.supervision.models import ItemDepartment, ItemNode, SupervisionItem

    shift = datetime.timedelta(days=days)
    SupervisionItem.objects.filter(pk=item_id).update(issued_on=F("issued_on") - shift)
    ItemDepartment.objects.filter(item_id=item_id).update(
        item_issued_on=F("item_issued_on") - shift
    )
    ItemNode.objects.filter(item_id=item_id).update(due_on=F("due_on") - shift)
    services._refresh_next_due(SupervisionItem.objects.get(pk=item_id))


def _light(page: Any) -> str:
    return str(
        page.get_by_test_id("item-light")
        .locator("[data-light]")
        .get_attribute("data-light")
    )


def _dashboard_count(page: Any, light: str) -> int:
    page.goto("/supervision/dashboard/")
    return int(
        page.get_by_test_id(f"total-{light}").locator("[data-count]").inner_text()
    )


def test_issue_sign_plan_report_return_close_and_the_lights(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    from zhiban.inbox.models import Notification
    from zhiban.supervision.escalation import escalation_sweep
    from zhiban.supervision.models import Escalation, ItemNode, SupervisionItem

    # 交办: the leader issues an item under the 13710 clock.
    _as(page, sign_in, "zhougang")
    page.goto("/supervision/")
    page.get_by_test_id("item-new").click()
    page.fill("#id_title", "开展岁末年初安全生产大检查")
    page.fill("#id_content", "对所属各矿开展一次全覆盖的安全生产大检查。")
    _pick(page, "officer", "赵磊")
    _pick(page, "lead_department", "安全监察部")
    page.select_option("#id_profile", label="13710")
    shot(page, "supervision-new")
    page.get_by_test_id("item-issue").click()
    page.wait_for_url("**/supervision/*/")
    item = SupervisionItem.objects.get()
    expect(page.get_by_test_id("item-state")).to_have_text("已交办")
    expect(page.get_by_test_id("item-number")).to_contain_text("督〔")
    expect(page.get_by_test_id("item-nodes").get_by_test_id("item-node")).to_have_count(
        3
    )
    assert _light(page) in ("green", "yellow")
    shot(page, "supervision-issued")

    # Time moves on: the sign-for node (day 1) falls due today → yellow; the sweep
    # reminds the handler (the department head: no responsible person yet), once.
    arrange = item.nodes.get(key="arrange")
    today = datetime.date.today()
    _move_time_forward(item.pk, (arrange.due_on - today).days)
    page.reload()
    assert _light(page) == "yellow"
    shot(page, "supervision-yellow")
    assert escalation_sweep().get("handler", 0) >= 1
    assert escalation_sweep() == {}
    assert list(
        Escalation.objects.filter(node__key="arrange").values_list("rung", flat=True)
    ) == ["handler"]
    # A day later: red; the head is urged, and two more days later the leader hears.
    _move_time_forward(item.pk, 1)
    page.reload()
    assert _light(page) == "red"
    escalation_sweep()
    _move_time_forward(item.pk, 5)
    escalation_sweep()
    escalation_sweep()
    rungs = sorted(
        Escalation.objects.filter(node__key="arrange").values_list("rung", flat=True)
    )
    assert rungs == ["handler", "head", "leader"]
    assert (
        Notification.objects.filter(
            recipient=world["leader"], dedupe_key__startswith="supervision:"
        ).count()
        >= 1
    )
    page.reload()
    expect(page.get_by_test_id("item-escalation")).to_have_count(
        Escalation.objects.count()
    )
    shot(page, "supervision-red")
    # The dashboard counts the red item.
    _as(page, sign_in, "zhaolei")
    assert _dashboard_count(page, "red") == 1
    shot(page, "supervision-dashboard-red")

    # 签收: the head signs for it and names 林波 responsible.
    _as(page, sign_in, "songjian")
    page.goto(f"/supervision/{item.pk}/")
    form = page.get_by_test_id("sign-form")
    form.locator("textarea").fill("部长牵头，林波具体负责，分三组下矿。")
    _pick(page, "responsible", "林波")
    form.get_by_test_id("act-sign").click()
    expect(page.get_by_test_id("item-state")).to_have_text("已签收")

    # 计划反馈 with a milestone, then progress against it, then 申请办结.
    _as(page, sign_in, "linbo")
    page.goto(f"/supervision/{item.pk}/")
    plan = page.get_by_test_id("plan-form")
    plan.locator("#id_plan").fill("分三组下矿，逐项检查，建立问题清单。")
    milestone = (today + datetime.timedelta(days=3)).isoformat()
    plan.locator("#id_milestone_date_1").fill(milestone)
    plan.locator("#id_milestone_label_1").fill("完成全部矿井检查")
    shot(page, "supervision-plan")
    plan.get_by_test_id("act-plan").click()
    expect(page.get_by_test_id("item-state")).to_have_text("办理中")
    report = page.get_by_test_id("report-form")
    report.locator("textarea").fill("已完成六对矿井检查，发现问题 12 项。")
    report.locator("select").select_option(label=f"完成全部矿井检查 · {milestone}")
    report.get_by_test_id("act-report").click()
    expect(page.get_by_test_id("item-reports")).to_contain_text("发现问题 12 项")
    page.get_by_test_id("complete-form").locator("textarea").fill(
        "检查全部完成，问题已整改。"
    )
    page.get_by_test_id("act-complete").click()
    expect(page.get_by_test_id("item-state")).to_have_text("申请办结")
    assert _light(page) == "green"

    # 核验: the officer returns it once, then closes it with a grade.
    _as(page, sign_in, "zhaolei")
    page.goto(f"/supervision/{item.pk}/")
    verify = page.get_by_test_id("verify-form")
    verify.get_by_test_id("act-return").click()
    expect(
        page.get_by_test_id("item-errors")
    ).to_be_visible()  # a return needs a reason
    verify = page.get_by_test_id("verify-form")
    verify.locator("textarea").fill("整改台账不完整，请补充。")
    verify.get_by_test_id("act-return").click()
    expect(page.get_by_test_id("item-state")).to_have_text("已退回")
    _as(page, sign_in, "linbo")
    page.goto(f"/supervision/{item.pk}/")
    page.get_by_test_id("complete-form").locator("textarea").fill("已补充整改台账。")
    page.get_by_test_id("act-complete").click()
    _as(page, sign_in, "zhaolei")
    page.goto(f"/supervision/{item.pk}/")
    verify = page.get_by_test_id("verify-form")
    verify.locator("select").select_option("good")
    shot(page, "supervision-verify")
    verify.get_by_test_id("act-close").click()
    expect(page.get_by_test_id("item-state")).to_have_text("已销号")
    expect(page.get_by_test_id("item-grade")).to_have_text("良好")
    assert _light(page) == "none"
    shot(page, "supervision-closed")
    item.refresh_from_db()
    assert (item.returned_count, item.grade) == (1, "good")
    assert not ItemNode.objects.filter(item=item, done_at__isnull=True).exists()

    # The dashboard: nothing red any more, one closed item.
    assert _dashboard_count(page, "red") == 0
    expect(page.get_by_test_id("by-state")).to_contain_text("已销号 1")
    shot(page, "supervision-dashboard")
    fits_a_phone(page)
    console.assert_clean(expected_statuses=(400,))
