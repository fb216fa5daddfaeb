"""Official-document registers in Chromium: register incoming with a format error
shown and fixed, number and void an outgoing document, the classified rule.

Screenshots at desktop and phone width: documents-register, documents-form-error,
documents-detail, documents-numbered, documents-classified, documents-series.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(transactional_db: Any) -> dict[str, Any]:
    """The document tests' organisation, a number series and some entries."""
    from django.contrib.auth.models import Group

    from zhiban.documents.tests.conftest import (
        classified,
        incoming,
        make_org,
        make_series,
        outgoing,
    )
    from zhiban.org.models import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    org = make_org()
    make_series(org, code="豫能集团办", name="集团办公室发文")
    incoming(org, urgency="特急", title="关于做好岁末年初安全生产工作的通知")
    incoming(
        org,
        title="关于报送国有资产统计报表的函",
        document_type="letter",
        sender="省国资委",
        document_number="豫国资函〔2026〕56号",
    )
    outgoing(org, title="关于开展冬季安全生产大检查的通知")
    classified(org)
    from zhiban.org.tests.factories import DepartmentFactory, UserFactory, make_head

    make_head(
        UserFactory(
            username="prodhead", name="冯涛", primary_department=org["production"]
        )
    )
    safety = DepartmentFactory(unit=org["hq"], code="SAF", name="安全监察部")
    make_head(UserFactory(username="safehead", name="宋健", primary_department=safety))
    org["leaders"] = [
        UserFactory(
            username="zhangzong", name="张建国", primary_department=org["office"]
        ),
        UserFactory(username="lizong", name="李卫东", primary_department=org["office"]),
    ]
    return org


