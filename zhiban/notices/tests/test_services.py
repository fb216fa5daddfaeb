import datetime

import pytest
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox.models import Notification, Urgency, WorkItem
from zhiban.notices import services
from zhiban.notices.models import Notice, NoticeAttachment, NoticeReceipt
from zhiban.notices.tests.factories import (
    EXE_BYTES,
    HTML_BYTES,
    PDF_BYTES,
    NoticeFactory,
    stored_files,
    upload,
)
from zhiban.org.models import Membership, Role
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _open_items(notice):
    return WorkItem.objects.filter(
        kind="notice.read", target_id=str(notice.pk), state=WorkItem.State.OPEN
    )


def test_create_keeps_a_draft_with_its_attachment_and_audits(clerk):
    notice = services.notice_create(
        author=clerk,
        title="关于春节放假的通知",
        body="各部门：\n\n春节放假七天。",
        attachments=[upload("安排.pdf", PDF_BYTES)],
    )

    assert notice.state == Notice.State.DRAFT
    assert notice.department == clerk.primary_department
    attachment = notice.attachments.get()
    assert attachment.original_name == "安排.pdf"
    assert attachment.size == len(PDF_BYTES)
    assert attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64
    assert attachment.file.read() == PDF_BYTES
    assert WorkItem.objects.count() == 0
    assert list(
        AuditEntry.objects.filter(object_id=str(notice.pk)).values_list(
            "action", flat=True
        )
    ) == ["notice.create"]


def test_an_employee_cannot_create(employee):
    with pytest.raises(PermissionDeniedError, match="may not write or publish"):
        services.notice_create(author=employee, title="x", body="y")
    assert Notice.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "max_bytes", "message"),
    [
        ("通知.pdf", EXE_BYTES, None, "is not an allowed kind of file"),
        ("说明.txt", HTML_BYTES, None, "is not an allowed kind of file"),
        ("大文件.pdf", PDF_BYTES, 64, "is larger than the 64"),
        ("空.pdf", b"", None, "is empty"),
    ],
)
def test_files_refused_by_content_leave_nothing(clerk, name, data, max_bytes, message):
    files_before = stored_files()

    with pytest.raises(DomainError) as refused:
        services.notice_create(
            author=clerk,
            title="带附件的通知",
            body="正文",
            attachments=[upload("好的.pdf", PDF_BYTES), upload(name, data)],
            max_attachment_bytes=max_bytes,
        )

    assert list(refused.value.message_dict) == ["attachments"]
    assert message in refused.value.message_dict["attachments"][0]
    assert Notice.objects.count() == 0
    assert NoticeAttachment.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert stored_files() == files_before


def test_missing_departments_is_a_field_error(clerk):
    with pytest.raises(DomainError) as refused:
        services.notice_create(
            author=clerk,
            title="t",
            body="b",
            audience=Notice.Audience.DEPARTMENTS,
            departments=[],
        )
    assert refused.value.message_dict == {
        "departments": ["Choose at least one department."]
    }


def test_publish_to_everyone_opens_one_item_per_active_user(clerk, org):
    UserFactory(username="retired", is_active=False)
    notice = NoticeFactory(author=clerk, urgency=Urgency.URGENT)

    services.notice_publish(notice=notice, by=clerk, now=NOW)

    notice.refresh_from_db()
    assert notice.state == Notice.State.PUBLISHED
    assert notice.published_at == NOW
    # Everyone active but the author.
    active = {"engineer", "technician", "accountant", "miner"}
    assert notice.recipient_count == 4
    items = _open_items(notice)
    assert {item.assignee.username for item in items} == active
    assert {item.urgency for item in items} == {Urgency.URGENT}
    assert {item.url for item in items} == {f"/notices/{notice.pk}/"}
    assert {item.reason for item in items} == {"通知公告：发给全体人员"}
    assert (
        set(
            NoticeReceipt.objects.filter(notice=notice).values_list(
                "user__username", flat=True
            )
        )
        == active
    )


def test_publish_to_a_department_reaches_its_sections_and_members(clerk, org):
    # The accountant also belongs to the production department.
    Membership.objects.create(user=org["accountant"], department=org["production"])
    notice = NoticeFactory(author=clerk, audience=Notice.Audience.DEPARTMENTS)
    notice.departments.set([org["production"]])

    services.notice_publish(notice=notice, by=clerk)

    assert {i.assignee.username for i in _open_items(notice)} == {
        "engineer",
        "technician",
        "accountant",
    }
    assert _open_items(notice).first().reason == "通知公告：发给生产技术部"


