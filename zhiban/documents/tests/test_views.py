"""Pages of the registers, a register entry, numbering and the number series."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhiban.documents.models import Document, DocumentFile, DocumentNumber, NumberSeries
from zhiban.org.models import User

from .conftest import classified, incoming, make_series, outgoing

pytestmark = pytest.mark.django_db


def client_for(user: User | None, language: str = "en") -> Client:
    """Return a client signed in as the user, who reads the pages in the language."""
    client = Client()
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
    return client


def incoming_form(org: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "document_type": "notice",
        "title": "关于做好冬季安全生产工作的通知",
        "unit": org["hq"].pk,
        "department": org["production"].pk,
        "sender": "河南省应急管理厅",
        "document_number": "豫应急〔2026〕12号",
        "received_on": "2026-11-20",
        "copies": "2",
        "urgency": "加急",
        "attachments": "检查表\n责任清单",
    }
    data.update(changes)
    return data


# --- the registers ------------------------------------------------------------------


def test_the_register_needs_a_signed_in_user(org):
    response = Client().get(reverse("documents:register"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_an_employee_sees_their_departments_documents_and_no_register_button(
    org, people
):
    incoming(org)  # handled by production
    outgoing(org)  # the office's

    response = client_for(people["engineer"]).get(reverse("documents:register"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "关于做好冬季安全生产工作的通知" in page
    assert 'data-testid="document-register"' not in page
    assert len(response.context["page"].object_list) == 1


def test_a_clerk_sees_the_whole_register_but_never_a_classified_entry(org, people):
    incoming(org)
    classified(org)

    response = client_for(people["clerk"]).get(
        reverse("documents:register"), {"direction": "outgoing"}
    )
    page = response.content.decode()

    assert "关于重大项目谈判方案的请示" not in page
    secret = client_for(people["secret"]).get(
        reverse("documents:register"), {"direction": "outgoing"}
    )
    assert "关于重大项目谈判方案的请示" in secret.content.decode()
    assert 'data-testid="classified-badge"' in secret.content.decode()


def test_the_register_filters_through_htmx_with_the_rows_only(org, people):
    incoming(org, urgency="特急")
    incoming(
        org, title="关于报送统计报表的函", document_type="letter", sender="省统计局"
    )

    response = client_for(people["clerk"]).get(
        reverse("documents:register"),
        {"direction": "incoming", "q": "统计"},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="register-rows">')
    assert "关于报送统计报表的函" in page
    assert "冬季" not in page


def test_the_register_page_has_a_query_budget_independent_of_its_size(org, people):
    client = client_for(people["clerk"])
    url = reverse("documents:register")

    def measure() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    incoming(org)
    measure()  # warm the caches a signed-in page uses (navigation, session)
    small = measure()
    for index in range(15):
        incoming(org, title=f"关于第{index}批项目的通知")
    assert measure() == small
    assert small <= 12


def test_the_export_has_the_rows_the_user_may_see(org, people):
    incoming(org)
    incoming(
        org, title="关于报送统计报表的函", document_type="letter", sender="省统计局"
    )

    response = client_for(people["clerk"]).get(
        reverse("documents:register_export"), {"direction": "incoming", "q": "统计"}
    )

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Register number", "Date received", "Sender")
    assert [row[2] for row in rows[1:]] == ["省统计局"]


# --- registering --------------------------------------------------------------------


def test_a_clerk_registers_an_incoming_document(org, people):
    response = client_for(people["clerk"]).post(
        reverse("documents:create", args=["incoming"]), incoming_form(org)
    )

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert (document.register_number, document.copies, document.urgency) == (
        "2026-0001",
        2,
        "加急",
    )
    assert document.attachment_names == ["检查表", "责任清单"]


def test_the_register_form_picks_the_department_and_the_paper_holder(org, people):
    client = client_for(people["clerk"])
    page = client.get(reverse("documents:create", args=["incoming"]))
    content = page.content.decode()
    # The clerk's own department is chosen to begin with, as a chip.
    assert 'data-testid="picker-department"' in content
    assert f'data-id="{org["office"].pk}"' in content
    assert 'data-testid="picker-paper_holder"' in content
    assert '<select name="paper_holder"' not in content

    response = client.post(
        reverse("documents:create", args=["incoming"]),
        incoming_form(
            org,
            department=org["production"].pk,
            paper_holder=people["clerk"].pk,
        ),
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.department, document.paper_holder) == (
        org["production"],
        people["clerk"],
    )
    edit = client.get(reverse("documents:edit", args=[document.pk])).content.decode()
    assert f'data-id="{org["production"].pk}"' in edit
    assert f'data-id="{people["clerk"].pk}"' in edit


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"document_number": "豫应急〔26〕12号"}, "document_number", "〔26〕"),
        ({"document_number": "豫应急〔2026〕第12号"}, "document_number", "第"),
        ({"document_number": "豫应急〔2026〕012号"}, "document_number", "012"),
        ({"title": "关于做好冬季安全生产工作的汇报"}, "title", "汇报"),
        ({"attachments": "检查表；"}, "attachment_names", "检查表"),
        ({"sender": ""}, "sender", "required"),
        ({"received_on": "2026/11/20"}, "received_on", "valid date"),
    ],
)
def test_a_bad_element_is_shown_on_its_field_and_nothing_is_stored(
    org, people, changes, field, text
):
    response = client_for(people["clerk"]).post(
        reverse("documents:create", args=["incoming"]), incoming_form(org, **changes)
    )

    assert response.status_code == 400
    form = response.context["form"]
    shown = field if field in form.fields else "attachments"
    if field == "attachment_names":
        errors = form.non_field_errors() + form.errors.get("attachments", [])
    else:
        errors = form.errors[shown]
    assert text in " ".join(errors)
    assert Document.objects.count() == 0


def test_the_form_explains_the_number_rule_in_chinese(org, people):
    response = client_for(people["clerk"], language="zh-hans").post(
        reverse("documents:create", args=["incoming"]),
        incoming_form(org, document_number="豫应急[2026]12号"),
    )

    assert response.status_code == 400
    assert "〔〕" in response.content.decode()


@pytest.mark.parametrize("who", ["engineer", "stranger"])
def test_people_outside_the_registry_may_not_register(org, people, who):
    client = client_for(people[who])
    url = reverse("documents:create", args=["incoming"])

    assert client.get(url).status_code == 403
    assert client.post(url, incoming_form(org)).status_code == 403
    assert Document.objects.count() == 0


def test_an_unknown_direction_is_not_found(org, people):
    response = client_for(people["clerk"]).get(
        reverse("documents:create", args=["sideways"])
    )
    assert response.status_code == 404


def test_a_clerk_trying_to_register_a_classified_document_is_told_why(org, people):
    response = client_for(people["clerk"]).post(
        reverse("documents:create", args=["incoming"]),
        incoming_form(org, secrecy_level="秘密", copy_number="000001"),
    )

    assert response.status_code == 400
    assert "confidential clerk" in response.content.decode()
    assert Document.objects.count() == 0


# --- one entry ------------------------------------------------------------------------


def test_the_detail_page_shows_elements_files_and_trail(org, people):
    document = incoming(org)

    response = client_for(people["engineer"]).get(
        reverse("documents:detail", args=[document.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "豫应急〔2026〕12号" in page
    assert 'data-testid="document-trail"' in page
    assert 'data-testid="document-edit"' not in page  # not a clerk


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 404),
        ("director", 404),
        ("admin", 404),
        ("engineer", 404),
        ("secret", 200),
    ],
)
def test_a_classified_entry_is_found_only_by_a_confidential_clerk(
    org, people, who, status
):
    document = classified(org)

    response = client_for(people[who]).get(
        reverse("documents:detail", args=[document.pk])
    )

    assert response.status_code == status


def test_a_file_sent_to_a_classified_document_is_refused_with_the_reason(org, people):
    document = classified(org)

    response = client_for(people["secret"]).post(
        reverse("documents:file_add", args=[document.pk]),
        {
            "role": "attachment",
            "file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )

    assert response.status_code == 400
    assert "handled on paper only" in response.content.decode()
    assert DocumentFile.objects.count() == 0


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(org, people):
    document = incoming(org)

    response = client_for(people["clerk"]).post(
        reverse("documents:file_add", args=[document.pk]),
        {
            "role": "body",
            "file": SimpleUploadedFile("正文.pdf", b"PK\x03\x04 not a pdf"),
        },
    )

    assert response.status_code == 400
    assert "正文.pdf" in response.content.decode()
    assert DocumentFile.objects.count() == 0


def test_a_clerk_numbers_and_voids_from_the_detail_page(org, people):
    series = make_series(org)
    document = outgoing(org)
    client = client_for(people["clerk"])

    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert 'data-testid="number-form"' in page
    response = client.post(
        reverse("documents:number_allocate", args=[document.pk]),
        {"series": series.pk, "year": "2026"},
    )
    assert response.status_code == 302
    number = DocumentNumber.objects.get()
    assert number.text == "集团办〔2026〕1号"

    refused = client.post(
        reverse("documents:number_void", args=[number.pk]), {"reason": ""}
    )
    assert refused.status_code == 400
    number.refresh_from_db()
    assert number.status == "allocated"

    voided = client.post(
        reverse("documents:number_void", args=[number.pk]), {"reason": "标题有误"}
    )
    assert voided.status_code == 302
    number.refresh_from_db()
    assert (number.status, number.void_reason) == ("voided", "标题有误")
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert 'data-testid="voided-number"' in page


def test_numbering_the_same_document_twice_says_so(org, people):
    series = make_series(org)
    document = outgoing(org)
    client = client_for(people["clerk"])
    url = reverse("documents:number_allocate", args=[document.pk])
    client.post(url, {"series": series.pk, "year": "2026"})

    response = client.post(url, {"series": series.pk, "year": "2026"})

    assert response.status_code == 400
    assert "already has the number" in response.content.decode()
    assert DocumentNumber.objects.count() == 1


def test_an_employee_cannot_number(org, people):
    series = make_series(org)
    document = outgoing(org, department=org["production"])

    response = client_for(people["engineer"]).post(
        reverse("documents:number_allocate", args=[document.pk]),
        {"series": series.pk, "year": "2026"},
    )

    assert response.status_code in (400, 403)
    assert DocumentNumber.objects.count() == 0


# --- number series -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("clerk", 403), ("engineer", 403), ("director", 200), ("admin", 200)],
)
def test_the_series_pages_are_for_the_director_and_administrators(
    org, people, who, status
):
    make_series(org)
    client = client_for(people[who])

    assert client.get(reverse("documents:series_list")).status_code == status
    assert client.get(reverse("documents:series_create")).status_code == status


def test_a_series_is_added_and_a_bad_code_is_explained(org, people):
    client = client_for(people["director"])
    url = reverse("documents:series_create")

    bad = client.post(url, {"unit": org["hq"].pk, "code": "集团办〔", "name": "发文"})
    assert bad.status_code == 400
    assert NumberSeries.objects.count() == 0

    good = client.post(
        url,
        {
            "unit": org["hq"].pk,
            "code": "集团办",
            "name": "集团办公室发文",
            "document_types": ["notice", "request"],
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    series = NumberSeries.objects.get()
    assert (series.code, series.document_types) == ("集团办", ["notice", "request"])
    listing = client.get(reverse("documents:series_list")).content.decode()
    assert "集团办〔" in listing


def test_the_paper_copy_changes_hands_from_the_page(org, people):
    document = classified(org)
    client = client_for(people["secret"])
    url = reverse("documents:paper_handover", args=[document.pk])

    nobody = client.post(url, {"location": "主任办公室"})
    handed = client.post(
        url, {"holder": [people["director"].pk], "location": "主任办公室"}
    )

    assert nobody.status_code == 400
    assert "Choose who now holds" in nobody.content.decode()
    assert handed.status_code == 302
    document.refresh_from_db()
    assert (document.paper_holder, document.paper_location) == (
        people["director"],
        "主任办公室",
    )
