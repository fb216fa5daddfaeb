"""The outgoing pages: draft, revise, compare, submit, approve, print, issue, sign for."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhiban.documents.models import (
    DistributionRecipient,
    Document,
    DraftVersion,
)
from zhiban.documents.services import distribution, drafting
from zhiban.documents.tests.conftest import make_series
from zhiban.documents.tests.outgoing_org import make_outgoing_org
from zhiban.documents.tests.test_outgoing import docx_bytes, walk_to_signed
from zhiban.documents.tests.test_views import client_for
from zhiban.workflow.models import FlowInstance


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_outgoing_org()


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return org["people"]


def detail(user: Any, document: Document) -> str:
    page = client_for(user).get(reverse("documents:detail", args=[document.pk]))
    assert page.status_code == 200
    return page.content.decode()


def new_draft(people: dict[str, Any], **data: Any) -> Any:
    values = {
        "document_type": "notice",
        "title": "关于开展冬季安全生产大检查的通知",
        "main_recipients": "各二级单位",
        "body": "为做好冬季安全生产工作，决定开展大检查。",
    }
    values.update(data)
    return client_for(people["engineer"]).post(
        reverse("documents:draft_create"), values
    )


def test_an_employee_drafts_from_the_page(org, people):
    form = client_for(people["engineer"]).get(reverse("documents:draft_create"))
    assert form.status_code == 200
    assert "请示（一文一事）" in form.content.decode()
    response = new_draft(people)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.created_by == people["engineer"]
    page = detail(people["engineer"], document)
    assert 'data-testid="submit-form"' in page
    assert 'data-testid="revise-form"' in page


def test_a_bad_title_and_a_damaged_docx_are_explained_and_nothing_is_kept(people):
    response = new_draft(people, title="大检查")
    assert response.status_code == 400
    assert 'data-testid="error-title"' in response.content.decode()
    broken = SimpleUploadedFile("草稿.docx", b"PK\x03\x04 truncated")
    response = new_draft(people, body="", docx=broken)
    assert response.status_code == 400
    assert "damaged" in response.content.decode()
    assert not Document.objects.exists()


def test_a_docx_draft_and_a_revision_then_compare(people):
    upload = SimpleUploadedFile("草稿.docx", docx_bytes("各单位：", "第一段。"))
    assert new_draft(people, body="", docx=upload).status_code == 302
    document = Document.objects.get()
    assert document.body == "各单位：\n第一段。"
    response = client_for(people["engineer"]).post(
        reverse("documents:draft_revise", args=[document.pk]),
        {"title": document.title, "body": "各单位：\n第一段修改。", "note": "改第一段"},
    )
    assert response.status_code == 302
    compare = client_for(people["engineer"]).get(
        reverse("documents:draft_compare", args=[document.pk]) + "?a=1&b=2"
    )
    html = compare.content.decode()
    assert compare.status_code == 200
    assert '<ins class="zb-ins">修改</ins>' in html
    unchanged = client_for(people["engineer"]).post(
        reverse("documents:draft_revise", args=[document.pk]),
        {"title": document.title, "body": "各单位：\n第一段修改。"},
    )
    assert unchanged.status_code == 400
    assert "Nothing has changed" in unchanged.content.decode()
    assert DraftVersion.objects.count() == 2


def test_submit_shows_the_approval_and_the_approver_sees_the_draft(org, people):
    assert new_draft(people).status_code == 302
    document = Document.objects.get()
    bad = client_for(people["engineer"]).post(
        reverse("documents:draft_submit", args=[document.pk]),
        {"countersign_departments": [org["headless"].pk]},
    )
    assert bad.status_code == 400
    assert "无负责人部" in bad.content.decode()
    ok = client_for(people["engineer"]).post(
        reverse("documents:draft_submit", args=[document.pk]),
        {"countersign_departments": [org["safety"].pk]},
    )
    assert ok.status_code == 302
    instance = FlowInstance.objects.get()
    # The department head, whose turn it is, sees the document and the draft
    # on the approval page; a stranger sees neither.
    assert 'data-testid="revise-form"' in detail(people["prod_head"], document)
    page = client_for(people["prod_head"]).get(
        reverse("workflow:instance_detail", args=[instance.pk])
    )
    assert 'data-testid="instance-draft"' in page.content.decode()
    assert (
        client_for(people["mine_clerk"])
        .get(reverse("documents:detail", args=[document.pk]))
        .status_code
        == 404
    )


def signed_notice(org: dict[str, Any], people: dict[str, Any]) -> Document:
    """Return a notice walked through the approval to signed."""
    return walk_to_signed(
        org,
        drafting.draft_create(
            by=people["engineer"],
            document_type="notice",
            title="关于开展冬季安全生产大检查的通知",
            body="为做好冬季安全生产工作，决定开展大检查。",
        ),
    )


def test_print_issue_sign_for_and_recall_from_the_pages(org, people):
    document = signed_notice(org, people)
    series = make_series(org)
    clerk = client_for(people["clerk"])
    assert (
        clerk.post(
            reverse("documents:number_allocate", args=[document.pk]),
            {"series": series.pk, "year": 2026},
        ).status_code
        == 302
    )
    refused = clerk.post(reverse("documents:print", args=[document.pk]), {"copies": 0})
    assert refused.status_code == 400
    assert (
        clerk.post(
            reverse("documents:print", args=[document.pk]), {"copies": 20}
        ).status_code
        == 302
    )
    empty = clerk.post(reverse("documents:issue", args=[document.pk]), {})
    assert empty.status_code == 400
    assert "at least one unit or department" in empty.content.decode()
    issued = clerk.post(
        reverse("documents:issue", args=[document.pk]),
        {"units": [org["mine"].pk], "departments": [org["safety"].pk]},
    )
    assert issued.status_code == 302
    page = detail(people["clerk"], document)
    assert page.count('data-testid="recipient-row"') == 2
    mine_row = DistributionRecipient.objects.get(unit=org["mine"], department=None)
    copy = mine_row.incoming
    assert 'data-testid="receipt-sign"' in detail(people["mine_clerk"], copy)
    assert (
        client_for(people["mine_clerk"])
        .post(reverse("documents:receipt_sign", args=[copy.pk]))
        .status_code
        == 302
    )
    mine_row.refresh_from_db()
    assert mine_row.status == "signed"
    detail(people["mine_clerk"], copy)  # the first reading after signing
    mine_row.refresh_from_db()
    assert mine_row.status == "read"
    safety_row = DistributionRecipient.objects.get(department=org["safety"])
    no_reason = clerk.post(
        reverse("documents:distribution_recall", args=[safety_row.pk]), {"reason": ""}
    )
    assert no_reason.status_code == 400
    assert 'data-testid="recall-error"' in no_reason.content.decode()
    assert (
        clerk.post(
            reverse("documents:distribution_recall", args=[safety_row.pk]),
            {"reason": "发送对象有误"},
        ).status_code
        == 302
    )
    recalled = detail(people["safety_head"], safety_row.incoming)
    assert "发送对象有误" in recalled
    assert 'data-testid="receipt-sign"' not in recalled
    # A stranger's sign-for is refused with a message, not a 500.
    distribution.document_issue(
        document=document, by=people["clerk"], departments=[org["production"]]
    )
    prod_copy = DistributionRecipient.objects.get(department=org["production"]).incoming
    response = client_for(people["engineer"]).post(
        reverse("documents:receipt_sign", args=[prod_copy.pk]), follow=True
    )
    assert "Only the recipient" in response.content.decode()
    assert DistributionRecipient.objects.get(incoming=prod_copy).status == "sent"


def printed(org: dict[str, Any], people: dict[str, Any]) -> Document:
    """Return a signed, numbered and printed notice, ready to issue."""
    document = signed_notice(org, people)
    clerk = client_for(people["clerk"])
    clerk.post(
        reverse("documents:number_allocate", args=[document.pk]),
        {"series": make_series(org).pk, "year": 2026},
    )
    clerk.post(reverse("documents:print", args=[document.pk]), {"copies": 20})
    document.refresh_from_db()
    assert document.state == Document.State.PRINTED
    return document


def test_departments_are_chosen_in_the_picker_and_units_ticked(org, people):
    assert new_draft(people).status_code == 302
    drafted = detail(people["engineer"], Document.objects.get())
    hq = org["hq"].pk
    # Only the drafter's own unit's departments are searched.
    search = reverse("org:picker_departments") + f"?unit={hq}"
    assert 'data-testid="picker-countersign_departments"' in drafted
    assert f'hx-get="{search}"' in drafted
    assert "<select multiple" not in drafted
    assert '<select name="countersign_departments"' not in drafted

    issuing = detail(people["clerk"], printed(org, people))
    assert 'data-testid="picker-departments"' in issuing
    assert 'data-testid="checks-units"' in issuing
    assert f'value="{org["mine"].pk}"' in issuing  # the subordinate unit
    assert f'name="units" value="{hq}"' not in issuing  # never the sender's own
    assert "<select multiple" not in issuing


def test_the_department_picker_searches_one_unit_when_asked(org, people):
    client = client_for(people["clerk"])
    url = reverse("org:picker_departments")

    everywhere = client.get(url, {"_pq": "办公室"}).content.decode()
    in_hq = client.get(url, {"_pq": "办公室", "unit": org["hq"].pk}).content.decode()
    odd = client.get(url, {"_pq": "办公室", "unit": "9" * 30})

    assert "矿办公室" in everywhere
    assert "综合办公室" in everywhere
    assert "矿办公室" not in in_hq
    assert "综合办公室" in in_hq
    assert odd.status_code == 200


@pytest.mark.parametrize(
    ("departments", "message"),
    [
        ("mine_office", "“矿办公室” (朝阳煤矿) cannot be chosen here"),
        ("999999", "A chosen department no longer exists"),
        ("9" * 30, "A chosen department no longer exists"),
        ("abc", "is not a valid value"),
    ],
)
def test_a_department_that_cannot_receive_it_is_named_and_nothing_is_issued(
    org, people, departments, message
):
    document = printed(org, people)
    chosen = org[departments].pk if departments in org else departments

    page = client_for(people["clerk"]).post(
        reverse("documents:issue", args=[document.pk]),
        {"departments": [org["safety"].pk, chosen]},
    )

    assert page.status_code == 400
    assert message in page.content.decode()
    # The department chosen rightly is still chosen on the page shown again.
    assert f'data-id="{org["safety"].pk}"' in page.content.decode()
    assert not DistributionRecipient.objects.exists()
    document.refresh_from_db()
    assert document.state == Document.State.PRINTED
