"""Every read of supervision items with a rule: who may see what."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q, QuerySet

from zhiban.inbox.selectors import COUNT_CAP
from zhiban.org.models import Membership, User
from zhiban.supervision import policies
from zhiban.supervision.lights import Light, LightRule
from zhiban.supervision.models import Inspection, ItemDepartment, SupervisionItem


def personally(viewer: User) -> Q:
    return (
        Q(leader=viewer)
        | Q(officer=viewer)
        | Q(created_by=viewer)
        | Q(responsible=viewer)
    )


def involved(viewer: User, **narrow: Any) -> Q:
    """Items the viewer assigned, runs, created or answers for, or their departments'.

    ``narrow`` filters the departments' items by the copies ``ItemDepartment``
    keeps of the item's facts (``item_running=True``, ``item_issued_on__gte=…``,
    ``item_closed_at__gte=…``), so that the database gathers a thousand ids, not a
    department's fifty thousand. Pass only what the statement asks of the items
    themselves as well: the narrowing must not change the answer.
    """
    # "id IN (the departments' item ids)", not a correlated EXISTS per row: at
    # 1,000,000 items a head's light counts took 81 ms in this form against 694 ms
    # (bench/README.md, supervision).
    return personally(viewer) | Q(pk__in=department_items(viewer, **narrow))


def department_items(viewer: User, **narrow: Any) -> QuerySet[Any]:
    """Return the ids of the viewer's departments' items (``narrow``: as for
    ``involved()``)."""
    member_of = Membership.objects.filter(user=viewer).values("department_id")
    return ItemDepartment.objects.filter(department_id__in=member_of, **narrow).values(
        "item_id"
    )


RUNNING_ONLY = {"item_running": True}  # narrows involved() to running items


def visible_items(*, viewer: User, **narrow: Any) -> QuerySet[SupervisionItem]:
    """Return the items the viewer may see (``narrow``: as for ``involved()``).

    The supervision office and the principal leaders see every item; anyone else the
    items they assigned, run, created or answer for, and their departments' items
    (drafts only to their author, leader and officer).
    """
    items = SupervisionItem.objects.all()
    if policies.sees_everything(viewer):
        return items.exclude(Q(state=SupervisionItem.State.DRAFT) & ~_drafters(viewer))
    return items.filter(involved(viewer, **narrow)).exclude(
        Q(state=SupervisionItem.State.DRAFT) & ~_drafters(viewer)
    )


def _drafters(viewer: User) -> Q:
    return Q(created_by=viewer) | Q(leader=viewer) | Q(officer=viewer)


@dataclass(frozen=True)
class ItemFilters:
    """The list page's filters."""

    state: str = ""
    light: str = ""
    department: int | None = None
    source: str = ""
    leader: int | None = None
    q: str = ""
    mine: bool = False
    issued_from: datetime.date | None = None
    issued_to: datetime.date | None = None


def item_list_for(
    *, viewer: User, rule: LightRule, filters: ItemFilters | None = None
) -> QuerySet[SupervisionItem]:
    """Return the items the viewer may see, filtered, with their light annotated."""
    f = filters or ItemFilters()
    # A light but "not running" asks for running items only.
    lit = f.light in LIGHT_VALUES and f.light != Light.NONE.value
    items = visible_items(viewer=viewer, **(RUNNING_ONLY if lit else {}))
    items = items.annotate(light=rule.expression())
    items = _narrowed(items, viewer=viewer, rule=rule, f=f)
    return items.select_related("lead_department", "leader", "responsible", "profile")


def _narrowed(
    items: QuerySet[Any], *, viewer: User, rule: LightRule, f: ItemFilters
) -> QuerySet[Any]:
    if f.state:
        items = items.filter(state=f.state)
    if f.light in LIGHT_VALUES:
        items = items.filter(rule.q(f.light))
    if f.department:
        # The lead department, as the dashboard counts it (a drill-down lands here).
        items = items.filter(lead_department_id=f.department)
    if f.source:
        items = items.filter(source=f.source)
    if f.leader:
        items = items.filter(leader_id=f.leader)
    if f.issued_from:
        items = items.filter(issued_on__gte=f.issued_from)
    if f.issued_to:
        items = items.filter(issued_on__lte=f.issued_to)
    if f.mine and policies.sees_everything(viewer):
        # Anyone else sees only what involves them already: filtering again would
        # make the database build the departments' item list twice per statement.
        items = items.filter(involved(viewer))
    if f.q:
        items = items.filter(Q(title__icontains=f.q) | Q(content__icontains=f.q))
    return items


