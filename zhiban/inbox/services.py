"""Open and close work items and send notifications. Nothing else writes them."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.inbox.models import (
    ChannelPreference,
    Delivery,
    Notification,
    Urgency,
    WorkItem,
)
from zhiban.org.models import Delegation, Membership, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who a work item reaches: the assignee, and whose work it is if delegated."""

    assignee: User
    on_behalf_of: User | None


def _routes(
    *, users: list[User], kind: str, on: datetime.date, initiator: User | None
) -> dict[int, Recipient]:
    """Return where each person's work of this kind goes today, in one query.

    The same rule as org.selectors.delegation_active_for (the newest active
    delegation that covers the kind, to an active delegate), for many at once,
    and one more: work someone initiated never reaches them as a delegate, so
    nobody approves their own request on someone else's behalf.
    """
    delegations = Delegation.objects.filter(
        delegator_id__in=[user.pk for user in users],
        is_active=True,
        starts_on__lte=on,
        ends_on__gte=on,
        delegate__is_active=True,
    ).order_by("-starts_on", "-id")
    delegate_id_of: dict[int, int] = {}
    for delegation in delegations:
        if (
            delegation.delegator_id not in delegate_id_of
            and delegation.covers(kind)
            and (initiator is None or delegation.delegate_id != initiator.pk)
        ):
            delegate_id_of[delegation.delegator_id] = delegation.delegate_id
    # The delegates are read only when someone delegated (an approval's path
    # mostly finds nobody: no join to compile and read for nothing).
    delegates = (
        User.objects.in_bulk(set(delegate_id_of.values())) if delegate_id_of else {}
    )
    delegate_of = {
        delegator: delegates[delegate]
        for delegator, delegate in delegate_id_of.items()
        if delegate in delegates
    }
    return {
        user.pk: (
            Recipient(assignee=delegate_of[user.pk], on_behalf_of=user)
            if user.pk in delegate_of
            else Recipient(assignee=user, on_behalf_of=None)
        )
        for user in users
    }


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
    own_reminders: bool = False,
) -> list[WorkItem]:
    """Open the same work item for many people at once, in bulk.

    ``own_reminders``: the module reminds and escalates this work itself (the
    supervision urge ladder); the to-do centre's sweeps leave it alone, while its
    due time still orders and marks the list.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    target_fields = _target_fields(target)
    people = list(assignees)
    routes = _routes(users=people, kind=kind, on=today, initiator=initiator)
    items = []
    for user in people:
        recipient = routes[user.pk]
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
                reminded_at=now if own_reminders else None,
                escalated_at=now if own_reminders else None,
                **target_fields,
            )
        )
    # No savepoint inside a caller's transaction: nobody catches a failure here to
    # carry on, and a savepoint costs two round trips per call (bench/README.md).
    with transaction.atomic(savepoint=False):
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
    # One conditional UPDATE: it takes the row lock, and of two closers at once
    # only the first finds the item open (the second reads it back, closed).
    closed_at = timezone.now()
    if not work_items_close(
        ids=[item.pk], by=by, outcome=outcome, state=state, at=closed_at
    ):
        return WorkItem.objects.get(pk=item.pk)
    item.state = state
    item.closed_at = closed_at
    item.closed_by = by
    item.outcome = outcome[:100]
    return item


def work_items_close(
    *,
    ids: Iterable[int],
    by: User | None,
    outcome: str = "",
    state: str = WorkItem.State.DONE,
    at: datetime.datetime | None = None,
) -> int:
    """Close the open ones of these work items in one UPDATE; return how many closed.

    An item closed meanwhile stays as it was (the condition is in the UPDATE).
    """
    wanted = list(ids)
    if not wanted:
        return 0
    return WorkItem.objects.filter(pk__in=wanted, state=WorkItem.State.OPEN).update(
        state=state,
        closed_at=at or timezone.now(),
        closed_by=by,
        outcome=outcome[:100],
    )


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
    # No savepoint inside a caller's transaction: nobody catches a failure here to
    # carry on, and a savepoint costs two round trips per call (bench/README.md).
    with transaction.atomic(savepoint=False):
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
        channels.dispatch(notifications=created, recipients=people)
    return created


@dataclass(frozen=True)
class Message:
    """One notification of a batch in which every message differs (notify_each)."""

    recipient: User
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str | None = None


def notify_each(*, kind: str, messages: Iterable[Message]) -> list[Notification]:
    """Send many different notifications in bulk (a sweep's batch).

    A message with a dedupe key that was sent before is skipped, as in ``notify``.
    """
    from zhiban.inbox import channels  # channels import tasks, which import services

    now = timezone.now()
    rows = [
        Notification(
            recipient=message.recipient,
            kind=kind,
            title=message.title[:200],
            body=message.body,
            url=message.url,
            dedupe_key=message.dedupe_key,
            created_at=now,
        )
        for message in messages
    ]
    if not rows:
        return []
    # No savepoint inside a caller's transaction (see notify_many).
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        keys = [row.dedupe_key for row in rows if row.dedupe_key]
        created = list(
            Notification.objects.filter(
                Q(dedupe_key__in=keys) | Q(dedupe_key__isnull=True),
                created_at=now,
                kind=kind,
            )
        )
        channels.dispatch(
            notifications=created, recipients=[row.recipient for row in rows]
        )
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


def work_item_cc_read(
    *, item: WorkItem, by: User, now: datetime.datetime | None = None
) -> bool:
    """Mark a copied (抄送) item read by closing it; return whether it changed.

    Only an open cc item changes; reading it twice, or opening an item that is not
    a cc, changes nothing.
    """
    if not item.is_cc:
        return False
    at = now or timezone.now()
    with transaction.atomic():
        changed = WorkItem.objects.filter(
            pk=item.pk, is_cc=True, state=WorkItem.State.OPEN
        ).update(state=WorkItem.State.DONE, closed_at=at, closed_by=by, outcome="read")
    return bool(changed)


# --- Notifications read state -----------------------------------------------------


def notification_mark_read(
    *, user: User, notification_id: int, now: datetime.datetime | None = None
) -> bool:
    """Mark one of the user's notifications read; return whether it was unread.

    Raises Notification.DoesNotExist when it is not the user's notification.
    """
    at = now or timezone.now()
    with transaction.atomic():
        queryset = Notification.objects.filter(pk=notification_id, recipient=user)
        changed = queryset.filter(read_at__isnull=True).update(read_at=at)
        if not changed and not queryset.exists():
            raise Notification.DoesNotExist
    return bool(changed)


def notifications_mark_all_read(
    *, user: User, now: datetime.datetime | None = None
) -> int:
    """Mark every unread notification of the user read; return how many."""
    at = now or timezone.now()
    with transaction.atomic():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=at
        )


# --- Channel preferences ------------------------------------------------------------


def channel_preference_set(
    *, user: User, channel: str, is_enabled: bool
) -> ChannelPreference:
    """Turn one outside channel on or off for the user's notifications."""
    if channel not in ChannelPreference.Channel.values:
        raise DomainError(
            {
                "channel": _("There is no channel named “%(channel)s”.")
                % {"channel": channel}
            }
        )
    with transaction.atomic():
        preference, _created = ChannelPreference.objects.update_or_create(
            user=user, channel=channel, defaults={"is_enabled": is_enabled}
        )
        audit_record(
            actor=user,
            action="inbox.channel_preference_set",
            target=preference,
            data={"channel": channel, "is_enabled": is_enabled},
        )
    return preference


# --- Deliveries on outside channels ---------------------------------------------------


def delivery_backoff(*, attempts: int) -> datetime.timedelta:
    """Return how long to wait after the given number of failed attempts."""
    base = settings.DELIVERY_RETRY_SECONDS
    return datetime.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def _lease() -> datetime.timedelta:
    # Long enough for one send to finish; a worker that died mid-send leaves the
    # delivery in SENDING, and it becomes due again when the lease runs out.
    return datetime.timedelta(seconds=max(settings.WEBHOOK_TIMEOUT * 4, 60))


def delivery_send(*, delivery_id: int, now: datetime.datetime) -> str:
    """Send one due delivery unless another run already did; return its state.

    The delivery is claimed with a conditional UPDATE (pending and due → sending),
    so two runs of the same task never both send. A failure is recorded and
    retried with exponential back-off; after DELIVERY_MAX_ATTEMPTS it is failed.
    It never raises for a failing channel.
    """
    from zhiban.inbox.channels import channel_for

    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            state=Delivery.State.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + _lease(),
        )
    )
    if not claimed:
        state = (
            Delivery.objects.filter(pk=delivery_id)
            .values_list("state", flat=True)
            .first()
        )
        return state or ""
    delivery = Delivery.objects.select_related("notification__recipient").get(
        pk=delivery_id
    )
    mine = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING)
    try:
        channel_for(delivery.channel).send(delivery.notification)
    except Exception as error:  # any failure of an outside system is recorded
        message = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
            state, next_attempt_at = Delivery.State.FAILED, None
        else:
            state = Delivery.State.PENDING
            next_attempt_at = now + delivery_backoff(attempts=delivery.attempts)
        mine.update(state=state, last_error=message, next_attempt_at=next_attempt_at)
        logger.warning(
            "delivery %s on %s failed (attempt %s): %s",
            delivery_id,
            delivery.channel,
            delivery.attempts,
            message,
        )
        return state
    mine.update(state=Delivery.State.SENT, sent_at=now, next_attempt_at=None)
    return Delivery.State.SENT


