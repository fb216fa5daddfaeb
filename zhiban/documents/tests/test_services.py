"""The register, numbering and classified-document services."""

from __future__ import annotations

import datetime
import io

import pytest

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import services
from zhiban.documents.models import Document, DocumentFile, DocumentNumber

from .conftest import classified, incoming, make_series, outgoing

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_incoming_documents_get_the_next_register_number_of_their_year(org):
    first = incoming(org)
    second = incoming(org, title="关于报送年度安全生产总结的通知")
    next_year = incoming(
        org,
        title="关于做好元旦期间值班工作的通知",
        received_on=datetime.date(2025, 12, 30),
    )

    assert (first.register_number, second.register_number) == ("2026-0001", "2026-0002")
    assert next_year.register_number == "2025-0001"
    assert first.state == Document.State.REGISTERED
    assert [e.kind for e in first.events.all()] == ["register"]
    assert AuditEntry.objects.filter(action="documents.register").count() == 3


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"title": "关于做好冬季安全生产工作的请示报告"}, "title", "statutory"),
        ({"document_number": "豫应急[2026]12号"}, "document_number", "〔"),
        ({"sender": ""}, "sender", "Say which body sent"),
        ({"received_on": datetime.date(2099, 1, 1)}, "received_on", "future"),
        (
            {"deadline": datetime.date(2026, 11, 1)},
            "deadline",
            "before the date received",
        ),
        ({"attachment_names": ["安全检查表。"]}, "attachment_names", "安全检查表"),
        ({"secrecy_term_years": 3}, "secrecy_level", "needs a secrecy level"),
    ],
)
def test_a_bad_element_is_refused_on_its_field_and_nothing_is_stored(
    org, fields, field, text
):
    with pytest.raises(DomainError) as caught:
        incoming(org, **fields)

    assert field in caught.value.message_dict
    assert text in " ".join(caught.value.message_dict[field])
    assert Document.objects.count() == 0
    assert AuditEntry.objects.filter(action="documents.register").count() == 0


def test_a_request_for_instructions_has_one_main_recipient(org):
    with pytest.raises(DomainError) as caught:
        outgoing(
            org,
            document_type="request",
            title="关于购置应急救援设备的请示",
            main_recipients="集团公司、省国资委",
        )

    assert "main_recipients" in caught.value.message_dict


def test_only_registry_roles_register(org):
    with pytest.raises(PermissionDeniedError):
        incoming(org, by="engineer")
    assert Document.objects.count() == 0


# --- classified documents ---------------------------------------------------------


def test_a_classified_document_is_registered_by_a_confidential_clerk_with_its_paper(
    org,
):
    document = classified(org)

    assert document.is_classified
    assert document.secrecy_marking == "机密★5年"
    assert document.paper_holder == org["people"]["secret"]
    assert [e.kind for e in document.events.all()] == ["register", "paper"]


@pytest.mark.parametrize("who", ["clerk", "director", "admin"])
def test_nobody_but_a_confidential_clerk_registers_a_classified_document(org, who):
    with pytest.raises(PermissionDeniedError, match="confidential clerk"):
        outgoing(
            org,
            by=who,
            secrecy_level="秘密",
            copy_number="000001",
            title="关于重大项目谈判方案的通知",
        )
    assert Document.objects.count() == 0


def test_a_classified_document_refuses_body_text_and_files(org):
    with pytest.raises(DomainError) as caught:
        classified(org, body="谈判底线为……")
    assert "handled on paper only" in " ".join(caught.value.message_dict["body"])

    document = classified(org)
    with pytest.raises(DomainError, match="handled on paper only") as refused:
        services.document_file_add(
            document=document,
            by=org["people"]["secret"],
            role=DocumentFile.Role.ATTACHMENT,
            stream=io.BytesIO(PDF),
            name="方案.pdf",
        )
    assert refused.value.code == "classified_no_content"
    assert DocumentFile.objects.count() == 0


def test_a_classified_document_carries_its_copy_number_and_a_term_within_the_maximum(
    org,
):
    with pytest.raises(DomainError) as caught:
        classified(org, copy_number="", secrecy_level="秘密", secrecy_term_years=15)

    problems = caught.value.message_dict
    assert "copy_number" in problems
    assert "10" in " ".join(problems["secrecy_level"])


@pytest.mark.parametrize("level", ["核心商密", "普通商密"])
def test_the_enterprise_secrecy_levels_are_configuration(org, level, settings):
    assert classified(org, secrecy_level=level, secrecy_term_years=None).is_classified

    settings.DOCUMENT_COMMERCIAL_SECRECY_LEVELS = []
    with pytest.raises(DomainError) as caught:
        classified(org, secrecy_level=level, secrecy_term_years=None)
    assert "secrecy_level" in caught.value.message_dict


