"""The notices app names its kind of work item for the to-do centre."""

from __future__ import annotations

from django.utils import translation

from zhiban.inbox.display import kind_label
from zhiban.notices.models import WORK_ITEM_KIND
from zhiban.org.work_kinds import is_known_work_kind


def test_the_read_a_notice_kind_is_registered_with_a_translated_label():
    assert WORK_ITEM_KIND == "notice.read"
    assert is_known_work_kind(WORK_ITEM_KIND)
    with translation.override("zh-hans"):
        assert kind_label(WORK_ITEM_KIND) == "通知公告"
    with translation.override("en"):
        assert kind_label(WORK_ITEM_KIND) == "Notices"
