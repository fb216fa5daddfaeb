"""The printable handling form: every opinion, signer and date, as PDF text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
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
    final = document.files.get(role=DocumentFile.Role.FINAL_DRAFT).file.read()
    assert document.body.encode() in final
    with pytest.raises(DomainError) as again:
        document_ready_to_file(document=document, by=people["clerk"])
    assert again.value.code == "already_ready"
    assert document.events.filter(kind="ready_to_file").count() == 1
