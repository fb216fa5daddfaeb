"""Services of the form: saving a designed form, starting with a form and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.inbox.models import WorkItem
from zhiban.workflow import services
from zhiban.workflow.kinds import KINDS, FlowKind, register_flow_kind
from zhiban.workflow.models import FlowFile, FlowInstance

from .conftest import approver, body

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = [
    {"key": "title", "type": "text", "label": "文件标题", "required": True},
    {"key": "copies", "type": "number", "label": "份数", "required": True, "min": 1},
    {"key": "files", "type": "attachment", "label": "附件", "multiple": True},
]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    # Real files on disk (tests use in-memory storage otherwise), to see what stays.
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def publish_with_form(code: str, by: Any, *nodes: dict[str, Any]) -> Any:
    flow = services.flow_create(code=code, name="用印申请", by=by)
    return services.flow_publish(
        definition=flow, body=body(code, *nodes), by=by, form_schema=FORM
    )


def pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- flow_form_save -----------------------------------------------------------------


def test_form_save_stores_the_form_and_keeps_the_node_tree(people: Any) -> None:
    alice = people["alice"]
    flow = services.flow_create(code="ask", name="请示", by=alice)
    tree = dict(flow.draft["definition"])
    audits = AuditEntry.objects.count()
    services.flow_form_save(definition=flow, form=FORM, by=alice)
    flow.refresh_from_db()
    assert flow.draft["definition"] == tree
    assert [f["key"] for f in flow.draft["form"]] == ["title", "copies", "files"]
    assert AuditEntry.objects.count() == audits + 1
    assert AuditEntry.objects.latest("id").action == "workflow.flow_form_save"


def test_form_save_refuses_each_problem_naming_the_field(people: Any) -> None:
    alice = people["alice"]
    flow = services.flow_create(code="ask", name="请示", by=alice)
    before = dict(flow.draft)
    bad = [
        {"key": "a", "type": "choice", "label": "甲"},
        {"key": "a", "type": "text", "label": ""},
    ]
    with pytest.raises(DomainError) as caught:
        services.flow_form_save(definition=flow, form=bad, by=alice)
    assert caught.value.message_dict == {
        "form": [
            "Form field “a”: A choice field needs at least one option.",
            "Form field “a”: The key “a” is used by two fields.",
            "Form field “a”: The field needs a label.",
        ]
    }
    flow.refresh_from_db()
    assert flow.draft == before


def test_form_save_marks_the_kinds_fields_locked(people: Any) -> None:
    register_flow_kind(
        FlowKind(
            code="test_k",
            label="k",
            fields=({"key": "copies", "type": "number", "label": "份数"},),
        )
    )
    try:
        flow = services.flow_create(
            code="k1", name="k", by=people["alice"], kind="test_k"
        )
        form = [
            {"key": "copies", "type": "number", "label": "用印份数"},
            {"key": "note", "type": "text", "label": "备注", "locked": True},
        ]
        services.flow_form_save(definition=flow, form=form, by=people["alice"])
        flow.refresh_from_db()
        assert [(f["key"], f["locked"]) for f in flow.draft["form"]] == [
            ("copies", True),
            ("note", False),
        ]
        with pytest.raises(DomainError, match="required by this kind"):
            services.flow_form_save(definition=flow, form=form[1:], by=people["alice"])
    finally:
        KINDS.pop("test_k", None)


# --- instance_start with a form -----------------------------------------------------


def test_a_valid_submission_stores_values_and_files(people: Any, media: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    publish_with_form("seal", alice, approver("n1", bob))
    instance = services.instance_start(
        flow_code="seal",
        form={"title": " 购销合同 ", "copies": "3", "extra": "dropped"},
        files={"files": [pdf(), pdf("b.pdf")]},
        by=alice,
    )
    rows = list(FlowFile.objects.filter(instance=instance).order_by("id"))
    assert instance.form == {
        "title": "购销合同",
        "copies": 3,
        "files": [rows[0].pk, rows[1].pk],
    }
    assert [(r.field, r.original_name, r.size, r.uploaded_by) for r in rows] == [
        ("files", "合同.pdf", len(PDF), alice),
        ("files", "b.pdf", len(PDF), alice),
    ]
    assert rows[0].file.read() == PDF
    assert len(stored_files(media)) == 2
    # The engine saw the cleaned values (the submit action carries them).
    assert instance.actions.get().body["form"]["copies"] == 3


def test_an_invalid_submission_writes_nothing(people: Any, media: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    publish_with_form("seal", alice, approver("n1", bob))
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        services.instance_start(
            flow_code="seal",
            form={"title": "", "copies": "0"},
            files={"files": [pdf()]},
            by=alice,
        )
    assert caught.value.code == "invalid_form"
    assert caught.value.message_dict == {
        "title": ["This field is required."],
        "copies": ["Enter 1 or more."],
    }
    assert FlowInstance.objects.count() == 0
    assert FlowFile.objects.count() == 0
    assert WorkItem.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    assert stored_files(media) == []


def test_a_refused_file_leaves_nothing(people: Any, media: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    publish_with_form("seal", alice, approver("n1", bob))
    with pytest.raises(DomainError) as caught:
        services.instance_start(
            flow_code="seal",
            form={"title": "合同", "copies": 1},
            files={"files": [pdf(), SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 40)]},
            by=alice,
        )
    assert list(caught.value.message_dict) == ["files"]
    assert "x.exe" in caught.value.message_dict["files"][0]
    assert FlowInstance.objects.count() == 0
    assert stored_files(media) == []


def test_files_written_are_deleted_when_the_transaction_fails(
    people: Any, media: Path
) -> None:
    alice, bob = people["alice"], people["bob"]
    publish_with_form(
        "seal", alice, {**approver("n1", alice), "initiator_policy": "skip"}
    )

    def refuse(instance: FlowInstance) -> None:
        raise DomainError("登记失败")

    # The initiator is skipped, nobody is left: the node passes, the flow ends at once and the outcome
    # handler runs inside the transaction, after the files were written.
    services.register_outcome_handler("seal", refuse)
    try:
        with pytest.raises(DomainError, match="登记失败"):
            services.instance_start(
                flow_code="seal",
                form={"title": "合同", "copies": 1},
                files={"files": [pdf()]},
                by=alice,
            )
    finally:
        services.unregister_outcome_handler("seal")
    assert bob is not None
    assert FlowInstance.objects.count() == 0
    assert FlowFile.objects.count() == 0
    assert stored_files(media) == []


def test_a_version_without_a_form_keeps_the_values_as_given(people: Any) -> None:
    alice, bob = people["alice"], people["bob"]
    flow = services.flow_create(code="old", name="旧", by=alice)
    services.flow_publish(
        definition=flow, body=body("old", approver("n1", bob)), by=alice
    )
    instance = services.instance_start(flow_code="old", form={"x": 1}, by=alice)
    assert instance.form == {"x": 1}
