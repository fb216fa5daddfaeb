"""Reads of the to-do centre. The visibility rule of work items lives here only.

A work item is *mine* to list when I am its assignee (待办 / 已办 / 抄送我的) or its
initiator (我发起的). I may *handle* (open) it when I am its assignee, or the person
on whose behalf it reached the assignee by delegation. Nobody else sees it.

The list page is the busiest page of the platform, so these reads are shaped for
speed: one aggregate query gives every tab count (and the count the paginator
needs), and rows come back as dictionaries, not model instances.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from zhiban.inbox.models import (
    ChannelPreference,
    Notification,
    WorkItem,
    due_missing,
)
from zhiban.org.models import (
    DISPLAY_NAME_COLUMNS,
    User,
    display_name_expression,
    display_name_of,
)

TODO = "todo"
DONE = "done"
INITIATED = "initiated"
CC = "cc"
TABS: tuple[str, ...] = (TODO, DONE, INITIATED, CC)

DUE_OVERDUE = "overdue"
DUE_SOON = "soon"
DUE_NONE = "none"

SORT_URGENCY = "urgency"
SORT_DUE = "due"
SORT_RECENT = "recent"

# The columns a list row needs; read with .values(), never as model instances.
ROW_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "title",
    "reason",
    "url",
    "urgency",
    "due_at",
    "state",
    "is_cc",
    "opened_at",
    "closed_at",
    "on_behalf_of_id",
)


@dataclass(frozen=True)
class WorkItemFilters:
    """The filters of a work item list; the empty value of each means "any"."""

    kind: str = ""
    urgency: int | None = None
    due: str = ""  # "", DUE_OVERDUE, DUE_SOON, DUE_NONE
    within_hours: int | None = None  # for DUE_SOON; default settings.REMINDER_HOURS
    search: str = ""
    sort: str = ""  # "", SORT_URGENCY, SORT_DUE, SORT_RECENT

    @property
    def narrows(self) -> bool:
        """Return whether any filter leaves out rows (sorting does not)."""
        return bool(
            self.kind or self.urgency is not None or self.due or self.search.strip()
        )


NO_FILTERS = WorkItemFilters()


def _tab_q(*, user_id: int, tab: str) -> Q:
    if tab == TODO:
        return Q(assignee_id=user_id, is_cc=False, state=WorkItem.State.OPEN)
    if tab == DONE:
        return Q(assignee_id=user_id, is_cc=False, state=WorkItem.State.DONE)
    if tab == INITIATED:
        return Q(initiator_id=user_id)
    if tab == CC:
        return Q(assignee_id=user_id, is_cc=True)
    raise ValueError(f"unknown tab {tab!r}")


def _soon_hours(filters: WorkItemFilters) -> int:
    return filters.within_hours or settings.REMINDER_HOURS


def _filters_q(*, filters: WorkItemFilters, now: datetime.datetime) -> Q:
    q = Q()
    if filters.kind:
        q &= Q(kind=filters.kind)
    if filters.urgency is not None:
        q &= Q(urgency=filters.urgency)
    if filters.due == DUE_OVERDUE:
        q &= Q(due_at__lt=now)
    elif filters.due == DUE_SOON:
        hours = _soon_hours(filters)
        q &= Q(due_at__gte=now, due_at__lte=now + datetime.timedelta(hours=hours))
    elif filters.due == DUE_NONE:
        q &= Q(due_at__isnull=True)
    search = filters.search.strip()
    if search:
        q &= Q(title__icontains=search)
    return q


_COUNT_KEYS = (TODO, DONE, INITIATED, CC, "overdue", "cc_unread", "matching")

# Counts stop at this many: a count reads at most this many index entries, so the
# page costs the same for someone with 10,000 open items (bench/README.md). The
# pages show "999+" (display.count_label); the API says so with `count_cap`.
COUNT_CAP = 1000


def work_item_counts_for(
    *,
    user: User,
    now: datetime.datetime,
    tab: str | None = None,
    filters: WorkItemFilters = NO_FILTERS,
) -> dict[str, int]:
    """Return the tab counts (and overdue, unread cc) in one query, each at most
    COUNT_CAP.

    With a tab, the result also holds `matching`: how many rows of that tab pass
    the filters, so that the paginator needs no COUNT query of its own.
    """
    sql, params = _counts_sql(user=user, now=now, tab=tab, filters=filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _counts_from(row, tab=tab, filters=filters)


def _counts_sql(
    *,
    user: User,
    now: datetime.datetime,
    tab: str | None,
    filters: WorkItemFilters,
) -> tuple[str, list[Any]]:
    # Hand-written SQL: the ORM's filtered aggregate cost ~50 times the query
    # itself (milliseconds on the busiest page). Capped subqueries run alike on
    # SQLite and PostgreSQL, each on the assignee's or initiator's index.
    # The conditions are the same as _tab_q's (tested to agree).
    uid = user.pk
    open_, done = WorkItem.State.OPEN.value, WorkItem.State.DONE.value
    todo = "assignee_id = %s AND is_cc = %s AND state = %s"
    cc = "assignee_id = %s AND is_cc = %s"
    conditions: list[tuple[str, list[Any]]] = [
        (todo, [uid, False, open_]),
        (todo, [uid, False, done]),
        ("initiator_id = %s", [uid]),
        (cc, [uid, True]),
        (
            f"{todo} AND due_at < %s",
            [uid, False, open_, connection.ops.adapt_datetimefield_value(now)],
        ),
        (f"{cc} AND state = %s", [uid, True, open_]),
    ]
    narrowed = tab is not None and filters.narrows
    if tab is not None and narrowed:
        # The filters' condition is the ORM's own, compiled, so this count and
        # the rows of work_item_list_for can never disagree.
        query = WorkItem.objects.filter(
            _tab_q(user_id=uid, tab=tab) & _filters_q(filters=filters, now=now)
        ).query
        where_sql, where_params = query.get_compiler(connection=connection).compile(
            query.where
        )
        conditions.append((where_sql, list(where_params)))
    table = connection.ops.quote_name(WorkItem._meta.db_table)
    # One capped scalar subquery per count, each read from an index: the first
    # COUNT_CAP matching entries and no more.
    counted = (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT %s) c{i})"  # noqa: S608 - every value is a query parameter
        for i, (where, _) in enumerate(conditions)
    )
    sql = "SELECT " + ", ".join(counted)
    params = [value for _, values in conditions for value in [*values, COUNT_CAP]]
    return sql, params


def _counts_from(
    row: tuple[Any, ...], *, tab: str | None, filters: WorkItemFilters
) -> dict[str, int]:
    counts = dict(zip(_COUNT_KEYS, row, strict=False))
    if tab is not None and not filters.narrows:
        counts["matching"] = counts[tab]
    return counts


def _ordering(*, tab: str, sort: str) -> list[Any]:
    # Due time first, items without one last: written as "due_at IS NULL, due_at"
    # to match the workitem_tab index (NULLS LAST cannot be indexed on SQLite).
    due_first = [due_missing().asc(), F("due_at").asc()]
    if not sort:
        sort = {DONE: SORT_RECENT, INITIATED: SORT_RECENT}.get(tab, SORT_URGENCY)
    if sort == SORT_DUE:
        return [*due_first, "-urgency", "-id"]
    if sort == SORT_RECENT:
        recent = "-closed_at" if tab == DONE else "-opened_at"
        return [recent, "-id"]
    return ["-urgency", *due_first, "-id"]


def work_item_list_for(
    *,
    user: User,
    tab: str = TODO,
    filters: WorkItemFilters = NO_FILTERS,
    now: datetime.datetime,
) -> QuerySet[WorkItem, dict[str, Any]]:
    """Return the rows of one tab of the user's to-do centre, as dictionaries.

    Each row also carries the other person it concerns, `counterpart_name`: who
    sent it, or on the 我发起的 tab whom it was sent to.
    `on_behalf_of_id` set means it reached the user by delegation (代 A 办理).
    """
    other = "assignee" if tab == INITIATED else "initiator"
    return (
        WorkItem.objects.filter(
            _tab_q(user_id=user.pk, tab=tab) & _filters_q(filters=filters, now=now)
        )
        .order_by(*_ordering(tab=tab, sort=filters.sort))
        .values(
            *ROW_FIELDS,
            on_behalf_of_name=display_name_expression("on_behalf_of"),
            counterpart_name=display_name_expression(other),
        )
    )


_ORDER_SQL = {
    # As _ordering, column for column the workitem_tab index.
    SORT_URGENCY: "{t}.urgency DESC, ({t}.due_at IS NULL), {t}.due_at, {t}.id DESC",
    SORT_DUE: "({t}.due_at IS NULL), {t}.due_at, {t}.urgency DESC, {t}.id DESC",
}
_DATETIME_KEYS = ("due_at", "opened_at", "closed_at")


def _tab_sql(*, user_id: int, tab: str) -> tuple[str, list[Any]]:
    # The same conditions as _tab_q (tested to agree).
    if tab == TODO:
        return "{t}.assignee_id = %s AND {t}.is_cc = %s AND {t}.state = %s", [
            user_id,
            False,
            WorkItem.State.OPEN.value,
        ]
    if tab == DONE:
        return "{t}.assignee_id = %s AND {t}.is_cc = %s AND {t}.state = %s", [
            user_id,
            False,
            WorkItem.State.DONE.value,
        ]
    if tab == INITIATED:
        return "{t}.initiator_id = %s", [user_id]
    if tab == CC:
        return "{t}.assignee_id = %s AND {t}.is_cc = %s", [user_id, True]
    raise ValueError(f"unknown tab {tab!r}")


def work_item_page_for(
    *,
    user: User,
    tab: str = TODO,
    filters: WorkItemFilters = NO_FILTERS,
    now: datetime.datetime,
    offset: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Return one page of work_item_list_for's rows, in one cheap query.

    The same rows, keys and order as work_item_list_for (tested to agree), for the
    list page and the API: compiling the ORM query cost more than running it, so
    the query is written out once here; filters, when given, are the ORM's own
    condition, compiled.
    """
    sql, params = _page_sql(
        user=user, tab=tab, filters=filters, now=now, offset=offset, limit=limit
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = _rows_from(cursor.fetchall())
    names = _names_of(
        {row[key] for row in rows for key in ("on_behalf_of_id", "counterpart_id")}
    )
    for row in rows:
        row["on_behalf_of_name"] = names.get(row["on_behalf_of_id"])
        row["counterpart_name"] = names.get(row.pop("counterpart_id"))
    return rows


def _names_of(user_ids: set[int | None]) -> dict[int, str]:
    """Return the display names of the page's people, in one read by primary key.

    Read after the page, not as subqueries of its statement: PostgreSQL scanned a
    small user table once per row for those (0.45 ms a page with 200 users,
    bench/README.md); by its primary key the read costs the same at any size.
    """
    wanted = sorted(pk for pk in user_ids if pk is not None)
    if not wanted:
        return {}
    quote = connection.ops.quote_name
    users = quote(User._meta.db_table)
    columns = ", ".join(f"u.{quote(column)}" for column in DISPLAY_NAME_COLUMNS)
    params: list[Any]
    if connection.vendor == "postgresql":
        # One statement whatever the count, so it is prepared once (ADR 14).
        where, params = "u.id = ANY(%s)", [wanted]
    else:
        where, params = f"u.id IN ({', '.join(['%s'] * len(wanted))})", list(wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, {columns} FROM {users} u WHERE {where}",  # noqa: S608 - every value is a query parameter
            params,
        )
        return {pk: display_name_of(*names) for pk, *names in cursor.fetchall()}


def work_item_counts_and_page_for(
    *,
    user: User,
    tab: str = TODO,
    filters: WorkItemFilters = NO_FILTERS,
    now: datetime.datetime,
    page_number: int,
    per_page: int = 50,
) -> tuple[dict[str, int], list[dict[str, Any]], int]:
    """Return work_item_counts_for, the rows of one page and that page's number.

    A page past the end gives the last page. The counts first, then the page: on
    PostgreSQL both were once sent in one round trip, which prepared statements
    (ADR 14) do not allow; prepared, each costs less than the round trip saved.
    """
    requested = max(page_number, 1)
    counts_sql, counts_params = _counts_sql(
        user=user, now=now, tab=tab, filters=filters
    )
    with connection.cursor() as cursor:
        cursor.execute(counts_sql, counts_params)
        counts = _counts_from(cursor.fetchone(), tab=tab, filters=filters)
    last_page = max(1, -(-counts["matching"] // per_page))
    number = min(requested, last_page)
    rows = work_item_page_for(
        user=user,
        tab=tab,
        filters=filters,
        now=now,
        offset=(number - 1) * per_page,
        limit=per_page,
    )
    return counts, rows, number


def _page_sql(
    *,
    user: User,
    tab: str,
    filters: WorkItemFilters,
    now: datetime.datetime,
    offset: int,
    limit: int,
) -> tuple[str, list[Any]]:
    quote = connection.ops.quote_name
    table = quote(WorkItem._meta.db_table)
    other = "assignee" if tab == INITIATED else "initiator"
    where, params = _tab_sql(user_id=user.pk, tab=tab)
    where = where.format(t=table)
    if filters.narrows:
        query = WorkItem.objects.filter(_filters_q(filters=filters, now=now)).query
        filter_sql, filter_params = query.get_compiler(connection=connection).compile(
            query.where
        )
        where = f"{where} AND ({filter_sql})"
        params.extend(filter_params)
    sort = filters.sort or {DONE: SORT_RECENT, INITIATED: SORT_RECENT}.get(
        tab, SORT_URGENCY
    )
    if sort == SORT_RECENT:
        recent = "closed_at" if tab == DONE else "opened_at"
        order = f"{table}.{recent} DESC, {table}.id DESC"
    else:
        order = _ORDER_SQL.get(sort, _ORDER_SQL[SORT_URGENCY]).format(t=table)
    sql = (
        f"SELECT {table}.id, {table}.kind, {table}.title, {table}.reason,"  # noqa: S608 - every value is a query parameter
        f" {table}.url, {table}.urgency, {table}.due_at, {table}.state,"
        f" {table}.is_cc, {table}.opened_at, {table}.closed_at,"
        f" {table}.on_behalf_of_id, {table}.{other}_id"
        f" FROM {table}"
        f" WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    params.extend([int(limit), int(offset)])
    return sql, params


_PAGE_KEYS = (*ROW_FIELDS, "counterpart_id")


def _rows_from(records: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    rows = [dict(zip(_PAGE_KEYS, values, strict=True)) for values in records]
    for row in rows:
        row["is_cc"] = bool(row["is_cc"])
        for key in _DATETIME_KEYS:
            value = row[key]
            if value is not None and value.tzinfo is None:
                # SQLite gives naive UTC; the ORM would make it aware the same way.
                row[key] = value.replace(tzinfo=datetime.UTC)
    return rows


def work_items_visible_to(*, user: User) -> QuerySet[WorkItem]:
    """Return every work item the user may look at: theirs, delegated, initiated."""
    return WorkItem.objects.filter(
        Q(assignee_id=user.pk) | Q(on_behalf_of_id=user.pk) | Q(initiator_id=user.pk)
    )


def work_items_handled_by(*, user: User) -> QuerySet[WorkItem]:
    """Return the work items the user may open and act on: as assignee or delegator."""
    return WorkItem.objects.filter(Q(assignee_id=user.pk) | Q(on_behalf_of_id=user.pk))


def work_item_get_for(*, user: User, item_id: int) -> WorkItem:
    """Return one work item the user may look at, or raise WorkItem.DoesNotExist."""
    return (
        work_items_visible_to(user=user)
        .select_related("assignee", "on_behalf_of", "initiator")
        .get(pk=item_id)
    )


# --- Notifications ---------------------------------------------------------------

NOTIFICATION_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "title",
    "body",
    "url",
    "created_at",
    "read_at",
)


def notification_list_for(
    *, user: User, unread_only: bool = False
) -> QuerySet[Notification, dict[str, Any]]:
    """Return the user's notifications, newest first, as dictionaries."""
    queryset = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id").values(*NOTIFICATION_FIELDS)


def notification_counts_for(*, user: User) -> dict[str, int]:
    """Return how many notifications the user has, and how many are unread, at once."""
    return Notification.objects.filter(recipient_id=user.pk).aggregate(
        total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True))
    )


def notification_unread_count_for(*, user: User) -> int:
    """Return how many of the user's notifications are unread."""
    return Notification.objects.filter(
        recipient_id=user.pk, read_at__isnull=True
    ).count()


# --- Channel preferences ------------------------------------------------------------


def channel_default(*, channel: str, email: str) -> bool:
    """Return whether a channel is on for someone who never chose."""
    if channel == ChannelPreference.Channel.EMAIL:
        return bool(email)
    if channel == ChannelPreference.Channel.WEBHOOK:
        return bool(settings.WEBHOOK_URL)
    return False


def channel_preferences_for(*, user: User) -> dict[str, bool]:
    """Return, for every outside channel, whether it delivers the user's notifications."""
    return channel_preferences_for_many(users=[user])[user.pk]


def channel_preferences_for_many(*, users: list[User]) -> dict[int, dict[str, bool]]:
    """Return the channel choices of many people in one query, keyed by user id."""
    chosen: dict[tuple[int, str], bool] = {
        (user_id, channel): is_enabled
        for user_id, channel, is_enabled in ChannelPreference.objects.filter(
            user_id__in=[user.pk for user in users]
        ).values_list("user_id", "channel", "is_enabled")
    }
    return {
        user.pk: {
            channel: chosen.get(
                (user.pk, channel),
                channel_default(channel=channel, email=user.email),
            )
            for channel in ChannelPreference.Channel.values
        }
        for user in users
    }
