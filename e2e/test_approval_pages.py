"""The approval pages in Chromium: a request goes through, the initiator prints it.

An employee of 生产技术部 asks to use the seal (started through the service, as
the apply page would); the department head finds it under "my approval tasks",
approves on the page with an opinion and an attachment; the office director
still has to approve. The initiator sees the timeline under "my requests" and
prints the approval form (a PDF with the Chinese title and the opinion, also
rendered to PNG for a look). Screenshots at desktop and phone width.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password
TITLE = "用印申请：与华东电建的设备采购合同"
OPINION = "同意用印，合同条款已经法务审核"
SCHEMA = [
    {"key": "copies", "type": "number", "label": "份数", "required": True},
    {"key": "seal", "type": "choice", "label": "印章", "options": ["公章", "合同章"]},
    {"key": "purpose", "type": "textarea", "label": "用途", "required": True},
]


@pytest.fixture
def request_started():
    from django.contrib.auth.models import Group

    from zhiban.org import services as org_services
    from zhiban.org.models import Role
    from zhiban.org.tests.factories import (
        DepartmentFactory,
        UnitFactory,
        UserFactory,
    )
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
    director = UserFactory(username="director", name="王芳", primary_department=office)
    flow = services.flow_create(code="seal-use", name="用印申请", by=admin)
    services.flow_publish(
        definition=flow,
        body={
            "key": "seal-use",
            "name": "用印申请",
            "allow_revoke": True,
            "nodes": [
                {
                    "type": "approver",
                    "id": "n1",
                    "name": "部门负责人审批",
                    "assignees": {"kind": "department_head"},
                },
                {
                    "type": "approver",
                    "id": "n2",
                    "name": "办公室主任审批",
                    "assignees": {"kind": "users", "users": [str(director.pk)]},
                },
            ],
        },
        form_schema=SCHEMA,
        by=admin,
    )
    instance = services.instance_start(
        flow_code="seal-use",
        form={"copies": "2", "seal": "合同章", "purpose": "签订设备采购合同，一式两份"},
        by=employee,
        title=TITLE,
    )
    return {"instance": instance, "head": head, "employee": employee}


def test_head_approves_and_the_initiator_prints(
    page, console, shot, sign_in, request_started, tmp_path, fits_a_phone
) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    instance = request_started["instance"]
    evidence = tmp_path / "法务审核意见.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # The head finds it among the pending tasks.
    sign_in(page, "head", PASSWORD)
    page.goto("/workflow/tasks/")
    row = page.get_by_test_id("task-row").filter(has_text=TITLE)
    expect(row).to_be_visible()
    expect(row).to_contain_text("部门负责人")
    shot(page, "approvals-tasks")
    fits_a_phone(page)
    row.click()

    # The page shows the form, the path with reasons, and the action panel.
    expect(page.get_by_test_id("instance-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("instance-serial")).to_have_text(instance.serial)
    expect(page.get_by_test_id("form-values")).to_contain_text("签订设备采购合同")
    expect(page.get_by_test_id("path")).to_contain_text("部门负责人：生产技术部")
    expect(page.get_by_test_id("path")).to_contain_text("王芳")
    expect(page.get_by_test_id("task-panel")).to_be_visible()
    shot(page, "approvals-detail-head")
    fits_a_phone(page)

    # Approve with an opinion and an attachment.
    page.fill("#id_opinion", OPINION)
    page.set_input_files("#id_decide_files", str(evidence))
    page.get_by_test_id("act-approve").click()
    expect(page.locator(".alert-success")).to_contain_text("已同意")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text(OPINION)
    expect(timeline.get_by_test_id("action-file")).to_have_text(
        "法务审核意见.pdf", use_inner_text=True
    )
    expect(page.get_by_test_id("task-panel")).to_have_count(0)

    # The initiator sees it under "my requests" and reads the timeline.
    page.context.clear_cookies()
    sign_in(page, "emp", PASSWORD)
    page.goto("/workflow/mine/")
    mine_row = page.get_by_test_id("mine-row").filter(has_text=TITLE)
    expect(mine_row).to_contain_text("审批中")
    shot(page, "approvals-mine")
    fits_a_phone(page)
    mine_row.click()
    expect(page.get_by_test_id("timeline")).to_contain_text("张建国")
    expect(page.get_by_test_id("timeline")).to_contain_text(OPINION)
    expect(page.get_by_test_id("initiator-panel")).to_be_visible()
    current = page.locator("[data-testid=path-step][data-state=current]")
    expect(current).to_contain_text("王芳")
    shot(page, "approvals-detail-initiator")
    fits_a_phone(page)

    # The printed approval form.
    response = page.request.get(f"/workflow/instances/{instance.pk}/print.pdf")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "approvals-print.pdf"
    pdf_path.write_bytes(response.body())
    text = "".join(
        "".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(response.body())).pages
    )
    assert TITLE in text
    assert OPINION in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                str(pdf_path),
                str(pdf_path.with_suffix("")),
            ],
            check=True,
        )

    # The office director hands the task to the head through the person picker.
    page.context.clear_cookies()
    sign_in(page, "director", PASSWORD)
    page.goto(f"/workflow/instances/{instance.pk}/")
    page.get_by_text("转交他人").click()
    transfer = page.get_by_test_id("transfer-form")
    transfer.locator("input[type=search]").fill("张建国")
    transfer.locator("[data-picker-option]").filter(has_text="张建国").click()
    transfer.get_by_role("button", name="转交").click()
    expect(page.locator(".alert-success")).to_contain_text("已转交")
    expect(page.get_by_test_id("timeline")).to_contain_text("王芳")

    # The head approves the second step too: the request is approved.
    page.context.clear_cookies()
    sign_in(page, "head", PASSWORD)
    page.goto(f"/workflow/instances/{instance.pk}/")
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("instance-status")).to_have_text("已通过")

    # The initiator sees the outcome and may ask to revoke it.
    page.context.clear_cookies()
    sign_in(page, "emp", PASSWORD)
    page.goto(f"/workflow/instances/{instance.pk}/")
    expect(page.get_by_test_id("act-revoke")).to_be_visible()
    shot(page, "approvals-detail-approved")
    fits_a_phone(page)

    assert console.errors == []
