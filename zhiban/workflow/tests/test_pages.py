"""The approval pages: my requests, my tasks, the instance page, files, the PDF."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhiban.inbox.models import WorkItem
from zhiban.org.models import Delegation, Role
from zhiban.org.tests.factories import UserFactory
from zhiban.workflow import services
from zhiban.workflow.models import FlowAction, FlowFile, FlowInstance, FlowTask

from .conftest import approver, publish

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCHEMA = [
    {"key": "copies", "type": "number", "label": "份数", "required": True},
    {"key": "purpose", "type": "text", "label": "用途", "required": False},
]


def pdf_upload(name: str = "合同扫描件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def flow(people):
    """Seal use: bob then carol approve; dave is copied on submission; revocable."""
    return publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
        cc={"kind": "users", "users": [str(people["dave"].pk)]},
        cc_timing="submission",
        allow_revoke=True,
    )


def start(people, title: str = "用印：购销合同", by: str = "alice") -> FlowInstance:
    return services.instance_start(
        flow_code="seal", form={"copies": 3}, by=people[by], title=title
    )


def act_url(instance: FlowInstance) -> str:
    return reverse("workflow:instance_act", args=[instance.pk])


def detail_url(instance: FlowInstance) -> str:
    return reverse("workflow:instance_detail", args=[instance.pk])


# --- the serial number -------------------------------------------------------------


def test_serial_is_the_local_creation_date_and_the_padded_id(flow, people):
    instance = start(people)
    # 23:30 UTC is already the next day in Shanghai
    instance.created_at = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=datetime.UTC)

    assert instance.serial == f"20261126{instance.pk:06d}"
    assert timezone.localtime(instance.created_at).tzinfo == ZoneInfo("Asia/Shanghai")


# --- my requests -------------------------------------------------------------------


def test_mine_lists_only_my_requests_newest_first(client, flow, people):
    first = start(people, "第一份")
    second = start(people, "第二份")
    start(people, "别人的", by="bob")
    client.force_login(people["alice"])

    response = client.get(reverse("workflow:mine"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [second, first]
    assert "别人的" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "running"}, ["外出", "合同B"]),
        ({"status": "withdrawn"}, ["合同A"]),
        ({"q": "合同A"}, ["合同A"]),
        ({"flow": "other"}, ["外出"]),
        ({"flow": "seal", "status": "running"}, ["合同B"]),
        ({"status": "nonsense"}, ["外出", "合同B", "合同A"]),
    ],
)
def test_mine_filters_by_status_flow_and_title(client, flow, people, query, expected):
    withdrawn = start(people, "合同A")
    services.instance_act(instance_id=withdrawn.pk, kind="withdraw", by=people["alice"])
    start(people, "合同B")
    publish("other", people["alice"], approver("x", people["bob"]))
    services.instance_start(
        flow_code="other", form={}, by=people["alice"], title="外出"
    )
    client.force_login(people["alice"])

    response = client.get(reverse("workflow:mine"), query)

    assert [i.title for i in response.context["page"].object_list] == expected


def test_mine_pages_by_fifty(client, flow, people):
    for number in range(51):
        start(people, f"申请{number}")
    client.force_login(people["alice"])

    first = client.get(reverse("workflow:mine"))
    second = client.get(reverse("workflow:mine"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert [i.title for i in second.context["page"].object_list] == ["申请0"]


def test_mine_htmx_answers_the_rows_only(client, flow, people):
    start(people, "合同B")
    client.force_login(people["alice"])

    response = client.get(
        reverse("workflow:mine"), {"q": "合同"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert 'id="mine-rows"' in page
    assert "<html" not in page


def test_mine_query_budget_does_not_grow_with_rows(
    client, flow, people, django_assert_max_num_queries
):
    start(people)
    client.force_login(people["alice"])
    url = reverse("workflow:mine")
    client.get(url)
    with django_assert_max_num_queries(8) as small:
        client.get(url)
    for number in range(12):
        start(people, f"申请{number}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 13


def test_mine_needs_sign_in(client):
    response = client.get(reverse("workflow:mine"))

    assert response.status_code == 302


# --- my tasks ----------------------------------------------------------------------


def test_tasks_pending_lists_my_open_tasks_and_delegated_ones(client, flow, people):
    mine = start(people, "给王博的")
    delegate = UserFactory(username="deputy", name="副手", roles=[Role.EMPLOYEE])
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=people["bob"], delegate=delegate, starts_on=today, ends_on=today
    )
    client.force_login(people["bob"])

    own = client.get(reverse("workflow:tasks"))
    client.force_login(delegate)
    delegated = client.get(reverse("workflow:tasks"))

    assert [task.instance for task, _ in own.context["items"]] == [mine]
    assert [who for _, who in own.context["items"]] == [None]
    assert [who for _, who in delegated.context["items"]] == [people["bob"]]
    assert "代王博" in delegated.content.decode() or "on behalf of 王博" in (
        delegated.content.decode()
    )


def test_tasks_handled_lists_tasks_i_closed(client, flow, people):
    instance = start(people)
    services.instance_act(
        instance_id=instance.pk, kind="approve", by=people["bob"], payload={}
    )
    client.force_login(people["bob"])

    handled = client.get(reverse("workflow:tasks"), {"tab": "handled"})
    pending = client.get(reverse("workflow:tasks"), {"tab": "pending"})

    assert [t.instance for t in handled.context["items"]] == [instance]
    assert handled.context["items"][0].outcome == "approved"
    assert pending.context["items"] == []


def test_tasks_cc_lists_approvals_copied_to_me(client, flow, people):
    instance = start(people)
    client.force_login(people["dave"])

    response = client.get(reverse("workflow:tasks"), {"tab": "cc"})

    assert [i for _, i in response.context["items"]] == [instance]
    assert WorkItem.objects.filter(assignee=people["dave"], is_cc=True).count() == 1


def test_tasks_unknown_tab_falls_back_to_pending(client, flow, people):
    client.force_login(people["bob"])

    response = client.get(reverse("workflow:tasks"), {"tab": "<script>"})

    assert response.context["tab"] == "pending"


@pytest.mark.parametrize("tab", ["pending", "handled", "cc"])
def test_tasks_query_budget_does_not_grow_with_rows(
    client, people, tab, django_assert_max_num_queries
):
    publish(
        "seal",
        people["alice"],
        approver("n1", people["bob"]),
        approver("n2", people["carol"]),
        cc={"kind": "users", "users": [str(people["bob"].pk)]},
        cc_timing="submission",
    )

    def add(count: int) -> None:
        for number in range(count):
            instance = start(people, f"申请{number}")
            if tab == "handled":
                services.instance_act(
                    instance_id=instance.pk, kind="approve", by=people["bob"]
                )

    add(1)
    client.force_login(people["bob"])
    url = reverse("workflow:tasks")
    client.get(url, {"tab": tab})
    with django_assert_max_num_queries(12) as small:
        client.get(url, {"tab": tab})
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"tab": tab})
    assert len(response.context["items"]) == 11


# --- the instance page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("stranger", 404), ("alice", 200), ("bob", 200), ("dave", 200)],
)
def test_every_page_of_an_instance_is_404_for_a_stranger(
    client, flow, people, who, status
):
    instance = start(people)
    services.instance_act(
        instance_id=instance.pk,
        kind="comment",
        by=people["alice"],
        payload={"text": "附上扫描件"},
        files=[pdf_upload()],
    )
    file_row = FlowFile.objects.get(instance=instance)
    client.force_login(people[who])
    before = FlowAction.objects.count()

    pages = [
        client.get(detail_url(instance)),
        client.get(reverse("workflow:instance_pdf", args=[instance.pk])),
        client.get(reverse("workflow:file", args=[file_row.pk])),
    ]
    posted = client.post(act_url(instance), {"kind": "comment", "text": "路过"})

    assert [p.status_code for p in pages] == [status] * 3
    if status == 404:
        assert posted.status_code == 404
        assert FlowAction.objects.count() == before


def test_page_shows_header_form_path_with_reasons_and_timeline(client, flow, people):
    people["alice"].primary_department.name  # noqa: B018 - loaded below
    instance = start(people)
    services.instance_act(
        instance_id=instance.pk,
        kind="approve",
        by=people["bob"],
        payload={"opinion": "同意用印"},
    )
    client.force_login(people["alice"])

    response = client.get(detail_url(instance))

    page = response.content.decode()
    assert instance.serial in page
    assert "综合办公室" in page  # the initiator's department
    states = [(s.node_id, s.state) for s in response.context["path"]]
    assert states == [
        ("start", "done"),
        ("n1", "done"),
        ("n2", "current"),
        ("end", "ahead"),
    ]
    n2 = response.context["path"][2]
    assert [(p.user, p.state, p.reason) for p in n2.people] == [
        (people["carol"], "open", "指定人员")
    ]
    assert "同意用印" in page
    assert [a.kind for a in response.context["actions"]] == ["submit", "approve"]
    assert response.context["panel"].can_urge is True
    assert response.context["panel"].task is None


def test_page_shows_the_nodes_ahead_with_their_people(client, flow, people):
    instance = start(people)
    client.force_login(people["bob"])

    response = client.get(detail_url(instance))

    ahead = response.context["path"][2]
    assert (ahead.node_id, ahead.state) == ("n2", "ahead")
    assert [(p.user, p.reason) for p in ahead.people] == [(people["carol"], "指定人员")]
    assert response.context["panel"].task is not None


def test_page_with_a_form_schema_shows_labels_and_attachment_links(client, people):
    schema = [*SCHEMA, {"key": "scan", "type": "attachment", "label": "扫描件"}]
    flow_version = publish("seal", people["alice"], approver("n1", people["bob"]))
    flow_version.form_schema = schema
    flow_version.save()
    instance = services.instance_start(
        flow_code="seal",
        form={"copies": "3", "purpose": "签合同"},
        files={"scan": [pdf_upload("扫描件.pdf")]},
        by=people["alice"],
        title="用印",
    )
    client.force_login(people["bob"])

    response = client.get(detail_url(instance))

    rows = response.context["form_rows"]
    assert [(r.label, r.value) for r in rows[:2]] == [("份数", "3"), ("用途", "签合同")]
    assert [f.original_name for f in rows[2].files] == ["扫描件.pdf"]
    file_url = reverse("workflow:file", args=[rows[2].files[0].pk])
    assert file_url in response.content.decode()


def test_page_query_budget_does_not_grow_with_the_timeline(
    client, flow, people, django_assert_max_num_queries
):
    instance = start(people)
    client.force_login(people["alice"])
    url = detail_url(instance)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for number in range(6):
        services.instance_act(
            instance_id=instance.pk,
            kind="comment",
            by=people["alice"],
            payload={"text": f"意见{number}"},
            files=[pdf_upload(f"附件{number}.pdf")],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- acting from the page ----------------------------------------------------------


def test_approve_with_opinion_and_attachment(client, flow, people):
    instance = start(people)
    client.force_login(people["bob"])

    response = client.post(
        act_url(instance),
        {"kind": "approve", "opinion": "同意", "files": [pdf_upload()]},
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(instance)
    action = FlowAction.objects.get(instance=instance, kind="approve")
    assert (action.actor, action.comment) == (people["bob"], "同意")
    assert [f.original_name for f in action.files.all()] == ["合同扫描件.pdf"]
    page = client.get(detail_url(instance)).content.decode()
    assert "合同扫描件.pdf" in page


def test_reject_without_a_reason_is_refused_on_the_form(client, flow, people):
    instance = start(people)
    client.force_login(people["bob"])

    response = client.post(act_url(instance), {"kind": "reject", "opinion": " "})

    assert response.status_code == 409
    assert response.context["error"] is not None
    assert 'data-testid="action-error"' in response.content.decode()
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RUNNING
    assert instance.sequence == 1


def test_acting_on_a_task_no_longer_mine_changes_nothing(client, flow, people):
    instance = start(people)
    client.force_login(people["bob"])
    client.post(act_url(instance), {"kind": "approve"})
    instance.refresh_from_db()
    sequence = instance.sequence

    response = client.post(act_url(instance), {"kind": "approve"})

    assert response.status_code == 409
    instance.refresh_from_db()
    assert instance.sequence == sequence
    assert FlowAction.objects.filter(instance=instance, kind="approve").count() == 1


def test_return_to_an_earlier_node_from_the_select(client, flow, people):
    instance = start(people)
    services.instance_act(instance_id=instance.pk, kind="approve", by=people["bob"])
    client.force_login(people["carol"])
    page = client.get(detail_url(instance))
    targets = page.context["panel"].return_targets
    assert [node_id for node_id, _name in targets] == ["", "n1"]
    assert targets[1][1] == "审批n1"

    response = client.post(
        act_url(instance), {"kind": "return", "opinion": "请王博再看", "to_node": "n1"}
    )

    assert response.status_code == 302
    assert (
        FlowTask.objects.get(instance=instance, state="open").assignee == people["bob"]
    )


def test_the_initiator_resubmits_a_returned_request_from_the_page(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])
    running = client.get(detail_url(instance))
    assert 'data-testid="act-resubmit"' not in running.content.decode()
    # Resubmitting a running request is refused and changes nothing.
    refused = client.post(act_url(instance), {"kind": "submit"})
    assert refused.status_code == 409
    services.instance_act(
        instance_id=instance.pk,
        kind="return",
        by=people["bob"],
        payload={"opinion": "请补充合同扫描件"},
    )
    returned = client.get(detail_url(instance))
    assert 'data-testid="act-resubmit"' in returned.content.decode()

    response = client.post(act_url(instance), {"kind": "submit"})

    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RUNNING
    assert instance.form == {"copies": 3}  # as submitted
    task = FlowTask.objects.get(instance=instance, state="open")
    assert task.assignee == people["bob"]
    kinds = list(instance.actions.order_by("sequence").values_list("kind", flat=True))
    assert kinds == ["submit", "return", "submit"]
    # Nobody else may resubmit it.
    services.instance_act(
        instance_id=instance.pk,
        kind="return",
        by=people["bob"],
        payload={"opinion": "再补"},
    )
    client.force_login(people["bob"])
    assert client.post(act_url(instance), {"kind": "submit"}).status_code == 409
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RETURNED


def test_transfer_and_add_approver_take_a_person(client, flow, people):
    instance = start(people)
    client.force_login(people["bob"])

    refused = client.post(act_url(instance), {"kind": "transfer", "to_user": ""})
    moved = client.post(
        act_url(instance), {"kind": "transfer", "to_user": str(people["dave"].pk)}
    )
    client.force_login(people["dave"])
    added = client.post(
        act_url(instance),
        {"kind": "add_approver", "user": str(people["stranger"].pk), "before": "after"},
    )

    assert refused.status_code == 409
    assert moved.status_code == 302
    assert added.status_code == 302
    kinds = list(instance.actions.values_list("kind", flat=True))
    assert kinds == ["submit", "transfer", "add_approver"]
    page = client.get(detail_url(instance)).content.decode()
    assert "转交给丁大为" in page
    assert "后加签：路人" in page


def test_a_delegate_acts_from_the_page_on_behalf_of_the_holder(client, flow, people):
    instance = start(people)
    deputy = UserFactory(username="deputy", name="副手", roles=[Role.EMPLOYEE])
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=people["bob"], delegate=deputy, starts_on=today, ends_on=today
    )
    client.force_login(deputy)
    page = client.get(detail_url(instance))
    assert page.context["panel"].acting_for == people["bob"]

    response = client.post(act_url(instance), {"kind": "approve", "opinion": "代签"})

    assert response.status_code == 302
    action = instance.actions.get(kind="approve")
    assert (action.actor, action.on_behalf_of) == (deputy, people["bob"])
    assert "副手（代王博办理）" in client.get(detail_url(instance)).content.decode()


def test_initiator_urges_once_then_is_told_to_wait(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])

    first = client.post(act_url(instance), {"kind": "urge"}, follow=True)
    second = client.post(act_url(instance), {"kind": "urge"})

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.context["error"].code == "urge_too_soon"
    assert "该审批刚刚催办过" in second.content.decode()  # the page speaks Chinese
    assert instance.actions.filter(kind="urge").count() == 1


def test_initiator_withdraws(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])

    response = client.post(act_url(instance), {"kind": "withdraw"})

    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.WITHDRAWN


def test_withdraw_by_someone_else_is_refused(client, flow, people):
    instance = start(people)
    client.force_login(people["bob"])

    response = client.post(act_url(instance), {"kind": "withdraw"})

    assert response.status_code == 409
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RUNNING


def test_revocation_button_and_request(client, flow, people):
    instance = start(people)
    for who in ("bob", "carol"):
        services.instance_act(instance_id=instance.pk, kind="approve", by=people[who])
    client.force_login(people["alice"])
    page = client.get(detail_url(instance))
    assert page.context["panel"].can_revoke is True
    assert 'data-testid="act-revoke"' in page.content.decode()

    refused = client.post(act_url(instance), {"kind": "revoke", "opinion": ""})
    response = client.post(act_url(instance), {"kind": "revoke", "opinion": "盖错了"})

    assert refused.status_code == 409
    revocation = FlowInstance.objects.get(revokes=instance)
    assert response["Location"] == detail_url(revocation)
    again = client.get(detail_url(instance))
    assert again.context["panel"].can_revoke is False


def test_comment_with_attachments_binds_files_to_the_action(client, flow, people):
    instance = start(people)
    client.force_login(people["dave"])  # copied: may see, may comment

    response = client.post(
        act_url(instance),
        {"kind": "comment", "text": "补充材料", "files": [pdf_upload("补充.pdf")]},
    )

    assert response.status_code == 302
    action = instance.actions.get(kind="comment")
    row = action.files.get()
    assert row.original_name == "补充.pdf"
    assert action.body["attachments"] == [str(row.pk)]


def test_comment_with_only_a_file_is_accepted(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])

    response = client.post(
        act_url(instance), {"kind": "comment", "files": [pdf_upload()]}
    )

    assert response.status_code == 302
    assert instance.actions.get(kind="comment").files.count() == 1


def test_a_refused_file_writes_nothing(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])
    bad = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script></html>")

    response = client.post(
        act_url(instance),
        {"kind": "comment", "text": "看附件", "files": [pdf_upload(), bad]},
    )

    assert response.status_code == 409
    assert FlowFile.objects.count() == 0
    instance.refresh_from_db()
    assert instance.sequence == 1


def test_files_on_an_action_that_takes_none_are_refused(flow, people):
    instance = start(people)

    with pytest.raises(Exception, match="cannot be attached"):
        services.instance_act(
            instance_id=instance.pk,
            kind="urge",
            by=people["alice"],
            files=[pdf_upload()],
        )
    assert FlowFile.objects.count() == 0


def test_unknown_action_kind_is_refused(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])

    response = client.post(act_url(instance), {"kind": "explode"})

    assert response.status_code == 409


def test_act_is_post_only(client, flow, people):
    instance = start(people)
    client.force_login(people["alice"])

    assert client.get(act_url(instance)).status_code == 405


# --- files -------------------------------------------------------------------------


def test_file_download_names_the_file_in_rfc_5987(client, flow, people):
    instance = start(people)
    services.instance_act(
        instance_id=instance.pk,
        kind="comment",
        by=people["alice"],
        payload={"text": "附件"},
        files=[pdf_upload("合同扫描件.pdf")],
    )
    row = FlowFile.objects.get()
    client.force_login(people["bob"])

    response = client.get(reverse("workflow:file", args=[row.pk]))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88%E5%90%8C%E6%89%AB%E6%8F%8F%E4%BB%B6.pdf" in (
        disposition
    )
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_unknown_file_is_404(client, people):
    client.force_login(people["alice"])

    assert client.get(reverse("workflow:file", args=[999999])).status_code == 404


# --- the printable form ------------------------------------------------------------


def test_pdf_carries_the_title_serial_and_opinions(client, flow, people):
    from pypdf import PdfReader

    instance = start(people, "用印申请：购销合同")
    services.instance_act(
        instance_id=instance.pk,
        kind="approve",
        by=people["bob"],
        payload={"opinion": "同意用印，请办公室盖章"},
    )
    client.force_login(people["alice"])

    response = client.get(reverse("workflow:instance_pdf", args=[instance.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    squashed = "".join(text.split())
    assert "用印申请：购销合同" in squashed
    assert "同意用印，请办公室盖章" in squashed
    assert instance.serial in squashed
    assert "王博" in squashed