def test_a_clerk_registers_an_incoming_document_after_fixing_its_number(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    from zhiban.documents.models import Document, DocumentFile

    sign_in(page, "clerk", PASSWORD)
    page.locator(".zb-shell a[href='/documents/']").first.click()
    page.wait_for_url("**/documents/")
    expect(page.get_by_test_id("register-row")).to_have_count(2)
    shot(page, "documents-register")
    fits_a_phone(page)

    page.get_by_test_id("document-register").click()
    page.wait_for_url("**/documents/new/incoming/")
    page.select_option("#id_document_type", "notice")
    page.fill("#id_title", "关于开展煤矿智能化建设情况调研的通知")
    page.select_option("#id_unit", label="集团本部")
    page.fill("#id_sender", "河南省能源局")
    page.fill("#id_document_number", "豫能源[2026]第203号")
    page.fill("#id_attachments", "调研提纲\n情况统计表")
    page.select_option("#id_urgency", "加急")
    page.get_by_test_id("document-save").click()
    error = page.get_by_test_id("error-document_number").first
    expect(error).to_contain_text("〔〕")
    shot(page, "documents-form-error")
    assert Document.objects.filter(sender="河南省能源局").count() == 0

    page.fill("#id_document_number", "豫能源〔2026〕203号")
    page.get_by_test_id("document-save").click()
    page.wait_for_url("**/documents/*/")
    expect(page.get_by_test_id("register-number")).to_have_text("2026-0003")
    expect(page.get_by_test_id("document-number")).to_have_text("豫能源〔2026〕203号")

    page.select_option("#id_role", "body")
    page.set_input_files(
        "#id_file",
        files=[{"name": "调研通知.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_test_id("file-upload").click()
    expect(page.get_by_test_id("document-files")).to_contain_text("调研通知.pdf")
    expect(page.get_by_test_id("document-trail")).to_contain_text("调研通知.pdf")
    shot(page, "documents-detail")
    assert DocumentFile.objects.count() == 1
    console.assert_clean(expected_statuses=(400,))


def test_a_clerk_numbers_voids_and_renumbers_an_outgoing_document(
    page, console, shot, sign_in, world
) -> None:
    from playwright.sync_api import expect

    sign_in(page, "clerk", PASSWORD)
    page.goto("/documents/?direction=outgoing")
    # The classified entry is not in the clerk's register.
    expect(page.get_by_test_id("register-row")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text("谈判方案")
    page.get_by_test_id("register-row").first.click()
    page.wait_for_url("**/documents/*/")
    page.get_by_test_id("number-allocate").click()
    expect(page.get_by_test_id("live-number")).to_have_text("豫能集团办〔2026〕1号")

    page.get_by_test_id("void-open").click()
    page.get_by_test_id("number-void").click()
    expect(page.get_by_test_id("void-errors")).to_be_visible()
    page.fill("#id_reason", "主送机关有误，重新编号")
    page.get_by_test_id("number-void").click()
    expect(page.get_by_test_id("voided-number")).to_have_text("豫能集团办〔2026〕1号")
    page.get_by_test_id("number-allocate").click()
    expect(page.get_by_test_id("live-number")).to_have_text("豫能集团办〔2026〕2号")
    shot(page, "documents-numbered")
    console.assert_clean(expected_statuses=(400,))


def test_only_the_confidential_clerk_sees_a_classified_entry_and_it_takes_no_files(
    page, console, shot, sign_in, world
) -> None:
    from playwright.sync_api import expect

    from zhiban.documents.models import Document

    document = Document.objects.get(secrecy_level="机密")
    sign_in(page, "clerk", PASSWORD)
    response = page.goto(f"/documents/{document.pk}/")
    assert response is not None
    assert response.status == 404

    page.context.clear_cookies()
    sign_in(page, "secret", PASSWORD)
    page.goto("/documents/?direction=outgoing")
    expect(page.get_by_test_id("classified-badge")).to_have_text("机密★5年")
    page.goto(f"/documents/{document.pk}/")
    expect(page.get_by_test_id("classified-note")).to_contain_text("纸质")
    expect(page.get_by_test_id("files-refused")).to_be_visible()
    expect(page.get_by_test_id("paper-holder")).to_contain_text("赵敏")
    shot(page, "documents-classified")
    console.assert_clean(expected_statuses=(404,))


def test_the_director_keeps_the_number_series(
    page, console, shot, sign_in, world
) -> None:
    from playwright.sync_api import expect

    sign_in(page, "director", PASSWORD)
    page.goto("/documents/")
    page.get_by_test_id("series-link").click()
    page.wait_for_url("**/documents/manage/series/")
    expect(page.get_by_test_id("series-row")).to_have_count(1)
    page.get_by_test_id("series-add").click()
    page.select_option("#id_unit", label="集团本部")
    page.fill("#id_code", "集团党委")
    page.fill("#id_name", "集团党委发文")
    page.check("input[name=document_types][value=decision]")
    page.get_by_test_id("series-save").click()
    page.wait_for_url("**/documents/manage/series/")
    expect(page.get_by_test_id("series-row")).to_have_count(2)
    shot(page, "documents-series")
    console.assert_clean(expected_statuses=(400,))


def _pick(form: Any, name: str) -> None:
    """Choose a person or department in a form's (or one picker's) search."""
    form.locator("input[type=search]").fill(name)
    form.locator("[data-picker-option]").filter(has_text=name).click()


def test_two_leaders_sign_a_circulated_document_and_the_round_closes(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    from zhiban.documents.models import CirculationReader, Document

    document = Document.objects.get(title="关于做好岁末年初安全生产工作的通知")
    sign_in(page, "clerk", PASSWORD)
    page.goto(f"/documents/{document.pk}/")
    page.get_by_test_id("circulation-open").click()
    form = page.get_by_test_id("circulation-form")
    _pick(form, "张建国")
    _pick(form, "李卫东")
    page.fill("#id_circulation_note", "请各位领导阅示")
    page.get_by_test_id("circulation-start").click()
    expect(page.get_by_test_id("circulation-reader")).to_have_count(2)
    expect(page.get_by_test_id("circulation-state")).to_have_text("传阅中")

    for username, opinion in (
        ("zhangzong", "同意，请生产技术部牵头办理。"),
        ("lizong", ""),
    ):
        page.context.clear_cookies()
        sign_in(page, username, PASSWORD)
        page.goto("/inbox/")
        page.get_by_text(f"传阅：{document.title}").first.click()
        page.wait_for_url(f"**/documents/{document.pk}/")
        expect(page.get_by_test_id("opinion-form")).to_be_visible()
        if opinion:
            page.fill("#id_opinion", opinion)
            shot(page, "documents-circulation-sign")
            fits_a_phone(page)
        page.get_by_test_id("opinion-save").click()
        expect(page.locator(".alert-success")).to_be_visible()

    expect(page.get_by_test_id("circulation-state")).to_have_text("传阅结束")
    opinions = page.get_by_test_id("circulation-opinion")
    expect(opinions.nth(0)).to_contain_text("同意，请生产技术部牵头办理。")
    expect(opinions.nth(1)).to_contain_text("已阅")
    expect(page.get_by_test_id("document-trail")).to_contain_text("传阅结束")
    shot(page, "documents-circulation-closed")
    assert list(
        CirculationReader.objects.order_by("position").values_list("status", flat=True)
    ) == ["done", "done"]
    console.assert_clean()


def _as(page: Any, sign_in: Any, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)


def test_the_incoming_path_from_check_to_completion(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    from zhiban.documents.models import Document

    document = Document.objects.get(title="关于报送国有资产统计报表的函")
    url = f"/documents/{document.pk}/"

    # 初审 and 拟办: the clerk passes the check and proposes to a leader.
    sign_in(page, "clerk", PASSWORD)
    page.goto(url)
    shot(page, "documents-incoming-check")
    page.get_by_test_id("handling-pass").click()
    expect(page.get_by_test_id("handling-stage")).to_have_text("拟办")
    form = page.get_by_test_id("handling-form")
    form.locator("#id_proposal").fill("建议请张总阅示，生产技术部牵头办理。")
    _pick(form, "张建国")
    shot(page, "documents-incoming-propose")
    page.get_by_test_id("handling-submit").click()
    expect(page.get_by_test_id("handling-stage")).to_have_text("批办")

    # 批办: the leader finds it in the to-do centre and instructs.
    _as(page, sign_in, "zhangzong")
    page.goto("/inbox/")
    page.get_by_text(f"批办：{document.title}").first.click()
    page.wait_for_url(f"**{url}")
    page.fill("#id_instruction", "请生产技术部牵头，安全监察部配合，按期报送。")
    _pick(page.get_by_test_id("picker-lead"), "生产技术部")
    _pick(page.get_by_test_id("picker-co_departments"), "安全监察部")
    shot(page, "documents-incoming-instruct")
    fits_a_phone(page)
    page.get_by_test_id("handling-submit").click()
    expect(page.get_by_test_id("handling-stage")).to_have_text("承办")
    expect(page.get_by_test_id("handling-holders")).to_contain_text("冯涛")

    # 承办: both departments reply.
    for head, reply in (("safehead", "已配合核对数据。"), ("prodhead", "报表已报送。")):
        _as(page, sign_in, head)
        page.goto(url)
        page.fill("#id_reply", reply)
        page.get_by_test_id("handling-submit").click()
        expect(page.locator(".alert-success")).to_be_visible()

    # 传阅 to two leaders, each signs; then 答复 and 办结.
    _as(page, sign_in, "clerk")
    page.goto(url)
    expect(page.get_by_test_id("handling-stage")).to_have_text("答复、办结")
    page.get_by_test_id("circulation-open").click()
    circulate = page.get_by_test_id("circulation-form")
    _pick(circulate, "张建国")
    _pick(circulate, "李卫东")
    page.get_by_test_id("circulation-start").click()
    for username, opinion in (("zhangzong", "已阅，同意。"), ("lizong", "已阅。")):
        _as(page, sign_in, username)
        page.goto(url)
        page.fill("#id_opinion", opinion)
        page.get_by_test_id("opinion-save").click()
        expect(page.locator(".alert-success")).to_be_visible()
    _as(page, sign_in, "clerk")
    page.goto(url)
    page.fill("#id_reply", "已答复省国资委。")
    page.get_by_test_id("handling-submit").click()
    expect(page.get_by_test_id("handling-stage")).to_have_text("已办结")
    expect(page.get_by_test_id("handling-record").locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("circulation-opinion")).to_have_count(2)
    shot(page, "documents-incoming-done")
    document.refresh_from_db()
    assert (document.stage, document.state) == ("done", "closed")
    console.assert_clean()