def deliveries_due(*, now: datetime.datetime, limit: int = 500) -> list[int]:
    """Return the ids of deliveries to (re)try now; free those whose lease ran out."""
    Delivery.objects.filter(
        state=Delivery.State.SENDING, next_attempt_at__lte=now
    ).update(state=Delivery.State.PENDING)
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


# --- Reminders and escalation -----------------------------------------------------


def work_items_remind_due(*, now: datetime.datetime) -> int:
    """Remind assignees of open items due within REMINDER_HOURS, once each.

    Returns how many reminders were sent. A conditional update of reminded_at
    claims each item, so however often this runs, each item is reminded once.
    """
    horizon = now + datetime.timedelta(hours=settings.REMINDER_HOURS)
    candidates = list(
        WorkItem.objects.filter(
            state=WorkItem.State.OPEN,
            is_cc=False,
            reminded_at__isnull=True,
            due_at__gte=now,
            due_at__lte=horizon,
        )
        .select_related("assignee")
        .order_by("due_at", "id")
    )
    sent = 0
    for item in candidates:
        with transaction.atomic():
            claimed = WorkItem.objects.filter(
                pk=item.pk, reminded_at__isnull=True, state=WorkItem.State.OPEN
            ).update(reminded_at=now)
            if not claimed:
                continue
            due = timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")
            with translation.override(item.assignee.language):
                title = _("Due soon: %(title)s") % {"title": item.title}
                body = _("This item is due at %(due)s.") % {"due": due}
            notify_many(
                recipients=[item.assignee],
                kind="inbox.reminder",
                title=title,
                body=body,
                url=item.url,
                work_items=[item],
                dedupe_key=f"inbox.reminder:{item.pk}",
            )
            sent += 1
    return sent


