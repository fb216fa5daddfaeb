"""Reads of the organisation that carry a rule."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from zhiban.org.models import Delegation, Department, Membership, User


def delegation_active_for(
    *, user: User, kind: str, on: datetime.date
) -> Delegation | None:
    """Return the delegation that sends the user's work of this kind elsewhere today."""
    candidates = (
        Delegation.objects.filter(
            delegator=user, is_active=True, starts_on__lte=on, ends_on__gte=on
        )
        .select_related("delegate")
        .order_by("-starts_on", "-id")
    )
    for delegation in candidates:
        if delegation.covers(kind) and delegation.delegate.is_active:
            return delegation
    return None


def department_heads(*, department: Department) -> QuerySet[User]:
    """Return the heads (not deputies) of the department."""
    return User.objects.filter(
        is_active=True,
        memberships__department=department,
        memberships__is_head=True,
    ).distinct()


def department_member_ids(*, department_ids: list[int]) -> set[int]:
    """Return the ids of active users who belong to any of the departments."""
    return set(
        User.objects.filter(is_active=True)
        .filter(
            Q(primary_department_id__in=department_ids)
            | Q(memberships__department_id__in=department_ids)
        )
        .values_list("id", flat=True)
    )


def user_department_ids(*, user: User) -> set[int]:
    """Return the ids of every department the user belongs to."""
    ids = set(
        Membership.objects.filter(user=user).values_list("department_id", flat=True)
    )
    if user.primary_department_id:
        ids.add(user.primary_department_id)
    return ids
