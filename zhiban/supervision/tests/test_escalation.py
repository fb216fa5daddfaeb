"""The urge ladder: each rung once per node, however often and however the sweep runs."""

from __future__ import annotations

import pytest
from django.db import transaction

from zhiban.core.tests.concurrency import race
from zhiban.inbox.models import Notification
from zhiban.org.models import User
from zhiban.supervision import services
from zhiban.supervision.escalation import escalation_sweep, ladder_errors
from zhiban.supervision.models import ClockProfile, Escalation
from zhiban.supervision.tests.conftest import days, issued_item

Rung = Escalation.Rung


def rungs_sent() -> list[tuple[str, str]]:
    return sorted(
        Escalation.objects.exclude(rung=Rung.MANUAL).values_list("node__key", "rung")
    )


def escalation_notices() -> dict[str, int]:
    tally: dict[str, int] = {}
    for username in Notification.objects.filter(
        dedupe_key__startswith="supervision:"
    ).values_list("recipient__username", flat=True):
        tally[username] = tally.get(username, 0) + 1
    return tally


@pytest.mark.django_db
def test_ladder_climbs_with_the_days_and_never_repeats(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile, responsible=people["staff"])
    arrange = item.nodes.get(key="arrange").due_on
    # Well before the node: nothing.
    assert escalation_sweep(today=arrange - days(10)) == {}
    # Due today: yellow, a reminder to the handler (the responsible person).
    assert escalation_sweep(today=arrange) == {"handler": 1}
    assert escalation_sweep(today=arrange) == {}
    assert escalation_notices() == {"staff": 1}
    # A day late: red, the department head (and the report node, due a working day
    # or two later, is now yellow: its handler reminder goes out too).
    late = arrange + days(1)
    escalation_sweep(today=late)
    assert escalation_sweep(today=late) == {}
    assert on_node("arrange") == ["handler", "head"]
    # Ten calendar days late is more than two working days whatever the holidays:
    # the assigning leader hears.
    much_later = arrange + days(10)
    escalation_sweep(today=much_later)
    assert escalation_sweep(today=much_later) == {}
    assert on_node("arrange") == ["handler", "head", "leader"]
    arrange_id = item.nodes.get(key="arrange").pk
    leader_notices = Notification.objects.filter(
        recipient=people["leader"],
        dedupe_key=f"supervision:{arrange_id}:leader:{people['leader'].pk}",
    )
    assert leader_notices.count() == 1


def on_node(key: str) -> list[str]:
    order = {"handler": 0, "head": 1, "leader": 2}
    return sorted((r for n, r in rungs_sent() if n == key), key=order.__getitem__)


@pytest.mark.django_db
def test_a_node_that_went_straight_to_red_gets_every_rung_once(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    arrange = item.nodes.get(key="arrange").due_on
    sent = escalation_sweep(today=arrange + days(15))
    # Three nodes are overdue by then, each gets all three rungs.
    assert sent == {"handler": 3, "head": 3, "leader": 3}
    # No responsible person: the handler rung reaches the head.
    assert escalation_notices() == {"head": 6, "leader": 3}
    assert escalation_sweep(today=arrange + days(15)) == {}


@pytest.mark.django_db
def test_done_nodes_and_stopped_clocks_are_not_urged(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    arrange = item.nodes.get(key="arrange").due_on
    services.item_sign(item=item, by=people["head"], arrangement="部署")
    escalation_sweep(today=arrange + days(1))
    assert on_node("arrange") == []  # signed for in time: its node is done
    services.item_request_completion(item=item, by=people["head"], summary="完成")
    assert escalation_sweep(today=arrange + days(30)) == {}


@pytest.mark.django_db
def test_a_crashed_sweep_sends_again_and_only_once(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    arrange = item.nodes.get(key="arrange").due_on

    class Crash(Exception):
        pass

    def sweep_then_die() -> None:
        with transaction.atomic():
            assert escalation_sweep(today=arrange) == {"handler": 1}
            raise Crash  # the worker dies before the batch commits

    with pytest.raises(Crash):
        sweep_then_die()
    assert not Escalation.objects.exists()
    assert escalation_sweep(today=arrange) == {"handler": 1}
    assert escalation_sweep(today=arrange) == {}
    assert escalation_notices() == {"head": 1}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_rung_once(
    people: dict[str, User], profile: ClockProfile
) -> None:
    items = [issued_item(people, profile, title=f"事项{n}") for n in range(6)]
    arrange = items[0].nodes.get(key="arrange").due_on
    day = arrange + days(15)
    results = race(
        lambda: escalation_sweep(today=day), lambda: escalation_sweep(today=day)
    )
    assert [kind for kind, _value in results] == ["ok", "ok"]
    total: dict[str, int] = {}
    for _kind, result in results:
        for rung, count in result.items():
            total[rung] = total.get(rung, 0) + count
    assert total == {"handler": 18, "head": 18, "leader": 18}
    assert Escalation.objects.count() == 54
    assert (
        Notification.objects.filter(dedupe_key__startswith="supervision:").count() == 54
    )


def test_ladder_errors_name_the_rung() -> None:
    assert ladder_errors([{"rung": "handler", "light": "yellow"}]) == []
    assert ladder_errors(
        [
            {"rung": "boss", "light": "yellow"},
            {"rung": "head", "light": "blue", "after_days": 99},
        ]
    ) == [
        "Rung 1 must name who is told.",
        "Rung 2 must be at yellow or red.",
        "Rung 2: days overdue must be 0 to 60.",
    ]