def test_recipients_are_frozen_at_publishing(clerk, org):
    notice = NoticeFactory(author=clerk, audience=Notice.Audience.DEPARTMENTS)
    notice.departments.set([org["finance"]])
    services.notice_publish(notice=notice, by=clerk)

    # The accountant moves to the mine; a newcomer joins finance.
    org["accountant"].primary_department = org["mine_office"]
    org["accountant"].save()
    Membership.objects.filter(user=org["accountant"]).delete()
    UserFactory(username="newcomer", primary_department=org["finance"])

    receipts = NoticeReceipt.objects.filter(notice=notice)
    assert list(receipts.values_list("user__username", "department__code")) == [
        ("accountant", "FIN")
    ]


def test_publish_twice_is_refused_and_opens_nothing_more(clerk, org):
    notice = NoticeFactory(author=clerk)
    services.notice_publish(notice=notice, by=clerk)

    with pytest.raises(DomainError, match="Only a draft can be published"):
        services.notice_publish(notice=notice, by=clerk)
    assert _open_items(notice).count() == 4


def test_publish_to_an_empty_department_is_refused(clerk, org):
    from zhiban.org.tests.factories import DepartmentFactory

    notice = NoticeFactory(author=clerk, audience=Notice.Audience.DEPARTMENTS)
    notice.departments.set([DepartmentFactory(name="空部门")])

    with pytest.raises(DomainError, match="reaches no one"):
        services.notice_publish(notice=notice, by=clerk)
    notice.refresh_from_db()
    assert notice.state == Notice.State.DRAFT
    assert WorkItem.objects.count() == 0


def test_an_employee_cannot_publish_someone_elses_draft(clerk, org):
    notice = NoticeFactory(author=clerk)
    with pytest.raises(PermissionDeniedError):
        services.notice_publish(notice=notice, by=org["engineer"])
    notice.refresh_from_db()
    assert notice.state == Notice.State.DRAFT
    assert WorkItem.objects.count() == 0


