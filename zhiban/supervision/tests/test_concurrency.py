"""Numbers and steps under real concurrent calls, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from zhiban.core.tests.concurrency import held, lock_timeout, race
from zhiban.inbox import services as inbox
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.supervision import services, tallies
from zhiban.supervision.models import (
    ClockProfile,
    FinishedTally,
    ItemNode,
    Report,
    SupervisionItem,
)
from zhiban.supervision.tests.conftest import issued_item, new_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_issuing_at_once_gives_distinct_numbers_without_gaps(
    people: dict[str, User], profile: ClockProfile
) -> None:
    items = [new_item(people, profile, title=f"事项{n}") for n in range(4)]
    results = race(
        *[
            (lambda item=item: services.item_issue(item=item, by=people["leader"]))
            for item in items
        ]
    )
    assert [kind for kind, _value in results] == ["ok"] * 4
    numbers = sorted(
        n for n in SupervisionItem.objects.values_list("sequence", flat=True) if n
    )
    assert numbers == [1, 2, 3, 4]
    assert ItemNode.objects.count() == 12
    year = timezone.localdate().year
    assert {item.number for item in SupervisionItem.objects.all()} == {
        f"督〔{year}〕{n}号" for n in range(1, 5)
    }


def test_issuing_one_draft_twice_at_once_issues_it_once(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = new_item(people, profile)
    results = race(
        lambda: services.item_issue(item=item, by=people["leader"]),
        lambda: services.item_issue(item=item, by=people["officer"]),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    error = next(value for kind, value in results if kind == "error")
    assert error.code == "wrong_state"
    assert ItemNode.objects.count() == 3
    assert SupervisionItem.objects.get().sequence == 1


def test_closing_and_returning_at_once_gives_one_outcome(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = services.item_issue(item=new_item(people, profile), by=people["leader"])
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    services.item_request_completion(item=item, by=people["head"], summary="完成")
    results = race(
        lambda: services.item_close(item=item, by=people["officer"], grade="good"),
        lambda: services.item_return(item=item, by=people["officer"], reason="再核实"),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    item.refresh_from_db()
    assert item.state in (SupervisionItem.State.CLOSED, SupervisionItem.State.RETURNED)
    assert item.returned_count == (
        1 if item.state == SupervisionItem.State.RETURNED else 0
    )
    assert Report.objects.filter(kind=Report.Kind.COMPLETION).count() == 1


def test_closing_items_of_one_group_at_once_counts_each(
    people: dict[str, User], profile: ClockProfile
) -> None:
    """Four items with the same tally rows, closed at once: all four are counted."""
    items = []
    for n in range(4):
        item = services.item_issue(
            item=new_item(people, profile, title=f"事项{n}"), by=people["leader"]
        )
        services.item_sign(item=item, by=people["head"], arrangement="部署")
        services.item_request_completion(item=item, by=people["head"], summary="完成")
        items.append(item)
    results = race(
        *[
            (
                lambda item=item: services.item_close(
                    item=item, by=people["officer"], grade="good"
                )
            )
            for item in items
        ]
    )
    assert [kind for kind, _value in results] == ["ok"] * 4
    rows = dict(
        FinishedTally.objects.filter(state="closed").values_list("role", "items")
    )
    assert rows == {"all": 4, "lead": 4, "co": 4}
    assert tallies.differences() == {}


def test_a_locked_item_does_not_hold_up_work_that_refers_to_its_leader(
    people: dict[str, User], profile: ClockProfile
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    item = issued_item(people, profile)
    # A work item for the item's leader checks the leader's row (its foreign key)
    # when it commits: with that row locked as well, this waited.
    with held(lambda: services._locked(item)), transaction.atomic():
        lock_timeout(5000)
        inbox.work_item_open(
            assignee=people["leader"], kind="supervision", title="另一项工作"
        )
    assert WorkItem.objects.filter(title="另一项工作").count() == 1
