"""A statement written once reads the same model instances as the ORM, on both databases."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Model

from zhiban.core import rows
from zhiban.org.models import Department, User
from zhiban.org.tests.factories import DepartmentFactory, UserFactory
from zhiban.workflow.models import FlowVersion
from zhiban.workflow.tests.conftest import approver, publish

pytestmark = pytest.mark.django_db


def fields_of(instance: Model) -> dict[str, Any]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def test_a_user_and_the_outer_joined_department_read_as_the_orm_reads_them():
    department = DepartmentFactory(name="生产技术部")
    person = UserFactory(
        username="li", name="李四", primary_department=department, is_active=False
    )
    person.last_login = datetime.datetime(2026, 11, 28, 1, 2, 3, tzinfo=datetime.UTC)
    person.save()
    loner = UserFactory(username="wang", primary_department=None)
    users, departments = rows.table(User), rows.table(Department)

    found = rows.fetch(
        f"SELECT {rows.select_list(User, 'u')}, {rows.select_list(Department, 'd')}"
        f" FROM {users} u LEFT JOIN {departments} d ON d.id = u.primary_department_id"
        " WHERE u.id IN (%s, %s) ORDER BY u.id",
        [person.pk, loner.pk],
        (User, Department),
    )

    assert [(type(u), type(d)) for u, d in found] == [
        (User, Department),
        (User, type(None)),
    ]
    (read, read_department), (read_loner, _) = found
    assert fields_of(read) == fields_of(User.objects.get(pk=person.pk))
    assert read.last_login == person.last_login  # aware, on SQLite too
    assert read.is_active is False
    assert fields_of(read_department) == fields_of(department)
    assert fields_of(read_loner) == fields_of(User.objects.get(pk=loner.pk))
    assert read._state.adding is False
    assert read._state.db == "default"


def test_json_columns_come_back_as_python_values():
    author = UserFactory()
    version = publish("seal", author, approver("n1", author))

    ((read,),) = rows.fetch(
        f"SELECT {rows.select_list(FlowVersion, 'v')} FROM {rows.table(FlowVersion)} v"
        " WHERE v.id = %s",
        [version.pk],
        (FlowVersion,),
    )

    assert fields_of(read) == fields_of(FlowVersion.objects.get(pk=version.pk))
    assert read.body["nodes"][0]["id"] == "n1"


def test_no_row_gives_an_empty_list():
    assert (
        rows.fetch(
            f"SELECT {rows.select_list(User, 'u')} FROM {rows.table(User)} u"
            " WHERE u.id = %s",
            [-1],
            (User,),
        )
        == []
    )