def test_the_database_refuses_a_body_on_a_classified_row(org):
    from django.db import IntegrityError, transaction

    document = classified(org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(body="正文")


def test_the_paper_copy_changes_hands_on_the_trail(org, people):
    document = classified(org)

    services.document_paper_handover(
        document=document,
        by=people["secret"],
        holder=people["director"],
        location="主任办公室",
        note="领导阅批",
    )

    document.refresh_from_db()
    assert document.paper_holder == people["director"]
    last = document.events.last()
    assert last is not None
    assert (last.kind, last.note) == ("paper", "主任办公室\n领导阅批")


# --- files -------------------------------------------------------------------------


def test_a_file_is_kept_by_its_bytes_and_a_lying_name_is_refused(org, people):
    document = incoming(org)

    attached = services.document_file_add(
        document=document,
        by=people["clerk"],
        role=DocumentFile.Role.BODY,
        stream=io.BytesIO(PDF),
        name="通知.pdf",
    )
    assert (attached.content_type, attached.original_name) == (
        "application/pdf",
        "通知.pdf",
    )
    with pytest.raises(DomainError) as refused:
        services.document_file_add(
            document=document,
            by=people["clerk"],
            role=DocumentFile.Role.ATTACHMENT,
            stream=io.BytesIO(PDF),
            name="通知.docx",
        )
    assert refused.value.code == "file_type_mismatch"
    assert DocumentFile.objects.count() == 1


# --- numbering ----------------------------------------------------------------------


def test_numbers_run_from_one_per_series_and_year(org, people):
    series = make_series(org)
    documents = [outgoing(org, title=f"关于第{i}批项目的通知") for i in range(3)]

    numbers = [
        services.number_allocate(
            document=d, series=series, by=people["clerk"], year=2026
        )
        for d in documents
    ]
    other_year = services.number_allocate(
        document=outgoing(org), series=series, by=people["clerk"], year=2027
    )

    assert [n.text for n in numbers] == [
        "集团办〔2026〕1号",
        "集团办〔2026〕2号",
        "集团办〔2026〕3号",
    ]
    assert other_year.text == "集团办〔2027〕1号"
    documents[0].refresh_from_db()
    assert documents[0].document_number == "集团办〔2026〕1号"
    assert documents[0].state == Document.State.NUMBERED


def test_a_voided_number_is_recorded_and_never_given_again(org, people):
    series = make_series(org)
    first = outgoing(org)
    number = services.number_allocate(
        document=first, series=series, by=people["clerk"], year=2026
    )

    services.number_void(number=number, by=people["clerk"], reason="标题有误，重新编号")
    renumbered = services.number_allocate(
        document=first, series=series, by=people["clerk"], year=2026
    )

    assert renumbered.text == "集团办〔2026〕2号"
    assert list(
        DocumentNumber.objects.order_by("sequence").values_list("sequence", "status")
    ) == [(1, "voided"), (2, "allocated")]
    voided = DocumentNumber.objects.get(sequence=1)
    assert (voided.void_reason, voided.voided_by) == (
        "标题有误，重新编号",
        people["clerk"],
    )


def test_voiding_needs_a_reason_and_happens_once(org, people):
    series = make_series(org)
    number = services.number_allocate(
        document=outgoing(org), series=series, by=people["clerk"], year=2026
    )
    with pytest.raises(DomainError) as caught:
        services.number_void(number=number, by=people["clerk"], reason="  ")
    assert caught.value.message_dict == {"reason": ["Say why the number is voided."]}

    services.number_void(number=number, by=people["clerk"], reason="重复")
    with pytest.raises(DomainError, match="already voided"):
        services.number_void(number=number, by=people["clerk"], reason="重复")


def test_a_document_takes_one_live_number(org, people):
    series = make_series(org)
    document = outgoing(org)
    services.number_allocate(document=document, series=series, by=people["clerk"])

    with pytest.raises(DomainError, match="already has the number") as caught:
        services.number_allocate(document=document, series=series, by=people["clerk"])
    assert caught.value.code == "already_numbered"
    assert DocumentNumber.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("incoming", "keeps its sender's number"),
        ("inactive", "no longer in use"),
        ("other_unit", "belongs to another unit"),
        ("wrong_type", "does not number documents of type Letter"),
    ],
)
def test_numbering_refuses_what_does_not_fit(org, people, setup, message):
    series = make_series(org, document_types=["notice"])
    document = outgoing(org)
    if setup == "incoming":
        document = incoming(org)
    elif setup == "inactive":
        series = services.series_update(
            series=series, by=people["director"], is_active=False
        )
    elif setup == "other_unit":
        series = services.series_create(
            by=people["director"], unit=org["mine"], code="朝矿办", name="矿发文"
        )
    else:
        document = outgoing(
            org, document_type="letter", title="关于商请支持技术培训的函"
        )

    with pytest.raises(DomainError) as caught:
        services.number_allocate(document=document, series=series, by=people["clerk"])
    assert message in " ".join(caught.value.messages)
    assert DocumentNumber.objects.count() == 0


def test_only_registry_roles_number(org, people):
    series = make_series(org)
    with pytest.raises(PermissionDeniedError):
        services.number_allocate(
            document=outgoing(org), series=series, by=people["engineer"]
        )


# --- series -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [("集团办〔", "code"), ("", "code"), ("集团 办", "code")],
)
def test_a_series_code_is_a_plain_issuer_code(org, code, message):
    with pytest.raises(DomainError) as caught:
        make_series(org, code=code)
    assert message in caught.value.message_dict


def test_a_unit_has_each_issuer_code_once(org):
    make_series(org)
    with pytest.raises(DomainError) as caught:
        make_series(org, name="另一个")
    assert caught.value.message_dict == {
        "code": ["The unit already has a series with this issuer code."]
    }


def test_only_the_director_or_an_administrator_keeps_series(org, people):
    with pytest.raises(PermissionDeniedError):
        services.series_create(
            by=people["clerk"], unit=org["hq"], code="集团办", name="x"
        )
