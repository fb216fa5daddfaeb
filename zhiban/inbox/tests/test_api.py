"""Tests of the to-do centre's API: permission matrix, filters, query budgets."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhiban.inbox.models import Notification, WorkItem
from zhiban.inbox.tests.factories import NOW, NotificationFactory, WorkItemFactory
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def as_user(api, user):  # type: ignore[no-untyped-def]
    api.force_authenticate(user)
    return user


@pytest.fixture
def item():  # type: ignore[no-untyped-def]
    return WorkItemFactory(
        assignee=UserFactory(name="乙"),
        on_behalf_of=UserFactory(name="甲"),
        initiator=UserFactory(name="丙"),
        title="用印申请",
        urgency=2,
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/work-items/"),
        ("get", "/api/work-items/1/"),
        ("get", "/api/notifications/"),
        ("get", "/api/notifications/unread-count/"),
        ("post", "/api/notifications/1/read/"),
        ("post", "/api/notifications/read-all/"),
    ],
)
def test_anonymous_is_refused(api, method, url):  # type: ignore[no-untyped-def]
    assert getattr(api, method)(url).status_code in (401, 403)


@pytest.mark.parametrize("who", ["assignee", "on_behalf_of", "initiator"])
def test_the_people_of_an_item_see_its_detail(api, item, who):  # type: ignore[no-untyped-def]
    as_user(api, getattr(item, who))

    response = api.get(f"/api/work-items/{item.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["title"], data["urgency"]) == (item.pk, "用印申请", 2)
    assert data["assignee"] == {"id": item.assignee_id, "name": "乙"}
    assert data["on_behalf_of"] == {"id": item.on_behalf_of_id, "name": "甲"}
    assert data["initiator"] == {"id": item.initiator_id, "name": "丙"}


@pytest.mark.parametrize("who", ["stranger", "colleague", "admin"])
def test_others_get_404_for_the_detail(api, item, admin, who):  # type: ignore[no-untyped-def]
    colleague = UserFactory(primary_department=item.assignee.primary_department)
    as_user(
        api, {"stranger": UserFactory(), "colleague": colleague, "admin": admin}[who]
    )

    assert api.get(f"/api/work-items/{item.pk}/").status_code == 404
    assert api.get("/api/work-items/", {"tab": "todo"}).json()["results"] == []


def test_a_token_works_too(api, item):  # type: ignore[no-untyped-def]
    token = Token.objects.create(user=item.assignee)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get("/api/work-items/")

    assert [r["id"] for r in response.json()["results"]] == [item.pk]


def test_list_gives_rows_counts_and_the_delegation_marker(api, item):  # type: ignore[no-untyped-def]
    as_user(api, item.assignee)
    WorkItemFactory(assignee=item.assignee, state="done")

    data = api.get("/api/work-items/").json()

    assert (data["count"], data["page"], data["num_pages"]) == (1, 1, 1)
    assert data["counts"] == {
        "todo": 1,
        "done": 1,
        "initiated": 0,
        "cc": 0,
        "overdue": 0,
        "cc_unread": 0,
    }
    [row] = data["results"]
    assert (row["title"], row["on_behalf_of"], row["counterpart"]) == (
        "用印申请",
        "甲",
        "丙",
    )
    assert (row["urgency"], row["is_overdue"], row["is_due_soon"]) == (2, False, False)


def test_list_filters_and_sorts_like_the_page(api):  # type: ignore[no-untyped-def]
    user = as_user(api, UserFactory())
    WorkItemFactory(assignee=user, title="合同 later", due_at=NOW + 5 * HOUR)
    WorkItemFactory(assignee=user, title="合同 sooner", due_at=NOW + HOUR)
    WorkItemFactory(assignee=user, title="用车", urgency=2)

    data = api.get("/api/work-items/", {"q": "合同", "sort": "due"}).json()

    assert [r["title"] for r in data["results"]] == ["合同 sooner", "合同 later"]
    assert data["count"] == 2
    urgent = api.get("/api/work-items/", {"urgency": "2"}).json()
    assert [r["title"] for r in urgent["results"]] == ["用车"]


def test_bad_parameters_get_field_errors(api):  # type: ignore[no-untyped-def]
    as_user(api, UserFactory())

    response = api.get(
        "/api/work-items/", {"tab": "all", "urgency": "7", "page": "0", "due": "x"}
    )

    assert response.status_code == 400
    assert set(response.json()) == {"tab", "urgency", "page", "due"}


def make_rows(user, count):  # type: ignore[no-untyped-def]
    other = UserFactory()
    WorkItem.objects.bulk_create(
        WorkItem(
            assignee=user,
            on_behalf_of=other if i % 2 else None,
            initiator=other,
            kind="approval",
            title=f"事项{i}",
            urgency=i % 3,
            due_at=NOW + i * HOUR,
            opened_at=NOW,
        )
        for i in range(count)
    )
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="k", title=f"n{i}", created_at=NOW)
        for i in range(count)
    )


@pytest.mark.parametrize("size", [5, 120])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/work-items/", 3),  # counts (and the paginator's count), rows, names
        ("/api/work-items/?tab=todo&q=事项&sort=due", 3),
        ("/api/notifications/", 2),  # count, rows
        ("/api/notifications/unread-count/", 1),
    ],
)
def test_query_budget_is_the_same_at_any_size(  # type: ignore[no-untyped-def]
    api, django_assert_num_queries, size, url, queries
):
    user = as_user(api, UserFactory())
    make_rows(user, size)

    with django_assert_num_queries(queries):
        response = api.get(url)

    assert response.status_code == 200


def test_notifications_list_and_unread_filter(api):  # type: ignore[no-untyped-def]
    user = as_user(api, UserFactory())
    NotificationFactory(recipient=user, title="old", created_at=NOW - HOUR)
    NotificationFactory(recipient=user, title="read", read_at=NOW)
    NotificationFactory(title="not mine")

    every = api.get("/api/notifications/").json()
    unread = api.get("/api/notifications/", {"unread": "true"}).json()

    assert [n["title"] for n in every["results"]] == ["read", "old"]
    assert [n["title"] for n in unread["results"]] == ["old"]
    assert api.get("/api/notifications/unread-count/").json() == {"unread": 1}


def test_mark_one_read_and_all_read(api):  # type: ignore[no-untyped-def]
    user = as_user(api, UserFactory())
    one, _two = NotificationFactory.create_batch(2, recipient=user)

    assert api.post(f"/api/notifications/{one.pk}/read/").json() == {"marked": 1}
    assert api.post(f"/api/notifications/{one.pk}/read/").json() == {"marked": 0}
    assert api.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert api.get("/api/notifications/unread-count/").json() == {"unread": 0}


def test_someone_elses_notification_cannot_be_marked(api):  # type: ignore[no-untyped-def]
    as_user(api, UserFactory())
    theirs = NotificationFactory()

    response = api.post(f"/api/notifications/{theirs.pk}/read/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_schema_documents_the_endpoints(api):  # type: ignore[no-untyped-def]
    as_user(api, UserFactory())

    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert {
        "/api/work-items/",
        "/api/work-items/{id}/",
        "/api/notifications/",
        "/api/notifications/{id}/read/",
        "/api/notifications/read-all/",
        "/api/notifications/unread-count/",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/work-items/"]["get"]["parameters"]}
    assert parameters == {"tab", "kind", "urgency", "due", "hours", "q", "sort", "page"}
