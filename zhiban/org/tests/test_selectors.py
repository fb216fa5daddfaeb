"""Reads of the organisation: the tree, the directory, leaders and heads."""

from __future__ import annotations

from typing import TypedDict

import pytest
from pytest_django import DjangoAssertNumQueries

from zhiban.org import selectors
from zhiban.org.models import Delegation, Department, Membership, Unit, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


class Tree(TypedDict):
    hq: Unit
    mine: Unit
    office: Department
    clerks: Department
    safety: Department


def _tree_fixture() -> Tree:
    hq = UnitFactory(code="HQ", name="本部", sort_order=1)
    mine = UnitFactory(code="M1", name="一矿", parent=hq, sort_order=2)
    office = DepartmentFactory(code="BGS", name="办公室", unit=hq, sort_order=1)
    clerks = DepartmentFactory(code="WS", name="文书科", unit=hq, parent=office)
    safety = DepartmentFactory(code="AQ", name="安全科", unit=mine)
    DepartmentFactory(code="OLD", name="撤销科", unit=hq, is_active=False)
    return {
        "hq": hq,
        "mine": mine,
        "office": office,
        "clerks": clerks,
        "safety": safety,
    }


def test_org_tree_nests_units_and_departments_in_two_queries(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _tree_fixture()
    with django_assert_num_queries(2):
        tree = selectors.org_tree()
    rows = [(r.kind, str(r.obj), r.depth) for r in selectors.org_tree_rows(tree)]
    assert rows == [
        ("unit", "本部", 0),
        ("department", "办公室", 1),
        ("department", "文书科", 2),
        ("unit", "一矿", 1),
        ("department", "安全科", 2),
    ]


def test_org_tree_with_inactive_departments() -> None:
    _tree_fixture()
    names = [
        str(r.obj)
        for r in selectors.org_tree_rows(selectors.org_tree(include_inactive=True))
    ]
    assert "撤销科" in names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张", ["张三"]),
        ("10002", ["李四"]),
        ("139", ["李四"]),
        ("文书", ["李四"]),
        ("zhangsan", ["张三"]),
        ("nobody", []),
    ],
)
def test_directory_search(query: str, expected: list[str]) -> None:
    parts = _tree_fixture()
    UserFactory(
        username="zhangsan",
        name="张三",
        employee_number="10001",
        mobile="13800000000",
        primary_department=parts["office"],
    )
    UserFactory(
        username="lisi",
        name="李四",
        employee_number="10002",
        mobile="13900000000",
        primary_department=parts["clerks"],
    )
    UserFactory(name="张离职", is_active=False, primary_department=parts["office"])
    viewer = UserFactory()
    people = selectors.user_directory_for(viewer=viewer, query=query)
    assert [p.name for p in people] == expected


def test_directory_by_department_includes_further_members() -> None:
    parts = _tree_fixture()
    own = UserFactory(name="本科", primary_department=parts["safety"])
    guest = UserFactory(name="兼职", primary_department=parts["office"])
    Membership.objects.create(user=guest, department=parts["safety"])
    people = selectors.user_directory_for(viewer=own, department=parts["safety"])
    assert sorted(p.name for p in people) == ["兼职", "本科"]


def test_overseeing_leader_is_inherited_from_the_parent() -> None:
    parts = _tree_fixture()
    leader = UserFactory(name="分管")
    office = parts["office"]
    office.overseeing_leader = leader
    office.save()
    assert selectors.overseeing_leader_for(parts["clerks"]) == leader
    assert selectors.overseeing_leader_for(parts["safety"]) is None
    leader.is_active = False
    leader.save()
    assert selectors.overseeing_leader_for(parts["clerks"]) is None


def test_department_head_for() -> None:
    department = DepartmentFactory()
    UserFactory(primary_department=department)
    assert selectors.department_head_for(department) is None
    head = UserFactory(primary_department=department)
    Membership.objects.filter(user=head).update(is_head=True)
    deputy = UserFactory(primary_department=department)
    Membership.objects.filter(user=deputy).update(is_deputy=True)
    assert selectors.department_head_for(department) == head
    assert list(selectors.department_deputies_for(department)) == [deputy]


def test_user_get_for_hides_deactivated_people_from_employees(
    admin: User, employee: User
) -> None:
    gone = UserFactory(is_active=False)
    assert selectors.user_get_for(viewer=employee, user_id=gone.pk) is None
    assert selectors.user_get_for(viewer=admin, user_id=gone.pk) == gone


def test_department_get_for_hides_inactive_departments_from_employees(
    admin: User, employee: User
) -> None:
    closed = DepartmentFactory(is_active=False)
    assert (
        selectors.department_get_for(viewer=employee, department_id=closed.pk) is None
    )
    assert selectors.department_get_for(viewer=admin, department_id=closed.pk) == closed


def test_user_list_for_is_for_administrators_only(admin: User, employee: User) -> None:
    gone = UserFactory(is_active=False)
    assert list(selectors.user_list_for(viewer=employee)) == []
    assert gone in selectors.user_list_for(viewer=admin)


def test_delegation_list_for(admin: User, employee: User) -> None:
    other = UserFactory()
    mine = Delegation.objects.create(
        delegator=employee, delegate=other, starts_on="2026-01-01", ends_on="2026-01-02"
    )
    theirs = Delegation.objects.create(
        delegator=other, delegate=admin, starts_on="2026-01-01", ends_on="2026-01-02"
    )
    assert list(selectors.delegation_list_for(viewer=employee)) == [mine]
    assert set(selectors.delegation_list_for(viewer=admin)) == {mine, theirs}
    assert list(selectors.delegation_list_for(viewer=admin, mine=True)) == [theirs]
