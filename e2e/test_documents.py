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
