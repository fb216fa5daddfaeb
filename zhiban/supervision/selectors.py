"""Every read of supervision items with a rule: who may see what."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.lookups import Exact

from zhiban.inbox.selectors import COUNT_CAP
from zhiban.org.models import Membership, User
from zhiban.supervision import policies
from zhiban.supervision.lights import Light, LightRule
from zhiban.supervision.models import Inspection, ItemDepartment, SupervisionItem

PERSONAL_ROLES = ("leader", "officer", "created_by", "responsible")


def personally(viewer: User) -> Q:
    """Items the viewer assigned, runs, created or answers for (``PERSONAL_ROLES``)."""
    found = Q()
    for role in PERSONAL_ROLES:
        found |= Q(**{role: viewer})
    return found


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


def department_items(
    viewer: User, *, departments: list[int] | None = None, **narrow: Any
) -> QuerySet[Any]:
    """Return the ids of the viewer's departments' items (``narrow``: as for
    ``involved()``).

    ``departments``: the viewer's departments, read before (``departments_of``) and
    named in the statement. For a member of one department the database then knows
    each item comes once (item and department are unique together) and reads the
    department's items in id order, stopping at the rows asked for; asked "in the
    viewer's departments", it first gathers and de-duplicates all of them (51,000
    for a head at 1,000,000 items: 14 ms of each statement on PostgreSQL).
    """
    member_of: Any = (
        departments
        if departments is not None
        else Membership.objects.filter(user=viewer).values("department_id")
    )
    return ItemDepartment.objects.filter(department_id__in=member_of, **narrow).values(
        "item_id"
    )


def departments_of(viewer: User) -> list[int]:
    """Return the ids of the viewer's departments."""
    return sorted(
        set(
            Membership.objects.filter(user=viewer).values_list(
                "department_id", flat=True
            )
        )
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


def item_pages_for(
    *,
    viewer: User,
    rule: LightRule,
    filters: ItemFilters | None = None,
    finish: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
) -> QuerySet[SupervisionItem] | MergedItems:
    """Return what the list pages: the rows of ``item_list_for``, newest first.

    For the supervision office and the principal leaders, that queryset itself. For
    anyone else, the same rows read as two parts (``MergedItems``): their departments'
    items and their own. ``finish`` adds what the page shows to the rows of a page.
    """
    f = filters or ItemFilters()
    finish = finish or _same
    if policies.sees_everything(viewer):
        return finish(item_list_for(viewer=viewer, rule=rule, filters=f)).order_by(
            "-id"
        )
    lit = f.light in LIGHT_VALUES and f.light != Light.NONE.value
    parts = _parts(
        viewer=viewer,
        rule=rule,
        f=f,
        narrow=RUNNING_ONLY if lit else {},
        departments=departments_of(viewer),
    )

    def rows(found: QuerySet[Any]) -> QuerySet[Any]:
        return finish(
            found.annotate(light=rule.expression()).select_related(
                "lead_department", "leader", "responsible", "profile"
            )
        )

    return MergedItems(parts, rows)


def _parts(
    *,
    viewer: User,
    rule: LightRule,
    f: ItemFilters,
    narrow: dict[str, Any],
    departments: list[int],
    by_role: bool = True,
) -> tuple[QuerySet[Any], ...]:
    """The viewer's departments' items, then theirs role by role, each filtered
    (``narrow``: as for ``involved()``), for a viewer who does not see everything.

    Role by role, not as one OR: SQLite's statistics keep one average per index (an
    overseeing leader's 166,000 items, the one officer's million), so for the OR it
    judged a walk of the whole table cheaper than four index look-ups, and a head, who
    is no leader, waited for the walk to find nothing (240 ms at 1,000,000 items). One
    role asked at a time (``Seldom``) is read from its index, in id order.
    ``by_role=False`` asks the roles as one OR, for running items only: the lights
    index holds the people too, and walking its 20,000 running entries beats looking
    up an overseeing leader's 166,000 items.
    """
    not_drafts = Q(state=SupervisionItem.State.DRAFT) & ~_drafters(viewer)
    return tuple(
        _narrowed(
            SupervisionItem.objects.filter(part).exclude(not_drafts),
            viewer=viewer,
            rule=rule,
            f=f,
        )
        for part in (
            Q(pk__in=department_items(viewer, departments=departments, **narrow)),
            *(
                (Seldom(F(f"{role}_id"), viewer.pk) for role in PERSONAL_ROLES)
                if by_role
                else [personally(viewer)]
            ),
        )
    )


class Seldom(Exact):
    """``column = value``, which SQLite's planner is told holds for few rows.

    Its statistics keep one average per index: the officer is on every item of the
    bench, so "officer = a head" looked like a million rows, and a count of a head's
    own items walked a whole index instead of looking theirs up (48 ms, finding
    none). ``likelihood()`` tells it otherwise; PostgreSQL knows the common values and
    gets the plain condition.
    """

    def as_sqlite(self, compiler: Any, connection: Any) -> Any:
        sql, params = self.as_sql(compiler, connection)
        return f"likelihood({sql}, 0.001)", params


class MergedItems:
    """A list, newest first, read as the union of parts, each through its own index.

    A viewer who does not see everything sees "my items or my departments' items".
    Asked in one statement, that OR makes the database gather every item id of the
    departments (a head at 1,000,000 items: 51,000) before it can answer anything, in
    each statement of the page. Each part alone is read newest first through its own
    index and stops at the rows asked for; the parts' ids are merged here. Django's
    paginator reads it through ``count_upto`` (``CappedPaginator``) and slices.
    """

    ordered = True  # newest first; the paginator warns about unordered lists

    def __init__(
        self,
        parts: tuple[QuerySet[Any], ...],
        rows: Callable[[QuerySet[Any]], QuerySet[Any]],
    ) -> None:
        self.parts = parts
        self.rows = rows

    def filter(self, *args: Any, **kwargs: Any) -> MergedItems:
        return MergedItems(
            tuple(part.filter(*args, **kwargs) for part in self.parts), self.rows
        )

    def count_upto(self, cap: int) -> int:
        """Count the rows, at most ``cap``: each part's first ``cap`` suffice."""
        found: set[int] = set()
        for part in self.parts:
            found.update(part.order_by().values_list("pk", flat=True)[:cap])
        return min(len(found), cap)

    def ids(self, stop: int) -> list[int]:
        """Return the first ``stop`` ids: they are among each part's first ``stop``."""
        found: set[int] = set()
        for part in self.parts:
            found.update(part.order_by("-pk").values_list("pk", flat=True)[:stop])
        return sorted(found, reverse=True)[:stop]

    def __getitem__(self, key: slice) -> list[SupervisionItem]:
        if not isinstance(key, slice) or key.step is not None or key.stop is None:
            raise TypeError("MergedItems reads pages: [start:stop]")
        start = key.start or 0
        ids = self.ids(key.stop)[start:]
        if not ids:
            return []
        return list(
            self.rows(SupervisionItem.objects.filter(pk__in=ids)).order_by("-pk")
        )


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
    not_running = rule.q(Light.NONE.value)
    if policies.sees_everything(viewer):
        # Running items are never drafts: counted without visible_items()'s draft
        # rule, so that the (state, next_due_on, profile) index alone answers.
        running = _narrowed(
            SupervisionItem.objects.filter(rule.running()),
            viewer=viewer,
            rule=rule,
            f=unlit,
        )
        rows = (
            running.annotate(light=rule.expression())
            .order_by()
            .values_list("light")
            .annotate(n=Count("*"))
        )
        counts: dict[str, int] = dict(rows)
        items = item_list_for(viewer=viewer, rule=rule, filters=unlit)
        counts[Light.NONE.value] = capped_count(items.filter(not_running))
        return counts
    # Each part through its own index (see MergedItems); an item in several parts
    # counted once. The running items a viewer sees are a few thousand at most (an
    # overseeing leader: 3,700 at 1,000,000 items), read with their light from the
    # lights index; asked back as "id IN (the parts' union)" they took 18 ms more.
    departments = departments_of(viewer)
    lights: dict[int, str] = {}
    for part in _parts(
        viewer=viewer,
        rule=rule,
        f=unlit,
        narrow=RUNNING_ONLY,
        departments=departments,
        by_role=False,
    ):
        lights.update(
            part.filter(rule.running())
            .annotate(light=rule.expression())
            .order_by()
            .values_list("pk", "light")
        )
    counts = dict(Counter(lights.values()))
    merged = MergedItems(
        _parts(viewer=viewer, rule=rule, f=unlit, narrow={}, departments=departments),
        _same,
    )
    counts[Light.NONE.value] = merged.filter(not_running).count_upto(COUNT_CAP)
    return counts


def _same(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows


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
