"""The full outgoing path in Chromium: a department drafts from a template, revises
and compares, submits; the department head, the office, a countersigning department,
the overseeing leader and the recheck approve on the engine's pages; the clerk
numbers, prints and issues the formal copy; a mine and a department sign for it.

Screenshots at desktop and phone width: outgoing-draft-new, outgoing-draft, outgoing-drafting-loop,
outgoing-compare, outgoing-approval, outgoing-signed, outgoing-issued,
outgoing-receipt, outgoing-signed-for, outgoing-distribution,
outgoing-ready-to-file.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password


@pytest.fixture
def world(default_flows: None) -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from zhiban.documents.tests.conftest import make_series
    from zhiban.documents.tests.outgoing_org import make_outgoing_org
    from zhiban.org.models import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    org = make_outgoing_org()
    make_series(org, code="豫能集团", name="集团公司发文")
    return org


def _as(page: Any, sign_in: Any, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def _pick(picker: Any, name: str) -> None:
    """Choose a department in a picker by typing part of its name."""
    picker.locator("input[type=search]").fill(name)
    picker.locator("[data-picker-option]").filter(has_text=name).click()


def test_draft_approve_number_print_issue_and_sign_for(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    from zhiban.documents.models import DistributionRecipient, Document
    from zhiban.workflow.models import FlowInstance

    # 拟稿: the engineer drafts from the notice template.
    sign_in(page, "engineer", PASSWORD)
    page.goto("/documents/?direction=outgoing")
    page.get_by_test_id("draft-new").click()
    page.wait_for_url("**/documents/draft/")
    page.select_option("#id_template", label="通知 · 通知（部署工作）")
    expect(page.locator("#id_title")).to_have_value("关于××××的通知")
    expect(page.locator("#id_body")).to_have_value(re.compile("现将有关事项通知如下"))
    page.fill("#id_title", "关于开展冬季安全生产大检查")
    shot(page, "outgoing-draft-new")
    page.get_by_test_id("draft-save").click()
    expect(page.get_by_test_id("error-title")).to_contain_text("通知")
    page.fill("#id_title", "关于开展冬季安全生产大检查的通知")
    page.get_by_test_id("draft-save").click()
    page.wait_for_url("**/documents/*/")
    document = Document.objects.get(title="关于开展冬季安全生产大检查的通知")
    url = f"/documents/{document.pk}/"
    assert document.body.startswith("为××××")

    # A second version, compared side by side with the first.
    page.get_by_test_id("revise-open").click()
    page.fill(
        "#id_body",
        "为切实做好冬季安全生产工作，根据集团公司年度安排，现将有关事项通知如下：\n"
        "一、检查范围\n集团所属各单位。\n二、工作要求\n请于12月10日前报送自查报告。",
    )
    page.fill("#id_note", "写明检查范围和报送时间")
    page.get_by_test_id("revise-save").click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    shot(page, "outgoing-draft")
    fits_a_phone(page)
    page.get_by_test_id("compare-link").click()
    expect(page.locator(".zb-ins").first).to_be_visible()
    shot(page, "outgoing-compare")
    fits_a_phone(page)

    # The drafting loop: the discussion held before drafting.
    page.goto(url)
    page.get_by_test_id("note-open").click()
    form = page.get_by_test_id("note-form")
    form.locator("#id_kind").select_option("discussion")
    form.locator("#id_held_on").fill(date.today().isoformat())
    form.locator("#id_participants").fill("刘部长、陈部长、周主任")
    form.locator("#id_text").fill(
        "明确检查范围为集团所属各单位，12月10日前报送自查报告。"
    )
    page.get_by_test_id("note-save").click()
    expect(page.get_by_test_id("draft-note")).to_contain_text("起草前研讨")
    shot(page, "outgoing-drafting-loop")

    # 送审 with the safety department countersigning.
    _pick(page.get_by_test_id("picker-countersign_departments"), "安全监察部")
    page.get_by_test_id("draft-submit").click()
    expect(page.get_by_test_id("document-state")).to_have_text("审批中")
    instance = FlowInstance.objects.get()
    approval_url = f"/workflow/instances/{instance.pk}/"

    # 部门审核 → 核稿 → 会签 → 签发 → 复核, each on the approval page.
    steps = (
        ("prod_head", "同意。"),
        ("director", "已核稿。"),
        ("safety_head", "同意，安全监察部会签。"),
        ("vice", "同意印发。"),
        ("clerk", "已复核。"),
    )
    for username, opinion in steps:
        _as(page, sign_in, username)
        page.goto(approval_url)
        expect(page.get_by_test_id("instance-draft")).to_contain_text(document.title)
        if username == "vice":
            shot(page, "outgoing-approval")
        page.fill("#id_opinion", opinion)
        page.get_by_test_id("act-approve").click()
        expect(page.locator(".alert-success")).to_be_visible()
    document.refresh_from_db()
    assert document.state == "signed"

    # 编号 → 印制 → 核发, by the office's clerk.
    page.goto(url)
    expect(page.get_by_test_id("document-trail")).to_contain_text("李副总")
    shot(page, "outgoing-signed")
    page.get_by_test_id("number-allocate").click()
    expect(page.get_by_test_id("live-number")).to_contain_text("豫能集团〔")
    page.fill("#id_copies", "30")
    page.get_by_test_id("print-save").click()
    expect(page.get_by_test_id("document-state")).to_have_text("已印制")
    page.get_by_label("朝阳煤矿").check()
    _pick(page.get_by_test_id("picker-departments"), "安全监察部")
    page.get_by_test_id("issue-save").click()
    expect(page.get_by_test_id("recipient-row")).to_have_count(2)
    shot(page, "outgoing-issued")
    fits_a_phone(page)
    formal = page.request.get(f"/documents/{document.pk}/formal.pdf")
    assert formal.status == 200
    assert formal.body()[:5] == b"%PDF-"

    # 签收 at the mine, from the to-do centre.
    _as(page, sign_in, "mine_clerk")
    page.goto("/inbox/")
    page.get_by_text(f"签收：{document.title}").first.click()
    page.wait_for_url("**/documents/*/")
    shot(page, "outgoing-receipt")
    page.get_by_test_id("receipt-sign").click()
    expect(page.get_by_test_id("register-number")).to_be_visible()
    expect(page.get_by_test_id("document-files")).to_contain_text(".pdf")
    shot(page, "outgoing-signed-for")
    # ... and in the safety department.
    _as(page, sign_in, "safety_head")
    copy = DistributionRecipient.objects.get(department=world["safety"]).incoming
    page.goto(f"/documents/{copy.pk}/")
    page.get_by_test_id("receipt-sign").click()
    expect(page.get_by_test_id("receipt-complete")).to_be_visible()

    # The sender's live table.
    _as(page, sign_in, "clerk")
    page.goto(url)
    statuses = page.get_by_test_id("recipient-status")
    expect(statuses.nth(0)).to_have_text("已阅")
    expect(statuses.nth(1)).to_have_text("已阅")
    shot(page, "outgoing-distribution")
    form = page.request.get(f"/documents/{document.pk}/handling-form.pdf")
    assert form.status == 200
    assert form.body()[:5] == b"%PDF-"
    (Path(__file__).parent / "artifacts" / "outgoing-handling-form.pdf").write_bytes(
        form.body()
    )
    page.get_by_test_id("ready-to-file").click()
    expect(page.get_by_test_id("ready-to-file-badge")).to_be_visible()
    expect(page.get_by_test_id("document-files")).to_contain_text("定稿")
    shot(page, "outgoing-ready-to-file")
    console.assert_clean(expected_statuses=(400,))
