"""Open and close work items and send notifications. Nothing else writes them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from zhiban.inbox.models import Notification, Urgency, WorkItem
from zhiban.org.models import User
from zhiban.org.selectors import delegation_active_for


@dataclass(frozen=True)
class Recipient:
    """Who a work item reaches: the assignee, and whose work it is if delegated."""

    assignee: User
    on_behalf_of: User | None


def _route(*, user: User, kind: str, on: datetime.date) -> Recipient:
    delegation = delegation_active_for(user=user, kind=kind, on=on)
    if delegation is None:
        return Recipient(assignee=user, on_behalf_of=None)
    return Recipient(assignee=delegation.delegate, on_behalf_of=user)


def _target_fields(target: models.Model | None) -> dict[str, Any]:
    if target is None:
        return {"target_type": None, "target_id": ""}
    return {
        "target_type": ContentType.objects.get_for_model(target),
        "target_id": str(target.pk),
    }


def work_item_open(
    *,
    assignee: User,
    kind: str,
    title: str,
    target: models.Model | None = None,
    url: str = "",
    reason: str = "",
    initiator: User | None = None,
    urgency: int = Urgency.NORMAL,
    due_at: datetime.datetime | None = None,
    is_cc: bool = False,
    notify_assignee: bool = True,
) -> WorkItem:
    """Open one work item for a person (or their delegate) and tell them."""
    return work_items_open(
        assignees=[assignee],
        kind=kind,
        title=title,
        target=target,
        url=url,
        reason=reason,
        initiator=initiator,
        urgency=urgency,
        due_at=due_at,
        is_cc=is_cc,
        notify_assignees=notify_assignee,
    )[0]


def work_items_open(
    *,
    assignees: Iterable[User],
    kind: str,
    title: str,
    target: models.Model | None = None,
    url: str = "",
    reason: str = "",
    initiator: User | None = None,
    urgency: int = Urgency.NORMAL,
    due_at: datetime.datetime | None = None,
    is_cc: bool = False,
    notify_assignees: bool = True,
) -> list[WorkItem]:
    """Open the same work item for many people at once, in bulk."""
    now = timezone.now()
    today = timezone.localdate(now)
    target_fields = _target_fields(target)
    items = []
    for user in assignees:
        recipient = _route(user=user, kind=kind, on=today)
        items.append(
            WorkItem(
                assignee=recipient.assignee,
                on_behalf_of=recipient.on_behalf_of,
                initiator=initiator,
                kind=kind,
                is_cc=is_cc,
                title=title[:200],
                reason=reason[:200],
                url=url,
                urgency=urgency,
                due_at=due_at,
                opened_at=now,
                **target_fields,
            )
        )
    with transaction.atomic():
        created = WorkItem.objects.bulk_create(items, batch_size=500)
        if created and created[0].pk is None:
            # Backends that do not return ids from bulk inserts: read them back.
            created = list(
                WorkItem.objects.filter(
                    opened_at=now, kind=kind, **target_fields
                ).order_by("id")
            )
        if notify_assignees:
            notify_many(
                recipients=[item.assignee for item in created],
                kind=kind,
                title=title,
                url=url,
                work_items=created,
            )
    return created


def work_item_close(
    *,
    item: WorkItem,
    by: User | None,
    outcome: str = "",
    state: str = WorkItem.State.DONE,
) -> WorkItem:
    """Close one open work item; closing a closed one changes nothing."""
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        if locked.state != WorkItem.State.OPEN:
            return locked
        locked.state = state
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.outcome = outcome[:100]
        locked.save(update_fields=["state", "closed_at", "closed_by", "outcome"])
        return locked


def work_items_close_for(
    *,
    target: models.Model,
    kind: str | None = None,
    assignees: Iterable[User] | None = None,
    by: User | None,
    outcome: str = "",
    state: str = WorkItem.State.DONE,
) -> int:
    """Close the open work items about a business object; return how many closed."""
    queryset = WorkItem.objects.filter(
        state=WorkItem.State.OPEN, **_target_fields(target)
    )
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if assignees is not None:
        ids = [user.pk for user in assignees]
        queryset = queryset.filter(
            models.Q(assignee_id__in=ids) | models.Q(on_behalf_of_id__in=ids)
        )
    return queryset.update(
        state=state,
        closed_at=timezone.now(),
        closed_by=by,
        outcome=outcome[:100],
    )


def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    work_items: list[WorkItem] | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Notify people in the app; outside channels are sent after commit."""
    from zhiban.inbox import channels  # channels import tasks, which import services

    now = timezone.now()
    people = list(recipients)
    notifications = [
        Notification(
            recipient=user,
            kind=kind,
            title=title[:200],
            body=body,
            url=url,
            work_item=work_items[index] if work_items else None,
            dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else None,
            created_at=now,
        )
        for index, user in enumerate(people)
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            notifications, batch_size=500, ignore_conflicts=dedupe_key is not None
        )
        if dedupe_key is not None or (created and created[0].pk is None):
            keys = [n.dedupe_key for n in notifications if n.dedupe_key]
            created = list(
                Notification.objects.filter(dedupe_key__in=keys, created_at=now)
                if keys
                else Notification.objects.filter(
                    created_at=now, kind=kind, title=title[:200]
                )
            )
        channels.dispatch(notifications=created)
    return created


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
) -> Notification | None:
    """Notify one person; with a dedupe key, the same notice is never sent twice."""
    created = notify_many(
        recipients=[recipient],
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
    )
    return created[0] if created else None


__all__ = [
    "notify",
    "notify_many",
    "work_item_close",
    "work_item_open",
    "work_items_close_for",
    "work_items_open",
]
