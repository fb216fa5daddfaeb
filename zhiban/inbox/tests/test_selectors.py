"""Tests of the to-do centre's reads: tabs, visibility, filters, sort, counts."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from zhiban.inbox import selectors
from zhiban.inbox.models import ChannelPreference, Urgency, WorkItem
from zhiban.inbox.selectors import WorkItemFilters
from zhiban.inbox.tests.factories import NOW, NotificationFactory, WorkItemFactory
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def titles(user, tab=selectors.TODO, **filters):  # type: ignore[no-untyped-def]
    rows = selectors.work_item_list_for(
        user=user, tab=tab, filters=WorkItemFilters(**filters), now=NOW
    )
    return [row["title"] for row in rows]


@pytest.fixture
def me():  # type: ignore[no-untyped-def]
    return UserFactory(name="张三")


@pytest.fixture
def other():  # type: ignore[no-untyped-def]
    return UserFactory(name="李四")


def test_tabs_hold_exactly_my_items(me, other):  # type: ignore[no-untyped-def]
    WorkItemFactory(assignee=me, title="open")
    WorkItemFactory(assignee=me, title="done", state=WorkItem.State.DONE)
    WorkItemFactory(assignee=me, title="cancelled", state=WorkItem.State.CANCELLED)
    WorkItemFactory(assignee=me, title="cc", is_cc=True)
    WorkItemFactory(assignee=other, initiator=me, title="sent")
    WorkItemFactory(assignee=other, title="not mine")
    WorkItemFactory(assignee=other, title="not mine cc", is_cc=True)

    assert titles(me, selectors.TODO) == ["open"]
    assert titles(me, selectors.DONE) == ["done"]
    assert titles(me, selectors.INITIATED) == ["sent"]
    assert titles(me, selectors.CC) == ["cc"]


def test_counts_come_in_one_query(  # type: ignore[no-untyped-def]
    me, other, django_assert_num_queries
):
    WorkItemFactory(assignee=me, due_at=NOW - HOUR)
    WorkItemFactory(assignee=me, due_at=NOW + HOUR)
    WorkItemFactory(assignee=me, state=WorkItem.State.DONE)
    WorkItemFactory(assignee=me, is_cc=True)
    WorkItemFactory(assignee=me, is_cc=True, state=WorkItem.State.DONE)
    WorkItemFactory(assignee=other, initiator=me)
    WorkItemFactory(assignee=other, due_at=NOW - HOUR)

    with django_assert_num_queries(1):
        counts = selectors.work_item_counts_for(user=me, now=NOW)

    assert counts == {
        "todo": 2,
        "done": 1,
        "initiated": 1,
        "cc": 2,
        "overdue": 1,
        "cc_unread": 1,
    }


def test_counts_with_filters_give_the_matching_rows_in_the_same_query(  # type: ignore[no-untyped-def]
    me, django_assert_num_queries
):
    WorkItemFactory(assignee=me, title="合同审批")
    WorkItemFactory(assignee=me, title="用车申请")

    with django_assert_num_queries(1):
        counts = selectors.work_item_counts_for(
            user=me, now=NOW, tab=selectors.TODO, filters=WorkItemFilters(search="合同")
        )
    unfiltered = selectors.work_item_counts_for(user=me, now=NOW, tab=selectors.TODO)

    assert (counts["todo"], counts["matching"]) == (2, 1)
    assert unfiltered["matching"] == 2


@pytest.mark.parametrize(
    ("columns", "shown"),
    [
        ({"name": "王芳", "first_name": "Fang", "last_name": "Wang"}, "王芳"),
        ({"name": "", "first_name": "Fang", "last_name": "Wang"}, "Fang Wang"),
        ({"name": "", "first_name": "", "last_name": ""}, "wangfang"),
    ],
)
def test_people_are_named_as_everywhere_else_on_both_reads(me, columns, shown):  # type: ignore[no-untyped-def]
    person = UserFactory(username="wangfang", **columns)
    WorkItemFactory(assignee=me, on_behalf_of=person, initiator=person)

    [listed] = selectors.work_item_list_for(user=me, tab=selectors.TODO, now=NOW)
    [paged] = selectors.work_item_page_for(user=me, tab=selectors.TODO, now=NOW)

    assert person.display_name == shown
    for row in (listed, paged):
        assert (row["on_behalf_of_name"], row["counterpart_name"]) == (shown, shown)


def test_delegated_item_names_whose_work_it_is(me, other):  # type: ignore[no-untyped-def]
    WorkItemFactory(assignee=me, on_behalf_of=other, title="delegated")

    [row] = selectors.work_item_list_for(user=me, tab=selectors.TODO, now=NOW)

    assert (row["on_behalf_of_id"], row["on_behalf_of_name"]) == (other.pk, "李四")
    assert titles(other) == []


def test_the_delegator_may_look_at_and_handle_but_not_list_it(me, other):  # type: ignore[no-untyped-def]
    item = WorkItemFactory(assignee=me, on_behalf_of=other)
    stranger = UserFactory()

    assert selectors.work_item_get_for(user=other, item_id=item.pk) == item
    assert list(selectors.work_items_handled_by(user=other)) == [item]
    with pytest.raises(WorkItem.DoesNotExist):
        selectors.work_item_get_for(user=stranger, item_id=item.pk)
    assert list(selectors.work_items_handled_by(user=stranger)) == []


def test_initiator_may_look_at_but_not_handle(me, other):  # type: ignore[no-untyped-def]
    item = WorkItemFactory(assignee=other, initiator=me)

    assert selectors.work_item_get_for(user=me, item_id=item.pk) == item
    assert list(selectors.work_items_handled_by(user=me)) == []


def test_default_sort_is_urgency_then_due_with_no_due_last(me):  # type: ignore[no-untyped-def]
    WorkItemFactory(assignee=me, title="normal, no due")
    WorkItemFactory(assignee=me, title="normal, due later", due_at=NOW + 5 * HOUR)
    WorkItemFactory(assignee=me, title="normal, due soon", due_at=NOW + HOUR)
    WorkItemFactory(assignee=me, title="urgent", urgency=Urgency.URGENT)
    WorkItemFactory(
        assignee=me, title="extra urgent", urgency=Urgency.EXTRA_URGENT, due_at=NOW
    )

    assert titles(me) == [
        "extra urgent",
        "urgent",
        "normal, due soon",
        "normal, due later",
        "normal, no due",
    ]


def test_sort_by_due_puts_the_earliest_first_and_none_last(me):  # type: ignore[no-untyped-def]
    WorkItemFactory(assignee=me, title="none", urgency=Urgency.EXTRA_URGENT)
    WorkItemFactory(assignee=me, title="later", due_at=NOW + 5 * HOUR)
    WorkItemFactory(assignee=me, title="sooner", due_at=NOW + HOUR)

    assert titles(me, sort=selectors.SORT_DUE) == ["sooner", "later", "none"]


def test_done_tab_shows_the_latest_closed_first(me):  # type: ignore[no-untyped-def]
    done = WorkItem.State.DONE
    WorkItemFactory(assignee=me, title="first", state=done, closed_at=NOW - 2 * HOUR)
    WorkItemFactory(assignee=me, title="second", state=done, closed_at=NOW - HOUR)

    assert titles(me, selectors.DONE) == ["second", "first"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "document"}, ["公文 overdue"]),
        ({"urgency": Urgency.EXTRA_URGENT}, ["审批 soon"]),
        ({"due": selectors.DUE_OVERDUE}, ["公文 overdue"]),
        ({"due": selectors.DUE_SOON}, ["审批 soon"]),
        ({"due": selectors.DUE_SOON, "within_hours": 100}, ["审批 soon", "审批 later"]),
        ({"due": selectors.DUE_NONE}, ["会议 none"]),
        ({"search": "审批"}, ["审批 soon", "审批 later"]),
        ({"search": "  公文 "}, ["公文 overdue"]),
        ({"search": "nothing"}, []),
    ],
)
def test_filters(me, filters, expected):  # type: ignore[no-untyped-def]
    WorkItemFactory(
        assignee=me,
        title="审批 soon",
        urgency=Urgency.EXTRA_URGENT,
        due_at=NOW + 2 * HOUR,
    )
    WorkItemFactory(assignee=me, title="审批 later", due_at=NOW + 72 * HOUR)
    WorkItemFactory(
        assignee=me, title="公文 overdue", kind="document", due_at=NOW - HOUR
    )
    WorkItemFactory(assignee=me, title="会议 none", kind="meeting")

    assert titles(me, sort=selectors.SORT_DUE, **filters) == expected
    counts = selectors.work_item_counts_for(
        user=me, now=NOW, tab=selectors.TODO, filters=WorkItemFilters(**filters)
    )
    assert counts["matching"] == len(expected)


def test_search_ignores_case(me):  # type: ignore[no-untyped-def]
    WorkItemFactory(assignee=me, title="Annual REPORT")

    assert titles(me, search="report") == ["Annual REPORT"]


def test_unknown_tab_is_refused(me):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown tab"):
        selectors.work_item_list_for(user=me, tab="everyone", now=NOW)


def test_notifications_are_the_recipients_only_newest_first(me, other):  # type: ignore[no-untyped-def]
    NotificationFactory(recipient=me, title="old", created_at=NOW - HOUR)
    NotificationFactory(recipient=me, title="new", read_at=NOW)
    NotificationFactory(recipient=other, title="not mine")

    rows = selectors.notification_list_for(user=me)

    assert [row["title"] for row in rows] == ["new", "old"]
    assert [
        r["title"] for r in selectors.notification_list_for(user=me, unread_only=True)
    ] == ["old"]
    assert selectors.notification_unread_count_for(user=me) == 1
    assert selectors.notification_counts_for(user=me) == {"total": 2, "unread": 1}


@override_settings(WEBHOOK_URL="")
def test_channel_defaults_without_webhook(me):  # type: ignore[no-untyped-def]
    assert selectors.channel_preferences_for(user=me) == {
        "email": True,
        "webhook": False,
    }


@override_settings(WEBHOOK_URL="http://127.0.0.1:9/hook")
def test_channel_defaults_and_choices(me):  # type: ignore[no-untyped-def]
    no_email = UserFactory(email="")
    ChannelPreference.objects.create(user=me, channel="email", is_enabled=False)

    assert selectors.channel_preferences_for(user=me) == {
        "email": False,
        "webhook": True,
    }
    assert selectors.channel_preferences_for(user=no_email) == {
        "email": False,
        "webhook": True,
    }


@pytest.fixture
def mixed(me, other):  # type: ignore[no-untyped-def]
    """Every kind of row for `me`: tabs, urgencies, due times, delegation, cc."""
    delegator = UserFactory(name="", username="delegator")
    done = WorkItem.State.DONE
    for index in range(24):
        WorkItemFactory(
            assignee=me if index % 5 else other,
            initiator=other if index % 5 else me,
            on_behalf_of=delegator if index % 4 == 0 else None,
            kind=("approval", "document", "meeting")[index % 3],
            title=f"{'合同' if index % 2 else '用车'} {index}",
            urgency=index % 3,
            is_cc=index % 6 == 0,
            state=done if index % 7 == 0 else WorkItem.State.OPEN,
            closed_at=NOW - index * HOUR if index % 7 == 0 else None,
            due_at=None if index % 3 == 0 else NOW + (index - 12) * HOUR,
        )


@pytest.mark.parametrize("tab", selectors.TABS)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"sort": selectors.SORT_DUE},
        {"sort": selectors.SORT_RECENT},
        {"search": "合同", "sort": selectors.SORT_URGENCY},
        {"kind": "document", "due": selectors.DUE_SOON, "within_hours": 30},
        {"urgency": Urgency.URGENT, "due": selectors.DUE_OVERDUE},
        {"due": selectors.DUE_NONE},
    ],
)
def test_the_fast_page_and_counts_agree_with_the_orm(me, mixed, tab, filters):  # type: ignore[no-untyped-def]
    chosen = WorkItemFilters(**filters)
    expected = list(
        selectors.work_item_list_for(user=me, tab=tab, filters=chosen, now=NOW)
    )

    first = selectors.work_item_page_for(
        user=me, tab=tab, filters=chosen, now=NOW, offset=0, limit=3
    )
    rest = selectors.work_item_page_for(
        user=me, tab=tab, filters=chosen, now=NOW, offset=3, limit=50
    )
    counts = selectors.work_item_counts_for(user=me, now=NOW, tab=tab, filters=chosen)

    assert first + rest == expected
    if not filters:
        assert len(expected) >= 3  # the fixture gives every tab rows
    assert counts["matching"] == len(expected)
    unfiltered = selectors.work_item_list_for(user=me, tab=tab, now=NOW)
    assert counts[tab] == unfiltered.count()


def test_the_fast_page_is_two_queries_the_rows_and_their_names(  # type: ignore[no-untyped-def]
    me, mixed, django_assert_num_queries
):
    with django_assert_num_queries(2):
        rows = selectors.work_item_page_for(
            user=me, tab=selectors.TODO, filters=WorkItemFilters(search="合同"), now=NOW
        )
    assert rows
    assert all(row["counterpart_name"] for row in rows)


def test_a_page_that_names_nobody_reads_no_names(me, django_assert_num_queries):  # type: ignore[no-untyped-def]
    WorkItemFactory(assignee=me, initiator=None, title="系统提醒")
    with django_assert_num_queries(1):
        rows = selectors.work_item_page_for(user=me, tab=selectors.TODO, now=NOW)
    assert [
        (r["title"], r["counterpart_name"], r["on_behalf_of_name"]) for r in rows
    ] == [("系统提醒", None, None)]


@pytest.mark.parametrize("tab", [selectors.TODO, selectors.DONE, selectors.CC])
@pytest.mark.parametrize("page_number", [1, 2, 99])
def test_counts_and_page_together_agree_with_each_alone(me, mixed, tab, page_number):  # type: ignore[no-untyped-def]
    filters = WorkItemFilters()
    counts = selectors.work_item_counts_for(user=me, now=NOW, tab=tab, filters=filters)
    per_page = 2
    last_page = max(1, -(-counts["matching"] // per_page))
    expected_number = min(page_number, last_page)
    expected_rows = selectors.work_item_page_for(
        user=me,
        tab=tab,
        filters=filters,
        now=NOW,
        offset=(expected_number - 1) * per_page,
        limit=per_page,
    )

    together = selectors.work_item_counts_and_page_for(
        user=me,
        tab=tab,
        filters=filters,
        now=NOW,
        page_number=page_number,
        per_page=per_page,
    )

    assert together == (counts, expected_rows, expected_number)


@pytest.mark.parametrize("sort", ["", selectors.SORT_URGENCY])
def test_the_todo_page_is_read_from_the_index_without_sorting(sort):
    """The 待办 order is the workitem_tab index's: the first page never sorts every
    open item of the user (bench/README.md: 34 → 10 ms with 10,000 of them)."""
    from django.db import connection

    user = UserFactory()
    WorkItemFactory.create_batch(30, assignee=user)
    sql, params = selectors._page_sql(
        user=user,
        tab=selectors.TODO,
        filters=WorkItemFilters(sort=sort),
        now=NOW,
        offset=0,
        limit=20,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is read whole, or sorted in memory; ask for a plan
            # without either: it has no Sort only if an index gives the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "workitem_tab" in plan
    assert "TEMP B-TREE" not in plan  # SQLite
    assert "Sort" not in plan  # PostgreSQL


def test_counts_stop_at_the_cap_and_the_pages_say_so(client, monkeypatch):
    """A count reads at most COUNT_CAP entries; the pages then show "N+"."""
    from django.urls import reverse

    from zhiban.inbox import display

    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    user = UserFactory()
    WorkItemFactory.create_batch(
        7, assignee=user, due_at=NOW - datetime.timedelta(hours=1)
    )
    WorkItemFactory.create_batch(2, assignee=user, state=WorkItem.State.DONE)

    counts = selectors.work_item_counts_for(user=user, now=NOW, tab=selectors.TODO)

    assert (counts[selectors.TODO], counts[selectors.DONE], counts["overdue"]) == (
        5,
        2,
        5,
    )
    assert counts["matching"] == 5
    assert (display.count_label(5), display.count_label(4)) == ("4+", "4")
    client.force_login(user)
    html = client.get(reverse("inbox:list")).content.decode()
    assert ">4+</span>" in html
    assert "4+ 项已超期" in html