def test_mark_read_closes_exactly_that_item_and_is_idempotent(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    engineer = org["engineer"]

    receipt = services.notice_mark_read(notice=notice, user=engineer, now=NOW)

    assert receipt.read_at == NOW
    closed = WorkItem.objects.get(assignee=engineer, target_id=str(notice.pk))
    assert closed.state == WorkItem.State.DONE
    assert closed.closed_by == engineer
    assert _open_items(notice).count() == 3
    audits = AuditEntry.objects.filter(action="notice.read").count()

    again = services.notice_mark_read(
        notice=notice, user=engineer, now=NOW + datetime.timedelta(hours=1)
    )

    assert again.read_at == NOW
    assert _open_items(notice).count() == 3
    assert AuditEntry.objects.filter(action="notice.read").count() == audits == 1


def test_mark_read_by_someone_not_on_the_list_changes_nothing(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    newcomer = UserFactory(username="newcomer")

    assert services.notice_mark_read(notice=notice, user=newcomer) is None
    assert NoticeReceipt.objects.filter(user=newcomer).count() == 0
    assert _open_items(notice).count() == 4


def test_reading_a_notice_is_never_delegated(clerk, org):
    """A read receipt is personal: a delegation of every kind leaves it with the reader."""
    from zhiban.org.models import Delegation

    engineer, deputy = org["engineer"], org["technician"]
    Delegation.objects.create(
        delegator=engineer,
        delegate=deputy,
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        ends_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    assert _open_items(notice).filter(on_behalf_of__isnull=False).count() == 0
    assert _open_items(notice).filter(assignee=engineer).count() == 1

    services.notice_mark_read(notice=notice, user=deputy)

    assert _open_items(notice).filter(assignee=engineer).count() == 1
    assert _open_items(notice).filter(assignee=deputy).count() == 0


def test_withdraw_cancels_open_items_and_keeps_done_ones(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    services.notice_mark_read(notice=notice, user=org["engineer"])

    services.notice_withdraw(notice=notice, by=clerk, reason="内容有误")

    notice.refresh_from_db()
    assert notice.state == Notice.State.WITHDRAWN
    items = WorkItem.objects.filter(target_id=str(notice.pk))
    assert items.filter(state=WorkItem.State.CANCELLED).count() == 3
    assert items.filter(state=WorkItem.State.DONE).count() == 1
    entry = AuditEntry.objects.get(action="notice.withdraw")
    assert entry.data == {"reason": "内容有误", "cancelled_work_items": 3}


def test_remind_notifies_only_the_unread_once_per_round(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    for name in ("engineer", "technician"):
        services.notice_mark_read(notice=notice, user=org[name])
    reminders = Notification.objects.filter(kind="notice.remind")

    sent = services.notice_remind_unread(notice=notice, by=clerk, round=0)
    double_click = services.notice_remind_unread(notice=notice, by=clerk, round=0)

    assert sent == 2
    assert double_click == 0
    assert set(reminders.values_list("recipient__username", flat=True)) == {
        "accountant",
        "miner",
    }
    notice.refresh_from_db()
    assert notice.reminder_count == 1

    services.notice_mark_read(notice=notice, user=org["miner"])
    assert services.notice_remind_unread(notice=notice, by=clerk, round=1) == 1
    assert reminders.count() == 3
    assert reminders.filter(recipient=org["miner"]).count() == 1


def test_remind_by_an_employee_is_refused(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    with pytest.raises(PermissionDeniedError):
        services.notice_remind_unread(notice=notice, by=org["engineer"], round=0)
    assert Notification.objects.filter(kind="notice.remind").count() == 0


def test_pin_and_unpin_are_audited_once(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)

    services.notice_pin(notice=notice, by=clerk)
    services.notice_pin(notice=notice, by=clerk)
    notice.refresh_from_db()
    assert notice.is_pinned is True
    services.notice_unpin(notice=notice, by=clerk)
    notice.refresh_from_db()
    assert notice.is_pinned is False
    assert list(
        AuditEntry.objects.filter(action__in=["notice.pin", "notice.unpin"])
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["notice.pin", "notice.unpin"]


def test_update_changes_a_draft_and_swaps_attachments(clerk):
    notice = services.notice_create(
        author=clerk,
        title="旧标题",
        body="旧正文",
        attachments=[upload("旧.pdf", PDF_BYTES)],
    )
    old = notice.attachments.get()

    services.notice_update(
        notice=notice,
        by=clerk,
        title="新标题",
        body="新正文",
        audience=Notice.Audience.EVERYONE,
        attachments=[upload("新.pdf", PDF_BYTES + b"\n")],
        remove_attachment_ids=[old.pk],
    )

    notice.refresh_from_db()
    assert notice.title == "新标题"
    assert list(notice.attachments.values_list("original_name", flat=True)) == [
        "新.pdf"
    ]


def test_update_with_a_bad_file_changes_nothing(clerk):
    notice = services.notice_create(author=clerk, title="旧标题", body="旧正文")
    with pytest.raises(DomainError, match="is not an allowed kind"):
        services.notice_update(
            notice=notice,
            by=clerk,
            title="新标题",
            body="新正文",
            audience=Notice.Audience.EVERYONE,
            attachments=[upload("a.pdf", EXE_BYTES)],
        )
    notice.refresh_from_db()
    assert notice.title == "旧标题"


def test_a_published_notice_cannot_be_edited(clerk, org):
    notice = services.notice_publish(notice=NoticeFactory(author=clerk), by=clerk)
    with pytest.raises(DomainError, match="Only a draft can be edited"):
        services.notice_update(
            notice=notice, by=clerk, title="x", body="y", audience="everyone"
        )


def test_publish_to_two_thousand_people_stays_in_bulk(
    clerk, org, django_assert_max_num_queries
):
    from zhiban.org.models import User

    department = org["finance"]
    User.objects.bulk_create(
        [User(username=f"bulk{n}", primary_department=department) for n in range(2000)]
    )
    notice = NoticeFactory(author=clerk)

    # Batches of 500 rows: no query per recipient.
    with django_assert_max_num_queries(50):
        services.notice_publish(notice=notice, by=clerk)

    assert _open_items(notice).count() == 2004
    assert NoticeReceipt.objects.filter(notice=notice).count() == 2004


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.OFFICE_DIRECTOR, Role.CLERK])
def test_publisher_roles_may_create(role):
    author = UserFactory(roles=[role])
    notice = services.notice_create(author=author, title="t", body="b")
    assert notice.author == author
