"""The read-only organisation API: permissions, fields and query budgets."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from zhiban.org.models import Membership, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/org/units/", "/api/org/departments/", "/api/org/users/"]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.mark.parametrize(
    "url",
    [*LISTS, "/api/org/departments/tree/"],
    ids=lambda u: u.strip("/").replace("/", "-"),
)
def test_anonymous_is_refused(api: APIClient, url: str) -> None:
    # Session authentication comes first, and it sends no WWW-Authenticate: 403.
    response = api.get(url)
    assert response.status_code == 403
    assert "results" not in response.json()


def test_writes_are_not_allowed(api: APIClient, admin: User) -> None:
    api.force_authenticate(admin)
    response = api.post("/api/org/units/", {"code": "X", "name": "X", "kind": "mine"})
    assert response.status_code == 405
    assert api.delete(f"/api/org/users/{admin.pk}/").status_code == 405


def test_employee_reads_the_directory_without_secrets(
    api: APIClient, employee: User
) -> None:
    gone = UserFactory(is_active=False)
    api.force_authenticate(employee)
    response = api.get("/api/org/users/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [employee.pk]
    department = employee.primary_department
    assert department is not None
    assert set(rows[0]) == {
        "id",
        "username",
        "employee_number",
        "display_name",
        "title",
        "mobile",
        "email",
        "primary_department",
        "memberships",
    }
    assert rows[0]["memberships"] == [
        {
            "department": employee.primary_department_id,
            "department_name": department.name,
            "title": "",
            "is_head": False,
            "is_deputy": False,
        }
    ]
    assert api.get(f"/api/org/users/{gone.pk}/").status_code == 404


def test_users_search_and_department_filter(api: APIClient, employee: User) -> None:
    department = DepartmentFactory()
    member = UserFactory(name="赵六", primary_department=department)
    api.force_authenticate(employee)
    by_query = api.get("/api/org/users/", {"q": "赵六"}).json()["results"]
    assert [row["id"] for row in by_query] == [member.pk]
    by_department = api.get("/api/org/users/", {"department": department.pk}).json()
    assert [row["id"] for row in by_department["results"]] == [member.pk]
    assert api.get("/api/org/users/", {"department": "x"}).status_code == 404


def test_departments_and_tree(api: APIClient, employee: User) -> None:
    unit = UnitFactory(code="HQ", name="本部")
    top = DepartmentFactory(code="A", name="甲", unit=unit)
    child = DepartmentFactory(code="B", name="乙", unit=unit, parent=top)
    api.force_authenticate(employee)
    detail = api.get(f"/api/org/departments/{child.pk}/").json()
    assert (detail["parent"], detail["unit"]) == (top.pk, unit.pk)
    tree = api.get("/api/org/departments/tree/").json()
    hq = next(node for node in tree if node["code"] == "HQ")
    assert hq["departments"] == [
        {
            "id": top.pk,
            "code": "A",
            "name": "甲",
            "children": [{"id": child.pk, "code": "B", "name": "乙", "children": []}],
        }
    ]


def populate(size: int) -> None:
    for index in range(size):
        unit = UnitFactory(code=f"API{size}-{index}")
        department = DepartmentFactory(unit=unit)
        for _ in range(2):
            person = UserFactory(primary_department=department)
            Membership.objects.create(user=person, department=DepartmentFactory())


def _count(api: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert api.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [*LISTS, "/api/org/departments/tree/"],
    ids=lambda u: u.strip("/").replace("/", "-"),
)
def test_query_budget(
    api: APIClient, employee: User, url: str, django_assert_num_queries: Any
) -> None:
    api.force_authenticate(employee)
    populate(2)
    api.get(url)
    first = _count(api, url)
    populate(6)
    with django_assert_num_queries(first):
        api.get(url)
