"""The clock (node dates from a profile) and the one light rule."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiban.org.models import WorkingDayOverride
from zhiban.org.workdays import WorkingCalendar
from zhiban.supervision import clock
from zhiban.supervision.defaults import PROFILES
from zhiban.supervision.lights import Light, LightRule, days_back, light_rule
from zhiban.supervision.models import (
    ClockProfile,
    DayBasis,
    ItemType,
    SupervisionItem,
)

D = datetime.date
NODES_13710 = PROFILES[0]["nodes"]


def plan(
    item_type: str,
    issued: datetime.date,
    deadline: Any = None,
    basis: str = DayBasis.WORKING,
) -> dict[str, datetime.date]:
    nodes = clock.plan_nodes(
        nodes=NODES_13710,
        basis=basis,
        item_type=item_type,
        issued_on=issued,
        deadline=deadline,
        calendar=WorkingCalendar(),
    )
    return {node.key: node.due_on for node in nodes}


@pytest.mark.django_db
def test_13710_general_item_counts_working_days_over_national_day() -> None:
    # Issued Wednesday 30 September 2026: 1-7 October is the holiday, Saturday the
    # 10th an adjusted working day, Sunday the 11th a rest day.
    assert plan(ItemType.GENERAL, D(2026, 9, 30)) == {
        "arrange": D(2026, 10, 8),
        "report": D(2026, 10, 10),
        "complete": D(2026, 10, 15),
    }


@pytest.mark.django_db
def test_13710_major_item_has_one_month_and_no_seven_day_node() -> None:
    # One calendar month from 5 March 2026 is Sunday 5 April, in the Qingming
    # holiday (4-6 April): the node moves to the next working day, Tuesday 7 April.
    dates = plan(ItemType.MAJOR, D(2026, 3, 5))
    assert set(dates) == {"arrange", "report", "complete_major"}
    assert dates["complete_major"] == D(2026, 4, 7)


@pytest.mark.django_db
def test_calendar_day_profile_counts_every_day() -> None:
    dates = plan(ItemType.GENERAL, D(2026, 9, 30), basis=DayBasis.CALENDAR)
    assert dates == {
        "arrange": D(2026, 10, 1),
        "report": D(2026, 10, 3),
        "complete": D(2026, 10, 7),
    }


@pytest.mark.django_db
def test_an_override_moves_the_nodes() -> None:
    # An administrator declares Thursday 8 October 2026 a rest day (say, a flood).
    WorkingDayOverride.objects.create(
        day=D(2026, 10, 8), is_working_day=False, note="防汛"
    )
    assert plan(ItemType.GENERAL, D(2026, 9, 30))["arrange"] == D(2026, 10, 9)


@pytest.mark.django_db
def test_custom_deadline_replaces_completion_and_pulls_earlier_nodes_in() -> None:
    dates = plan(ItemType.GENERAL, D(2026, 11, 2), deadline=D(2026, 11, 4))
    assert dates["complete"] == D(2026, 11, 4)
    assert dates["report"] == D(2026, 11, 4)  # day 3 would be the 5th
    assert dates["arrange"] == D(2026, 11, 3)


@pytest.mark.django_db
def test_continuing_item_with_deadline_gets_a_completion_node() -> None:
    dates = plan(ItemType.CONTINUING, D(2026, 11, 2), deadline=D(2026, 12, 31))
    assert dates["complete"] == D(2026, 12, 31)
    assert "complete_major" not in dates


def test_add_months_clamps_to_the_month_end() -> None:
    assert clock.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert clock.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert clock.add_months(D(2027, 12, 15), 1) == D(2028, 1, 15)


def test_profile_node_errors_point_at_the_node() -> None:
    assert clock.profile_node_errors([]) == ["A clock needs at least one node."]
    errors = clock.profile_node_errors(
        [
            {"key": "a", "label": "部署", "step": "sign", "days": 1},
            {"key": "a", "label": "", "step": "nothing", "days": 1, "months": 1},
        ]
    )
    assert errors == [
        "Node 2 needs a key of its own.",
        "Node 2 needs a name.",
        "Node 2 must be signing for, the plan or completion.",
        "Node 2 needs either days (0 to 366) or months (1 to 36), not both.",
    ]
    assert clock.profile_node_errors(NODES_13710) == []


# --- the light ----------------------------------------------------------------------

TODAY = D(2026, 11, 25)  # a Wednesday


def test_light_rule_in_python() -> None:
    rule = LightRule(today=TODAY, yellow_until={1: D(2026, 11, 26)})
    running = SupervisionItem.State.IN_PROGRESS
    assert (
        rule.light(state=running, next_due_on=D(2026, 11, 24), profile_id=1)
        == Light.RED
    )
    assert rule.light(state=running, next_due_on=TODAY, profile_id=1) == Light.YELLOW
    assert (
        rule.light(state=running, next_due_on=D(2026, 11, 26), profile_id=1)
        == Light.YELLOW
    )
    assert (
        rule.light(state=running, next_due_on=D(2026, 11, 27), profile_id=1)
        == Light.GREEN
    )
    assert rule.light(state=running, next_due_on=None, profile_id=1) == Light.GREEN
    assert (
        rule.light(state="closed", next_due_on=D(2026, 1, 1), profile_id=1)
        == Light.NONE
    )
    assert rule.light(state="draft", next_due_on=None, profile_id=1) == Light.NONE
    # A profile the rule does not know: yellow on the due day only.
    assert rule.light(state=running, next_due_on=TODAY, profile_id=9) == Light.YELLOW
    assert (
        rule.light(state=running, next_due_on=D(2026, 11, 26), profile_id=9)
        == Light.GREEN
    )


@pytest.mark.django_db
def test_yellow_threshold_counts_working_days() -> None:
    profile = ClockProfile.objects.create(
        code="t2",
        name="t2",
        yellow_days=2,
        nodes=NODES_13710,
        day_basis=DayBasis.WORKING,
    )
    # Friday 27 November 2026: two working days ahead is Tuesday 1 December.
    rule = light_rule(today=D(2026, 11, 27))
    assert rule.yellow_until[profile.pk] == D(2026, 12, 1)


@pytest.mark.django_db
def test_days_back_counts_working_days() -> None:
    calendar = WorkingCalendar()
    # Monday 30 November 2026, 2 working days back: Thursday 26 November.
    assert days_back(D(2026, 11, 30), 2, DayBasis.WORKING, calendar) == D(2026, 11, 26)
    assert days_back(D(2026, 11, 30), 2, DayBasis.CALENDAR, calendar) == D(2026, 11, 28)
    assert days_back(D(2026, 11, 30), 0, DayBasis.WORKING, calendar) == D(2026, 11, 30)


_STATES = [state.value for state in SupervisionItem.State]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(_STATES),
            st.one_of(st.none(), st.integers(min_value=-10, max_value=10)),
            st.integers(min_value=0, max_value=2),
        ),
        min_size=1,
        max_size=12,
    ),
    yellow=st.lists(st.integers(min_value=0, max_value=5), min_size=2, max_size=2),
)
def test_sql_and_python_give_the_same_light(
    rows: list[tuple[str, int | None, int]], yellow: list[int]
) -> None:
    """The dashboard's SQL and an item page's Python must never disagree."""
    from zhiban.org.tests.factories import DepartmentFactory, UserFactory

    SupervisionItem.objects.all().delete()
    ClockProfile.objects.filter(code__startswith="h").delete()
    profiles = [
        ClockProfile.objects.create(code=f"h{i}", name=f"h{i}", nodes=NODES_13710)
        for i in range(2)
    ]
    department = DepartmentFactory()
    user = UserFactory(primary_department=department)
    rule = LightRule(
        today=TODAY,
        # The third profile index (2) stands for a profile the rule does not know.
        yellow_until={
            p.pk: TODAY + datetime.timedelta(days=y)
            for p, y in zip(profiles, yellow, strict=True)
        },
    )
    unknown = ClockProfile.objects.create(code="h-unknown", name="u", nodes=NODES_13710)
    choices = [*profiles, unknown]
    for state, offset, profile_index in rows:
        SupervisionItem.objects.create(
            unit=department.unit,
            title="t",
            content="c",
            profile=choices[profile_index],
            leader=user,
            officer=user,
            lead_department=department,
            created_by=user,
            state=state,
            next_due_on=None
            if offset is None
            else TODAY + datetime.timedelta(days=offset),
        )
    for item in SupervisionItem.objects.annotate(light=rule.expression()):
        assert item.light == rule.of(item), (item.state, item.next_due_on)
    # The filter form (what the list and the dashboard's overdue list use) agrees too.
    for light in Light:
        filtered = set(
            SupervisionItem.objects.filter(rule.q(light.value)).values_list(
                "pk", flat=True
            )
        )
        expected = {i.pk for i in SupervisionItem.objects.all() if rule.of(i) == light}
        assert filtered == expected, light
    unknown.delete() if not unknown.items.exists() else None
