import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from zhiban.inbox.models import WorkItem
from zhiban.notices import services
from zhiban.notices.models import Notice, NoticeReceipt
from zhiban.notices.tests.factories import PDF_BYTES, NoticeFactory, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def published(clerk, org):
    notice = services.notice_create(
        author=clerk,
        title="关于财务检查的通知",
        body="正文",
        audience=Notice.Audience.DEPARTMENTS,
        departments=[org["finance"]],
        attachments=[upload("表.pdf", PDF_BYTES)],
    )
    return services.notice_publish(notice=notice, by=clerk)


def _who(name, clerk, org, admin):
    return {
        "anonymous": None,
        "outsider": org["miner"],
        "recipient": org["accountant"],
        "author": clerk,
        "admin": admin,
    }[name]


LIST = "/api/notices/"


@pytest.mark.parametrize(
    ("who", "status", "ids"),
    [
        ("anonymous", 403, None),
        ("outsider", 200, False),
        ("recipient", 200, True),
        ("author", 200, True),
        ("admin", 200, True),
    ],
)
def test_list_matrix(api, clerk, org, admin, published, who, status, ids):
    user = _who(who, clerk, org, admin)
    if user:
        api.force_authenticate(user)
    response = api.get(LIST)
    assert response.status_code == status
    if ids is not None:
        assert (
            [row["id"] for row in response.json()["results"]] == [published.pk]
        ) is ids


def test_list_row_shape(api, org, published):
    api.force_authenticate(org["accountant"])
    row = api.get(LIST).json()["results"][0]
    assert row["title"] == "关于财务检查的通知"
    assert row["is_recipient"] is True
    assert row["read_at"] is None
    assert row["has_attachments"] is True
    assert row["state"] == "published"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 403), ("outsider", 404), ("recipient", 200), ("admin", 200)],
)
def test_detail_matrix(api, clerk, org, admin, published, who, status):
    user = _who(who, clerk, org, admin)
    if user:
        api.force_authenticate(user)
    response = api.get(f"{LIST}{published.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["body"] == "正文"
        assert body["department_ids"] == [org["finance"].pk]
        assert body["attachments"][0]["original_name"] == "表.pdf"
        assert body["attachments"][0]["download_url"] == reverse(
            "notices:attachment", args=[published.pk, published.attachments.get().pk]
        )


def test_confirm_read_by_a_recipient_is_idempotent(api, org, published):
    api.force_authenticate(org["accountant"])
    first = api.post(f"{LIST}{published.pk}/read/")
    second = api.post(f"{LIST}{published.pk}/read/")
    assert first.status_code == second.status_code == 200
    assert first.json()["read_at"] == second.json()["read_at"] is not None
    assert first.json()["is_recipient"] is True
    assert WorkItem.objects.get(assignee=org["accountant"]).state == "done"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 403), ("outsider", 404)])
def test_confirm_read_denied_changes_nothing(
    api, clerk, org, admin, published, who, status
):
    user = _who(who, clerk, org, admin)
    if user:
        api.force_authenticate(user)
    response = api.post(f"{LIST}{published.pk}/read/")
    assert response.status_code == status
    assert NoticeReceipt.objects.filter(read_at__isnull=False).count() == 0
    assert WorkItem.objects.filter(state="open").count() == 1


def test_confirm_read_by_admin_who_is_not_a_recipient(api, admin, published):
    api.force_authenticate(admin)
    response = api.post(f"{LIST}{published.pk}/read/")
    assert response.status_code == 200
    assert response.json() == {
        "id": published.pk,
        "read_at": None,
        "is_recipient": False,
    }


def test_api_filters(api, clerk, org, published):
    other = services.notice_publish(
        notice=NoticeFactory(author=clerk, title="全体通知"), by=clerk
    )
    services.notice_mark_read(notice=other, user=org["accountant"])
    api.force_authenticate(org["accountant"])
    unread = api.get(LIST, {"read": "unread"}).json()["results"]
    assert [row["id"] for row in unread] == [published.pk]
    found = api.get(LIST, {"q": "全体"}).json()["results"]
    assert [row["id"] for row in found] == [other.pk]


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_budget(api, clerk, org, count, django_assert_num_queries):
    for n in range(count):
        notice = services.notice_create(
            author=clerk,
            title=f"通知{n}",
            body="b",
            attachments=[upload("a.pdf", PDF_BYTES)] if n % 2 else [],
        )
        services.notice_publish(notice=notice, by=clerk)
    api.force_authenticate(org["accountant"])
    api.get(LIST)
    with django_assert_num_queries(4):
        response = api.get(LIST)
    assert response.json()["count"] == count


def test_schema_has_the_notice_endpoints(api, admin):
    api.force_authenticate(admin)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/notices/" in paths
    assert "/api/notices/{id}/read/" in paths
