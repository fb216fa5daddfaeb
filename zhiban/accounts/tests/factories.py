"""Typed shortcuts to the organisation factories, for the accounts tests."""

from __future__ import annotations

from typing import Any, cast

from zhiban.org.models import Department, Unit, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory


def make_user(**fields: Any) -> User:
    """Create a user (with a primary department unless told otherwise)."""
    return cast(User, UserFactory(**fields))


def make_users(count: int) -> list[User]:
    """Create several users."""
    return cast(list[User], UserFactory.create_batch(count))


def make_unit(**fields: Any) -> Unit:
    """Create a unit."""
    return cast(Unit, UnitFactory(**fields))


def make_department(**fields: Any) -> Department:
    """Create a department."""
    return cast(Department, DepartmentFactory(**fields))
