"""Pages of the organisation: permissions, forms, HTMX fragments and query budgets."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

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
from zhiban.org.tests.test_importing import workbook

pytestmark = pytest.mark.django_db

# Extra WSGI environ for the test client, which django-stubs types as `**extra: Any`.
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(admin: User, employee: User) -> dict[str, Any]:
    """A small organisation with a delegation and a post."""
    department = employee.primary_department
    assert department is not None
    post = Post.objects.create(code="P1", name="文书岗")
    delegation = Delegation.objects.create(
        delegator=employee,
        delegate=admin,
        starts_on=datetime.date(2030, 1, 1),
        ends_on=datetime.date(2030, 1, 5),
    )
    other = UserFactory(name="同事", primary_department=department)
    return {
        "department": department,
        "unit": department.unit,
        "post": post,
        "delegation": delegation,
        "other": other,
    }


def admin_get_urls(world: dict[str, Any]) -> list[str]:
    return [
        reverse("org:admin_home"),
        reverse("org:unit_list"),
        reverse("org:unit_create"),
        reverse("org:unit_edit", args=[world["unit"].pk]),
        reverse("org:department_list"),
        reverse("org:department_create"),
        reverse("org:department_edit", args=[world["department"].pk]),
        reverse("org:post_list"),
        reverse("org:post_create"),
        reverse("org:post_edit", args=[world["post"].pk]),
        reverse("org:user_list"),
        reverse("org:user_create"),
        reverse("org:user_edit", args=[world["other"].pk]),
        reverse("org:delegation_admin"),
        reverse("org:import"),
        reverse("org:import_template"),
        reverse("org:calendar"),
    ]


def admin_posts(world: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    other, department = world["other"], world["department"]
    return [
        (
            reverse("org:unit_create"),
            {"code": "X", "name": "X", "kind": "mine", "sort_order": 0},
        ),
        (
            reverse("org:unit_edit", args=[world["unit"].pk]),
            {"code": "X", "name": "X", "kind": "mine", "sort_order": 0},
        ),
        (
            reverse("org:department_create"),
            {"unit": world["unit"].pk, "code": "X", "name": "X", "sort_order": 0},
        ),
        (
            reverse("org:department_edit", args=[department.pk]),
            {"code": "X", "name": "X", "sort_order": 0},
        ),
        (
            reverse("org:department_move", args=[department.pk]),
            {"unit": UnitFactory().pk},
        ),
        (reverse("org:department_leader", args=[department.pk]), {"leader": other.pk}),
        (reverse("org:post_create"), {"code": "X", "name": "X"}),
        (reverse("org:post_edit", args=[world["post"].pk]), {"code": "X", "name": "X"}),
        (reverse("org:post_delete", args=[world["post"].pk]), {}),
        (
            reverse("org:user_create"),
            {"username": "x", "name": "X", "language": "zh-hans"},
        ),
        (
            reverse("org:user_edit", args=[other.pk]),
            {"username": "x", "name": "X", "language": "en"},
        ),
        (reverse("org:user_roles", args=[other.pk]), {"roles": ["system_admin"]}),
        (reverse("org:user_deactivate", args=[other.pk]), {}),
        (reverse("org:user_reactivate", args=[other.pk]), {}),
        (
            reverse("org:membership_set", args=[other.pk]),
            {"department": department.pk, "is_head": "on"},
        ),
        (reverse("org:membership_remove", args=[other.memberships.get().pk]), {}),
        (
            reverse("org:delegation_admin"),
            {
                "delegator": other.pk,
                "delegate": world["delegation"].delegate_id,
                "starts_on": "2030-02-01",
                "ends_on": "2030-02-02",
            },
        ),
        (reverse("org:import"), {"action": "check"}),
    ]


def state() -> tuple[Any, ...]:
    """Everything the admin pages could change."""
    return (
        list(Unit.objects.values_list("id", "code", "name", "parent_id", "is_active")),
        list(
            Department.objects.values_list(
                "id",
                "code",
                "name",
                "parent_id",
                "unit_id",
                "overseeing_leader_id",
                "is_active",
            )
        ),
        list(Post.objects.values_list("id", "code", "name")),
        list(
            User.objects.values_list("id", "username", "name", "is_active").order_by(
                "id"
            )
        ),
        list(
            User.groups.through.objects.values_list("user_id", "group_id").order_by(
                "id"
            )
        ),
        list(
            Membership.objects.values_list("id", "department_id", "is_head").order_by(
                "id"
            )
        ),
        list(Delegation.objects.values_list("id", "is_active").order_by("id")),
    )


def test_anonymous_is_sent_to_sign_in(client: Client, world: dict[str, Any]) -> None:
    urls = [
        reverse("org:directory"),
        reverse("org:person", args=[world["other"].pk]),
        reverse("org:my_delegations"),
        *admin_get_urls(world),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    posts = admin_posts(world)
    before = state()
    for url, data in posts:
        assert client.post(url, data).status_code == 302, url
    assert (
        client.post(
            reverse("org:delegation_end", args=[world["delegation"].pk])
        ).status_code
        == 302
    )
    assert state() == before


def test_employee_browses_the_directory(
    client: Client, employee: User, world: dict[str, Any]
) -> None:
    client.force_login(employee)
    response = client.get(reverse("org:directory"))
    assert response.status_code == 200
    assert world["department"].name in response.content.decode()
    response = client.get(reverse("org:person", args=[world["other"].pk]))
    assert response.status_code == 200
    assert "同事" in response.content.decode()
    assert client.get(reverse("org:my_delegations")).status_code == 200


def test_employee_gets_403_on_admin_pages_and_changes_nothing(
    client: Client, employee: User, world: dict[str, Any]
) -> None:
    client.force_login(employee)
    for url in admin_get_urls(world):
        assert client.get(url).status_code == 403, url
    posts = admin_posts(world)
    before = state()
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert state() == before


def test_admin_opens_every_admin_page(
    client: Client, admin: User, world: dict[str, Any]
) -> None:
    client.force_login(admin)
    for url in admin_get_urls(world):
        assert client.get(url).status_code == 200, url


def test_deactivated_people_have_no_card_for_employees(
    client: Client, employee: User, admin: User
) -> None:
    gone = UserFactory(is_active=False)
    client.force_login(employee)
    assert client.get(reverse("org:person", args=[gone.pk])).status_code == 404
    client.force_login(admin)
    assert client.get(reverse("org:person", args=[gone.pk])).status_code == 200


def test_directory_fragment_for_htmx(
    client: Client, employee: User, world: dict[str, Any]
) -> None:
    client.force_login(employee)
    url = reverse("org:directory") + f"?department={world['department'].pk}"
    response = client.get(url, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="people">')
    assert "同事" in body
    assert "<html" not in body
    card = client.get(reverse("org:person", args=[world["other"].pk]), **HTMX)
    assert (
        card.content.decode()
        .lstrip()
        .startswith(f'<div class="card mb-3" id="person-{world["other"].pk}">')
    )


def test_history_restore_gets_the_whole_page(
    client: Client, employee: User, world: dict[str, Any]
) -> None:
    client.force_login(employee)
    url = reverse("org:directory") + f"?department={world['department'].pk}"
    response = client.get(url, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_directory_search_and_unknown_department(
    client: Client, employee: User, world: dict[str, Any]
) -> None:
    client.force_login(employee)
    response = client.get(reverse("org:directory"), {"q": "同事"}, **HTMX)
    assert [p.name for p in response.context["page"].object_list] == ["同事"]
    assert (
        client.get(reverse("org:directory"), {"department": 999999}).status_code == 404
    )


def test_admin_creates_a_unit_and_sees_field_errors(
    client: Client, admin: User
) -> None:
    admin.language = User.Language.ENGLISH
    admin.save()
    client.force_login(admin)
    data = {"code": "HQ", "name": "集团本部", "kind": "headquarters", "sort_order": 0}
    response = client.post(reverse("org:unit_create"), data)
    assert response.status_code == 302
    assert Unit.objects.filter(code="HQ", name="集团本部").count() == 1
    response = client.post(reverse("org:unit_create"), {**data, "name": "另一个"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["A unit with code “HQ” already exists."]
    }
    assert Unit.objects.filter(code="HQ").count() == 1


def test_errors_are_shown_in_simplified_chinese(client: Client, admin: User) -> None:
    UnitFactory(code="HQ")
    client.force_login(admin)
    data = {"code": "HQ", "name": "本部", "kind": "headquarters", "sort_order": 0}
    response = client.post(reverse("org:unit_create"), data)
    assert response.context["form"].errors == {"code": ["单位编码“HQ”已存在。"]}


def test_moving_a_department_into_its_child_shows_the_error(
    client: Client, admin: User
) -> None:
    top = DepartmentFactory(code="A", name="甲")
    child = DepartmentFactory(code="B", name="乙", unit=top.unit, parent=top)
    client.force_login(admin)
    response = client.post(
        reverse("org:department_move", args=[top.pk]),
        {"unit": top.unit_id, "parent": child.pk},
    )
    assert response.status_code == 200
    assert list(response.context["move_form"].errors) == ["parent"]
    top.refresh_from_db()
    assert top.parent_id is None


def test_admin_manages_a_user(
    client: Client, admin: User, world: dict[str, Any]
) -> None:
    client.force_login(admin)
    department = world["department"]
    response = client.post(
        reverse("org:user_create"),
        {
            "username": "wangwu",
            "name": "王五",
            "employee_number": "20001",
            "mobile": "13700000000",
            "primary_department": department.pk,
            "language": "zh-hans",
            "roles": ["clerk"],
        },
    )
    created = User.objects.get(username="wangwu")
    assert response["Location"] == reverse("org:user_edit", args=[created.pk])
    assert list(created.groups.values_list("name", flat=True)) == ["clerk"]
    response = client.post(
        reverse("org:user_create"),
        {
            "username": "other",
            "name": "重号",
            "employee_number": "20001",
            "language": "zh-hans",
        },
    )
    assert list(response.context["form"].errors) == ["employee_number"]
    client.post(
        reverse("org:membership_set", args=[created.pk]),
        {"department": department.pk, "title": "科长", "is_head": "on"},
    )
    assert Membership.objects.get(user=created, department=department).is_head
    client.post(reverse("org:user_roles", args=[created.pk]), {"roles": ["archivist"]})
    assert list(created.groups.values_list("name", flat=True)) == ["archivist"]
    client.post(reverse("org:user_deactivate", args=[created.pk]))
    created.refresh_from_db()
    assert created.is_active is False


def test_my_delegations(client: Client, employee: User, world: dict[str, Any]) -> None:
    client.force_login(employee)
    delegate = world["other"]
    response = client.post(
        reverse("org:my_delegations"),
        {
            "delegate": delegate.pk,
            "starts_on": "2031-01-01",
            "ends_on": "2031-01-03",
            "kinds": ["document"],
        },
    )
    assert response.status_code == 302
    created = Delegation.objects.get(delegate=delegate)
    assert (created.delegator_id, created.kinds) == (employee.pk, ["document"])
    response = client.post(
        reverse("org:my_delegations"),
        {"delegate": employee.pk, "starts_on": "2031-02-01", "ends_on": "2031-02-03"},
    )
    assert list(response.context["form"].errors) == ["delegate"]
    assert (
        client.post(reverse("org:delegation_end", args=[created.pk])).status_code == 302
    )
    created.refresh_from_db()
    assert created.is_active is False


def test_ending_someone_elses_delegation_is_forbidden(
    client: Client, world: dict[str, Any]
) -> None:
    stranger = UserFactory(roles=[Role.EMPLOYEE])
    client.force_login(stranger)
    delegation = world["delegation"]
    assert (
        client.post(reverse("org:delegation_end", args=[delegation.pk])).status_code
        == 403
    )
    delegation.refresh_from_db()
    assert delegation.is_active is True


def test_import_dry_run_then_apply(client: Client, admin: User) -> None:
    client.force_login(admin)
    upload = workbook()
    upload.name = "org.xlsx"
    response = client.post(reverse("org:import"), {"action": "check", "file": upload})
    assert response.status_code == 200
    assert response.context["result"].is_clean
    assert not Unit.objects.filter(code="HQ").exists()
    token = response.context["token"]
    response = client.post(
        reverse("org:import"),
        {"action": "apply", "token": token, "file_name": "org.xlsx"},
    )
    assert response.status_code == 302
    assert Unit.objects.filter(code__in=["HQ", "M1"]).count() == 2
    assert (
        User.objects.filter(employee_number__in=["10001", "10002", "10003"]).count()
        == 3
    )


def test_import_bad_file_shows_problems_and_writes_nothing(
    client: Client, admin: User
) -> None:
    admin.language = User.Language.ENGLISH
    admin.save()
    client.force_login(admin)
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "org.xlsx"
    before = state()
    response = client.post(reverse("org:import"), {"action": "check", "file": upload})
    assert [p.message for p in response.context["result"].problems] == [
        "“org.xlsx” is not an allowed kind of file (its content is text/plain). "
        "Allowed: xlsx."
    ]
    assert response.context["token"] == ""
    response = client.post(
        reverse("org:import"), {"action": "apply", "token": "0" * 64}
    )
    assert response.status_code == 302
    assert state() == before


def test_import_template_download(client: Client, admin: User) -> None:
    client.force_login(admin)
    response = client.get(reverse("org:import_template"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["单位", "部门", "人员"]


# --- Query budgets -------------------------------------------------------------------


def populate(size: int) -> Department:
    """Make `size` units with two departments each and people in them."""
    department = None
    for index in range(size):
        unit = UnitFactory(code=f"QB{size}-{index}")
        leader = UserFactory()
        top = DepartmentFactory(unit=unit, overseeing_leader=leader)
        department = DepartmentFactory(unit=unit, parent=top)
        for _ in range(2):
            person = UserFactory(primary_department=department, roles=[Role.EMPLOYEE])
            Delegation.objects.create(
                delegator=person,
                delegate=leader,
                starts_on="2030-01-01",
                ends_on="2030-01-02",
                kinds=["document"],
            )
        Post.objects.create(code=f"P{size}-{index}", name="岗")
    assert department is not None
    return department


PAGES = [
    ("directory", lambda d: reverse("org:directory"), {}),
    ("people", lambda d: reverse("org:directory") + f"?department={d.pk}", HTMX),
    ("search", lambda d: reverse("org:directory") + "?q=员工", HTMX),
    ("units", lambda d: reverse("org:unit_list"), {}),
    ("departments", lambda d: reverse("org:department_list"), {}),
    ("posts", lambda d: reverse("org:post_list"), {}),
    ("users", lambda d: reverse("org:user_list"), {}),
    ("users_rows", lambda d: reverse("org:user_list") + "?q=员工", HTMX),
    ("delegations", lambda d: reverse("org:delegation_admin"), {}),
    ("my_delegations", lambda d: reverse("org:my_delegations"), {}),
    ("person", lambda d: reverse("org:person", args=[_member(d).pk]), {}),
    ("person_card", lambda d: reverse("org:person", args=[_member(d).pk]), HTMX),
    ("department_edit", lambda d: reverse("org:department_edit", args=[d.pk]), {}),
    ("user_edit", lambda d: reverse("org:user_edit", args=[_member(d).pk]), {}),
]


def _member(department: Department) -> User:
    member = User.objects.filter(primary_department=department).order_by("pk").first()
    assert member is not None
    return member


def count_queries(client: Client, url: str, headers: dict[str, Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("name", "make_url", "headers"), PAGES, ids=[p[0] for p in PAGES]
)
def test_query_budget_does_not_grow_with_data(
    client: Client,
    admin: User,
    name: str,
    make_url: Any,
    headers: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    client.force_login(admin)
    small = populate(2)
    client.get(make_url(small), **headers)  # warm per-process caches
    first = count_queries(client, make_url(small), headers)
    large_url = make_url(populate(6))
    with django_assert_num_queries(first):
        client.get(large_url, **headers)
    assert first <= 16


# --- Working-day calendar ------------------------------------------------------------


def calendar_state() -> list[tuple[Any, ...]]:
    return list(
        WorkingDayOverride.objects.values_list(
            "id", "day", "is_working_day", "note"
        ).order_by("id")
    )


@pytest.fixture
def holiday(admin: User) -> WorkingDayOverride:
    return WorkingDayOverride.objects.create(
        day=datetime.date(2027, 10, 1), is_working_day=False, note="2027年国庆节"
    )


def calendar_posts(holiday: WorkingDayOverride) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            reverse("org:calendar"),
            {"day": "2027-10-09", "is_working_day": "working", "note": "调休"},
        ),
        (
            reverse("org:calendar"),
            {"day": "2027-10-01", "is_working_day": "working", "note": "改"},
        ),
        (reverse("org:calendar_delete", args=[holiday.pk]), {}),
    ]


def test_calendar_sends_anonymous_to_sign_in_and_changes_nothing(
    client: Client, holiday: WorkingDayOverride
) -> None:
    response = client.get(reverse("org:calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    before = calendar_state()
    for url, data in calendar_posts(holiday):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert calendar_state() == before


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SYSTEM_ADMIN, 200),
        (Role.OFFICE_DIRECTOR, 200),
        (Role.CLERK, 403),
        (Role.DEPARTMENT_HEAD, 403),
        (Role.EMPLOYEE, 403),
    ],
)
def test_calendar_is_for_administrators_and_office_directors(
    client: Client, holiday: WorkingDayOverride, role: Role, status: int
) -> None:
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("org:calendar")).status_code == status


@pytest.mark.parametrize("role", [Role.CLERK, Role.EMPLOYEE])
def test_a_denied_calendar_post_changes_nothing(
    client: Client, holiday: WorkingDayOverride, role: Role
) -> None:
    client.force_login(UserFactory(roles=[role]))
    before = calendar_state()
    for url, data in calendar_posts(holiday):
        assert client.post(url, data).status_code == 403, url
    assert calendar_state() == before


def test_admin_sets_changes_and_deletes_a_day(client: Client, admin: User) -> None:
    client.force_login(admin)
    data = {"day": "2027-10-09", "is_working_day": "working", "note": "2027年国庆调休"}
    response = client.post(reverse("org:calendar") + "?year=2026", data)
    assert response.status_code == 302
    assert response["Location"] == reverse("org:calendar") + "?year=2027"
    override = WorkingDayOverride.objects.get()
    assert (override.day, override.is_working_day, override.note) == (
        datetime.date(2027, 10, 9),
        True,
        "2027年国庆调休",
    )
    page = client.get(response["Location"])
    assert list(page.context["overrides"]) == [override]
    assert "2027年国庆调休" in page.content.decode()
    # The day's link fills the form with its override.
    page = client.get(reverse("org:calendar"), {"year": "2027", "day": "2027-10-09"})
    assert page.context["form"].initial == {
        "day": datetime.date(2027, 10, 9),
        "is_working_day": "working",
        "note": "2027年国庆调休",
    }
    # A date input needs the ISO date, not the language's format (2027/10/09).
    assert 'type="date" name="day" value="2027-10-09"' in page.content.decode()
    client.post(reverse("org:calendar"), {**data, "is_working_day": "rest"})
    override.refresh_from_db()
    assert override.is_working_day is False
    response = client.post(reverse("org:calendar_delete", args=[override.pk]))
    assert response["Location"] == reverse("org:calendar") + "?year=2027"
    assert not WorkingDayOverride.objects.exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"day": "", "is_working_day": "working", "note": "调休"},
            {"day": ["This field is required."]},
        ),
        (
            {"day": "2027-02-30", "is_working_day": "working", "note": "调休"},
            {"day": ["Enter a valid date."]},
        ),
        (
            {"day": "2027-10-09", "is_working_day": "", "note": "调休"},
            {"is_working_day": ["This field is required."]},
        ),
        (
            {"day": "2027-10-09", "is_working_day": "maybe", "note": "调休"},
            {
                "is_working_day": [
                    "Select a valid choice. maybe is not one of the available choices."
                ]
            },
        ),
        (
            {"day": "2027-10-09", "is_working_day": "rest", "note": "   "},
            {"note": ["This field is required."]},
        ),
        (
            {"day": "2027-10-09", "is_working_day": "rest", "note": "长" * 101},
            {"note": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
    ],
)
def test_calendar_shows_bad_input_and_stores_nothing(
    client: Client, admin: User, data: dict[str, str], errors: dict[str, list[str]]
) -> None:
    admin.language = User.Language.ENGLISH
    admin.save()
    client.force_login(admin)
    response = client.post(reverse("org:calendar"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not WorkingDayOverride.objects.exists()


def test_calendar_errors_are_shown_in_simplified_chinese(
    client: Client, admin: User
) -> None:
    client.force_login(admin)
    response = client.post(
        reverse("org:calendar"),
        {"day": "2027-10-09", "is_working_day": "", "note": "调休"},
    )
    assert response.context["form"].errors == {"is_working_day": ["该字段是必填项。"]}


def test_calendar_counts_the_working_days_of_the_year(
    client: Client, admin: User
) -> None:
    client.force_login(admin)
    response = client.get(reverse("org:calendar"), {"year": 2026})
    assert response.context["calendar"].working_days == 248
    assert response.context["official_known"] is True
    body = response.content.decode()
    assert "2026 年共有 248 个工作日、117 个休息日。" in body
    assert 'data-testid="no-official-calendar"' not in body
    WorkingDayOverride.objects.create(
        day=datetime.date(2026, 10, 1), is_working_day=True, note="值班"
    )
    response = client.get(reverse("org:calendar"), {"year": 2026})
    assert response.context["calendar"].working_days == 249


def test_calendar_warns_of_a_year_the_package_does_not_know(
    client: Client, admin: User
) -> None:
    client.force_login(admin)
    response = client.get(reverse("org:calendar"), {"year": 2031})
    assert response.context["calendar"].working_days == 261
    assert 'data-testid="no-official-calendar"' in response.content.decode()


@pytest.mark.parametrize("year", ["", "abc", "1999", "2101"])
def test_calendar_shows_this_year_for_a_missing_or_bad_year(
    client: Client, admin: User, year: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "zhiban.org.views.workdays.timezone.localdate",
        lambda: datetime.date(2026, 11, 27),
    )
    client.force_login(admin)
    response = client.get(reverse("org:calendar"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == 2026


def test_admin_home_links_to_the_calendar(client: Client, admin: User) -> None:
    client.force_login(admin)
    response = client.get(reverse("org:admin_home"))
    assert reverse("org:calendar") in response.content.decode()


def test_calendar_query_budget_does_not_grow_with_overrides(
    client: Client, admin: User, django_assert_num_queries: Any
) -> None:
    client.force_login(admin)
    url = reverse("org:calendar") + "?year=2027"
    WorkingDayOverride.objects.create(
        day=datetime.date(2027, 1, 4), is_working_day=False, note="一", updated_by=admin
    )
    client.get(url)  # warm per-process caches
    first = count_queries(client, url, {})
    WorkingDayOverride.objects.bulk_create(
        WorkingDayOverride(
            day=datetime.date(2027, 2, 1) + datetime.timedelta(days=n),
            is_working_day=n % 2 == 0,
            note=f"第{n}",
            updated_by=UserFactory(),
        )
        for n in range(20)
    )
    with django_assert_num_queries(first):
        response = client.get(url)
    assert len(response.context["overrides"]) == 21
    assert first <= 10
