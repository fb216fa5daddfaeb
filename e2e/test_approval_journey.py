"""Issue 3's "done when", in Chromium, as a new administrator and the staff would do it.

The administrator creates a seal-use flow (kind 用印) and designs it by clicking:
the department head approves, and more than 10 copies adds the office director;
publishes it. An employee applies for 12 copies with the document attached. The
department head transfers the task (转交) to a colleague, who approves; the office
director adds an approver before themselves (加签), who approves; the director
then returns it (退回) to the department head's step, which is walked again; the
head approves, the director approves. The seal's keeper records the stamping from
the approval page, and the requester finds the entry in the seal-use ledger.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password
TITLE = "与华东电建的综采设备采购合同"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(default_flows: None) -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from zhiban.org.models import Role
    from zhiban.seals.tests.conftest import make_org, make_seals

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    org = make_org()
    return {**org, "seals": make_seals(org)}


def _as(page: Any, sign_in: Any, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def _pick(form: Any, name: str) -> None:
    """Choose a person in a form's person picker."""
    form.locator("input[type=search]").fill(name)
    form.locator("[data-picker-option]").filter(has_text=name).click()


def _current_holders(page: Any) -> Any:
    return page.locator("[data-testid=path-step][data-state=current]")


def test_design_apply_approve_return_transfer_add_sign_and_stamp(
    page, console, shot, sign_in, world, tmp_path
) -> None:
    from playwright.sync_api import expect

    from zhiban.seals.models import SealUse
    from zhiban.workflow.models import FlowAction, FlowInstance

    # --- the administrator makes the flow ------------------------------------------
    sign_in(page, "admin", PASSWORD)
    page.get_by_role("link", name="审批流程").first.click()
    page.get_by_test_id("flow-new").click()
    page.fill("#id_code", "hq-seal")
    page.fill("#id_name", "本部用印申请")
    page.select_option("#id_kind", "seal")
    page.get_by_role("button", name="创建并设计").click()
    expect(page.get_by_test_id("fd-canvas")).to_be_visible()
    expect(page.get_by_test_id("fd-node-n1")).to_contain_text("部门负责人")

    # "+" after the department head → condition branches; branch 1: copies > 10.
    page.locator(".fd-chain > .fd-add").nth(1).locator(".fd-add-btn").click()
    page.locator(".dropdown-menu.show [data-fd-add=condition]").click()
    page.get_by_test_id("fd-branch-b1").click()
    page.get_by_test_id("fd-name").fill("超过10份")
    page.get_by_test_id("fd-add-condition").click()
    row = page.get_by_test_id("fd-condition-0")
    row.get_by_test_id("fd-cond-field").select_option("copies")
    row.get_by_test_id("fd-cond-op").select_option(">")
    row.get_by_test_id("fd-cond-value").fill("10")
    # In that branch: the office director (a role in the initiator's unit).
    branch = page.locator(".fd-branch").filter(has=page.get_by_test_id("fd-branch-b1"))
    branch.locator(".fd-add-btn").first.click()
    page.locator(".dropdown-menu.show [data-fd-add=approver]").click()
    page.get_by_test_id("fd-name").fill("办公室主任审批")
    page.get_by_test_id("fd-assignee-kind").select_option("role")
    page.get_by_test_id("fd-role").select_option("office_director")
    page.get_by_test_id("fd-save").click()
    expect(page.get_by_test_id("fd-message")).to_contain_text("草稿已保存")
    page.get_by_test_id("fd-publish").click()
    expect(page.get_by_test_id("flow-status")).to_have_text("已发布 v1")
    shot(page, "journey-designed")

    # --- the employee applies for 12 copies ---------------------------------------
    _as(page, sign_in, "requester")
    page.get_by_role("link", name="审批").first.click()
    page.get_by_test_id("apply-flow-hq-seal").click()
    page.select_option("select[name=seal]", label="集团公章（本部）")
    page.fill("input[name=document_title]", TITLE)
    page.fill("input[name=copies]", "12")
    page.fill("textarea[name=purpose]", "签订2027年度综采设备采购合同")
    document = tmp_path / "采购合同.pdf"
    document.write_bytes(PDF)
    page.set_input_files("input[name=attachment]", str(document))
    # The approvers are shown before submitting: the head, then the director.
    expect(page.locator("#apply-preview")).to_contain_text("冯涛")
    expect(page.locator("#apply-preview")).to_contain_text("陈静")
    shot(page, "journey-apply")
    page.get_by_test_id("apply-submit").click()
    page.wait_for_url("**/workflow/instances/*/")
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    instance = FlowInstance.objects.get(version__definition__code="hq-seal")
    url = f"/workflow/instances/{instance.pk}/"
    expect(_current_holders(page)).to_contain_text("冯涛")

    # --- the department head transfers to a colleague (转交) ----------------------
    _as(page, sign_in, "head")
    page.get_by_role("link", name="审批").first.click()
    page.get_by_test_id("approvals-nav-tasks").click()
    page.get_by_test_id("task-row").filter(has_text="本部用印申请").click()
    expect(page.get_by_test_id("form-values")).to_contain_text(TITLE)
    page.get_by_text("转交他人").click()
    transfer = page.get_by_test_id("transfer-form")
    _pick(transfer, "林波")
    transfer.locator("input[name=opinion]").fill("由林波负责审核合同条款")
    transfer.get_by_role("button", name="转交").click()
    expect(page.locator(".alert-success")).to_contain_text("已转交")
    expect(_current_holders(page)).to_contain_text("林波")

    # --- the colleague approves --------------------------------------------------
    _as(page, sign_in, "colleague")
    page.goto(url)
    page.fill("#id_opinion", "合同条款已审核，同意")
    page.get_by_test_id("act-approve").click()
    expect(page.locator(".alert-success")).to_contain_text("已同意")
    expect(page.get_by_test_id("task-panel")).to_have_count(0)

    # --- the office director adds an approver before themselves (加签) -----------
    _as(page, sign_in, "director")
    page.goto(url)
    expect(page.get_by_test_id("path")).to_contain_text("办公室主任")
    expect(page.get_by_test_id("path")).to_contain_text("用印份数 > 10")
    page.get_by_text("加签").first.click()
    add = page.get_by_test_id("add-form")
    _pick(add, "李强")
    add.locator("#id_before").check()
    add.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已加签")
    expect(_current_holders(page)).to_contain_text("李强")

    _as(page, sign_in, "deputy")
    page.goto(url)
    page.get_by_test_id("act-approve").click()
    expect(page.locator(".alert-success")).to_contain_text("已同意")

    # --- the director returns it to the department head's step (退回) -------------
    _as(page, sign_in, "director")
    page.goto(url)
    page.get_by_text("退回修改").click()
    back = page.get_by_test_id("return-form")
    back.locator("#id_to_node").select_option(label="部门负责人")
    back.locator("textarea[name=opinion]").fill("份数较多，请部门负责人再次确认")
    back.get_by_test_id("act-return").click()
    expect(page.locator(".alert-success")).to_contain_text("已退回")
    # The head's step is walked again; its approver is the department head.
    expect(_current_holders(page)).to_contain_text("冯涛")

    _as(page, sign_in, "head")
    page.goto(url)
    page.fill("#id_opinion", "已确认12份")
    page.get_by_test_id("act-approve").click()
    expect(page.locator(".alert-success")).to_contain_text("已同意")

    _as(page, sign_in, "director")
    page.goto(url)
    page.get_by_test_id("act-approve").click()
    expect(page.get_by_test_id("instance-status")).to_have_text("已通过")
    timeline = page.get_by_test_id("timeline")
    for who in ("高峰", "冯涛", "林波", "陈静", "李强"):
        expect(timeline).to_contain_text(who)
    expect(timeline).to_contain_text("份数较多，请部门负责人再次确认")
    shot(page, "journey-approved")
    kinds = list(
        FlowAction.objects.filter(instance=instance)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "submit",
        "transfer",
        "approve",
        "add_approver",
        "approve",
        "return",
        "approve",
        "approve",
    ]

    # --- the keeper records the stamping from the approval page -------------------
    _as(page, sign_in, "keeper")
    page.goto(url)
    expect(page.get_by_test_id("seal-use-record")).to_contain_text("待用印")
    page.get_by_test_id("seal-record-stamping").click()
    expect(page.get_by_test_id("copies-approved")).to_have_text("12")
    page.fill("#id_copies", "12")
    page.set_input_files(
        "#id_scan",
        files=[{"name": "盖章件.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_test_id("stamp-save").click()
    expect(page.locator(".alert-success")).to_be_visible()
    use = SealUse.objects.get(instance=instance)
    assert (use.status, use.copies_stamped) == (SealUse.Status.STAMPED, 12)

    # --- the requester finds the ledger entry -------------------------------------
    _as(page, sign_in, "requester")
    page.get_by_role("link", name="用印").first.click()
    page.wait_for_url("**/seals/ledger/")
    row = page.get_by_test_id("ledger-row").filter(has_text=TITLE)
    expect(row).to_contain_text("已用印")
    expect(row).to_contain_text("集团公章")
    shot(page, "journey-ledger")
    assert console.errors == []


def test_a_request_returned_to_the_requester_is_answered_edited_and_resubmitted(
    page, console, shot, sign_in, world, tmp_path
) -> None:
    from playwright.sync_api import expect

    from zhiban.seals.tests.conftest import request_seal

    people = world["people"]
    instance = request_seal(people["requester"], world["seals"]["official"])
    url = f"/workflow/instances/{instance.pk}/"

    # The department head returns it to the requester.
    sign_in(page, "head", PASSWORD)
    page.goto(url)
    page.get_by_text("退回修改").click()
    back = page.get_by_test_id("return-form")
    back.locator("#id_to_node").select_option(value="")
    back.locator("textarea[name=opinion]").fill("请补充合同的法务审核意见")
    back.get_by_test_id("act-return").click()
    expect(page.get_by_test_id("instance-status")).to_have_text("已退回")

    # The requester answers with the missing document and resubmits.
    _as(page, sign_in, "requester")
    page.goto(url)
    expect(page.get_by_test_id("returned-note")).to_be_visible()
    comment = page.get_by_test_id("comment-form")
    comment.locator("textarea[name=text]").fill("已补充法务审核意见")
    opinion = tmp_path / "法务审核意见.pdf"
    opinion.write_bytes(PDF)
    comment.locator("input[type=file]").set_input_files(str(opinion))
    comment.get_by_test_id("act-comment").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("法务审核意见.pdf")
    shot(page, "journey-returned")
    # Edit: fewer copies; the document stays as it was uploaded.
    page.get_by_test_id("act-edit").click()
    expect(page.get_by_test_id("edit-note")).to_be_visible()
    expect(page.locator("input[name=document_title]")).to_have_value("采购合同")
    expect(page.get_by_test_id("kept-attachment")).to_contain_text("合同.pdf")
    page.fill("input[name=copies]", "1")
    shot(page, "journey-edit")
    page.get_by_test_id("apply-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已重新提交")
    expect(page.get_by_test_id("form-values")).to_contain_text("合同.pdf")
    expect(page.get_by_test_id("instance-status")).to_have_text("审批中")
    expect(_current_holders(page)).to_contain_text("冯涛")
    assert console.errors == []


def test_an_administrator_reassigns_the_task_of_someone_who_left(
    page, console, shot, sign_in, world
) -> None:
    from playwright.sync_api import expect

    from zhiban.org.models import User
    from zhiban.seals.tests.conftest import request_seal

    people = world["people"]
    instance = request_seal(people["requester"], world["seals"]["official"])
    User.objects.filter(pk=people["head"].pk).update(is_active=False)  # 冯涛 left

    sign_in(page, "admin", PASSWORD)
    page.get_by_role("link", name="审批流程").first.click()
    page.get_by_test_id("held-tasks-link").click()
    row = page.get_by_test_id("held-task")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("冯涛")
    shot(page, "held-tasks")
    _pick(row, "林波")
    row.locator("input[name=reason]").fill("冯涛已调离，由林波代为审核")
    row.get_by_role("button", name="改派").click()
    expect(page.locator(".alert-success").first).to_contain_text("林波")
    expect(page.get_by_test_id("held-none")).to_be_visible()

    page.goto(f"/workflow/instances/{instance.pk}/")
    expect(_current_holders(page)).to_contain_text("林波")
    expect(page.get_by_test_id("timeline")).to_contain_text("冯涛已调离")
    expect(page.get_by_test_id("reassign-panel")).to_be_visible()
    shot(page, "reassign-on-instance")
    assert console.errors == []
