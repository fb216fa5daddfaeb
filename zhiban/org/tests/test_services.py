"""Services of the organisation: validation, invariants and the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org import services
from zhiban.org.models import (
    Delegation,
    Department,
    Membership,
    Post,
    Role,
    Unit,
    User,
    WorkingDayOverride,
)
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def _errors(error: pytest.ExceptionInfo[DomainError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_unit_create_writes_the_unit_and_the_audit_entry(admin: User) -> None:
    unit = services.unit_create(
        by=admin, code=" HQ ", name="集团本部", kind=Unit.Kind.HEADQUARTERS
    )
    assert (unit.code, unit.name) == ("HQ", "集团本部")
    entry = AuditEntry.objects.get(action="org.unit_create")
    assert (entry.actor_id, entry.object_id) == (admin.pk, str(unit.pk))


def test_unit_code_must_be_unique(admin: User) -> None:
    UnitFactory(code="HQ", name="本部")
    count = Unit.objects.count()
    with pytest.raises(DomainError) as error:
        services.unit_create(by=admin, code="HQ", name="X", kind=Unit.Kind.MINE)
    assert _errors(error) == {"code": ["A unit with code “HQ” already exists."]}
    assert Unit.objects.count() == count


def test_unit_cannot_be_placed_under_its_own_subordinate(admin: User) -> None:
    top = UnitFactory(code="A", name="甲")
    below = UnitFactory(code="B", name="乙", parent=top)
    with pytest.raises(DomainError, match="cannot be placed under itself"):
        services.unit_update(by=admin, unit=top, parent=below)
    top.refresh_from_db()
    assert top.parent_id is None


def test_unit_update_records_only_real_changes(admin: User) -> None:
    unit = UnitFactory(code="A", name="甲")
    services.unit_update(by=admin, unit=unit, name="甲")
    assert not AuditEntry.objects.filter(action="org.unit_update").exists()
    services.unit_update(by=admin, unit=unit, name="丙")
    entry = AuditEntry.objects.get(action="org.unit_update")
    assert entry.data == {"name": ["甲", "丙"]}


def test_department_code_must_be_unique(admin: User) -> None:
    existing = DepartmentFactory(code="D1")
    with pytest.raises(DomainError) as error:
        services.department_create(
            by=admin, unit=existing.unit, code="D1", name="另一个"
        )
    assert _errors(error) == {"code": ["A department with code “D1” already exists."]}


def test_department_names_are_unique_among_siblings(admin: User) -> None:
    existing = DepartmentFactory(code="D1", name="财务部")
    with pytest.raises(DomainError) as error:
        services.department_create(
            by=admin, unit=existing.unit, code="D2", name="财务部"
        )
    assert list(_errors(error)) == ["name"]


def test_department_move_refuses_a_cycle(admin: User) -> None:
    top = DepartmentFactory(code="A", name="甲")
    middle = DepartmentFactory(code="B", name="乙", unit=top.unit, parent=top)
    bottom = DepartmentFactory(code="C", name="丙", unit=top.unit, parent=middle)
    with pytest.raises(DomainError) as error:
        services.department_move(by=admin, department=top, parent=bottom)
    assert _errors(error) == {
        "parent": [
            "“丙” is inside “甲”; a department cannot be moved under itself or one "
            "of its own sub-departments."
        ]
    }
    with pytest.raises(DomainError, match="cannot be moved under itself"):
        services.department_move(by=admin, department=top, parent=top)
    top.refresh_from_db()
    assert top.parent_id is None
    assert not AuditEntry.objects.filter(action="org.department_move").exists()


def test_department_move_to_another_unit_carries_the_subtree(admin: User) -> None:
    top = DepartmentFactory(code="A", name="甲")
    child = DepartmentFactory(code="B", name="乙", unit=top.unit, parent=top)
    other = UnitFactory(code="U-OTHER")
    services.department_move(by=admin, department=top, parent=None, unit=other)
    child.refresh_from_db()
    assert (top.unit_id, child.unit_id) == (other.pk, other.pk)


def test_department_parent_must_be_in_the_same_unit(admin: User) -> None:
    parent = DepartmentFactory(code="A")
    with pytest.raises(DomainError, match="same unit"):
        services.department_create(
            by=admin, unit=UnitFactory(code="U-X"), code="B", name="乙", parent=parent
        )


def test_overseeing_leader_must_be_active(admin: User) -> None:
    department = DepartmentFactory()
    leader = UserFactory(is_active=False)
    with pytest.raises(DomainError, match="deactivated"):
        services.department_set_overseeing_leader(
            by=admin, department=department, leader=leader
        )
    services.department_set_overseeing_leader(
        by=admin, department=department, leader=admin
    )
    department.refresh_from_db()
    assert department.overseeing_leader_id == admin.pk


def test_post_crud_and_delete_refused_while_held(admin: User) -> None:
    post = services.post_create(by=admin, code="P1", name="文书岗")
    with pytest.raises(DomainError, match="already exists"):
        services.post_create(by=admin, code="P1", name="重复")
    services.post_update(by=admin, post=post, name="文书")
    holder = UserFactory(post=post)
    with pytest.raises(DomainError, match="held by 1 user"):
        services.post_delete(by=admin, post=post)
    holder.post = None
    holder.save()
    services.post_delete(by=admin, post=post)
    assert not Post.objects.exists()


def test_user_create_with_membership_roles_and_no_password(admin: User) -> None:
    department = DepartmentFactory()
    user = services.user_create(
        by=admin,
        username="zhangsan",
        name="张三",
        employee_number="10001",
        mobile="138 0000 0000",
        primary_department=department,
        title="科员",
        roles=[Role.CLERK, Role.EMPLOYEE],
    )
    assert user.mobile == "13800000000"
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("department_id", "title")) == [
        (department.pk, "科员")
    ]
    assert sorted(user.groups.values_list("name", flat=True)) == ["clerk", "employee"]


def test_duplicate_employee_number_is_refused(admin: User) -> None:
    UserFactory(employee_number="10001")
    with pytest.raises(DomainError) as error:
        services.user_create(
            by=admin, username="new", name="新人", employee_number="10001"
        )
    assert _errors(error) == {
        "employee_number": ["Employee number “10001” already belongs to another user."]
    }
    assert not User.objects.filter(username="new").exists()


def test_duplicate_employee_number_on_update_is_refused(admin: User) -> None:
    UserFactory(employee_number="10001")
    other = UserFactory(employee_number="10002")
    with pytest.raises(DomainError, match="already belongs"):
        services.user_update(by=admin, user=other, employee_number="10001")
    other.refresh_from_db()
    assert other.employee_number == "10002"


@pytest.mark.parametrize("mobile", ["12345", "23800000000", "1380000000a"])
def test_bad_mobile_is_refused(admin: User, mobile: str) -> None:
    with pytest.raises(DomainError) as error:
        services.user_create(by=admin, username="x", name="x", mobile=mobile)
    assert list(_errors(error)) == ["mobile"]


def test_unknown_role_is_refused(admin: User, employee: User) -> None:
    with pytest.raises(DomainError, match="Unknown role"):
        services.user_roles_set(by=admin, user=employee, roles=["emperor"])
    assert list(employee.groups.values_list("name", flat=True)) == ["employee"]


def test_admin_cannot_remove_own_admin_role(admin: User) -> None:
    with pytest.raises(DomainError, match="own system administrator role"):
        services.user_roles_set(by=admin, user=admin, roles=[Role.EMPLOYEE])
    assert admin.groups.filter(name=Role.SYSTEM_ADMIN).exists()


def test_deactivate_ends_delegations_and_refuses_self(admin: User) -> None:
    user, other = UserFactory(), UserFactory()
    delegation = services.delegation_create(
        by=user,
        delegator=user,
        delegate=other,
        starts_on=TODAY,
        ends_on=TODAY,
        today=TODAY,
    )
    services.user_deactivate(by=admin, user=user)
    delegation.refresh_from_db()
    assert (user.is_active, delegation.is_active) == (False, False)
    with pytest.raises(DomainError, match="your own account"):
        services.user_deactivate(by=admin, user=admin)
    services.user_reactivate(by=admin, user=user)
    user.refresh_from_db()
    assert user.is_active


def test_a_department_has_one_head(admin: User) -> None:
    department = DepartmentFactory()
    first = UserFactory(name="老王", primary_department=department)
    second = UserFactory(primary_department=department)
    services.membership_set(by=admin, user=first, department=department, is_head=True)
    with pytest.raises(DomainError) as error:
        services.membership_set(
            by=admin, user=second, department=department, is_head=True
        )
    assert _errors(error) == {
        "is_head": [
            f"{department.name} already has a head: 老王. Remove that role first."
        ]
    }
    assert first.groups.filter(name=Role.DEPARTMENT_HEAD).exists()
    services.membership_set(by=admin, user=first, department=department)
    services.membership_set(by=admin, user=second, department=department, is_head=True)
    assert list(
        Membership.objects.filter(department=department, is_head=True).values_list(
            "user_id", flat=True
        )
    ) == [second.pk]


def test_head_and_deputy_at_once_is_refused(admin: User, employee: User) -> None:
    department = employee.primary_department
    assert department is not None
    with pytest.raises(DomainError, match="either the head or a deputy"):
        services.membership_set(
            by=admin,
            user=employee,
            department=department,
            is_head=True,
            is_deputy=True,
        )


def test_primary_membership_cannot_be_removed(admin: User, employee: User) -> None:
    membership = employee.memberships.get()
    with pytest.raises(DomainError, match="primary department"):
        services.membership_remove(by=admin, membership=membership)
    other = services.membership_set(
        by=admin, user=employee, department=DepartmentFactory()
    )
    services.membership_remove(by=admin, membership=other)
    assert employee.memberships.count() == 1


def test_delegation_create_and_end_by_the_delegator(employee: User) -> None:
    delegate = UserFactory()
    delegation = services.delegation_create(
        by=employee,
        delegator=employee,
        delegate=delegate,
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=3),
        kinds=["document", "approval"],
        today=TODAY,
    )
    assert delegation.kinds == ["approval", "document"]
    services.delegation_end(by=employee, delegation=delegation)
    delegation.refresh_from_db()
    assert delegation.is_active is False


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"to_self": True}, {"delegate": ["A delegation must go to someone else."]}),
        (
            {"ends_on": TODAY - datetime.timedelta(days=1)},
            {"ends_on": ["The end date must be on or after the start date."]},
        ),
        (
            {
                "starts_on": TODAY - datetime.timedelta(days=5),
                "ends_on": TODAY - datetime.timedelta(days=1),
            },
            {"ends_on": ["The end date is in the past."]},
        ),
        ({"kinds": ["holiday"]}, {"kinds": ["Unknown kind(s) of work: holiday."]}),
        (
            {"kinds": ["notice.read"]},
            {
                "kinds": [
                    "These kinds of work stay with the person and cannot be "
                    "delegated: notice.read."
                ]
            },
        ),
    ],
)
def test_delegation_validation(
    employee: User, changes: dict[str, object], expected: dict[str, list[str]]
) -> None:
    delegate = employee if changes.pop("to_self", False) else UserFactory()
    arguments: dict[str, Any] = {
        "starts_on": TODAY,
        "ends_on": TODAY,
        "kinds": (),
        **changes,
    }
    with pytest.raises(DomainError) as error:
        services.delegation_create(
            by=employee,
            delegator=employee,
            delegate=delegate,
            today=TODAY,
            **arguments,
        )
    assert _errors(error) == expected
    assert not Delegation.objects.exists()


def test_delegation_overlap_for_the_same_kinds_is_refused(employee: User) -> None:
    first, second = UserFactory(name="甲"), UserFactory()
    services.delegation_create(
        by=employee,
        delegator=employee,
        delegate=first,
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=5),
        kinds=["document"],
        today=TODAY,
    )
    with pytest.raises(DomainError, match="overlaps the delegation to 甲"):
        services.delegation_create(
            by=employee,
            delegator=employee,
            delegate=second,
            starts_on=TODAY + datetime.timedelta(days=2),
            ends_on=TODAY + datetime.timedelta(days=8),
            today=TODAY,
        )
    # Another kind in the same period is fine.
    services.delegation_create(
        by=employee,
        delegator=employee,
        delegate=second,
        starts_on=TODAY,
        ends_on=TODAY,
        kinds=["approval"],
        today=TODAY,
    )
    assert Delegation.objects.count() == 2


def test_delegation_to_a_deactivated_user_is_refused(employee: User) -> None:
    gone = UserFactory(is_active=False)
    with pytest.raises(DomainError, match="deactivated"):
        services.delegation_create(
            by=employee,
            delegator=employee,
            delegate=gone,
            starts_on=TODAY,
            ends_on=TODAY,
            today=TODAY,
        )


def test_only_the_delegator_or_an_admin_manages_a_delegation(
    admin: User, employee: User
) -> None:
    other, delegate = UserFactory(), UserFactory()
    with pytest.raises(PermissionDeniedError):
        services.delegation_create(
            by=employee,
            delegator=other,
            delegate=delegate,
            starts_on=TODAY,
            ends_on=TODAY,
            today=TODAY,
        )
    delegation = services.delegation_create(
        by=admin,
        delegator=other,
        delegate=delegate,
        starts_on=TODAY,
        ends_on=TODAY,
        today=TODAY,
    )
    entry = AuditEntry.objects.get(action="org.delegation_create")
    assert (entry.actor_id, entry.on_behalf_of_id) == (admin.pk, other.pk)
    with pytest.raises(PermissionDeniedError):
        services.delegation_end(by=employee, delegation=delegation)
    delegation.refresh_from_db()
    assert delegation.is_active is True


def test_department_update_changes_name_and_code(admin: User) -> None:
    department = DepartmentFactory(code="A", name="甲")
    services.department_update(by=admin, department=department, code="B", name="乙")
    assert Department.objects.get(pk=department.pk).code == "B"


# --- Working-day calendar ------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.OFFICE_DIRECTOR])
def test_working_day_override_set_creates_and_audits(role: Role) -> None:
    keeper = UserFactory(roles=[role])
    override = services.working_day_override_set(
        by=keeper,
        day=datetime.date(2027, 10, 9),
        is_working_day=True,
        note=" 2027年国庆调休 ",
    )
    assert (override.is_working_day, override.note) == (True, "2027年国庆调休")
    assert (override.created_by_id, override.updated_by_id) == (keeper.pk, keeper.pk)
    entry = AuditEntry.objects.get(action="org.working_day_override_set")
    assert (entry.actor_id, entry.object_id) == (keeper.pk, str(override.pk))
    assert entry.data == {
        "day": "2027-10-09",
        "is_working_day": True,
        "note": "2027年国庆调休",
    }


def test_working_day_override_set_again_updates_the_same_day(admin: User) -> None:
    day = datetime.date(2027, 10, 9)
    first = services.working_day_override_set(
        by=admin, day=day, is_working_day=True, note="调休"
    )
    director = UserFactory(roles=[Role.OFFICE_DIRECTOR])
    services.working_day_override_set(
        by=director, day=day, is_working_day=True, note="调休"
    )
    assert AuditEntry.objects.filter(action="org.working_day_override_set").count() == 1
    second = services.working_day_override_set(
        by=director, day=day, is_working_day=False, note="取消调休"
    )
    assert second.pk == first.pk
    assert WorkingDayOverride.objects.count() == 1
    second.refresh_from_db()
    assert (second.is_working_day, second.note) == (False, "取消调休")
    assert (second.created_by_id, second.updated_by_id) == (admin.pk, director.pk)
    entry = (
        AuditEntry.objects.filter(action="org.working_day_override_set")
        .order_by("id")
        .last()
    )
    assert entry is not None
    assert entry.data == {
        "day": "2027-10-09",
        "is_working_day": [True, False],
        "note": ["调休", "取消调休"],
    }


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.CLERK, Role.DEPARTMENT_HEAD])
def test_working_day_override_set_is_refused_to_others(role: Role) -> None:
    with pytest.raises(PermissionDeniedError, match="office directors"):
        services.working_day_override_set(
            by=UserFactory(roles=[role]),
            day=datetime.date(2027, 10, 9),
            is_working_day=True,
            note="调休",
        )
    assert not WorkingDayOverride.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"day": None}, "day", "Choose a day."),
        (
            {"day": datetime.datetime(2027, 10, 9, tzinfo=datetime.UTC)},
            "day",
            "Choose a day.",
        ),
        (
            {"is_working_day": None},
            "is_working_day",
            "Choose whether the day is a working day or a rest day.",
        ),
        (
            {"note": "  "},
            "note",
            "Say why the day changes, for example 2027年国庆调休.",
        ),
        (
            {"note": "长" * 101},
            "note",
            "The note may have at most 100 characters; it has 101.",
        ),
    ],
)
def test_working_day_override_set_refuses_bad_input(
    admin: User, values: dict[str, Any], field: str, message: str
) -> None:
    data = {
        "day": datetime.date(2027, 10, 9),
        "is_working_day": True,
        "note": "调休",
        **values,
    }
    with pytest.raises(DomainError) as error:
        services.working_day_override_set(by=admin, **data)
    assert _errors(error) == {field: [message]}
    assert not WorkingDayOverride.objects.exists()
    assert not AuditEntry.objects.exists()


def test_working_day_override_delete_audits(admin: User) -> None:
    override = services.working_day_override_set(
        by=admin, day=datetime.date(2027, 10, 9), is_working_day=True, note="调休"
    )
    pk = override.pk
    services.working_day_override_delete(by=admin, override=override)
    assert not WorkingDayOverride.objects.exists()
    entry = AuditEntry.objects.get(action="org.working_day_override_delete")
    assert (entry.actor_id, entry.object_id) == (admin.pk, str(pk))
    assert entry.data == {"day": "2027-10-09", "is_working_day": True, "note": "调休"}


def test_working_day_override_delete_is_refused_to_an_employee(
    admin: User, employee: User
) -> None:
    override = services.working_day_override_set(
        by=admin, day=datetime.date(2027, 10, 9), is_working_day=True, note="调休"
    )
    with pytest.raises(PermissionDeniedError):
        services.working_day_override_delete(by=employee, override=override)
    assert WorkingDayOverride.objects.filter(pk=override.pk).exists()
    assert not AuditEntry.objects.filter(
        action="org.working_day_override_delete"
    ).exists()
