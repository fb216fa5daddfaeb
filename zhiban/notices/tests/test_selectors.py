import datetime

import pytest
from django.http import Http404

from zhiban.notices import selectors, services
from zhiban.notices.models import Notice
from zhiban.notices.selectors import NoticeFilters, notice_get_for, notice_list_for
from zhiban.notices.tests.factories import NoticeFactory
from zhiban.org.models import Membership

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _publish(clerk, *, departments=(), at=NOW, **fields):
    audience = "departments" if departments else "everyone"
    notice = NoticeFactory(author=clerk, audience=audience, **fields)
    notice.departments.set(departments)
    return services.notice_publish(notice=notice, by=clerk, now=at)


def _titles(user, **filters):
    return list(
        notice_list_for(
            user=user, filters=NoticeFilters(**filters), now=NOW
        ).values_list("title", flat=True)
    )


def test_audience_by_department_includes_sections_and_memberships(clerk, org):
    _publish(clerk, title="生产", departments=[org["production"]])
    _publish(clerk, title="财务", departments=[org["finance"]])
    _publish(clerk, title="全体", at=NOW - datetime.timedelta(hours=1))

    assert _titles(org["engineer"]) == ["生产", "全体"]
    assert _titles(org["technician"]) == ["生产", "全体"]
    assert _titles(org["accountant"]) == ["财务", "全体"]
    assert _titles(org["miner"]) == ["全体"]

    # Someone who joins production later sees it, without being a recipient.
    Membership.objects.create(user=org["miner"], department=org["section"])
    rows = notice_list_for(user=org["miner"], filters=NoticeFilters(), now=NOW)
    assert [(n.title, n.is_recipient) for n in rows] == [
        ("生产", False),
        ("全体", True),
    ]


def test_a_department_notice_is_not_seen_above_it(clerk, org):
    _publish(clerk, title="技术科", departments=[org["section"]])
    assert _titles(org["technician"]) == ["技术科"]
    assert _titles(org["engineer"]) == []


def test_expired_notices_leave_the_default_list_for_the_expired_tab(clerk, org):
    _publish(
        clerk,
        title="已过期",
        expires_at=NOW + datetime.timedelta(hours=1),
        at=NOW - datetime.timedelta(days=2),
    )
    _publish(clerk, title="有效", expires_at=NOW + datetime.timedelta(days=1))
    later = NOW + datetime.timedelta(hours=2)

    def titles(tab):
        return list(
            notice_list_for(
                user=org["engineer"], filters=NoticeFilters(tab=tab), now=later
            ).values_list("title", flat=True)
        )

    assert titles("current") == ["有效"]
    assert titles("expired") == ["已过期"]


def test_pinned_first_then_newest(clerk, org):
    _publish(clerk, title="旧置顶", at=NOW - datetime.timedelta(days=3), is_pinned=True)
    _publish(clerk, title="最新", at=NOW)
    _publish(clerk, title="较新", at=NOW - datetime.timedelta(days=1))
    _publish(clerk, title="新置顶", at=NOW - datetime.timedelta(days=2), is_pinned=True)

    assert _titles(org["engineer"]) == ["新置顶", "旧置顶", "最新", "较新"]


def test_read_filter_and_title_search(clerk, org):
    first = _publish(clerk, title="关于安全检查的通知")
    _publish(clerk, title="关于节日值班的通知", at=NOW - datetime.timedelta(hours=1))
    services.notice_mark_read(notice=first, user=org["engineer"], now=NOW)

    assert _titles(org["engineer"], read="read") == ["关于安全检查的通知"]
    assert _titles(org["engineer"], read="unread") == ["关于节日值班的通知"]
    assert _titles(org["engineer"], q="值班") == ["关于节日值班的通知"]
    rows = notice_list_for(user=org["engineer"], filters=NoticeFilters(), now=NOW)
    assert [(n.title, n.my_read_at) for n in rows] == [
        ("关于安全检查的通知", NOW),
        ("关于节日值班的通知", None),
    ]


def test_drafts_are_seen_by_their_author_and_admins_only(clerk, org, admin):
    NoticeFactory(author=clerk, title="草稿")

    assert _titles(clerk, tab="drafts") == ["草稿"]
    assert _titles(admin, tab="drafts") == ["草稿"]
    assert _titles(org["engineer"], tab="drafts") == []


def test_withdrawn_notices_disappear_for_recipients(clerk, org, admin):
    notice = _publish(clerk, title="撤回的")
    services.notice_withdraw(notice=notice, by=clerk)

    with pytest.raises(Http404):
        notice_get_for(user=org["engineer"], pk=notice.pk)
    assert _titles(org["engineer"], tab="withdrawn") == []
    assert _titles(clerk, tab="withdrawn") == ["撤回的"]
    assert notice_get_for(user=admin, pk=notice.pk).state == Notice.State.WITHDRAWN


def test_get_for_an_outsider_is_404(clerk, org):
    notice = _publish(clerk, departments=[org["finance"]])
    with pytest.raises(Http404):
        notice_get_for(user=org["miner"], pk=notice.pk)
    assert notice_get_for(user=org["accountant"], pk=notice.pk).is_recipient is True


def test_receipt_table_lists_unread_first_with_counts(clerk, org):
    notice = _publish(clerk, departments=[org["production"]])
    services.notice_mark_read(notice=notice, user=org["technician"], now=NOW)

    rows = selectors.notice_receipts_for(user=clerk, notice=notice)
    assert [(r.user.username, r.read_at) for r in rows] == [
        ("engineer", None),
        ("technician", NOW),
    ]
    counts = selectors.notice_receipt_counts(notice=notice)
    assert (counts.total, counts.read, counts.unread) == (2, 1, 1)
    unread = selectors.notice_receipts_for(user=clerk, notice=notice, read="unread")
    assert [r.user.username for r in unread] == ["engineer"]


def test_receipt_table_is_refused_to_a_recipient(clerk, org):
    from django.core.exceptions import PermissionDenied

    notice = _publish(clerk, departments=[org["production"]])
    with pytest.raises(PermissionDenied):
        selectors.notice_receipts_for(user=org["engineer"], notice=notice)
