"""The flow designer in Chromium: build the issue's seal-use flow by clicking.

The department head approves; a condition "copies > 10" adds the office
director; the default branch is empty. Validate, dry-run with 12 and with 3
copies (two different paths), publish; screenshots at desktop and phone width.
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password
COPIES = {"key": "copies", "type": "number", "label": "份数", "required": True}


@pytest.fixture
def org():
    from django.contrib.auth.models import Group

    from zhiban.org import services as org_services
    from zhiban.org.models import Role
    from zhiban.org.tests.factories import (
        DepartmentFactory,
        UnitFactory,
        UserFactory,
    )
    from zhiban.workflow import services
    from zhiban.workflow.models import FlowDefinition

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
    director = UserFactory(
        username="director",
        name="王芳",
        primary_department=office,
        roles=[Role.OFFICE_DIRECTOR],
    )
    flow = services.flow_create(code="seal-use", name="用印申请", by=admin)
    form_save = getattr(services, "flow_form_save", None)
    if form_save is not None:
        form_save(definition=flow, form=[COPIES], by=admin)
    else:  # the forms helper's service is not there yet: set the draft's form
        draft = services.flow_draft_of(definition=flow)
        draft["form"] = [COPIES]
        FlowDefinition.objects.filter(pk=flow.pk).update(draft=draft)
    return {"admin": admin, "head": head, "employee": employee, "director": director}


def _add_at(page, plus, kind: str) -> None:
    plus.click()
    page.locator(f".dropdown-menu.show [data-fd-add={kind}]").click()


def test_build_validate_dry_run_and_publish_the_seal_flow(
    page, console, shot, sign_in, org
) -> None:
    from playwright.sync_api import expect

    from zhiban.workflow.models import FlowVersion

    sign_in(page, "sysadmin", PASSWORD)
    # The navigation leads to the flows.
    page.get_by_role("link", name="审批流程").first.click()
    expect(page.get_by_test_id("flow-row-seal-use")).to_be_visible()
    shot(page, "flow-list")
    page.get_by_test_id("flow-row-seal-use").get_by_role(
        "link", name="用印申请"
    ).click()
    expect(page.get_by_test_id("fd-canvas")).to_be_visible()

    # The new flow starts with the department head.
    expect(page.get_by_test_id("fd-node-n1")).to_contain_text("部门负责人")

    # "+" after the department head → condition branches.
    plus_after_head = page.locator(".fd-chain > .fd-add").nth(1)
    _add_at(page, plus_after_head.locator(".fd-add-btn"), "condition")
    expect(page.get_by_test_id("fd-node-n2")).to_be_visible()
    expect(page.get_by_test_id("fd-branch-b2")).to_contain_text("默认")

    # Validating now points at the branch without a condition.
    page.get_by_test_id("fd-validate").click()
    expect(page.get_by_test_id("fd-message")).to_contain_text("没有设置条件")
    expect(page.get_by_test_id("fd-branch-b1")).to_have_class(
        re.compile("fd-has-problem")
    )
    shot(page, "flow-designer-problem")

    # Branch 1: copies > 10.
    page.get_by_test_id("fd-branch-b1").click()
    page.get_by_test_id("fd-name").fill("超过10份")
    page.get_by_test_id("fd-add-condition").click()
    row = page.get_by_test_id("fd-condition-0")
    row.get_by_test_id("fd-cond-field").select_option("copies")
    row.get_by_test_id("fd-cond-op").select_option(">")
    page.get_by_test_id("fd-condition-0").get_by_test_id("fd-cond-value").fill("10")
    expect(page.get_by_test_id("fd-branch-b1")).to_contain_text("份数 > 10")

    # In branch 1: the office director (a role in the initiator's unit).
    branch = page.locator(".fd-branch").filter(has=page.get_by_test_id("fd-branch-b1"))
    _add_at(page, branch.locator(".fd-add-btn").first, "approver")
    expect(page.get_by_test_id("fd-node-n3")).to_be_visible()
    page.get_by_test_id("fd-name").fill("办公室主任")
    page.get_by_test_id("fd-assignee-kind").select_option("role")
    page.get_by_test_id("fd-role").select_option("office_director")
    expect(page.get_by_test_id("fd-node-n3")).to_contain_text("办公室主任")

    expect(page.get_by_test_id("fd-dirty")).to_be_visible()
    page.get_by_test_id("fd-save").click()
    expect(page.get_by_test_id("fd-message")).to_contain_text("草稿已保存")
    expect(page.get_by_test_id("fd-dirty")).to_be_hidden()
    page.get_by_test_id("fd-validate").click()
    expect(page.get_by_test_id("fd-message")).to_have_class(re.compile("alert-success"))
    expect(page.locator(".fd-has-problem")).to_have_count(0)

    # Dry run with 12 copies: the office director is on the path.
    page.get_by_test_id("fd-dry-run").click()
    picker = page.get_by_test_id("fd-dry-initiator")
    picker.locator("input[type=search]").fill("李小红")
    picker.get_by_role("button", name=re.compile("李小红")).click()
    page.get_by_test_id("fd-dry-field-copies").fill("12")
    page.get_by_test_id("fd-dry-go").click()
    expect(page.get_by_test_id("fd-dry-n1")).to_contain_text("张建国")
    expect(page.get_by_test_id("fd-dry-n1")).to_contain_text("部门负责人：生产技术部")
    expect(page.get_by_test_id("fd-dry-n3")).to_contain_text("王芳")
    shot(page, "flow-designer-dry-run-12")

    # With 3 copies the default branch is taken: no office director.
    page.get_by_test_id("fd-dry-field-copies").fill("3")
    page.get_by_test_id("fd-dry-go").click()
    expect(page.get_by_test_id("fd-dry-n2")).to_contain_text("默认分支")
    expect(page.get_by_test_id("fd-dry-n3")).to_have_count(0)
    expect(page.get_by_test_id("fd-node-n3")).to_have_class(re.compile("fd-off-path"))
    shot(page, "flow-designer-dry-run-3")

    # Publish.
    page.get_by_test_id("fd-publish").click()
    expect(page.get_by_test_id("fd-message")).to_contain_text("1")
    expect(page.get_by_test_id("fd-message")).to_have_class(re.compile("alert-success"))
    expect(page.get_by_test_id("flow-status")).to_have_text("已发布 v1")
    # The tabs lead to the form designer too.
    expect(page.get_by_role("link", name="表单")).to_have_attribute(
        "href", "/workflow/manage/flows/seal-use/form/"
    )
    version = FlowVersion.objects.get(definition__code="seal-use")
    assert version.number == 1
    assert [f["key"] for f in version.form_schema] == ["copies"]
    nodes = version.body["nodes"]
    assert [n["type"] for n in nodes] == ["approver", "condition"]
    assert nodes[0]["assignees"] == {"kind": "department_head"}
    taken, default = nodes[1]["branches"]
    assert taken["conditions"] == [{"field": "copies", "op": ">", "value": 10}]
    assert taken["nodes"][0]["assignees"] == {"kind": "role", "role": "office_director"}
    assert default["is_default"] is True
    assert default["nodes"] == []
    shot(page, "flow-designer")

    # Phone width: the side panel sits below the canvas, no sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_test_id("fd-node-n3").click()
    expect(page.get_by_test_id("fd-name")).to_have_value("办公室主任")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path="e2e/artifacts/flow-designer-panel-phone.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    # The versions tab and the read-only version.
    page.goto("/workflow/manage/flows/seal-use/versions/")
    page.get_by_role("link", name="v1").click()
    expect(page.get_by_test_id("fd-node-n3")).to_contain_text("办公室主任")
    expect(page.locator(".fd-add-btn")).to_have_count(0)
    shot(page, "flow-version")
    page.goto("/workflow/manage/flows/seal-use/")
    expect(page.get_by_test_id("flow-settings-form")).to_be_visible()
    shot(page, "flow-settings")

    # Copy the flow into a new approval type (issue item 13): not published yet.
    page.goto("/workflow/manage/flows/")
    page.get_by_test_id("flow-row-seal-use").get_by_role("button", name="更多").click()
    page.get_by_test_id("flow-row-seal-use").get_by_role("link", name="复制").click()
    page.fill("#id_code", "seal-branch")
    page.fill("#id_name", "分公司用印申请")
    shot(page, "flow-copy")
    page.get_by_role("button", name="复制").click()
    expect(page.get_by_test_id("flow-name")).to_have_text("分公司用印申请")
    page.get_by_role("link", name="流程").last.click()
    expect(page.get_by_test_id("fd-node-n3")).to_contain_text("办公室主任")
    expect(page.get_by_test_id("flow-status")).to_have_text("未发布")

    assert console.errors == []
