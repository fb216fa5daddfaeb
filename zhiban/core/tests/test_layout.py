"""The layout: navigation by role (cached), the top bar, and the error pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from zhiban.core.templatetags.zhiban_layout import sidebar
from zhiban.core.tests.layout_urls import PLAIN_PAGE
from zhiban.core.views import server_error
from zhiban.org.models import Role
from zhiban.org.tests.factories import UserFactory

MODEL_BACKEND = "zhiban.accounts.backends.ModelBackend"
PAGE = PLAIN_PAGE  # a plain page on the layout that reads nothing itself

pytestmark = pytest.mark.urls("zhiban.core.tests.layout_urls")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _sidebar_links(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', html)


def _render_sidebar(user, active=""):
    request = RequestFactory().get("/")
    request.user = user
    return str(sidebar({"request": request, "nav_active": active}))


@pytest.mark.django_db
def test_an_employee_sees_the_everyday_entries_only(employee):
    links = _sidebar_links(_render_sidebar(employee))

    assert links == [
        reverse("core:home"),
        reverse("inbox:list"),
        reverse("workflow:apply"),
        reverse("notices:list"),
        reverse("documents:register"),
        reverse("supervision:list"),
        reverse("meetings:board"),
        reverse("seals:ledger"),
        reverse("org:directory"),
    ]


@pytest.mark.django_db
def test_an_administrator_also_sees_the_administration_entries(admin):
    links = _sidebar_links(_render_sidebar(admin))

    assert links[-2:] == [reverse("org:admin_home"), reverse("audit:list")]


@pytest.mark.django_db
def test_the_active_entry_is_marked(employee):
    html = _render_sidebar(employee, active="notices")

    assert f'<a class="nav-link active" href="{reverse("notices:list")}"' in html
    assert html.count(" active") == 1


def test_nobody_signed_in_gets_no_navigation():
    assert _render_sidebar(AnonymousUser()) == ""


@pytest.mark.django_db
def test_the_navigation_is_served_from_the_cache(employee, django_assert_num_queries):
    _render_sidebar(employee)  # fills the cache (and asks for the roles)
    employee._role_cache = None  # a fresh request would know nothing

    with django_assert_num_queries(0):
        html = _render_sidebar(employee)

    assert reverse("inbox:list") in html


@pytest.mark.django_db
def test_the_navigation_is_cached_per_language(employee):
    with translation.override("en"):
        english = _render_sidebar(employee)
    with translation.override("zh-hans"):
        chinese = _render_sidebar(employee)

    assert re.search(r'<i class="bi bi-inbox"></i> To-do\s*</a>', english)
    assert "To-do" not in chinese
    assert "待办" in chinese


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["user.groups", "group.user_set"])
def test_a_new_role_shows_at_once(employee, how):
    before = _render_sidebar(employee)
    group = Group.objects.get_or_create(name=Role.SYSTEM_ADMIN)[0]

    if how == "user.groups":
        employee.groups.add(group)
    else:
        group.user_set.add(employee)
    fresh = type(employee).objects.get(pk=employee.pk)

    assert reverse("audit:list") not in before
    assert reverse("audit:list") in _render_sidebar(fresh)


@pytest.mark.django_db
def test_a_removed_role_disappears_at_once(admin):
    before = _render_sidebar(admin)
    Group.objects.get_or_create(name=Role.SYSTEM_ADMIN)[0].user_set.clear()
    fresh = type(admin).objects.get(pk=admin.pk)

    assert reverse("audit:list") in before
    assert reverse("audit:list") not in _render_sidebar(fresh)


@pytest.mark.django_db
def test_the_layout_costs_the_same_queries_on_every_page_view(
    client, employee, django_assert_num_queries
):
    client.force_login(employee, backend=MODEL_BACKEND)
    client.get(PAGE)  # the navigation and the user heading are cached now

    # the user (the session comes from the cache); nothing for the navigation, the
    # roles or the department.
    with django_assert_num_queries(1):
        response = client.get(PAGE)

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_user_menu_names_the_user_and_department(client):
    user = UserFactory(name="王秘书", primary_department__name="综合办公室")
    client.force_login(user, backend=MODEL_BACKEND)

    html = client.get(PAGE).content.decode()

    assert '<li class="dropdown-header">王秘书 · 综合办公室</li>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sign_out"),
    [("zh-hans", "退出登录"), ("zh-hant", "退出登錄"), ("en", "Sign out")],
)
def test_the_layout_speaks_the_users_language(client, language, sign_out):
    user = UserFactory(language=language)
    client.force_login(user, backend=MODEL_BACKEND)

    html = client.get(PAGE).content.decode()

    assert f'<html lang="{language}">' in html
    assert sign_out in html


# --- Error pages ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-hans", "您访问的页面不存在。"),
        ("zh-hant", "您訪問的頁面不存在。"),
        ("en", "The page you asked for does not exist."),
    ],
)
def test_404_is_in_the_users_language(client, language, text):
    client.force_login(UserFactory(language=language), backend=MODEL_BACKEND)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.django_db
def test_403_page(client, employee):
    client.force_login(employee, backend=MODEL_BACKEND)

    response = client.get(reverse("audit:list"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "您没有权限访问此页面。" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_500_renders_without_the_database():
    # No django_db mark: any query would fail this test.
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出错了" in html
    assert 'href="/static/css/zhiban.css"' in html


@override_settings(DEBUG=False)
@pytest.mark.django_db
def test_an_exception_in_a_view_gives_the_500_page(client, employee, monkeypatch):
    from zhiban.core import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "work_item_counts_for", broken)
    client.raise_request_exception = False
    client.force_login(employee, backend=MODEL_BACKEND)

    response = client.get(reverse("core:home"))

    assert response.status_code == 500
    assert "500" in response.content.decode()


# --- An HTMX request whose session expired ---------------------------------------


@pytest.mark.django_db
def test_an_htmx_request_without_a_session_goes_to_the_login_page(client):
    response = client.get(
        reverse("inbox:list"),
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/inbox/?tab=done",
        },
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Finbox%2F%3Ftab%3Ddone"
    assert response.content == b""


@pytest.mark.django_db
def test_a_plain_request_without_a_session_is_redirected_as_usual(client):
    response = client.get(reverse("inbox:list"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/inbox/"
    assert "HX-Redirect" not in response


@pytest.mark.django_db
def test_an_htmx_request_with_a_session_is_left_alone(client, employee):
    client.force_login(employee, backend=MODEL_BACKEND)

    response = client.get(PAGE, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "HX-Redirect" not in response
