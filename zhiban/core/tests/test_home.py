"""The portal home page: my to-do counts, the most pressing items, notices, links."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from zhiban.core.portal import QUICK_LINKS
from zhiban.inbox.models import Urgency, WorkItem
from zhiban.inbox.services import work_item_close, work_item_open
from zhiban.notices.services import notice_create, notice_publish
from zhiban.org.models import Role
from zhiban.org.tests.factories import DepartmentFactory, UserFactory

MODEL_BACKEND = "zhiban.accounts.backends.ModelBackend"
HOME = "/"

# Deadlines far from now on either side, so no test sits on a clock boundary.
LONG_AGO = datetime.timedelta(days=3)
FAR_AHEAD = datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _open(user, title, **kwargs):
    return work_item_open(
        assignee=user, kind="test", title=title, notify_assignee=False, **kwargs
    )


def _counts(html: str) -> dict[str, int]:
    return {
        key: int(value)
        for key, value in re.findall(r'data-testid="count-(\w+)-number">(\d+)<', html)
    }


def _publish(author, title, **kwargs):
    notice = notice_create(author=author, title=title, body="正文", **kwargs)
    return notice_publish(notice=notice, by=author)


@pytest.fixture
def clerk(db):
    return UserFactory(roles=[Role.CLERK])


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_home_counts_my_work_items_by_tab(client, employee):
    now = timezone.now()
    other = UserFactory()
    _open(employee, "待办一")
    _open(employee, "待办二", due_at=now - LONG_AGO)
    _open(employee, "待办三")
    work_item_close(item=_open(employee, "已办一"), by=employee)
    _open(employee, "抄送一", is_cc=True)
    _open(other, "我发起一", initiator=employee)
    _open(other, "别人的待办")

    client.force_login(employee, backend=MODEL_BACKEND)
    response = client.get(HOME)

    assert response.status_code == 200
    html = response.content.decode()
    assert _counts(html) == {"todo": 3, "done": 1, "initiated": 1, "cc": 1}
    assert 'data-testid="overdue-count">1 项已超期<' in html
    assert "别人的待办" not in html
    assert f'href="{reverse("inbox:list")}?tab=todo" data-testid="count-todo"' in html


@pytest.mark.django_db
def test_home_lists_the_six_most_pressing_open_items_first(client, employee):
    now = timezone.now()
    _open(employee, "普通无期限")
    _open(employee, "普通远期", due_at=now + FAR_AHEAD)
    _open(employee, "普通超期", due_at=now - LONG_AGO)
    _open(employee, "加急远期", urgency=Urgency.URGENT, due_at=now + FAR_AHEAD)
    _open(
        employee,
        "加急即将",
        urgency=Urgency.URGENT,
        due_at=now + datetime.timedelta(hours=2),
    )
    _open(employee, "特急", urgency=Urgency.EXTRA_URGENT)
    _open(employee, "普通第七", due_at=now + FAR_AHEAD * 2)
    work_item_close(
        item=_open(employee, "已办特急", urgency=Urgency.EXTRA_URGENT), by=employee
    )

    client.force_login(employee, backend=MODEL_BACKEND)
    html = client.get(HOME).content.decode()

    block = html.split('data-testid="pressing-items"')[1].split("</ul>")[0]
    titles = re.findall(r'class="zb-item-title"[^>]*>([^<]+)<', block)
    assert titles == [
        "特急",
        "加急即将",
        "加急远期",
        "普通超期",
        "普通远期",
        "普通第七",
    ]
    assert block.count("zb-overdue") == 1
    assert block.count("zb-due-soon") == 1


@pytest.mark.django_db
def test_home_with_nothing_to_do_says_so(client, employee):
    client.force_login(employee, backend=MODEL_BACKEND)

    html = client.get(HOME).content.decode()

    assert _counts(html) == {"todo": 0, "done": 0, "initiated": 0, "cc": 0}
    assert "暂无待办事项。" in html
    assert "暂无通知公告。" in html


@pytest.mark.django_db
def test_home_shows_the_notices_i_may_see(client, clerk):
    office = DepartmentFactory(name="综合办公室")
    mine = UserFactory(primary_department=office)
    elsewhere = DepartmentFactory(name="财务部")
    UserFactory(primary_department=elsewhere)
    _publish(clerk, "全员通知")
    _publish(
        clerk,
        "办公室通知",
        audience="departments",
        departments=[office],
        is_pinned=True,
    )
    _publish(clerk, "财务部通知", audience="departments", departments=[elsewhere])
    notice_create(author=clerk, title="草稿通知", body="正文")

    client.force_login(mine, backend=MODEL_BACKEND)
    html = client.get(HOME).content.decode()

    block = html.split('data-testid="latest-notices"')[1].split("</ul>")[0]
    titles = re.findall(r'<a href="/notices/\d+/"[^>]*>([^<]+)<', block)
    assert titles == ["办公室通知", "全员通知"]
    assert block.count(">未读<") == 2
    assert _counts(html)["todo"] == 2  # one read-the-notice item each


@pytest.mark.django_db
def test_home_quick_links_lead_to_the_page_that_starts_the_application(
    client, employee
):
    client.force_login(employee, backend=MODEL_BACKEND)

    html = client.get(HOME).content.decode()

    expected = {
        "seal": reverse("workflow:apply_form", args=["seal_use"]),
        "vehicle": reverse("workflow:apply_form", args=["vehicle_use"]),
        "room": reverse("meetings:board"),
        "request": reverse("workflow:apply_form", args=["request"]),
    }
    assert [link.key for link in QUICK_LINKS] == list(expected)
    for key, url in expected.items():
        assert f'href="{url}" data-testid="apply-{key}"' in html
        assert client.get(url).status_code == 200, key


def _fill(user, clerk, n):
    now = timezone.now()
    other = UserFactory()
    for i in range(n):
        _open(user, f"待办{i}", urgency=i % 3, due_at=now + datetime.timedelta(days=i))
        _open(user, f"抄送{i}", is_cc=True)
        _open(other, f"我发起{i}", initiator=user)
        _publish(clerk, f"通知{i}")
    work_item_close(item=WorkItem.objects.filter(assignee=user).first(), by=user)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
def test_home_query_budget_does_not_grow_with_data(
    client, employee, clerk, size, django_assert_num_queries
):
    _fill(employee, clerk, size)
    client.force_login(employee, backend=MODEL_BACKEND)
    client.get(HOME)  # the navigation and the user heading are cached after this

    # user (the session comes from the cache), tab counts, pressing items; for the notices: the user's roles,
    # the departments the user belongs to, the department tree, the notice rows.
    with django_assert_num_queries(7):
        response = client.get(HOME)

    assert response.status_code == 200
    assert len(response.context["pressing"]) == min(size, 6)
    assert len(response.context["notices"]) == min(size, 6)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["colleague", "administrator"])
def test_nobody_else_sees_my_work_items_on_their_home(client, employee, admin, who):
    colleague = UserFactory(primary_department=employee.primary_department)
    _open(employee, "只属于我的待办")
    viewer = {"colleague": colleague, "administrator": admin}[who]

    client.force_login(viewer, backend=MODEL_BACKEND)
    html = client.get(HOME).content.decode()

    assert _counts(html) == {"todo": 0, "done": 0, "initiated": 0, "cc": 0}
    assert "只属于我的待办" not in html


@pytest.mark.django_db
def test_home_shows_work_that_reached_me_by_delegation(client, employee):
    from zhiban.org.models import Delegation

    delegate = UserFactory(name="赵副主任")
    away = UserFactory(name="钱主任")
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=away,
        delegate=delegate,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=7),
    )
    _open(away, "审核用印申请", initiator=employee, reason="部门负责人审核")

    client.force_login(delegate, backend=MODEL_BACKEND)
    html = client.get(HOME).content.decode()

    assert _counts(html)["todo"] == 1
    assert (
        '<span class="badge text-bg-secondary" data-testid="on-behalf-of">代钱主任办理</span>'
        in html
    )
    assert f"{employee.name} · 部门负责人审核" in html
