"""The outgoing API: draft, version, submit, print, issue, recipients, sign for, recall."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiban.documents.models import DistributionRecipient, Document
from zhiban.documents.tests.conftest import make_series
from zhiban.documents.tests.outgoing_org import make_outgoing_org
from zhiban.documents.tests.test_api import api
from zhiban.documents.tests.test_outgoing import walk_to_signed


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_outgoing_org()


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return org["people"]


DRAFT = {
    "document_type": "notice",
    "title": "关于开展冬季安全生产大检查的通知",
    "body": "为做好冬季安全生产工作，决定开展大检查。",
}


def test_draft_revise_and_submit(org, people):
    engineer = api(people["engineer"])
    created = engineer.post("/api/documents/drafts/", DRAFT, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    revised = engineer.post(
        f"/api/documents/{pk}/versions/",
        {"title": DRAFT["title"], "body": DRAFT["body"] + "\n请按时报送。"},
        format="json",
    )
    assert revised.status_code == 201
    assert revised.json()["number"] == 2
    unchanged = engineer.post(
        f"/api/documents/{pk}/versions/",
        {"title": DRAFT["title"], "body": DRAFT["body"] + "\n请按时报送。"},
        format="json",
    )
    assert (unchanged.status_code, unchanged.json()["code"]) == (409, "draft_unchanged")
    listed = engineer.get(f"/api/documents/{pk}/versions/").json()
    assert [v["number"] for v in listed] == [2, 1]
    submitted = engineer.post(
        f"/api/documents/{pk}/submit/",
        {"countersign_departments": [org["safety"].pk]},
        format="json",
    )
    assert submitted.status_code == 201
    assert submitted.json()["version"] == 2
    again = engineer.post(f"/api/documents/{pk}/submit/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "draft_submitted")


def test_bad_drafts_are_400_by_field_and_store_nothing(people):
    engineer = api(people["engineer"])
    bad_title = engineer.post(
        "/api/documents/drafts/", {**DRAFT, "title": "大检查"}, format="json"
    )
    assert bad_title.status_code == 400
    assert "title" in bad_title.json()
    broken = engineer.post(
        "/api/documents/drafts/",
        {**DRAFT, "body": "", "docx": SimpleUploadedFile("x.docx", b"PK\x03\x04 no")},
        format="multipart",
    )
    assert broken.status_code == 400
    assert "docx" in broken.json()
    assert not Document.objects.exists()


def test_print_issue_sign_for_and_recall(org, people):
    document = walk_to_signed(
        org,
        Document.objects.get(
            pk=api(people["engineer"])
            .post("/api/documents/drafts/", DRAFT, format="json")
            .json()["id"]
        ),
    )
    clerk = api(people["clerk"])
    too_early = clerk.post(
        f"/api/documents/{document.pk}/print/", {"copies": 10}, format="json"
    )
    assert (too_early.status_code, too_early.json()["code"]) == (409, "print_state")
    series = make_series(org)
    assert (
        clerk.post(
            f"/api/documents/{document.pk}/number/",
            {"series": series.pk},
            format="json",
        ).status_code
        == 201
    )
    assert (
        clerk.post(
            f"/api/documents/{document.pk}/print/", {"copies": 10}, format="json"
        ).status_code
        == 200
    )
    sent = clerk.post(
        f"/api/documents/{document.pk}/recipients/",
        {"units": [org["mine"].pk], "departments": [org["safety"].pk]},
        format="json",
    )
    assert sent.status_code == 201
    assert [r["status"] for r in sent.json()] == ["sent", "sent"]
    twice = clerk.post(
        f"/api/documents/{document.pk}/recipients/",
        {"units": [org["mine"].pk]},
        format="json",
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "issue_duplicate")
    copy = DistributionRecipient.objects.get(unit=org["mine"], department=None).incoming
    stranger = api(people["engineer"]).post(f"/api/documents/{copy.pk}/sign-for/")
    assert stranger.status_code == 404  # not even visible to them
    signed = api(people["mine_clerk"]).post(f"/api/documents/{copy.pk}/sign-for/")
    assert (signed.status_code, signed.json()["status"]) == (200, "signed")
    safety = DistributionRecipient.objects.get(department=org["safety"])
    recalled = clerk.post(
        f"/api/documents/{document.pk}/recall/",
        {"recipient": safety.pk, "reason": "发送对象有误"},
        format="json",
    )
    assert (recalled.status_code, recalled.json()["status"]) == (200, "recalled")
    table = clerk.get(f"/api/documents/{document.pk}/recipients/").json()
    assert {r["name"]: r["status"] for r in table} == {
        "朝阳煤矿": "signed",
        "安全监察部": "recalled",
    }
    late = api(people["safety_head"]).post(
        f"/api/documents/{safety.incoming_id}/sign-for/"
    )
    assert (late.status_code, late.json()["code"]) == (409, "receipt_recalled")