def _escalation_targets(items: list[WorkItem]) -> dict[int, list[User]]:
    """Return, per department id, the active heads of the assignees' departments."""
    department_ids = {
        item.assignee.primary_department_id
        for item in items
        if item.assignee.primary_department_id
    }
    heads: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        department_id__in=department_ids, is_head=True, user__is_active=True
    ).select_related("user"):
        heads[membership.department_id].append(membership.user)
    return heads


def work_items_escalate_overdue(*, now: datetime.datetime) -> int:
    """Tell the department heads of each overdue item's assignee, once per item.

    A head who is the assignee is not told about their own item; when nobody
    else heads the department, nobody is. Returns how many items were escalated.
    """
    candidates = list(
        WorkItem.objects.filter(
            state=WorkItem.State.OPEN,
            is_cc=False,
            escalated_at__isnull=True,
            due_at__lt=now,
        )
        .select_related("assignee")
        .order_by("due_at", "id")
    )
    heads = _escalation_targets(candidates)
    escalated = 0
    for item in candidates:
        with transaction.atomic():
            claimed = WorkItem.objects.filter(
                pk=item.pk, escalated_at__isnull=True, state=WorkItem.State.OPEN
            ).update(escalated_at=now)
            if not claimed:
                continue
            recipients = [
                head
                for head in heads.get(item.assignee.primary_department_id or 0, [])
                if head.pk != item.assignee_id
            ]
            for head in recipients:
                with translation.override(head.language):
                    title = _("Overdue: %(title)s") % {"title": item.title}
                    body = _(
                        "%(person)s has not handled this item by its due time."
                    ) % {"person": item.assignee.display_name}
                notify(
                    recipient=head,
                    kind="inbox.escalation",
                    title=title,
                    body=body,
                    url=item.url,
                    dedupe_key=f"inbox.escalation:{item.pk}",
                )
            audit_record(
                actor=None,
                action="inbox.work_item_escalate",
                target=item,
                on_behalf_of=None,
                data={"to": [head.pk for head in recipients]},
            )
            escalated += 1
    return escalated


__all__ = [
    "channel_preference_set",
    "deliveries_due",
    "delivery_send",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_many",
    "work_item_cc_read",
    "work_item_close",
    "work_item_open",
    "work_items_close",
    "work_items_close_for",
    "work_items_escalate_overdue",
    "work_items_open",
    "work_items_remind_due",
]