def light_counts(
    *, viewer: User, rule: LightRule, filters: ItemFilters | None = None
) -> dict[str, int]:
    """Return how many items show each light, under every filter but the light.

    The lights are counted over running items only (a few percent of all, found
    through the ``(state, next_due_on)`` index); the items not running are counted
    up to ``COUNT_CAP`` (shown as "999+"), as the to-do counts are (ADR 7).
    """
    unlit = replace(filters or ItemFilters(), light="")
    items: QuerySet[Any] = item_list_for(viewer=viewer, rule=rule, filters=unlit)
    # Running items are never drafts: counted without visible_items()'s draft rule,
    # so that for a viewer who sees everything the (state, next_due_on, profile)
    # index alone answers.
    running = SupervisionItem.objects.filter(rule.running())
    if not policies.sees_everything(viewer):
        running = running.filter(involved(viewer, **RUNNING_ONLY))
    running = _narrowed(running, viewer=viewer, rule=rule, f=unlit)
    rows = (
        running.annotate(light=rule.expression())
        .order_by()
        .values("light")
        .annotate(n=Count("*"))
    )
    counts = {row["light"]: row["n"] for row in rows}
    counts[Light.NONE.value] = capped_count(items.filter(rule.q(Light.NONE.value)))
    return counts


def capped_count(items: QuerySet[Any]) -> int:
    """Count at most ``COUNT_CAP`` rows (the pages show "999+" from there)."""
    return items.order_by().values("pk")[:COUNT_CAP].count()


def item_get_for(*, viewer: User, pk: int) -> SupervisionItem | None:
    """Return one item the viewer may see, or None."""
    return (
        visible_items(viewer=viewer)
        .select_related(
            "lead_department",
            "leader",
            "officer",
            "responsible",
            "profile",
            "created_by",
            "parent",
        )
        .filter(pk=pk)
        .first()
    )


def items_from_source(*, source: Any) -> QuerySet[SupervisionItem]:
    """Return the items made from an object (a 批办 step, a meeting decision)."""
    from django.contrib.contenttypes.models import ContentType

    return SupervisionItem.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk)
    )


LIGHT_VALUES = [light.value for light in Light]


def acting_as(*, item: SupervisionItem, viewer: User) -> list[User]:
    """Return the viewer and everyone whose open work item on the item they hold.

    A delegate (B on behalf of A) acts for A on the item while holding A's work item.
    """
    from django.contrib.contenttypes.models import ContentType

    from zhiban.inbox.models import WorkItem
    from zhiban.supervision.models import WORK_KIND

    delegators = User.objects.filter(
        pk__in=WorkItem.objects.filter(
            assignee=viewer,
            kind=WORK_KIND,
            state=WorkItem.State.OPEN,
            on_behalf_of__isnull=False,
            target_type=ContentType.objects.get_for_model(SupervisionItem),
            target_id=str(item.pk),
        ).values("on_behalf_of_id")
    )
    return [viewer, *delegators]


def answering_rows(
    *,
    item: SupervisionItem,
    viewer: User,
    rows: list[ItemDepartment] | None = None,
) -> list[ItemDepartment]:
    """Return the item's departments the viewer answers for (lead first)."""
    if rows is None:
        rows = list(item.departments.select_related("department"))
    people = acting_as(item=item, viewer=viewer)
    answered = [
        row
        for row in rows
        if any(
            policies.answers_for(
                person,
                department=row.department,
                responsible_id=item.responsible_id,
                lead=row.role == ItemDepartment.Role.LEAD,
            )
            for person in people
        )
    ]
    return sorted(answered, key=lambda row: row.role != ItemDepartment.Role.LEAD)


def inspection_list_for(*, viewer: User) -> QuerySet[Inspection]:
    """Return the on-site supervisions the viewer may see.

    The supervision office and the principal leaders see all; others those they led
    or took part in, and those of their departments.
    """
    inspections = Inspection.objects.select_related("leader", "item").prefetch_related(
        "departments"
    )
    if policies.sees_everything(viewer):
        return inspections
    member_of = Membership.objects.filter(user=viewer).values("department_id")
    return inspections.filter(
        Q(leader=viewer)
        | Q(created_by=viewer)
        | Q(participants=viewer)
        | Q(departments__in=member_of)
    ).distinct()


def inspection_get_for(*, viewer: User, pk: int) -> Inspection | None:
    return inspection_list_for(viewer=viewer).filter(pk=pk).first()
