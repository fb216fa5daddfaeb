"""Reads of the organisation that carry a rule."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from zhiban.core import rows
from zhiban.org import policies
from zhiban.org.models import (
    Delegation,
    Department,
    Membership,
    Post,
    Unit,
    User,
    WorkingDayOverride,
)
from zhiban.org.workdays import WorkingCalendar, official_is_working_day


def user_active_get(*, user_id: object) -> User | None:
    """Return the active user with the id, or None: the signed-in user of every request.

    Written once (``zhiban.core.rows``): the ORM's ``get`` compiled its query on every
    page and API call (bench/README.md).
    """
    try:
        pk = int(str(user_id))
    except ValueError:
        return None
    found = rows.fetch(
        f"SELECT {rows.select_list(User, 'u')} FROM {rows.table(User)} u"  # noqa: S608 - every value is a parameter
        " WHERE u.id = %s AND u.is_active = %s",
        [pk, True],
        (User,),
    )
    return found[0][0] if found else None


def user_with_department_get(*, user_id: int) -> User | None:
    """Return the user (active or not) with their primary department read, or None."""
    found = rows.fetch(
        f"SELECT {rows.select_list(User, 'u')}, {rows.select_list(Department, 'd')}"  # noqa: S608 - every value is a parameter
        f" FROM {rows.table(User)} u LEFT JOIN {rows.table(Department)} d"
        " ON d.id = u.primary_department_id WHERE u.id = %s",
        [user_id],
        (User, Department),
    )
    if not found:
        return None
    person, department = found[0]
    User.primary_department.field.set_cached_value(person, department)
    return person


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


# --- The tree ------------------------------------------------------------------------


@dataclass
class DepartmentNode:
    """A department with its sub-departments."""

    department: Department
    children: list[DepartmentNode] = field(default_factory=list)


@dataclass
class UnitNode:
    """A unit with its subordinate units and its top-level departments."""

    unit: Unit
    departments: list[DepartmentNode] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)


@dataclass(frozen=True)
class TreeRow:
    """One line of the tree drawn flat, for templates."""

    kind: str  # "unit" or "department"
    obj: Unit | Department
    depth: int


def org_tree(*, include_inactive: bool = False) -> list[UnitNode]:
    """Return the units (nested) with their departments (nested), in two queries."""
    units = Unit.objects.all()
    departments = Department.objects.select_related("overseeing_leader")
    if not include_inactive:
        units = units.filter(is_active=True)
        departments = departments.filter(is_active=True)
    unit_nodes = {unit.pk: UnitNode(unit=unit) for unit in units}
    dept_nodes = {dept.pk: DepartmentNode(department=dept) for dept in departments}
    for node in dept_nodes.values():
        dept = node.department
        parent = dept_nodes.get(dept.parent_id) if dept.parent_id else None
        if parent is not None:
            parent.children.append(node)
        elif dept.unit_id in unit_nodes:
            unit_nodes[dept.unit_id].departments.append(node)
    roots: list[UnitNode] = []
    for unit_node in unit_nodes.values():
        parent_id = unit_node.unit.parent_id
        parent_unit = unit_nodes.get(parent_id) if parent_id else None
        (parent_unit.children if parent_unit else roots).append(unit_node)
    return roots


def org_tree_rows(tree: list[UnitNode]) -> list[TreeRow]:
    """Flatten the tree into rows with their depth, in display order."""
    rows: list[TreeRow] = []

    def add_department(node: DepartmentNode, depth: int) -> None:
        rows.append(TreeRow("department", node.department, depth))
        for child in node.children:
            add_department(child, depth + 1)

    def add_unit(node: UnitNode, depth: int) -> None:
        rows.append(TreeRow("unit", node.unit, depth))
        for dept in node.departments:
            add_department(dept, depth + 1)
        for child in node.children:
            add_unit(child, depth + 1)

    for root in tree:
        add_unit(root, 0)
    return rows


# --- Directory -----------------------------------------------------------------------


def _directory_queryset() -> QuerySet[User]:
    return (
        User.objects.select_related("primary_department__unit", "post")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("department").order_by(
                    "-is_head", "-is_deputy", "department__code"
                ),
            )
        )
        .order_by("primary_department__sort_order", "employee_number", "username")
    )


def _search(
    people: QuerySet[User], query: str, department: Department | None
) -> QuerySet[User]:
    if department is not None:
        people = people.filter(
            Q(primary_department=department) | Q(memberships__department=department)
        )
    query = query.strip()
    if query:
        people = people.filter(
            Q(name__icontains=query)
            | Q(username__icontains=query)
            | Q(employee_number__icontains=query)
            | Q(mobile__icontains=query)
            | Q(primary_department__name__icontains=query)
            | Q(memberships__department__name__icontains=query)
        )
    if department is not None or query:
        people = people.distinct()
    return people


def user_directory_for(
    *,
    viewer: User,
    query: str = "",
    department: Department | None = None,
) -> QuerySet[User]:
    """Return the active people the directory lists, searched and filtered.

    The query matches name, sign-in name, employee number, mobile or department name.
    Everyone signed in may browse the directory; deactivated people are not listed.
    """
    return _search(_directory_queryset().filter(is_active=True), query, department)


def user_list_for(
    *,
    viewer: User,
    query: str = "",
    department: Department | None = None,
) -> QuerySet[User]:
    """Return the users an administrator manages, deactivated ones too."""
    if not policies.can_administer(viewer):
        return User.objects.none()
    people = _directory_queryset().prefetch_related("groups")
    return _search(people, query, department).order_by(
        "-is_active", "employee_number", "username"
    )


def user_get_for(*, viewer: User, user_id: int) -> User | None:
    """Return a person for their card: active people for everyone, any for admins."""
    people = _directory_queryset()
    if not policies.can_administer(viewer):
        people = people.filter(is_active=True)
    return people.filter(pk=user_id).first()


def department_get_for(*, viewer: User, department_id: int) -> Department | None:
    """Return a department: active ones for everyone, any for administrators."""
    departments = Department.objects.select_related(
        "unit", "parent", "overseeing_leader"
    )
    if not policies.can_administer(viewer):
        departments = departments.filter(is_active=True)
    return departments.filter(pk=department_id).first()


def overseeing_leader_for(department: Department) -> User | None:
    """Return the leader who oversees the department, inherited from its parents."""
    node: Department | None = department
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        if node.overseeing_leader_id:
            leader = node.overseeing_leader
            if leader is not None and leader.is_active:
                return leader
        node = node.parent
    return None


def department_head_for(department: Department) -> User | None:
    """Return the active head of the department, or None when it has none."""
    return department_heads(department=department).order_by("pk").first()


def department_deputies_for(department: Department) -> QuerySet[User]:
    """Return the active deputy heads of the department."""
    return User.objects.filter(
        is_active=True,
        memberships__department=department,
        memberships__is_deputy=True,
    ).distinct()


# --- Administration lists ------------------------------------------------------------


def unit_list_for(*, viewer: User) -> QuerySet[Unit]:
    """Return every unit with its parent and department count."""
    return (
        Unit.objects.select_related("parent")
        .annotate(department_count=Count("departments", distinct=True))
        .order_by("sort_order", "code")
    )


def department_list_for(*, viewer: User) -> QuerySet[Department]:
    """Return every department with unit, parent, leader and member count."""
    # Meta.ordering is dropped from aggregate queries: order explicitly.
    return (
        Department.objects.select_related("unit", "parent", "overseeing_leader")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("unit__sort_order", "sort_order", "code")
    )


def post_list_for(*, viewer: User) -> QuerySet[Post]:
    """Return every post with the number of users who hold it."""
    return Post.objects.annotate(holder_count=Count("user", distinct=True)).order_by(
        "code"
    )


def delegation_list_for(*, viewer: User, mine: bool = False) -> QuerySet[Delegation]:
    """Return delegations: all for administrators (unless mine), else the viewer's."""
    delegations = Delegation.objects.select_related("delegator", "delegate").order_by(
        "-is_active", "-starts_on", "-id"
    )
    if mine or not policies.can_administer(viewer):
        delegations = delegations.filter(Q(delegator=viewer) | Q(delegate=viewer))
    return delegations


