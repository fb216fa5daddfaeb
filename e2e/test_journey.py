"""The main journey in Chromium: sign in, see my to-dos, read a notice, switch language."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password


@pytest.fixture
def people():
    from django.contrib.auth.models import Group

    from zhiban.inbox.models import Urgency
    from zhiban.inbox.services import work_item_open
    from zhiban.notices.services import notice_create, notice_publish
    from zhiban.org.models import Role
    from zhiban.org.tests.factories import DepartmentFactory, UserFactory

    # A transactional test starts from empty tables: the role groups that a data
    # migration made are gone after the first test, so make sure they exist.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    office = DepartmentFactory(name="综合办公室")
    clerk = UserFactory(
        username="clerk", name="李文书", primary_department=office, roles=[Role.CLERK]
    )
    user = UserFactory(
        username="zhang", name="张明", primary_department=office, roles=[Role.EMPLOYEE]
    )
    for title, urgency in (
        ("审核《关于加强安全生产管理的通知》", Urgency.EXTRA_URGENT),
        ("会签：二季度设备采购计划", Urgency.URGENT),
        ("阅知：集团办公室工作要点", Urgency.NORMAL),
    ):
        work_item_open(
            assignee=user,
            kind="test",
            title=title,
            initiator=clerk,
            urgency=urgency,
            notify_assignee=False,
        )
    notice = notice_create(
        author=clerk,
        title="关于元旦放假安排的通知",
        body="根据国务院办公厅通知精神，元旦放假一天。\n\n请各部门做好值班安排。",
        is_pinned=True,
    )
    notice_publish(notice=notice, by=clerk)
    return {"user": user, "clerk": clerk, "notice": notice}


def _todo_count(page) -> int:
    return int(page.get_by_test_id("count-todo-number").inner_text())


def _choose_language(page, code: str) -> None:
    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.get_by_test_id(f"language-{code}").click()


def test_sign_in_read_a_notice_switch_language_sign_out(
    page, console, people, sign_in, shot
):
    page.goto("/")
    assert "/accounts/login/" in page.url
    shot(page, "login")

    sign_in(page, "zhang", PASSWORD)

    # Home: three work items and the notice's read-it item are waiting.
    assert page.locator("h1").inner_text() == "您好，张明"
    assert _todo_count(page) == 4
    assert page.get_by_test_id("count-done-number").inner_text() == "0"
    assert page.get_by_test_id("latest-notices").get_by_text("未读").count() == 1
    shot(page, "home")

    # Open the notice from the home page and confirm reading it.
    page.get_by_test_id("latest-notices").get_by_role(
        "link", name="关于元旦放假安排的通知"
    ).click()
    page.wait_for_url(f"**/notices/{people['notice'].pk}/")
    shot(page, "notice-detail")
    page.get_by_test_id("confirm-read").click()
    page.get_by_test_id("read-confirmed").wait_for()
    assert page.get_by_test_id("confirm-read").count() == 0

    # Back home, one to-do fewer and one done more.
    page.goto("/")
    assert _todo_count(page) == 3
    assert page.get_by_test_id("count-done-number").inner_text() == "1"
    assert page.get_by_test_id("latest-notices").get_by_text("未读").count() == 0

    # The to-do centre and the notices list.
    page.goto("/inbox/")
    shot(page, "inbox")
    page.goto("/notices/")
    shot(page, "notices")

    # English, then Traditional Chinese, then back to Simplified Chinese: the user
    # menu holds the languages as one form's buttons, the current one marked.
    page.goto("/")
    page.get_by_test_id("user-menu").click()
    assert "active" in (page.get_by_test_id("language-zh-hans").get_attribute("class"))
    shot(page, "user-menu")
    page.get_by_test_id("user-menu").click()
    _choose_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Welcome, 张明"
    assert "Latest notices" in page.locator("main").inner_text()
    assert "Sign out" in page.content()
    shot(page, "home-en")

    _choose_language(page, "zh-hant")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    assert "優先辦理" in page.locator("main").inner_text()
    assert page.get_by_test_id("count-todo").inner_text().endswith("待辦")

    _choose_language(page, "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "优先办理" in page.locator("main").inner_text()
    assert page.get_by_test_id("count-todo").inner_text().endswith("待办")

    # The language sticks to the person, not only the browser.
    people["user"].refresh_from_db()
    assert people["user"].language == "zh-hans"

    # Sign out.
    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    assert "/accounts/login/" in page.url
    page.goto("/")
    assert "/accounts/login/" in page.url

    assert console.errors == []


def test_phone_width_opens_the_navigation_as_an_offcanvas(
    page, console, people, sign_in, shot
):
    sign_in(page, "zhang", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})

    sidebar = page.locator("#zb-sidebar")
    assert not sidebar.is_visible()
    page.get_by_role("button", name="菜单").click()
    sidebar.get_by_role("link", name="通知公告").wait_for(state="visible")
    page.wait_for_selector("#zb-sidebar.show:not(.showing)")  # slide-in finished
    page.screenshot(path=str(_artifact("navigation-open-phone")))
    sidebar.get_by_role("link", name="通知公告").click()
    page.wait_for_url("**/notices/")

    assert console.errors == []


def _artifact(name: str):
    from pathlib import Path

    path = Path(__file__).resolve().parent / "artifacts" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    return path


def test_pages_built_here_look_right_and_break_no_csp_rule(
    page, console, people, sign_in, shot
):
    sign_in(page, "zhang", PASSWORD)

    page.goto("/")
    page.get_by_test_id("apply-room").click()  # the quick link opens the room board
    page.wait_for_url("**/meetings/")
    shot(page, "home-book-a-room")

    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert "您访问的页面不存在。" in page.content()
    shot(page, "error-404")

    response = page.goto("/audit/")
    assert response.status == 403
    shot(page, "error-403")
    # Chromium logs every 4xx document load; those two are the point here.
    assert console.errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)",
        "Failed to load resource: the server responded with a status of 403 (Forbidden)",
    ]
    console.errors.clear()

    # A failed htmx request says so instead of doing nothing.
    page.goto("/")
    page.evaluate("() => htmx.ajax('GET', '/audit/', {target: '#main', swap: 'none'})")
    error = page.get_by_test_id("htmx-error")
    error.wait_for()
    assert error.inner_text() == "您没有权限执行此操作。"
    shot(page, "htmx-error")
    assert console.errors == [
        "Failed to load resource: the server responded with a status of 403 (Forbidden)",
        "Response Status Error Code 403 from /audit/, [object HTMLElement]",  # htmx
    ]
    console.errors.clear()

    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock").first.wait_for()
    shot(page, "api-docs")

    assert console.errors == []


def test_a_csp_violation_would_be_caught(page, console, people, sign_in):
    # The check above is only worth something if a violation shows up in it.
    sign_in(page, "zhang", PASSWORD)
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.injected") is None
    violations = console.csp_violations()
    assert any("script-src" in violation for violation in violations), violations
