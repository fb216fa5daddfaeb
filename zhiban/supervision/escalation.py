"""The urge ladder (催办/督办 escalation), run by a periodic sweep.

Each profile lists its rungs: at yellow, a reminder to the handler; at red, the
department head; red and more than N days overdue, a notice to the assigning leader.
A rung is sent once per node: the ``Escalation`` row and the notifications are written
in one transaction, and a unique constraint on (node, rung) stops a second sweep, run
at the same time or later, from sending it again. A sweep that crashes rolls back the
batch it was writing, so the next run sends it: no rung is skipped or repeated.
A node that went straight to red (no sweep ran in between) still gets every rung up to
red, in order.
"""

from __future__ import annotations

import datetime
from collections import Counter as Tally
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.inbox import services as inbox
from zhiban.org.models import User
from zhiban.org.selectors import department_head_for
from zhiban.org.workdays import WorkingCalendar
from zhiban.supervision.lights import Light, days_back, light_rule
from zhiban.supervision.models import (
    WORK_KIND,
    ClockProfile,
    Escalation,
    ItemNode,
    SupervisionItem,
)

State = SupervisionItem.State
# The states in which the department is working and can be urged.
URGEABLE = (State.ISSUED, State.SIGNED, State.IN_PROGRESS, State.RETURNED)
RUNGS = (Escalation.Rung.HANDLER, Escalation.Rung.HEAD, Escalation.Rung.LEADER)
BATCH = 500


def ladder_errors(ladder: object) -> list[str]:
    """Return what is wrong with a profile's ladder (empty when it is sound)."""
    if not isinstance(ladder, list):
        return [_("The ladder must be a list of rungs.")]
    errors = []
    seen = set()
    for number, rung in enumerate(ladder, start=1):
        if not isinstance(rung, dict) or rung.get("rung") not in RUNGS:
            errors.append(_("Rung %(n)s must name who is told.") % {"n": number})
            continue
        if rung["rung"] in seen:
            errors.append(_("Rung %(n)s repeats an earlier rung.") % {"n": number})
        seen.add(rung["rung"])
        if rung.get("light") not in (Light.YELLOW, Light.RED):
            errors.append(_("Rung %(n)s must be at yellow or red.") % {"n": number})
        after = rung.get("after_days", 0)
        if not isinstance(after, int) or not 0 <= after <= 60:
            errors.append(
                _("Rung %(n)s: days overdue must be 0 to 60.") % {"n": number}
            )
    return errors


class _People:
    """Who each rung reaches, with the heads of departments read once per sweep."""

    def __init__(self) -> None:
        self._heads: dict[int, User | None] = {}

    def head(self, item: SupervisionItem) -> User | None:
        department_id = item.lead_department_id
        if department_id not in self._heads:
            self._heads[department_id] = department_head_for(item.lead_department)
        return self._heads[department_id]

    def for_rung(self, item: SupervisionItem, rung: str) -> list[User]:
        if rung == Escalation.Rung.HANDLER:
            responsible = item.responsible
            handler = (
                responsible
                if responsible is not None and responsible.is_active
                else self.head(item)
            )
            people: Iterable[User | None] = [handler]
        elif rung == Escalation.Rung.HEAD:
            people = [self.head(item)]
        else:
            people = [item.leader if item.leader.is_active else None]
        return [person for person in people if person is not None]


def _message(node: ItemNode, rung: str, light: str) -> tuple[str, str]:
    item = node.item
    label = {"number": item.number, "title": item.title, "node": node.label}
    if rung == Escalation.Rung.HANDLER:
        title = _("Due soon: %(node)s of %(number)s %(title)s") % label
    elif rung == Escalation.Rung.HEAD:
        title = _("Overdue: %(node)s of %(number)s %(title)s") % label
    else:
        title = (
            _("Seriously overdue, for your attention: %(node)s of %(number)s %(title)s")
            % label
        )
    body = _("The node was due on %(due)s.") % {"due": node.due_on.isoformat()}
    return title, body


def _candidates(profile: ClockProfile, rung: dict[str, Any], *, cutoff: Q) -> Any:
    return (
        ItemNode.objects.filter(
            cutoff,
            done_at__isnull=True,
            item__profile=profile,
            item__state__in=URGEABLE,
        )
        .exclude(
            Exists(Escalation.objects.filter(node=OuterRef("pk"), rung=rung["rung"]))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _send_batch(
    ids: list[int], *, rung: str, light: str, people: _People, now: datetime.datetime
) -> int:
    with transaction.atomic():
        nodes = list(
            ItemNode.objects.filter(pk__in=ids).select_related(
                "item",
                "item__lead_department",
                "item__responsible",
                "item__leader",
            )
        )
        recipients = {node.pk: people.for_rung(node.item, rung) for node in nodes}
        Escalation.objects.bulk_create(
            [
                Escalation(
                    item=node.item,
                    node=node,
                    rung=rung,
                    light=light,
                    sent_to=[person.pk for person in recipients[node.pk]],
                    at=now,
                )
                for node in nodes
            ],
            ignore_conflicts=True,
        )
        # Another sweep may have written some of them first: send only ours.
        ours = set(
            Escalation.objects.filter(node_id__in=ids, rung=rung, at=now).values_list(
                "node_id", flat=True
            )
        )
        messages: list[inbox.Message] = []
        sent = 0
        for node in nodes:
            if node.pk not in ours:
                continue
            url = reverse("supervision:detail", args=[node.item_id])
            for person in recipients[node.pk]:
                with translation.override(person.language or None):
                    title, body = _message(node, rung, light)
                messages.append(
                    inbox.Message(
                        recipient=person,
                        title=title,
                        body=body,
                        url=url,
                        dedupe_key=f"supervision:{node.pk}:{rung}:{person.pk}",
                    )
                )
            sent += 1
        inbox.notify_each(kind=WORK_KIND, messages=messages)
        if sent:
            audit_record(
                actor=None,
                action="supervision.escalate",
                data={"rung": rung, "nodes": sorted(ours)[:50], "count": sent},
            )
    return sent


def escalation_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send every rung that is due and has not been sent; return how many per rung."""
    now = timezone.now()
    day = today or timezone.localdate(now)
    calendar = WorkingCalendar()
    rule = light_rule(today=day, calendar=calendar)
    people = _People()
    sent: Tally[str] = Tally()
    for profile in ClockProfile.objects.all():
        for rung in profile.ladder:
            if rung.get("light") == Light.YELLOW:
                cutoff = Q(due_on__lte=rule.yellow_until.get(profile.pk, day))
            else:
                limit = days_back(
                    day, int(rung.get("after_days") or 0), profile.day_basis, calendar
                )
                cutoff = Q(due_on__lt=limit)
            previous: list[int] = []
            while True:
                ids = list(_candidates(profile, rung, cutoff=cutoff)[:BATCH])
                if not ids or ids == previous:
                    break
                previous = ids
                sent[rung["rung"]] += _send_batch(
                    ids, rung=rung["rung"], light=rung["light"], people=people, now=now
                )
    return dict(sent)
