"""Factories for the organisation, used by the tests of every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import factory
from django.db import models

from zhiban.org.models import Department, Membership, Role, Unit, User, role_groups


class ModelFactory[M: models.Model](factory.django.DjangoModelFactory[M]):
    """A Django model factory whose direct call, like `.create()`, types as the model."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # factory_boy 3.3 types only `.create()`/`.build()`: `UserFactory(...)` runs through the
        # untyped `FactoryMetaClass.__call__`, which mypy does not consult, so mypy infers an
        # instance of the factory. At runtime the call returns the model (create strategy).
        # mypy insists that `__new__` returns the class itself, hence the ignore.
        def __new__(cls, **kwargs: Any) -> M: ...  # type: ignore[misc]


class UnitFactory(ModelFactory[Unit]):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}单位")
    kind = Unit.Kind.MINE


class DepartmentFactory(ModelFactory[Department]):
    class Meta:
        model = Department

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"部门{n}")


def _add_roles(
    user: User, create: bool, extracted: list[str] | None, **kwargs: object
) -> None:
    if not create or not extracted:
        return
    for role in extracted:
        user.groups.add(*role_groups([role]))


def _add_primary_membership(
    user: User, create: bool, extracted: object, **kwargs: object
) -> None:
    # Every user belongs to their primary department.
    if create and user.primary_department_id:
        Membership.objects.get_or_create(
            user=user,
            department_id=user.primary_department_id,
            defaults={"is_head": bool(kwargs.get("is_head", False))},
        )


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("zhiban-demo-1")
    primary_department = factory.SubFactory(DepartmentFactory)

    # Post-generation hooks receive the created user, not the factory: they are plain
    # functions so that their first argument types as the model.
    roles = factory.post_generation(_add_roles)
    membership = factory.post_generation(_add_primary_membership)


def make_head(user: User) -> User:
    """Make the user head of their primary department."""
    assert user.primary_department_id is not None, "the user has no primary department"
    Membership.objects.filter(
        user=user, department_id=user.primary_department_id
    ).update(is_head=True)
    user.groups.add(*role_groups([Role.DEPARTMENT_HEAD]))
    return user
