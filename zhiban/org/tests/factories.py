"""Factories for the organisation, used by the tests of every app."""

from __future__ import annotations

import factory

from zhiban.org.models import Department, Membership, Role, Unit, User, role_groups


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}单位")
    kind = Unit.Kind.MINE


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
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

    @factory.post_generation
    def roles(
        self, create: bool, extracted: list[str] | None, **kwargs: object
    ) -> None:
        if not create or not extracted:
            return
        for role in extracted:
            self.groups.add(*role_groups([role]))

    @factory.post_generation
    def membership(self, create: bool, extracted: object, **kwargs: object) -> None:
        # Every user belongs to their primary department.
        if create and self.primary_department_id:
            Membership.objects.get_or_create(
                user=self,
                department_id=self.primary_department_id,
                defaults={"is_head": bool(kwargs.get("is_head", False))},
            )


def make_head(user: User) -> User:
    """Make the user head of their primary department."""
    Membership.objects.filter(
        user=user, department_id=user.primary_department_id
    ).update(is_head=True)
    user.groups.add(*role_groups([Role.DEPARTMENT_HEAD]))
    return user
