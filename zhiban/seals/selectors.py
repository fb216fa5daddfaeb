"""Reads of seals and the seal-use ledger that carry a rule: who sees which rows.

The ledger's visibility is decided here once, so the page and the Excel export
agree: the office director and the system administrator see every row; a
keeper (or deputy keeper) the rows of the seals they keep; a department head
the rows of their department and the departments below it; everyone their own
requests.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date

from zhiban.org.models import Department, Membership, User
from zhiban.seals import policies
from zhiban.seals.models import Seal, SealUse

STATUSES = tuple(SealUse.Status.values)


def _descendants(ids: Iterable[int]) -> set[int]:
    """Return the departments and every department below them."""
    children: dict[int, list[int]] = {}
    for child, parent in Department.objects.order_by().values_list("id", "parent_id"):
        if parent is not None:
            children.setdefault(parent, []).append(child)
    result: set[int] = set()
    stack = list(ids)
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children.get(node, ()))
    return result


def headed_department_ids(*, user: User) -> set[int]:
    """Return the departments the user heads, with every department below them."""
    heads = Membership.objects.filter(
        user=user, is_head=True, department__is_active=True
    ).values_list("department_id", flat=True)
    ids = list(heads)
    return _descendants(ids) if ids else set()


# --- the register ---------------------------------------------------------------


def seal_list_for(*, viewer: User, include_inactive: bool = True) -> QuerySet[Seal]:
    """Return the seals of the register; only its keepers (roles) see it."""
    if not policies.can_manage_register(viewer):
        return Seal.objects.none()
    queryset = Seal.objects.select_related(
        "unit", "department", "keeper", "deputy_keeper"
    ).order_by("-is_active", "unit__sort_order", "unit__code", "name")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset


def seal_get_for(*, viewer: User, pk: int) -> Seal:
    """Return one seal of the register, or 404."""
    seal = seal_list_for(viewer=viewer).filter(pk=pk).first()
    if seal is None:
        raise Http404
    return seal


def seals_kept_by(*, user: User) -> QuerySet[Seal]:
    """Return the seals the user keeps or deputises for."""
    return Seal.objects.filter(Q(keeper=user) | Q(deputy_keeper=user))


def seal_choices_for(user: User | None) -> list[tuple[int, str]]:
    """Return (id, label) of the active seals a requester may ask to use.

    The seals of the requester's unit (department seals only of their own
    department or one above it); without a department, every active seal.
    """
    queryset = Seal.objects.filter(is_active=True).select_related("unit")
    department = getattr(user, "primary_department", None) if user else None
    if department is not None:
        above = [department.pk, *(d.pk for d in department.ancestors())]
        queryset = queryset.filter(unit_id=department.unit_id).filter(
            ~Q(kind=Seal.Kind.DEPARTMENT) | Q(department_id__in=above)
        )
    return [(seal.pk, seal_label(seal)) for seal in queryset]


def seal_label(seal: Seal) -> str:
    """Return the seal's name with its unit, as lists and the ledger show it."""
    unit = seal.unit.short_name or seal.unit.name
    return f"{seal.name}（{unit}）"


# --- the ledger -----------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger is narrowed to."""

    seal: int | None = None
    department: int | None = None
    status: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> LedgerFilters:
        """Build filters from query parameters, ignoring values we do not know."""

        def number(name: str) -> int | None:
            text = str(data.get(name) or "").strip()
            return int(text) if text.isdigit() and len(text) < 10 else None

        def day(name: str) -> datetime.date | None:
            try:
                return parse_date(str(data.get(name) or "").strip())
            except ValueError:
                return None

        status = str(data.get("status") or "")
        return cls(
            seal=number("seal"),
            department=number("department"),
            status=status if status in STATUSES else "",
            start=day("start"),
            end=day("end"),
            q=str(data.get("q") or "").strip()[:100],
        )

    def query_string(self) -> str:
        """Return the filters as a query string (for the pages and the export)."""
        from urllib.parse import urlencode

        pairs = {
            "seal": self.seal or "",
            "department": self.department or "",
            "status": self.status,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "q": self.q,
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def _visible(user: User) -> Q:
    if policies.sees_whole_ledger(user):
        return Q()
    rule = Q(requester=user) | Q(seal__keeper=user) | Q(seal__deputy_keeper=user)
    departments = headed_department_ids(user=user)
    if departments:
        rule |= Q(department_id__in=departments)
    return rule


def instances_visible_q(user: User) -> Q:
    """Return a filter on approvals: those of the seals the user keeps, or every
    seal-use approval for those who see the whole ledger.

    Without a query of its own (the approvals' visibility check is one query). A
    department head sees their department's requests as their approver already.
    """
    if policies.sees_whole_ledger(user):
        return Q(seal_use__isnull=False)
    return Q(seal_use__seal__keeper=user) | Q(seal_use__seal__deputy_keeper=user)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def seal_use_list_for(
    *, user: User, filters: LedgerFilters | None = None
) -> QuerySet[SealUse]:
    """Return the ledger rows the user may see, narrowed by the filters, newest first."""
    filters = filters or LedgerFilters()
    queryset = (
        SealUse.objects.filter(_visible(user))
        .select_related(
            "seal__unit",
            "seal__keeper",
            "seal__deputy_keeper",
            "department",
            "requester",
            "stamped_by",
            "instance",
        )
        .order_by("-approved_at", "-id")
    )
    if filters.seal:
        queryset = queryset.filter(seal_id=filters.seal)
    if filters.department:
        queryset = queryset.filter(department_id=filters.department)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.start:
        queryset = queryset.filter(approved_at__gte=_day_start(filters.start))
    if filters.end:
        queryset = queryset.filter(
            approved_at__lt=_day_start(filters.end + datetime.timedelta(days=1))
        )
    if filters.q:
        queryset = queryset.filter(
            Q(document_title__icontains=filters.q)
            | Q(requester__name__icontains=filters.q)
            | Q(requester__username__icontains=filters.q)
        )
    return queryset


def seal_use_get_for(*, user: User, pk: int) -> SealUse:
    """Return one ledger row the user may see, or 404."""
    use = seal_use_list_for(user=user).filter(pk=pk).first()
    if use is None:
        raise Http404
    return use


def ledger_filter_choices(*, user: User) -> dict[str, list[tuple[int, str]]]:
    """Return the seals and departments the user's ledger rows use, for the filters."""
    rows = SealUse.objects.filter(_visible(user))
    seals = Seal.objects.filter(pk__in=rows.values("seal_id")).select_related("unit")
    departments = Department.objects.filter(
        pk__in=rows.values("department_id")
    ).select_related("unit")
    return {
        "seals": [(seal.pk, seal_label(seal)) for seal in seals],
        "departments": [
            (d.pk, f"{d.unit.short_name or d.unit.name} / {d.name}")
            for d in departments
        ],
    }
