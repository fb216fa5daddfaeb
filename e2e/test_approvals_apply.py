"""The form designer and the apply pages in Chromium.

An administrator designs a small leave form (reason, days, a hand-over person,
attachments) through the form designer page and previews it; the flow is
published; an employee finds it under 审批, fills it in with a file, sees the
approver preview, gets a field error, fixes it and submits. Screenshots at
desktop and phone width.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def org(default_flows):
    from django.contrib.auth.models import Group

    from zhiban.org import services as org_services
    from zhiban.org.models import Role
    from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
    from zhiban.workflow import services

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    hq = UnitFactory(code="HQ", name="集团本部")
    production = DepartmentFactory(unit=hq, code="PROD", name="生产技术部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    admin = UserFactory(
        username="sysadmin",
        name="系统管理员",
        primary_department=office,
        roles=[Role.SYSTEM_ADMIN],
    )
    head = UserFactory(username="head", name="张建国", primary_department=production)
    org_services.membership_set(
        by=admin, user=head, department=production, is_head=True
    )
    employee = UserFactory(username="emp", name="李小红", primary_department=production)
    UserFactory(username="colleague", name="赵同事", primary_department=production)
    flow = services.flow_create(
        code="leave", name="请假申请", by=admin, group="人事事务"
    )
    return {"admin": admin, "head": head, "employee": employee, "flow": flow}


def _add_field(page, kind: str) -> int:
    """Add a field of the type and return its index."""
    before = page.locator("[data-testid^=field-card-]").count()
    page.select_option("[data-testid=new-type]", kind)
    page.click("[data-testid=add-field]")
    page.wait_for_selector(f"[data-testid=field-card-{before}]")
    return before


def test_design_a_form_then_apply_with_a_file(
    page, console, shot, sign_in, org, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from zhiban.workflow import services
    from zhiban.workflow.models import FlowFile, FlowInstance

    # --- the administrator designs the form ----------------------------------------
    sign_in(page, "sysadmin", PASSWORD)
    page.goto("/workflow/manage/flows/leave/form/")
    expect(page.locator("[data-testid=form-empty]")).to_be_visible()
    reason = _add_field(page, "textarea")
    page.fill(f"#id_f{reason}-label", "请假事由")
    page.fill(f"#id_f{reason}-key", "reason")
    page.check(f"#id_f{reason}-required")
    days = _add_field(page, "number")
    page.fill(f"#id_f{days}-label", "请假天数")
    page.fill(f"#id_f{days}-key", "days")
    page.check(f"#id_f{days}-required")
    page.fill(f"#id_f{days}-min", "1")
    page.fill(f"#id_f{days}-max", "30")
    handover = _add_field(page, "person")
    page.fill(f"#id_f{handover}-label", "工作交接人")
    page.fill(f"#id_f{handover}-key", "handover")
    files = _add_field(page, "attachment")
    page.fill(f"#id_f{files}-label", "证明材料")
    page.fill(f"#id_f{files}-key", "proof")
    page.check(f"#id_f{files}-multiple")
    # Move the attachment above the person field, then preview.
    page.click(f"[data-testid=up-{files}]")
    expect(page.locator("#id_f2-label")).to_have_value("证明材料")
    expect(page.locator("[data-testid=form-unsaved]")).to_be_visible()
    page.click("[data-testid=preview-form]")
    expect(page.locator("#form-preview [data-testid=field-days]")).to_be_visible()
    expect(page.locator("#form-preview input[name=days]")).to_have_attribute("min", "1")
    shot(page, "approvals-form-designer")
    # A bad rule is refused on its field, and nothing is saved.
    page.fill("#id_f1-min", "40")
    page.click("[data-testid=save-form]")
    expect(page.locator("[data-testid=field-problem-1]")).to_contain_text("最小值")
    page.fill("#id_f1-min", "1")
    page.click("[data-testid=save-form]")
    expect(page.locator(".alert-success")).to_contain_text("表单已保存")
    org["flow"].refresh_from_db()
    assert [f["key"] for f in org["flow"].draft["form"]] == [
        "reason",
        "days",
        "proof",
        "handover",
    ]
    services.flow_publish_draft(definition=org["flow"], by=org["admin"])
    assert not console.errors, console.errors

    # --- the employee applies -------------------------------------------------------
    page.context.clear_cookies()
    sign_in(page, "emp", PASSWORD)
    page.click("nav a[href='/workflow/apply/']")
    expect(page.locator("[data-testid=apply-flow-leave]")).to_be_visible()
    assert page.locator("[data-testid^=apply-flow-]").count() > 1  # the defaults too
    page.fill("[data-testid=apply-search]", "请假")
    expect(page.locator("[data-testid^=apply-flow-]")).to_have_count(1)
    expect(page.locator("[data-testid=apply-flow-leave]")).to_be_visible()
    shot(page, "approvals-apply-list")
    page.click("[data-testid=apply-flow-leave]")
    expect(page.locator("h1")).to_have_text("请假申请")
    # The approvers panel shows the head of the employee's department, and why.
    expect(page.locator("#apply-preview")).to_contain_text("张建国")
    page.fill("textarea[name=reason]", "家中有事")
    page.fill("input[name=days]", "0")  # below the minimum
    proof = tmp_path / "证明.pdf"
    proof.write_bytes(PDF)
    page.set_input_files("input[name=proof]", str(proof))
    page.fill("#id_handover_search", "赵")
    page.click("[data-testid=picker-handover] [data-picker-option]")
    expect(
        page.locator("[data-testid=picker-handover] .zb-picker-chip")
    ).to_contain_text("赵同事")
    page.click("[data-testid=apply-submit]")
    expect(page.locator("[data-testid=error-days]")).to_contain_text("1")
    expect(page.locator("[data-testid=apply-errors]")).to_contain_text("重新选择")
    expect(page.locator("textarea[name=reason]")).to_have_value("家中有事")
    expect(
        page.locator("[data-testid=picker-handover] .zb-picker-chip")
    ).to_contain_text("赵同事")
    assert FlowInstance.objects.count() == 0
    shot(page, "approvals-apply-errors")
    page.fill("input[name=days]", "2")
    page.set_input_files("input[name=proof]", str(proof))
    expect(page.locator("#apply-preview")).to_contain_text("张建国")
    shot(page, "approvals-apply-form")
    page.click("[data-testid=apply-submit]")
    page.wait_for_url("**/workflow/instances/*/")
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    instance = FlowInstance.objects.get()
    assert instance.form["days"] == 2
    assert instance.form["proof"] == [FlowFile.objects.get().pk]
    assert instance.title == "请假申请·李小红"
    shot(page, "approvals-apply-submitted")
    # The default seal-use flow (a reference field, locked fields) renders too.
    page.goto("/workflow/apply/seal_use/")
    expect(page.locator("[data-testid=field-seal] select")).to_be_visible()
    expect(
        page.locator("#apply-preview [data-testid=preview-step]").first
    ).to_be_visible()
    shot(page, "approvals-apply-seal")
    assert not console.errors, console.errors
