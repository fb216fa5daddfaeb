"""The outgoing path: draft → approval on the engine → number → print → issue → 签收."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import services
from zhiban.documents.models import (
    RECEIPT_WORK_KIND,
    Direction,
    DistributionRecipient,
    Document,
    DocumentFile,
    DraftTemplate,
    Stage,
)
from zhiban.documents.services import distribution, drafting
from zhiban.documents.tests.conftest import make_series
from zhiban.documents.tests.outgoing_org import make_outgoing_org
from zhiban.inbox.models import WorkItem
from zhiban.workflow.models import FlowInstance, FlowTask
from zhiban.workflow.services import instance_act

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_outgoing_org()


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    return org["people"]


def docx_bytes(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
        )
    return out.getvalue()


def draft(people: dict[str, Any], **kwargs: Any) -> Document:
    values: dict[str, Any] = {
        "by": people["engineer"],
        "document_type": "notice",
        "title": "关于开展冬季安全生产大检查的通知",
        "body": "各单位：\n为切实做好冬季安全生产工作，决定开展大检查。",
        "main_recipients": "各二级单位",
    }
    values.update(kwargs)
    return drafting.draft_create(**values)


def approve(instance: FlowInstance, user: Any, opinion: str = "同意") -> FlowInstance:
    return instance_act(
        instance_id=instance.pk, kind="approve", by=user, payload={"opinion": opinion}
    )


def open_assignees(instance: FlowInstance) -> set[str]:
    return set(
        FlowTask.objects.filter(instance=instance, state="open").values_list(
            "assignee__username", flat=True
        )
    )


def approve_to_the_end(org: dict[str, Any], instance: FlowInstance) -> None:
    """Approve every open task until the approval is finished; leaders sign off."""
    people = org["people"]
    while not (instance := FlowInstance.objects.get(pk=instance.pk)).is_finished:
        for username in sorted(open_assignees(instance)):
            opinion = "同意印发" if username in ("vice", "chief") else "同意"
            approve(instance, people[username], opinion)


def walk_to_signed(org: dict[str, Any], document: Document, **submit: Any) -> Document:
    people = org["people"]
    approval = drafting.draft_submit(document=document, by=people["engineer"], **submit)
    approve_to_the_end(org, approval.instance)
    document.refresh_from_db()
    return document


class TestDrafting:
    def test_a_typed_draft_is_version_1_of_the_drafters_department(self, org, people):
        document = draft(people)
        assert document.direction == Direction.OUTGOING
        assert document.state == Document.State.DRAFTING
        assert document.department == org["production"]
        assert document.unit == org["hq"]
        (version,) = document.versions.all()
        assert (version.number, version.author, version.source) == (
            1,
            people["engineer"],
            "typed",
        )

    def test_a_template_gives_the_text_and_recipients(self, people):
        template = DraftTemplate.objects.get(name="请示（一文一事）")
        document = draft(
            people,
            document_type="request",
            title="关于购置井下救生舱的请示",
            body="",
            main_recipients="",
            template=template,
        )
        assert document.body == template.body
        assert document.main_recipients == "××××"
        assert document.versions.get().source == "template"

    def test_a_docx_gives_the_text_and_the_file_is_kept(self, people):
        data = docx_bytes("各单位：", "现将有关事项通知如下。")
        document = draft(people, body="", docx=io.BytesIO(data), docx_name="通知.docx")
        assert document.body == "各单位：\n现将有关事项通知如下。"
        version = document.versions.get()
        assert version.source == "docx"
        assert version.file.original_name == "通知.docx"
        assert version.file.role == DocumentFile.Role.BODY

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"PK\x03\x04 broken", "docx_damaged"),
            (b"just some text, not a Word file", "file_type"),
        ],
    )
    def test_a_bad_docx_is_refused_and_nothing_is_stored(self, people, data, code):
        before = (Document.objects.count(), DocumentFile.objects.count())
        with pytest.raises(DomainError) as caught:
            draft(people, body="", docx=io.BytesIO(data), docx_name="通知.docx")
        assert caught.value.code == code
        assert "docx" in caught.value.message_dict
        assert (Document.objects.count(), DocumentFile.objects.count()) == before

    def test_a_title_against_the_rules_is_refused_by_field(self, people):
        with pytest.raises(DomainError) as caught:
            draft(people, title="关于开展大检查")
        assert "title" in caught.value.message_dict

    def test_revisions_number_on_and_an_unchanged_save_is_refused(self, people):
        document = draft(people)
        version = drafting.draft_revise(
            document=document,
            by=people["engineer"],
            title=document.title,
            body=document.body + "\n请于12月10日前报送。",
            note="补充报送时间",
        )
        assert version.number == 2
        with pytest.raises(DomainError) as caught:
            drafting.draft_revise(
                document=document,
                by=people["engineer"],
                title=document.title,
                body=version.body,
            )
        assert caught.value.code == "draft_unchanged"

    def test_someone_else_cannot_revise_a_draft(self, people):
        document = draft(people)
        with pytest.raises(DomainError) as caught:
            drafting.draft_revise(
                document=document, by=people["clerk"], title=document.title, body="x"
            )
        assert caught.value.code == "draft_not_yours"


class TestApproval:
    def test_the_flow_walks_review_check_countersign_signoff_recheck(self, org, people):
        document = draft(people)
        approval = drafting.draft_submit(
            document=document,
            by=people["engineer"],
            countersign_departments=[org["safety"]],
        )
        instance = approval.instance
        document.refresh_from_db()
        assert document.state == Document.State.REVIEWING
        assert open_assignees(instance) == {"prod_head"}
        approve(instance, people["prod_head"])
        assert open_assignees(instance) == {"director"}
        approve(instance, people["director"])
        assert open_assignees(instance) == {"safety_head"}
        approve(instance, people["safety_head"])
        # An ordinary notice: the leader overseeing the department signs it off.
        assert open_assignees(instance) == {"vice"}
        approve(instance, people["vice"], "同意印发")
        assert open_assignees(instance) == {"clerk"}
        approve(instance, people["clerk"])
        document.refresh_from_db()
        assert document.state == Document.State.SIGNED
        assert document.written_on is not None
        signed = document.events.get(kind="signed")
        assert signed.data["leader"] == "李副总"
        assert signed.note == "同意印发"

    def test_a_countersigner_is_told_why_by_the_fields_label(self, org, people):
        document = draft(people)
        instance = drafting.draft_submit(
            document=document,
            by=people["engineer"],
            countersign_departments=[org["safety"]],
        ).instance
        approve(instance, people["prod_head"])
        approve(instance, people["director"])

        task = FlowTask.objects.get(instance=instance, state="open")
        assert (task.assignee, task.reason) == (
            people["safety_head"],
            "表单所选：会签人",
        )
        assert task.work_item.reason == "表单所选：会签人"

    def test_an_upward_document_goes_to_the_principal_leader_who_is_its_signer(
        self, org, people
    ):
        document = draft(
            people,
            document_type="request",
            title="关于购置井下救生舱的请示",
            main_recipients="集团公司",
        )
        document = walk_to_signed(org, document)
        assert document.state == Document.State.SIGNED
        assert document.signers == "张总"
        assert document.events.get(kind="signed").data["leader"] == "张总"

    def test_an_important_notice_goes_to_the_principal_leader(self, org, people):
        document = draft(people)
        approval = drafting.draft_submit(
            document=document, by=people["engineer"], important=True
        )
        assert approval.instance.form["signoff"] == "主要领导签发"

    def test_a_countersigning_department_without_a_head_is_named(self, org, people):
        document = draft(people)
        with pytest.raises(DomainError) as caught:
            drafting.draft_submit(
                document=document,
                by=people["engineer"],
                countersign_departments=[org["headless"]],
            )
        assert "无负责人部" in str(caught.value.message_dict)
        document.refresh_from_db()
        assert document.state == Document.State.DRAFTING
        assert not FlowInstance.objects.exists()

    def test_a_second_submission_is_refused(self, people):
        document = draft(people)
        drafting.draft_submit(document=document, by=people["engineer"])
        with pytest.raises(DomainError) as caught:
            drafting.draft_submit(document=document, by=people["engineer"])
        assert caught.value.code == "draft_submitted"
        assert FlowInstance.objects.count() == 1

    def test_the_reviewer_whose_turn_it_is_may_revise_others_may_not(self, people):
        document = draft(people)
        approval = drafting.draft_submit(document=document, by=people["engineer"])
        with pytest.raises(DomainError):
            drafting.draft_revise(
                document=document,
                by=people["engineer"],
                title=document.title,
                body="改",
            )
        version = drafting.draft_revise(
            document=document,
            by=people["prod_head"],
            title=document.title,
            body=document.body + "\n（部门修改）",
        )
        assert (version.number, version.author) == (2, people["prod_head"])
        assert approval.version.number == 1

    def test_a_rejection_brings_the_draft_back_with_the_reason(self, people):
        document = draft(people)
        approval = drafting.draft_submit(document=document, by=people["engineer"])
        instance_act(
            instance_id=approval.instance.pk,
            kind="reject",
            by=people["prod_head"],
            payload={"reason": "依据不足，请补充"},
        )
        document.refresh_from_db()
        assert document.state == Document.State.DRAFTING
        ended = document.events.get(kind="approval_ended")
        assert ended.note == "依据不足，请补充"
        # It can be revised and submitted again, as a new approval.
        drafting.draft_revise(
            document=document,
            by=people["engineer"],
            title=document.title,
            body=document.body + "\n依据：安全生产法。",
        )
        again = drafting.draft_submit(document=document, by=people["engineer"])
        assert again.version.number == 2
        assert document.approvals.count() == 2

    def test_a_draft_is_not_numbered_before_it_is_signed(self, org, people):
        series = make_series(org)
        document = draft(people)
        drafting.draft_submit(document=document, by=people["engineer"])
        with pytest.raises(DomainError) as caught:
            services.number_allocate(
                document=document, series=series, by=people["clerk"]
            )
        assert caught.value.code == "number_not_signed"


def issued(org: dict[str, Any]) -> Document:
    people = org["people"]
    document = walk_to_signed(org, draft(people))
    services.number_allocate(
        document=document, series=make_series(org), by=people["clerk"]
    )
    document.refresh_from_db()
    distribution.outgoing_print(document=document, by=people["clerk"], copies=30)
    return document


class TestDistribution:
    def test_print_then_issue_creates_a_copy_per_recipient_with_the_same_files(
        self, org, people
    ):
        document = issued(org)
        attachment = services.document_file_add(
            document=document,
            by=people["clerk"],
            role=DocumentFile.Role.ATTACHMENT,
            stream=io.BytesIO(b"%PDF-1.4 attachment"),
            name="检查表.pdf",
        )
        sent = distribution.document_issue(
            document=document,
            by=people["clerk"],
            units=[org["mine"]],
            departments=[org["safety"]],
        )
        document.refresh_from_db()
        assert document.state == Document.State.ISSUED
        formal = document.files.get(role=DocumentFile.Role.FORMAL)
        recipients = list(sent.recipients.order_by("id"))
        assert [r.status for r in recipients] == ["sent", "sent"]
        mine_copy = recipients[0].incoming
        assert mine_copy.direction == Direction.INCOMING
        assert mine_copy.unit == org["mine"]
        assert mine_copy.state == Document.State.AWAITING_RECEIPT
        assert mine_copy.document_number == document.document_number
        assert mine_copy.body == document.body
        assert sorted(mine_copy.files.values_list("sha256", flat=True)) == sorted(
            [formal.sha256, attachment.sha256]
        )
        for copied in mine_copy.files.all():
            assert copied.file.read()[:5] == b"%PDF-"
        safety_copy = recipients[1].incoming
        assert safety_copy.direction == Direction.INTERNAL
        assert safety_copy.department == org["safety"]
        assert set(
            WorkItem.objects.filter(kind=RECEIPT_WORK_KIND, state="open").values_list(
                "assignee__username", flat=True
            )
        ) == {"mine_clerk", "safety_head"}

    def test_issuing_before_printing_is_refused(self, org, people):
        document = walk_to_signed(org, draft(people))
        with pytest.raises(DomainError) as caught:
            distribution.document_issue(
                document=document, by=people["clerk"], units=[org["mine"]]
            )
        assert caught.value.code == "issue_state"

    def test_a_recipient_gets_it_once(self, org, people):
        document = issued(org)
        distribution.document_issue(
            document=document, by=people["clerk"], units=[org["mine"]]
        )
        with pytest.raises(DomainError) as caught:
            distribution.document_issue(
                document=document, by=people["clerk"], units=[org["mine"]]
            )
        assert caught.value.code == "issue_duplicate"
        assert "朝阳煤矿" in str(caught.value.message_dict)

    def test_a_unit_signs_for_it_and_it_enters_incoming_handling(self, org, people):
        document = issued(org)
        sent = distribution.document_issue(
            document=document, by=people["clerk"], units=[org["mine"]]
        )
        copy = sent.recipients.get().incoming
        with pytest.raises(PermissionDeniedError):
            distribution.receipt_sign(document=copy, by=people["engineer"])
        recipient = distribution.receipt_sign(document=copy, by=people["mine_clerk"])
        copy.refresh_from_db()
        assert recipient.status == "signed"
        assert recipient.signed_by == people["mine_clerk"]
        assert copy.register_sequence == 1
        assert copy.stage == Stage.CHECK
        assert not WorkItem.objects.filter(
            kind=RECEIPT_WORK_KIND, state="open"
        ).exists()
        with pytest.raises(DomainError) as caught:
            distribution.receipt_sign(document=copy, by=people["mine_clerk"])
        assert caught.value.code == "receipt_done"
        assert distribution.receipt_mark_read(document=copy, by=people["mine_clerk"])
        assert not distribution.receipt_mark_read(
            document=copy, by=people["mine_clerk"]
        )
        # The unit completes its handling: the sender's row says handled.
        services.incoming_check(document=copy, by=people["mine_clerk"], passed=True)
        copy.refresh_from_db()
        assert copy.stage == Stage.PROPOSE

    def test_a_department_signs_reads_and_completes(self, org, people):
        document = issued(org)
        sent = distribution.document_issue(
            document=document, by=people["clerk"], departments=[org["safety"]]
        )
        copy = sent.recipients.get().incoming
        distribution.receipt_sign(document=copy, by=people["safety_head"])
        distribution.receipt_complete(
            document=copy, by=people["safety_head"], note="已组织学习"
        )
        recipient = DistributionRecipient.objects.get(incoming=copy)
        assert recipient.status == "handled"
        assert recipient.handled_at is not None

    def test_recall_needs_a_reason_and_cancels_the_recipients_work(self, org, people):
        document = issued(org)
        sent = distribution.document_issue(
            document=document, by=people["clerk"], units=[org["mine"]]
        )
        recipient = sent.recipients.get()
        with pytest.raises(DomainError) as caught:
            distribution.distribution_recall(
                recipient=recipient, by=people["clerk"], reason=" "
            )
        assert caught.value.code == "recall_no_reason"
        distribution.distribution_recall(
            recipient=recipient, by=people["clerk"], reason="附件有误，更正后重发"
        )
        recipient.refresh_from_db()
        assert recipient.status == "recalled"
        assert recipient.incoming.state == Document.State.RECALLED
        assert WorkItem.objects.get(kind=RECEIPT_WORK_KIND).state == "cancelled"
        with pytest.raises(DomainError) as caught:
            distribution.receipt_sign(
                document=recipient.incoming, by=people["mine_clerk"]
            )
        assert "附件有误" in caught.value.messages[0]
        # Recalled, it may be sent again.
        again = distribution.document_issue(
            document=document, by=people["clerk"], units=[org["mine"]]
        )
        assert again.recipients.get().status == "sent"
