"""Reads of vehicle requests that carry a rule: fleet managers see all, others theirs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from zhiban.org.models import User
from zhiban.vehicles import policies
from zhiban.vehicles.models import VehicleRequest

STATUSES = tuple(VehicleRequest.Status.values)


@dataclass(frozen=True)
class RequestFilters:
    """What the list is narrowed to: a status and a day the window touches."""

    status: str = ""
    day: datetime.date | None = None
    mine: bool = False

    @classmethod
    def from_query(cls, data: Any) -> RequestFilters:
        """Build filters from query parameters, ignoring values we do not know."""
        status = str(data.get("status") or "")
        try:
            day = parse_date(str(data.get("day") or "").strip())
        except ValueError:
            day = None
        return cls(
            status=status if status in STATUSES else "",
            day=day,
            mine=data.get("mine") == "1",
        )


def vehicle_request_list_for(
    *, user: User, filters: RequestFilters | None = None
) -> QuerySet[VehicleRequest]:
    """Return the requests the user may see (fleet roles: all; others: their own)."""
    filters = filters or RequestFilters()
    queryset = VehicleRequest.objects.select_related(
        "requester", "department", "instance"
    ).order_by("starts_at", "id")
    if filters.mine or not policies.sees_every_request(user):
        queryset = queryset.filter(requester=user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.day:
        start = timezone.make_aware(
            datetime.datetime.combine(filters.day, datetime.time.min)
        )
        end = start + datetime.timedelta(days=1)
        queryset = queryset.filter(Q(starts_at__lt=end) & Q(ends_at__gte=start))
    return queryset
