import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from zhiban.audit.models import AuditEntry
from zhiban.inbox.models import Notification, WorkItem
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
from zhiban.org.models import Role
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(clerk, org):
    """A notice to the production department (with its section), with a PDF."""
    notice = services.notice_create(
        author=clerk,
        title="关于安全生产检查的通知",
        body="各单位：\n\n<script>alert(1)</script>请认真落实。",
        audience=Notice.Audience.DEPARTMENTS,
        departments=[org["production"]],
        attachments=[upload("检查表.pdf", PDF_BYTES)],
    )
    return services.notice_publish(notice=notice, by=clerk)


def _login(client, user, language="en"):
    """Sign in (the model backend: axes's backend cannot restore a session user)."""
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user, backend="zhiban.accounts.backends.ModelBackend")


def _who(name, clerk, org, admin):
    return {
        "anonymous": None,
        "outsider": org["miner"],
        "recipient": org["engineer"],
        "author": clerk,
        "admin": admin,
    }[name]


# --- list --------------------------------------------------------------------


def test_list_anonymous_goes_to_login(client):
    response = client.get(reverse("notices:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("who", "sees"),
    [("outsider", False), ("recipient", True), ("author", True), ("admin", True)],
)
def test_list_shows_the_notice_to_those_addressed(
    client, clerk, org, admin, published, who, sees
):
    _login(client, _who(who, clerk, org, admin))
    response = client.get(reverse("notices:list"))
    assert response.status_code == 200
    assert ("关于安全生产检查的通知" in response.text) is sees


def test_list_marks_unread_and_pinned(client, clerk, org, published):
    services.notice_pin(notice=published, by=clerk)
    _login(client, org["engineer"])
    response = client.get(reverse("notices:list"))
    assert response.text.count("zb-notice-dot-unread") == 1
    assert response.text.count("bi-pin-angle-fill") == 1
    services.notice_mark_read(notice=published, user=org["engineer"])
    response = client.get(reverse("notices:list"))
    assert response.text.count("zb-notice-dot-unread") == 0


def test_list_htmx_returns_only_the_rows(client, org, published):
    _login(client, org["engineer"])
    response = client.get(
        reverse("notices:list"), {"q": "安全"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="notice-rows">')
    assert "<html" not in response.text
    assert "关于安全生产检查的通知" in response.text


def _make_notices(clerk, count):
    for n in range(count):
        notice = NoticeFactory(author=clerk, is_pinned=n % 3 == 0)
        services.notice_publish(notice=notice, by=clerk)
        if n % 2:
            services.notice_create(
                author=clerk,
                title=f"附件{n}",
                body="b",
                attachments=[upload("a.pdf", PDF_BYTES)],
            )


@pytest.mark.parametrize("count", [2, 25])
def test_list_query_budget(client, clerk, org, count, django_assert_num_queries):
    _make_notices(clerk, count)
    services.notice_mark_read(
        notice=Notice.objects.filter(state="published").first(), user=org["engineer"]
    )
    _login(client, org["engineer"])
    client.get(reverse("notices:list"))  # warm caches (navigation, content types)
    with django_assert_num_queries(6):
        response = client.get(reverse("notices:list"))
    assert response.status_code == 200


# --- detail ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("recipient", 200), ("author", 200), ("admin", 200)],
)
def test_detail_matrix(client, clerk, org, admin, published, who, status):
    _login(client, _who(who, clerk, org, admin))
    response = client.get(reverse("notices:detail", args=[published.pk]))
    assert response.status_code == status


def test_detail_anonymous_goes_to_login(client, published):
    response = client.get(reverse("notices:detail", args=[published.pk]))
    assert response.status_code == 302


def test_detail_escapes_the_body_and_keeps_paragraphs(client, org, published):
    _login(client, org["engineer"])
    response = client.get(reverse("notices:detail", args=[published.pk]))
    assert "<script>alert(1)</script>" not in response.text
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;请认真落实。</p>" in response.text
    assert "<p>各单位：</p>" in response.text
    assert 'data-testid="confirm-read"' in response.text


@pytest.mark.parametrize("attachments", [1, 6])
def test_detail_query_budget(
    client, clerk, org, attachments, django_assert_num_queries
):
    notice = services.notice_create(
        author=clerk,
        title="t",
        body="b",
        attachments=[
            upload(f"{n}.pdf", PDF_BYTES + bytes([n])) for n in range(attachments)
        ],
    )
    services.notice_publish(notice=notice, by=clerk)
    _login(client, clerk)
    client.get(reverse("notices:detail", args=[notice.pk]))
    with django_assert_num_queries(8):
        response = client.get(reverse("notices:detail", args=[notice.pk]))
    assert response.text.count('data-testid="attachment-link"') == attachments


# --- confirm read --------------------------------------------------------------


def test_confirm_read_closes_my_item(client, org, published):
    _login(client, org["engineer"])
    response = client.post(reverse("notices:read", args=[published.pk]))
    assert response.status_code == 302
    receipt = NoticeReceipt.objects.get(notice=published, user=org["engineer"])
    assert receipt.read_at is not None
    item = WorkItem.objects.get(assignee=org["engineer"], target_id=str(published.pk))
    assert item.state == WorkItem.State.DONE
    assert (
        WorkItem.objects.filter(state="open", target_id=str(published.pk)).count() == 1
    )


def test_confirm_read_with_htmx_swaps_the_footer(client, org, published):
    _login(client, org["engineer"])
    response = client.post(
        reverse("notices:read", args=[published.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        '<div class="card-footer" id="notice-read-state">'
    )
    assert 'data-testid="read-confirmed"' in response.text


def test_confirm_read_by_an_outsider_is_404_and_changes_nothing(client, org, published):
    _login(client, org["miner"])
    response = client.post(reverse("notices:read", args=[published.pk]))
    assert response.status_code == 404
    assert NoticeReceipt.objects.filter(read_at__isnull=False).count() == 0
    assert WorkItem.objects.filter(state="open").count() == 2


def test_confirm_read_needs_post(client, org, published):
    _login(client, org["engineer"])
    assert client.get(reverse("notices:read", args=[published.pk])).status_code == 405


# --- compose -----------------------------------------------------------------


def _form(**overrides):
    data = {
        "title": "关于召开年度工作会议的通知",
        "body": "各部门：\n\n定于下周一召开。",
        "audience": "everyone",
        "urgency": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["recipient", "outsider"])
def test_an_employee_cannot_compose(client, clerk, org, admin, who):
    _login(client, _who(who, clerk, org, admin))
    assert client.get(reverse("notices:create")).status_code == 403
    response = client.post(reverse("notices:create"), _form())
    assert response.status_code == 403
    assert Notice.objects.count() == 0


def test_compose_anonymous_goes_to_login(client):
    response = client.post(reverse("notices:create"), _form())
    assert response.status_code == 302
    assert Notice.objects.count() == 0


def test_compose_with_an_attachment_saves_a_draft(client, clerk):
    _login(client, clerk)
    response = client.post(
        reverse("notices:create"),
        _form(attachments=[SimpleUploadedFile("议程.pdf", PDF_BYTES)]),
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:detail", args=[notice.pk])
    assert notice.state == Notice.State.DRAFT
    assert notice.attachments.get().original_name == "议程.pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("议程.pdf", EXE_BYTES, "is not an allowed kind of file"),
        ("说明.txt", HTML_BYTES, "is not an allowed kind of file"),
        ("大.pdf", PDF_BYTES, "is larger than"),
        ("空.pdf", b"", "is empty"),
    ],
)
@override_settings(UPLOAD_MAX_BYTES=100)
def test_compose_with_a_bad_file_shows_a_field_error_and_saves_nothing(
    client, clerk, name, data, message
):
    _login(client, clerk)
    before = stored_files()
    response = client.post(
        reverse("notices:create"),
        _form(
            attachments=[
                SimpleUploadedFile("好.pdf", PDF_BYTES[:90]),
                SimpleUploadedFile(name, data),
            ]
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["attachments"]
    assert message in errors["attachments"][0]
    assert 'data-testid="error-attachments"' in response.text
    assert Notice.objects.count() == 0
    assert NoticeAttachment.objects.count() == 0
    assert stored_files() == before


def test_compose_without_departments_is_a_field_error(client, clerk):
    _login(client, clerk)
    response = client.post(reverse("notices:create"), _form(audience="departments"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["departments"]
    assert Notice.objects.count() == 0


def test_edit_a_draft(client, clerk):
    notice = NoticeFactory(author=clerk)
    _login(client, clerk)
    assert client.get(reverse("notices:edit", args=[notice.pk])).status_code == 200
    response = client.post(
        reverse("notices:edit", args=[notice.pk]), _form(title="改过的标题")
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "改过的标题"


def test_edit_by_another_publisher_is_404(client, clerk):
    notice = NoticeFactory(author=clerk)
    other = UserFactory(roles=[Role.CLERK])
    _login(client, other)
    response = client.post(reverse("notices:edit", args=[notice.pk]), _form(title="x"))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.title != "x"


# --- publish, pin, withdraw ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("anonymous", 302), ("author", 302), ("admin", 302)],
)
def test_publish_matrix(client, clerk, org, admin, who, status):
    notice = NoticeFactory(author=clerk)
    _login(client, _who(who, clerk, org, admin))
    response = client.post(reverse("notices:publish", args=[notice.pk]))
    assert response.status_code == status
    notice.refresh_from_db()
    published = who in ("author", "admin")
    assert (notice.state == Notice.State.PUBLISHED) is published
    assert WorkItem.objects.exists() is published


@pytest.mark.parametrize("action", ["withdraw", "pin"])
def test_a_recipient_cannot_manage(client, org, published, action):
    _login(client, org["engineer"])
    audits = AuditEntry.objects.count()
    response = client.post(reverse(f"notices:{action}", args=[published.pk]))
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.state == Notice.State.PUBLISHED
    assert published.is_pinned is False
    assert AuditEntry.objects.count() == audits


def test_withdraw_by_the_author(client, clerk, published):
    _login(client, clerk)
    response = client.post(
        reverse("notices:withdraw", args=[published.pk]), {"reason": "有误"}
    )
    assert response.status_code == 302
    assert WorkItem.objects.filter(state="cancelled").count() == 2


def test_pin_by_admin(client, admin, published):
    _login(client, admin)
    client.post(reverse("notices:pin", args=[published.pk]))
    published.refresh_from_db()
    assert published.is_pinned is True


# --- receipts and reminders --------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("recipient", 403), ("author", 200), ("admin", 200)],
)
def test_receipts_matrix(client, clerk, org, admin, published, who, status):
    _login(client, _who(who, clerk, org, admin))
    response = client.get(reverse("notices:receipts", args=[published.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("extra", [0, 30])
def test_receipts_query_budget(
    client, clerk, org, published, extra, django_assert_num_queries
):
    from zhiban.org.models import User

    users = User.objects.bulk_create(
        [
            User(username=f"r{n}", primary_department=org["section"])
            for n in range(extra)
        ]
    )
    NoticeReceipt.objects.bulk_create(
        [
            NoticeReceipt(notice=published, user=u, department=org["section"])
            for u in users
        ]
    )
    _login(client, clerk)
    client.get(reverse("notices:receipts", args=[published.pk]))
    with django_assert_num_queries(7):
        response = client.get(reverse("notices:receipts", args=[published.pk]))
    assert response.text.count('data-testid="receipt-row"') == 2 + extra


def test_remind_sends_to_the_unread_once_per_round(client, clerk, org, published):
    services.notice_mark_read(notice=published, user=org["engineer"])
    _login(client, clerk)
    url = reverse("notices:remind", args=[published.pk])
    first = client.post(url, {"round": "0"})
    second = client.post(url, {"round": "0"})
    assert first.status_code == second.status_code == 302
    reminders = Notification.objects.filter(kind="notice.remind")
    assert list(reminders.values_list("recipient__username", flat=True)) == [
        "technician"
    ]


def test_remind_by_a_recipient_is_refused(client, org, published):
    _login(client, org["engineer"])
    response = client.post(
        reverse("notices:remind", args=[published.pk]), {"round": "0"}
    )
    assert response.status_code == 403
    assert Notification.objects.filter(kind="notice.remind").count() == 0


# --- attachments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("recipient", 200), ("author", 200), ("admin", 200)],
)
def test_attachment_download_matrix(client, clerk, org, admin, published, who, status):
    attachment = published.attachments.get()
    _login(client, _who(who, clerk, org, admin))
    response = client.get(
        reverse("notices:attachment", args=[published.pk, attachment.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert (
            "filename*=utf-8''%E6%A3%80%E6%9F%A5%E8%A1%A8.pdf"
            in response["Content-Disposition"]
        )
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_attachment_of_another_notice_is_404(client, clerk, org, published):
    other = services.notice_create(
        author=clerk, title="t", body="b", attachments=[upload("x.pdf", PDF_BYTES)]
    )
    _login(client, org["engineer"])
    response = client.get(
        reverse("notices:attachment", args=[published.pk, other.attachments.get().pk])
    )
    assert response.status_code == 404


def test_expired_tab_lists_expired_notices(client, clerk, org):
    notice = NoticeFactory(
        author=clerk, expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    services.notice_publish(notice=notice, by=clerk)
    Notice.objects.filter(pk=notice.pk).update(
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    _login(client, org["engineer"])
    assert notice.title not in client.get(reverse("notices:list")).text
    assert notice.title in client.get(reverse("notices:list"), {"tab": "expired"}).text


def test_pages_speak_simplified_chinese(client, clerk, org, published):
    _login(client, org["engineer"], language="zh-hans")
    response = client.get(reverse("notices:detail", args=[published.pk]))
    assert "确认已读" in response.text
    assert "发送范围：" in response.text
    assert "生产技术部" in response.text
    response = client.get(reverse("notices:list"))
    assert '<h1 class="zb-page-title mb-0">通知公告</h1>' in response.text
