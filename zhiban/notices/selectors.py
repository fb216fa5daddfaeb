"""Reads of notices that carry a rule: who sees which notice, and read receipts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from zhiban.notices import policies
from zhiban.notices.models import Notice, NoticeAttachment, NoticeReceipt
from zhiban.org.models import Department, User
from zhiban.org.selectors import user_department_ids

TABS = ("current", "expired", "drafts", "withdrawn")
READ_FILTERS = ("", "read", "unread")


@dataclass(frozen=True)
class NoticeFilters:
    """What the notice list is narrowed to."""

    tab: str = "current"
    read: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> NoticeFilters:
        """Build filters from query parameters, ignoring values we do not know."""
        tab = data.get("tab", "current")
        read = data.get("read", "")
        return cls(
            tab=tab if tab in TABS else "current",
            read=read if read in READ_FILTERS else "",
            q=(data.get("q") or "").strip()[:100],
        )


def _department_parents() -> dict[int, int | None]:
    return dict(Department.objects.order_by().values_list("id", "parent_id"))


def department_ids_with_ancestors(ids: Iterable[int]) -> set[int]:
    """Return the departments and every department above them."""
    parents = _department_parents()
    result: set[int] = set()
    for start in ids:
        node: int | None = start
        while node is not None and node not in result:
            result.add(node)
            node = parents.get(node)
    return result


def department_ids_with_descendants(ids: Iterable[int]) -> set[int]:
    """Return the departments and every department below them."""
    children: dict[int, list[int]] = {}
    for child, parent in _department_parents().items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    result: set[int] = set()
    stack = list(ids)
    while stack:
        node = stack.pop()
        if node in result:
            continue
        result.add(node)
        stack.extend(children.get(node, ()))
    return result


def notice_recipient_ids(*, notice: Notice) -> list[int]:
    """Return the ids of the active people a notice addresses now, in a stable order.

    The author is left out: whoever wrote the notice has nothing to confirm.
    """
    users = User.objects.filter(is_active=True).exclude(pk=notice.author_id)
    if notice.audience == Notice.Audience.DEPARTMENTS:
        chosen = list(notice.departments.values_list("id", flat=True))
        reached = department_ids_with_descendants(chosen)
        users = users.filter(
            Q(primary_department_id__in=reached)
            | Q(memberships__department_id__in=reached)
        )
    return sorted(set(users.values_list("id", flat=True)))


def _visible(user: User) -> Q:
    if policies.is_notice_admin(user):
        return Q()
    department_ids = department_ids_with_ancestors(user_department_ids(user=user))
    addressed = Q(audience=Notice.Audience.EVERYONE) | Q(
        Exists(NoticeReceipt.objects.filter(notice=OuterRef("pk"), user=user))
    )
    if department_ids:
        addressed |= Q(
            Exists(
                Notice.departments.through.objects.filter(
                    notice=OuterRef("pk"), department_id__in=department_ids
                )
            )
        )
    return Q(author=user) | (Q(state=Notice.State.PUBLISHED) & addressed)


def _annotated(user: User) -> QuerySet[Notice]:
    mine = NoticeReceipt.objects.filter(notice=OuterRef("pk"), user=user)
    return (
        Notice.objects.select_related("author", "department")
        .annotate(
            is_recipient=Exists(mine),
            my_read_at=Subquery(mine.values("read_at")[:1]),
            has_attachments=Exists(
                NoticeAttachment.objects.filter(notice=OuterRef("pk"))
            ),
        )
        .order_by("-is_pinned", F("published_at").desc(nulls_first=True), "-id")
    )


def notice_list_for(
    *,
    user: User,
    filters: NoticeFilters | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Notice]:
    """Return the notices the user may see, pinned first, then newest.

    Each row carries is_recipient, my_read_at and has_attachments.
    """
    filters = filters or NoticeFilters()
    now = now or timezone.now()
    queryset = _annotated(user).filter(_visible(user))
    published = Q(state=Notice.State.PUBLISHED)
    expired = Q(expires_at__isnull=False, expires_at__lte=now)
    if filters.tab == "expired":
        queryset = queryset.filter(published & expired)
    elif filters.tab == "drafts":
        queryset = queryset.filter(state=Notice.State.DRAFT)
    elif filters.tab == "withdrawn":
        queryset = queryset.filter(state=Notice.State.WITHDRAWN)
    else:
        queryset = queryset.filter(published & ~expired)
    if filters.read == "read":
        queryset = queryset.filter(my_read_at__isnull=False)  # type: ignore[misc]
    elif filters.read == "unread":
        queryset = queryset.filter(is_recipient=True, my_read_at__isnull=True)  # type: ignore[misc]
    if filters.q:
        queryset = queryset.filter(title__icontains=filters.q)
    return queryset


def notice_get_for(*, user: User, pk: int, with_related: bool = True) -> Notice:
    """Return one notice the user may see, with attachments; raise Http404 otherwise."""
    queryset = _annotated(user).filter(_visible(user), pk=pk)
    if with_related:
        queryset = queryset.prefetch_related(
            Prefetch("attachments", queryset=NoticeAttachment.objects.order_by("id")),
            Prefetch("departments", queryset=Department.objects.order_by("code")),
        )
    notice = queryset.first()
    if notice is None:
        raise Http404
    return notice


def notice_attachment_get_for(
    *, user: User, notice_pk: int, pk: int
) -> NoticeAttachment:
    """Return an attachment of a notice the user may see; raise Http404 otherwise."""
    attachment = (
        NoticeAttachment.objects.filter(pk=pk, notice_id=notice_pk)
        .filter(notice__in=Notice.objects.filter(_visible(user)).values("pk"))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


@dataclass(frozen=True)
class ReceiptCounts:
    """How many recipients have read a notice and how many have not."""

    total: int
    read: int

    @property
    def unread(self) -> int:
        """Return how many have not read it."""
        return self.total - self.read


def notice_receipt_counts(*, notice: Notice) -> ReceiptCounts:
    """Count the recipients of a notice and those who have read it, in one query."""
    counts = NoticeReceipt.objects.filter(notice=notice).aggregate(
        total=Count("id"), read=Count("id", filter=Q(read_at__isnull=False))
    )
    return ReceiptCounts(total=counts["total"], read=counts["read"])


def notice_receipts_for(
    *, user: User, notice: Notice, read: str = ""
) -> QuerySet[NoticeReceipt]:
    """Return the receipt rows of a notice for its author or an administrator.

    Unread first, then by department and name; raise PermissionDenied for others.
    """
    if not policies.can_manage(user, notice):
        raise PermissionDenied
    rows = NoticeReceipt.objects.filter(notice=notice).select_related(
        "user", "department"
    )
    if read == "read":
        rows = rows.filter(read_at__isnull=False)
    elif read == "unread":
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by(
        F("read_at").asc(nulls_first=True), "department__code", "user__username"
    )
