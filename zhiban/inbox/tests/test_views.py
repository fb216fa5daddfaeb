"""Tests of the to-do centre's pages: permission matrix, behaviour, query budgets."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from zhiban.inbox.models import Notification, WorkItem
from zhiban.inbox.tests.factories import NOW, NotificationFactory, WorkItemFactory
from zhiban.org.models import Role
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MODEL_BACKEND = "zhiban.accounts.backends.ModelBackend"
HOUR = datetime.timedelta(hours=1)
LIST = "/inbox/"


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user, backend=MODEL_BACKEND)
    return user


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    """A delegated cc item: A's, handled by B, sent by C; D is A's colleague."""
    a = UserFactory(name="甲")
    b = UserFactory(name="乙")
    c = UserFactory(name="丙")
    colleague = UserFactory(primary_department=a.primary_department)
    item = WorkItemFactory(
        assignee=b, on_behalf_of=a, initiator=c, is_cc=True, url="/notices/5/"
    )
    return {"a": a, "b": b, "c": c, "colleague": colleague, "item": item}


def test_urls_are_where_the_layout_expects_them() -> None:
    assert reverse("inbox:list") == "/inbox/"
    assert reverse("inbox:open", args=[7]) == "/inbox/7/"
    assert reverse("inbox:notifications") == "/inbox/notifications/"
    assert reverse("inbox:unread_badge") == "/inbox/unread-badge/"


@pytest.mark.parametrize(
    "url",
    [
        "/inbox/",
        "/inbox/1/",
        "/inbox/notifications/",
        "/inbox/notifications/1/open/",
        "/inbox/unread-badge/",
    ],
)
def test_anonymous_goes_to_the_login_page(client, url):  # type: ignore[no-untyped-def]
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_htmx_badge_poll_redirects_the_whole_page(client):  # type: ignore[no-untyped-def]
    response = client.get("/inbox/unread-badge/", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_anonymous_cannot_open_an_item(client, people):  # type: ignore[no-untyped-def]
    item = people["item"]

    response = client.get(f"/inbox/{item.pk}/")

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "open"


@pytest.mark.parametrize("who", ["c", "colleague", "stranger", "admin"])
def test_others_cannot_open_the_item_and_nothing_changes(  # type: ignore[no-untyped-def]
    client, people, admin, who
):
    user = {"stranger": UserFactory(), "admin": admin}.get(who) or people[who]
    login(client, user)
    item = people["item"]

    response = client.get(f"/inbox/{item.pk}/")

    assert response.status_code == 404
    item.refresh_from_db()
    assert (item.state, item.closed_at) == ("open", None)


@pytest.mark.parametrize("who", ["colleague", "stranger", "admin"])
def test_others_do_not_see_the_item_in_any_tab(client, people, admin, who):  # type: ignore[no-untyped-def]
    user = {"stranger": UserFactory(), "admin": admin}.get(who) or people[who]
    login(client, user)

    for tab in ("todo", "done", "initiated", "cc"):
        response = client.get(LIST, {"tab": tab})
        assert response.status_code == 200
        assert response.context["rows"] == []


def test_the_assignee_opens_the_cc_item_and_it_is_marked_read(client, people):  # type: ignore[no-untyped-def]
    login(client, people["b"])
    item = people["item"]

    response = client.get(f"/inbox/{item.pk}/")

    assert (response.status_code, response["Location"]) == (302, "/notices/5/")
    item.refresh_from_db()
    assert (item.state, item.closed_by, item.outcome) == ("done", people["b"], "read")


def test_the_delegator_may_open_but_does_not_mark_it_read(client, people):  # type: ignore[no-untyped-def]
    login(client, people["a"])
    item = people["item"]

    response = client.get(f"/inbox/{item.pk}/")

    assert (response.status_code, response["Location"]) == (302, "/notices/5/")
    item.refresh_from_db()
    assert item.state == "open"


def test_the_delegate_sees_on_whose_behalf(client, people):  # type: ignore[no-untyped-def]
    login(client, people["b"])

    response = client.get(LIST, {"tab": "cc"}, headers={"Accept-Language": "zh-hans"})

    [row] = response.context["rows"]
    assert row["on_behalf"] == "代甲办理"
    assert row["who"] == "丙"
    assert row["href"] == f"/inbox/{people['item'].pk}/"
    assert "代甲办理" in response.content.decode()


def test_the_initiator_sees_it_with_a_direct_link(client, people):  # type: ignore[no-untyped-def]
    login(client, people["c"])

    response = client.get(LIST, {"tab": "initiated"})

    [row] = response.context["rows"]
    assert (row["who"], row["href"]) == ("乙", "/notices/5/")


def test_an_item_without_a_link_goes_back_to_the_list(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    item = WorkItemFactory(assignee=user, url="")

    response = client.get(f"/inbox/{item.pk}/")

    assert (response.status_code, response["Location"]) == (302, "/inbox/")


def test_an_outside_link_is_not_followed(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    item = WorkItemFactory(assignee=user, url="https://evil.example.com/")

    response = client.get(f"/inbox/{item.pk}/")

    assert response["Location"] == "/inbox/"


def test_list_shows_counts_badges_and_highlights(client, settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "zh-hans"
    user = login(client, UserFactory())
    now = datetime.datetime.now(tz=datetime.UTC)
    WorkItemFactory(assignee=user, title="超期件", urgency=2, due_at=now - HOUR)
    WorkItemFactory(assignee=user, title="快到期", urgency=1, due_at=now + HOUR)
    WorkItemFactory(assignee=user, title="不急", due_at=now + 100 * HOUR)
    WorkItemFactory(assignee=user, state="done")
    WorkItemFactory(assignee=user, is_cc=True)

    response = client.get(LIST)

    rows = response.context["rows"]
    assert [r["title"] for r in rows] == ["超期件", "快到期", "不急"]
    assert [(r["badge"], r["row_class"]) for r in rows] == [
        ("特急", "table-danger"),
        ("加急", "table-warning"),
        ("", ""),
    ]
    assert [(t["key"], t["count"]) for t in response.context["tabs"]] == [
        ("todo", "3"),
        ("done", "1"),
        ("initiated", "0"),
        ("cc", "1"),
    ]
    html = response.content.decode()
    assert "待办 <span" in html
    assert "1 项已超期" in html
    # Column names are the to-do centre's own, not another app's "Title" (职务).
    assert '<th scope="col">标题</th>' in html
    assert '<th scope="col" class="d-none d-sm-table-cell">发起人</th>' in html
    assert '<i class="bi bi-search"></i> 筛选</button>' in html


def test_htmx_gets_only_the_rows(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    WorkItemFactory(assignee=user, title="合同审批")
    WorkItemFactory(assignee=user, title="用车")

    response = client.get(LIST, {"q": "合同"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rows">')
    assert "合同审批" in html
    assert "用车" not in html
    assert "<html" not in html


def test_bad_filters_show_field_errors_not_a_500(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    WorkItemFactory(assignee=user, title="one")

    response = client.get(
        LIST,
        {"tab": "all", "urgency": "9", "due": "yesterday", "page": "x", "hours": "0"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"tab", "urgency", "due", "page", "hours"}
    assert [r["title"] for r in response.context["rows"]] == ["one"]
    assert response.context["tab"] == "todo"


def test_a_page_past_the_end_shows_the_last_page(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    WorkItem.objects.bulk_create(
        WorkItem(assignee=user, kind="approval", title=f"t{i}", opened_at=NOW)
        for i in range(51)
    )

    response = client.get(LIST, {"page": "9"})

    page = response.context["page"]
    assert (page.number, page.num_pages, page.count) == (2, 2, 51)
    assert len(response.context["rows"]) == 1


def make_items(user, count):  # type: ignore[no-untyped-def]
    initiator = UserFactory()
    delegator = UserFactory()
    WorkItem.objects.bulk_create(
        WorkItem(
            assignee=user,
            on_behalf_of=delegator if i % 3 == 0 else None,
            initiator=initiator,
            kind=("approval", "document", "meeting")[i % 3],
            title=f"事项{i}",
            urgency=i % 3,
            is_cc=i % 4 == 0,
            due_at=NOW + (i - count // 2) * HOUR if i % 5 else None,
            url=f"/x/{i}/",
            opened_at=NOW,
        )
        for i in range(count)
    )
    NotificationFactory.create_batch(count, recipient=user)


@pytest.mark.parametrize("size", [5, 120])
@pytest.mark.parametrize(
    ("url", "params", "queries"),
    [
        # user (the session comes from the cache), one aggregate for the counts
        # (and the paginator), the rows, the names of their people
        ("/inbox/", {}, 4),
        ("/inbox/", {"tab": "cc", "q": "事项", "urgency": "0", "sort": "due"}, 4),
        # a page past the end: the last page's rows, read once (this tab is empty,
        # so there are no names to read)
        ("/inbox/", {"tab": "initiated", "page": "2"}, 3),
        # user, one aggregate for total and unread, the rows
        ("/inbox/notifications/", {}, 3),
        # user, the count
        ("/inbox/unread-badge/", {}, 2),
    ],
)
def test_query_budget_is_the_same_at_any_size(  # type: ignore[no-untyped-def]
    client, django_assert_num_queries, size, url, params, queries
):
    user = login(client, UserFactory())
    make_items(user, size)
    cache.clear()
    client.get(url, params)  # the layout's cached parts are filled once per user

    with django_assert_num_queries(queries):
        response = client.get(url, params)

    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 120])
def test_htmx_rows_query_budget(client, django_assert_num_queries, size):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    make_items(user, size)

    # user, counts, rows, names
    with django_assert_num_queries(4):
        client.get(LIST, {"q": "事项"}, headers={"HX-Request": "true"})


def test_notifications_page_lists_mine_only(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    NotificationFactory(recipient=user, title="我的通知")
    NotificationFactory(title="别人的通知")

    response = client.get("/inbox/notifications/")

    assert [r["title"] for r in response.context["rows"]] == ["我的通知"]
    assert response.context["counts"] == {"total": 1, "unread": 1}


def test_open_a_notification_marks_it_read_and_follows_it(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    note = NotificationFactory(recipient=user, url="/notices/3/")

    response = client.get(f"/inbox/notifications/{note.pk}/open/")

    assert (response.status_code, response["Location"]) == (302, "/notices/3/")
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("action", ["open/", "read/"])
def test_someone_elses_notification_is_404_and_stays_unread(client, action):  # type: ignore[no-untyped-def]
    login(client, UserFactory())
    theirs = NotificationFactory()

    response = (client.get if action == "open/" else client.post)(
        f"/inbox/notifications/{theirs.pk}/{action}"
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_all_read(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    one, _two, _three = NotificationFactory.create_batch(3, recipient=user)
    theirs = NotificationFactory()

    first = client.post(f"/inbox/notifications/{one.pk}/read/")
    assert Notification.objects.filter(recipient=user, read_at=None).count() == 2
    second = client.post("/inbox/notifications/read-all/")

    assert (first.status_code, second.status_code) == (302, 302)
    assert Notification.objects.filter(recipient=user, read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_a_post(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    note = NotificationFactory(recipient=user)

    assert client.get("/inbox/notifications/read-all/").status_code == 405
    assert client.get(f"/inbox/notifications/{note.pk}/read/").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_unread_badge_counts_and_keeps_polling(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())

    empty = client.get("/inbox/unread-badge/").content.decode()
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=user, read_at=NOW)
    three = client.get("/inbox/unread-badge/").content.decode()
    NotificationFactory.create_batch(100, recipient=user)
    many = client.get("/inbox/unread-badge/").content.decode()

    for html in (empty, three, many):
        assert 'id="zb-unread-badge"' in html
        assert 'hx-get="/inbox/unread-badge/"' in html
        assert 'hx-trigger="every 60s"' in html
        assert 'hx-swap="outerHTML"' in html
    assert 'data-count="0"></span>' in empty
    assert 'data-count="3">3<span' in three
    assert 'data-count="103">99+<span' in many


def test_the_employee_fixture_has_an_empty_inbox(client, employee):  # type: ignore[no-untyped-def]
    login(client, employee)
    assert employee.has_role(Role.EMPLOYEE)

    response = client.get(LIST)

    assert response.context["rows"] == []
    assert "inbox-rows" in response.content.decode()


def test_the_filter_bar_shows_the_chosen_filters(client):  # type: ignore[no-untyped-def]
    login(client, UserFactory())

    html = client.get(
        LIST,
        {"tab": "cc", "urgency": "2", "due": "soon", "sort": "due", "q": "<合同>"},
    ).content.decode()

    assert '<input type="hidden" name="tab" value="cc">' in html
    assert '<option value="2" selected>' in html
    assert '<option value="soon" selected>' in html
    assert '<option value="due" selected>' in html
    assert 'value="&lt;合同&gt;"' in html


def test_the_cached_filter_bar_follows_the_language(client):  # type: ignore[no-untyped-def]
    english = UserFactory(language="en")
    chinese = UserFactory(language="zh-hans")

    login(client, english)
    in_english = client.get(LIST).content.decode()
    login(client, chinese)
    in_chinese = client.get(LIST).content.decode()

    assert "Search titles" in in_english
    assert "搜索标题" in in_chinese
    assert "Search titles" not in in_chinese


def test_row_values_are_escaped_in_the_list(client):  # type: ignore[no-untyped-def]
    user = login(client, UserFactory())
    WorkItemFactory(
        assignee=user,
        title='<script>alert("x")</script>',
        reason="<b>理由</b>",
        url='/x/"onmouseover="y',
    )

    html = client.get(LIST).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;理由&lt;/b&gt;" in html
