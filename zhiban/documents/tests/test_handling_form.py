"""The printable handling form: every opinion, signer and date, as PDF text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from zhiban.documents import services
from zhiban.documents.handling_form import handling_form_context
from zhiban.documents.tests.conftest import incoming
from zhiban.documents.tests.outgoing_org import make_outgoing_org
from zhiban.documents.tests.test_outgoing import draft, walk_to_signed
from zhiban.documents.tests.test_views import client_for


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_outgoing_org()


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_outgoing_form_lists_each_decision_in_order(org):
    people = org["people"]
    document = walk_to_signed(
        org, draft(people), countersign_departments=[org["safety"]]
    )
    rows = handling_form_context(document, printed_by=people["clerk"])["opinions"]
    assert [(r.section, r.who) for r in rows] == [
        ("部门审核", "刘部长"),
        ("核稿", people["director"].display_name),
        ("会签", "陈部长"),
        ("分管领导签发", "李副总"),
        ("复核", "王芳"),
    ]
    assert rows[3].text == "同意印发"
    response = client_for(people["clerk"]).get(
        reverse("documents:handling_form_pdf", args=[document.pk])
    )
    assert response.status_code == 200
    text = text_of(response.content)
    assert "李副总" in text
    assert "同意印发" in text
    assert document.title in text.replace("\n", "")


def test_the_incoming_form_lists_the_steps_and_who_acted(org):
    people = org["people"]
    document = incoming(org)
    services.incoming_check(document=document, by=people["clerk"], passed=True)
    services.incoming_propose(
        document=document,
        by=people["clerk"],
        proposal="请张总阅示",
        leader=people["chief"],
    )
    rows = handling_form_context(document, printed_by=people["clerk"])["opinions"]
    assert [(r.section, r.who, r.text) for r in rows] == [
        ("First check", "王芳", ""),
        ("Proposal", "王芳", "请张总阅示"),
    ]
    assert rows[1].decision == "To 张总"


def test_someone_who_may_not_see_the_document_gets_404(org):
    document = incoming(org)
    response = client_for(org["people"]["mine_clerk"]).get(
        reverse("documents:handling_form_pdf", args=[document.pk])
    )
    assert response.status_code == 404


def test_a_finished_document_is_marked_ready_to_file_with_its_papers(org):
    from zhiban.core.errors import DomainError
    from zhiban.documents.models import DocumentFile
    from zhiban.documents.services.filing import document_ready_to_file
    from zhiban.documents.tests.test_outgoing import issued

    people = org["people"]
    document = issued(org)
    with pytest.raises(DomainError) as caught:
        document_ready_to_file(document=document, by=people["clerk"])
    assert caught.value.code == "not_finished"  # printed, not yet issued
    from zhiban.documents.services import distribution

    distribution.document_issue(
        document=document, by=people["clerk"], units=[org["mine"]]
    )
    response = client_for(people["clerk"]).post(
        reverse("documents:ready_to_file", args=[document.pk])
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.ready_to_file_at is not None
    roles = set(document.files.values_list("role", flat=True))
    assert roles == {
        DocumentFile.Role.FORMAL,
        DocumentFile.Role.FINAL_DRAFT,
        DocumentFile.Role.HANDLING_FORM,
    }
    final = document.files.get(role=DocumentFile.Role.FINAL_DRAFT)
    assert final.original_name.endswith("-定稿.pdf")
    assert final.content_type == "application/pdf"
    text = text_of(final.file.read())
    assert "Final draft" in text
    assert "为切实做好冬季安全生产工作" in text.replace("\n", "")
    with pytest.raises(DomainError) as again:
        document_ready_to_file(document=document, by=people["clerk"])
    assert again.value.code == "already_ready"
    assert document.events.filter(kind="ready_to_file").count() == 1


def test_the_final_draft_is_the_version_signed_off_with_the_sign_off(org):
    from zhiban.documents.final_draft import final_draft_pdf, final_version
    from zhiban.documents.services import drafting
    from zhiban.documents.tests.test_outgoing import approve_to_the_end

    people = org["people"]
    document = draft(people)
    instance = drafting.draft_submit(document=document, by=people["engineer"]).instance
    # The department head revises the text while it is their turn (修改稿).
    drafting.draft_revise(
        document=document,
        by=people["prod_head"],
        title=document.title,
        body="各单位：\n一、检查范围。覆盖集团所属各矿井。\n二、时间安排。十二月底前完成。",
        note="补充检查范围",
    )
    approve_to_the_end(org, instance)
    document.refresh_from_db()

    version = final_version(document)
    assert version is not None
    assert (version.number, version.author) == (2, people["prod_head"])
    with translation.override("zh-hans"):
        pdf = final_draft_pdf(document)
    assert pdf is not None
    assert pdf[:5] == b"%PDF-"
    text = text_of(pdf).replace("\n", "")
    assert "定稿" in text
    assert "第 2 版" in text  # the version, and who saved it
    assert "刘部长" in text
    assert "补充检查范围" in text
    assert "李副总" in text  # the sign-off: who, the opinion and the date
    assert "同意印发" in text
    assert document.written_on is not None
    assert document.written_on.isoformat() in text
    assert "一、检查范围。覆盖集团所属各矿井。" in text
    assert "为切实做好冬季安全生产工作" not in text  # version 1's text


def test_a_register_entry_not_drafted_here_has_no_final_draft(org):
    from zhiban.documents.final_draft import final_draft_pdf

    assert final_draft_pdf(incoming(org)) is None
