"""The capped paginator counts no further than a few pages past the one asked for."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhiban.core.paging import COUNT_CAP, LOOKAHEAD_PAGES, CappedPaginator

pytestmark = pytest.mark.django_db


def test_short_lists_are_counted_exactly() -> None:
    Group.objects.bulk_create(Group(name=f"g{n}") for n in range(45))
    paginator = CappedPaginator(
        Group.objects.filter(name__startswith="g").order_by("id"), 20, number="1"
    )
    assert (paginator.count, paginator.num_pages, paginator.capped) == (45, 3, False)
    assert paginator.count_label == "45"
    assert [g.name for g in paginator.get_page(3).object_list] == [
        f"g{n}" for n in range(40, 45)
    ]


def test_long_lists_stop_counting_at_the_cap_and_still_page_forward() -> None:
    Group.objects.bulk_create(Group(name=f"g{n}") for n in range(COUNT_CAP + 150))
    groups = Group.objects.filter(name__startswith="g").order_by("id")
    with CaptureQueriesContext(connection) as queries:
        first = CappedPaginator(groups, 20, number=None)
        assert first.count == COUNT_CAP
    assert "LIMIT" in queries[0]["sql"].upper()
    assert first.capped
    assert first.count_label == f"{COUNT_CAP - 1}+"
    assert first.num_pages == COUNT_CAP // 20
    # Asking for page 50 (the cap's last) counts ten pages further: 1,150 in all.
    deep = CappedPaginator(groups, 20, number="50")
    assert deep.cap == (50 + LOOKAHEAD_PAGES) * 20
    assert (deep.count, deep.capped) == (COUNT_CAP + 150, False)
    assert deep.get_page(58).object_list[0].name == f"g{57 * 20}"
    # A page number that is not a number is page 1, not an error.
    assert CappedPaginator(groups, 20, number="x").cap == COUNT_CAP
