"""A tour of every page on the demo data, at desktop and phone width.

Each page must load with 200, log no console error and break no CSP rule; the
screenshots in e2e/artifacts/tour-*.png are what a person checks the look on.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}  # as e2e/conftest.py
DESKTOP = {"width": 1366, "height": 900}
FORBIDDEN = (
    "Failed to load resource: the server responded with a status of 403 (Forbidden)"
)


@pytest.fixture
def demo() -> dict[str, Any]:
    """Seed the demo group and return the ids the tour opens."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from zhiban.audit.models import AuditEntry
    from zhiban.notices.models import Notice
    from zhiban.org.models import Department, Role, User

    # A transactional test starts from empty tables: make the role groups again.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    call_command("seed_demo", "--force", stdout=io.StringIO())  # DEBUG is off here
    notice = Notice.objects.filter(state=Notice.State.PUBLISHED).order_by("pk").first()
    assert notice is not None
    return {
        "notice": notice.pk,
        "department": Department.objects.get(code="YN-CW").pk,
        "user": User.objects.get(username="yangjie").pk,
        "audit": AuditEntry.objects.order_by("-pk").values_list("pk", flat=True)[0],
    }


def _visit(page: Any, console: Any, shot: Any, url: str, name: str) -> None:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, (url, response.status)
    page.wait_for_load_state("networkidle")
    shot(page, f"tour-{name}")
    assert console.errors == [], (url, console.errors)
    _assert_fits_a_phone(page, url)


def _assert_fits_a_phone(page: Any, url: str) -> None:
    """The page itself never scrolls sideways at phone width (tables scroll inside)."""
    page.set_viewport_size(PHONE)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = (
        page.evaluate(WIDER_THAN_A_PHONE, PHONE["width"])
        if width > PHONE["width"]
        else []
    )
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], (url, width, wide)


WIDER_THAN_A_PHONE = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit)
  .slice(0, 8).map(e => e.tagName + '.' + e.className)"""


def test_an_administrator_tours_every_page(page, console, demo, sign_in, shot):
    sign_in(page, "admin", "zhiban-demo")
    notice = demo["notice"]
    pages = [
        ("/", "home"),
        ("/inbox/", "inbox-todo"),
        ("/inbox/?tab=done", "inbox-done"),
        ("/inbox/?tab=initiated", "inbox-initiated"),
        ("/inbox/?tab=cc", "inbox-cc"),
        ("/inbox/notifications/", "notifications"),
        ("/notices/", "notices"),
        (f"/notices/{notice}/", "notice-detail"),
        ("/notices/new/", "notice-compose"),
        (f"/notices/{notice}/receipts/", "notice-receipts"),
        ("/org/", "directory"),
        (f"/org/?department={demo['department']}", "directory-department"),
        ("/org/?q=%E6%9D%A8", "directory-search"),
        (f"/org/people/{demo['user']}/", "person"),
        ("/org/delegations/", "my-delegations"),
        ("/org/manage/", "admin-home"),
        ("/org/manage/units/", "admin-units"),
        ("/org/manage/departments/", "admin-departments"),
        (f"/org/manage/departments/{demo['department']}/", "admin-department-edit"),
        ("/org/manage/posts/", "admin-posts"),
        ("/org/manage/users/", "admin-users"),
        (f"/org/manage/users/{demo['user']}/", "admin-user-edit"),
        ("/org/manage/delegations/", "admin-delegations"),
        ("/org/manage/import/", "admin-import"),
        ("/audit/", "audit"),
        (f"/audit/{demo['audit']}/", "audit-detail"),
        ("/accounts/preferences/", "preferences"),
        ("/accounts/password/", "password"),
    ]
    for url, name in pages:
        _visit(page, console, shot, url, name)

    # The directory by hand: a department from the tree, a search, a person's card.
    page.goto("/org/")
    page.locator("#people").get_by_role("link").first.wait_for()
    page.get_by_role("link", name="财务部").first.click()
    page.wait_for_url(f"**/org/?department={demo['department']}*")
    page.get_by_role("searchbox").fill("杨洁")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**q=*")
    page.locator("#people").get_by_role("link", name="杨洁").click()
    page.locator("#person-card").get_by_text("杨洁").first.wait_for()
    shot(page, "tour-directory-card")
    assert console.errors == []
    _assert_fits_a_phone(page, page.url)

    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock").first.wait_for()
    shot(page, "tour-api-docs")
    assert console.errors == []


def test_an_employee_sees_their_work_and_no_admin_page(
    page, console, demo, sign_in, shot
):
    sign_in(page, "yangjie", "zhiban-demo")
    _visit(page, console, shot, "/", "employee-home")
    _visit(page, console, shot, "/inbox/", "employee-inbox")
    _visit(page, console, shot, "/notices/", "employee-notices")

    for url in ("/org/manage/", "/audit/"):
        response = page.goto(url)
        assert response is not None, url
        assert response.status == 403, (url, response.status)
        assert "您没有权限" in page.locator("main").inner_text()
    shot(page, "tour-employee-403")
    _assert_fits_a_phone(page, page.url)
    assert console.errors == [FORBIDDEN, FORBIDDEN]