# --- Working-day calendar ------------------------------------------------------------


def working_day_override_list_for(
    *, viewer: User, year: int
) -> QuerySet[WorkingDayOverride]:
    """Return the year's overrides with who last changed them, by day."""
    return (
        WorkingDayOverride.objects.filter(day__year=year)
        .select_related("updated_by")
        .order_by("day")
    )


@dataclass(frozen=True)
class CalendarDay:
    """One day of the effective calendar, as a month grid shows it."""

    day: datetime.date
    is_working_day: bool
    # What the official calendar (or the weekday fallback) says without overrides.
    is_officially_working_day: bool
    is_overridden: bool

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def is_exception(self) -> bool:
        """Return whether the day breaks the Monday-to-Friday rhythm (休 or 班)."""
        return self.is_working_day == self.is_weekend


@dataclass(frozen=True)
class CalendarMonth:
    """A month as weeks from Monday to Sunday; None fills the days of other months."""

    first: datetime.date
    weeks: list[list[CalendarDay | None]]


@dataclass(frozen=True)
class CalendarYear:
    """A year of the effective calendar with its count of working days."""

    year: int
    months: list[CalendarMonth]
    working_days: int
    rest_days: int


def working_calendar_for(*, year: int) -> CalendarYear:
    """Return the year's effective calendar month by month, in one query."""
    effective = WorkingCalendar()
    effective.load(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    months: list[CalendarMonth] = []
    working = 0
    for month in range(1, 13):
        weeks: list[list[CalendarDay | None]] = []
        for week in calendar.Calendar().monthdatescalendar(year, month):
            row: list[CalendarDay | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                cell = CalendarDay(
                    day=day,
                    is_working_day=effective.is_working_day(day),
                    is_officially_working_day=official_is_working_day(day),
                    is_overridden=effective.override_for(day) is not None,
                )
                working += cell.is_working_day
                row.append(cell)
            weeks.append(row)
        months.append(CalendarMonth(first=datetime.date(year, month, 1), weeks=weeks))
    days_in_year = 366 if calendar.isleap(year) else 365
    return CalendarYear(
        year=year,
        months=months,
        working_days=working,
        rest_days=days_in_year - working,
    )
