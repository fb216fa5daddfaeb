"""The documents API: the same rules as the pages, 409 when the document moved on."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from zhiban.documents.models import Document, DocumentFile, DocumentNumber, NumberSeries
from zhiban.org.models import User

from .conftest import classified, incoming, make_series, outgoing

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        User.objects.filter(pk=user.pk).update(language="en")
        client.force_authenticate(user)
    return client


def register_body(org: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "direction": "incoming",
        "unit": org["hq"].pk,
        "document_type": "notice",
        "title": "关于做好冬季安全生产工作的通知",
        "sender": "河南省应急管理厅",
        "document_number": "豫应急〔2026〕12号",
        "received_on": "2026-11-20",
        "department": org["production"].pk,
        "attachment_names": ["检查表"],
    }
    body.update(changes)
    return body


def test_anonymous_requests_are_refused(org):
    assert APIClient().get("/api/documents/").status_code == 403


def test_a_clerk_registers_and_reads_back_an_entry(org, people):
    client = api(people["clerk"])

    created = client.post("/api/documents/", register_body(org), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["register_number"], body["attachment_names"]) == (
        "2026-0001",
        ["检查表"],
    )
    listed = client.get("/api/documents/", {"direction": "incoming"}).json()
    assert [row["title"] for row in listed["results"]] == [
        "关于做好冬季安全生产工作的通知"
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document_number": "豫应急〔26〕12号"}, "document_number"),
        ({"title": "关于做好冬季安全生产工作"}, "title"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"direction": None}, "direction"),
        ({"document_type": "memo"}, "document_type"),
    ],
)
def test_a_bad_register_request_is_a_400_by_field_and_stores_nothing(
    org, people, changes, field
):
    body = register_body(org, **changes)
    if body["direction"] is None:
        del body["direction"]

    response = api(people["clerk"]).post("/api/documents/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Document.objects.count() == 0


def test_an_employee_may_not_register(org, people):
    response = api(people["engineer"]).post(
        "/api/documents/", register_body(org), format="json"
    )
    assert response.status_code == 403
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("clerk", 404), ("admin", 404), ("engineer", 404), ("secret", 200)],
)
def test_a_classified_entry_exists_only_for_the_confidential_clerk(
    org, people, who, status
):
    document = classified(org)

    client = api(people[who])
    assert client.get(f"/api/documents/{document.pk}/").status_code == status
    titles = [r["title"] for r in client.get("/api/documents/").json()["results"]]
    assert (document.title in titles) == (status == 200)


def test_a_file_for_a_classified_document_is_a_409_with_the_reason(org, people):
    document = classified(org)

    response = api(people["secret"]).post(
        f"/api/documents/{document.pk}/files/",
        {"role": "attachment", "file": SimpleUploadedFile("方案.pdf", PDF)},
        format="multipart",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "classified_no_content"
    assert "纸质件" in response.json()["detail"]  # the default language
    assert DocumentFile.objects.count() == 0


def test_a_file_is_attached_by_its_bytes(org, people):
    document = incoming(org)

    response = api(people["clerk"]).post(
        f"/api/documents/{document.pk}/files/",
        {"role": "body", "file": SimpleUploadedFile("通知.pdf", PDF)},
        format="multipart",
    )
    lying = api(people["clerk"]).post(
        f"/api/documents/{document.pk}/files/",
        {"role": "body", "file": SimpleUploadedFile("通知.pdf", b"PK\x03\x04xx")},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["content_type"] == "application/pdf"
    assert lying.status_code == 400
    assert DocumentFile.objects.count() == 1


def test_numbering_then_numbering_again_is_a_409_and_voiding_frees_nothing(org, people):
    series = make_series(org)
    document = outgoing(org)
    client = api(people["clerk"])
    url = f"/api/documents/{document.pk}/"

    first = client.post(url + "number/", {"series": series.pk, "year": 2026})
    again = client.post(url + "number/", {"series": series.pk, "year": 2026})
    void_without_reason = client.post(url + "void-number/", {"reason": ""})
    voided = client.post(url + "void-number/", {"reason": "重新编号"})
    void_twice = client.post(url + "void-number/", {"reason": "重新编号"})
    renumbered = client.post(url + "number/", {"series": series.pk, "year": 2026})

    assert (first.status_code, first.json()["text"]) == (201, "集团办〔2026〕1号")
    assert (again.status_code, again.json()["code"]) == (409, "already_numbered")
    assert void_without_reason.status_code == 400
    assert (voided.status_code, voided.json()["status"]) == (200, "voided")
    assert (void_twice.status_code, void_twice.json()["code"]) == (409, "not_numbered")
    assert renumbered.json()["text"] == "集团办〔2026〕2号"
    detail = client.get(url).json()
    assert [n["status"] for n in detail["numbers"]] == ["allocated", "voided"]


def test_numbering_an_incoming_document_is_a_409(org, people):
    series = make_series(org)
    document = incoming(org)

    response = api(people["clerk"]).post(
        f"/api/documents/{document.pk}/number/", {"series": series.pk}
    )

    assert (response.status_code, response.json()["code"]) == (409, "number_incoming")
    assert DocumentNumber.objects.count() == 0


def test_a_change_goes_through_the_same_rules(org, people):
    document = incoming(org)
    client = api(people["clerk"])

    bad = client.patch(
        f"/api/documents/{document.pk}/",
        {"document_number": "豫应急〔2026〕第12号"},
        format="json",
    )
    good = client.patch(
        f"/api/documents/{document.pk}/", {"urgency": "特急"}, format="json"
    )

    assert bad.status_code == 400
    assert "document_number" in bad.json()
    assert (good.status_code, good.json()["urgency"]) == (200, "特急")


@pytest.mark.parametrize(("who", "status"), [("clerk", 403), ("director", 200)])
def test_number_series_are_for_the_director(org, people, who, status):
    make_series(org)
    client = api(people[who])

    assert client.get("/api/document-series/").status_code == status
    created = client.post(
        "/api/document-series/",
        {"unit": org["hq"].pk, "code": "集团党委", "name": "党委发文"},
        format="json",
    )
    assert created.status_code == (201 if status == 200 else 403)
    assert NumberSeries.objects.count() == (2 if status == 200 else 1)


def test_the_schema_lists_the_documents_endpoints(org, people):
    schema = api(people["clerk"]).get("/api/schema/", {"format": "json"}).json()

    paths = schema["paths"]
    assert "/api/documents/{id}/number/" in paths
    assert "/api/documents/{id}/void-number/" in paths
    assert "/api/documents/{id}/files/" in paths
    assert "/api/document-series/" in paths
