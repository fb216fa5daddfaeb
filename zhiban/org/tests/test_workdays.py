"""The working-day calendar: the official calendar, overrides, the fallback, counting."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.org import workdays
from zhiban.org.models import WorkingDayOverride
from zhiban.org.workdays import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def override(day: datetime.date, *, working: bool) -> WorkingDayOverride:
    return WorkingDayOverride.objects.create(
        day=day, is_working_day=working, note="测试"
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 10, 1), False),  # 国庆节 (Thursday)
        (D(2026, 10, 7), False),  # last day of the National Day holiday (Wednesday)
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # adjusted working Saturday (调休上班)
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 9, 25), False),  # 中秋节 (Friday)
        (D(2026, 2, 14), True),  # adjusted working Saturday before Spring Festival
        (D(2026, 2, 16), False),  # 春节 (Monday)
        (D(2026, 3, 2), True),  # an ordinary Monday
    ],
)
def test_the_official_calendar_decides_without_overrides(
    day: datetime.date, expected: bool
) -> None:
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 10, 1), True),  # a holiday made a working day
        (D(2026, 10, 10), False),  # an adjusted working Saturday made a rest day
        (D(2026, 10, 12), False),  # an ordinary Monday made a rest day
        (D(2026, 10, 17), True),  # an ordinary Saturday made a working day
    ],
)
def test_an_override_flips_the_day_either_way(
    day: datetime.date, working: bool
) -> None:
    assert is_working_day(day) is not working
    override(day, working=working)
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2031, 1, 1), True),  # New Year's Day, but unknown: a Wednesday works
        (D(2031, 10, 1), True),  # National Day, but unknown: a Wednesday works
        (D(2031, 10, 4), False),  # Saturday
        (D(2031, 10, 5), False),  # Sunday
    ],
)
def test_a_year_the_package_does_not_know_falls_back_to_weekends(
    day: datetime.date, expected: bool
) -> None:
    assert not workdays.official_calendar_covers(2031)
    assert is_working_day(day) is expected


def test_an_override_wins_in_a_year_the_package_does_not_know() -> None:
    override(D(2031, 10, 1), working=False)
    override(D(2031, 10, 4), working=True)
    assert is_working_day(D(2031, 10, 1)) is False
    assert is_working_day(D(2031, 10, 4)) is True


def test_the_package_knows_2026() -> None:
    assert workdays.official_calendar_covers(2026)
    assert not workdays.official_calendar_covers(2003)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 9, 30), 0, D(2026, 9, 30)),  # a working day counts itself for 0
        (D(2026, 10, 1), 0, D(2026, 10, 8)),  # a holiday: the next working day
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # over the whole National Day holiday
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the adjusted working Saturday
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # over 中秋节 and its weekend
        (D(2026, 10, 3), 5, D(2026, 10, 13)),  # starting inside the holiday
        (D(2026, 3, 2), 5, D(2026, 3, 9)),  # an ordinary week
        (D(2031, 10, 3), 1, D(2031, 10, 6)),  # unknown year: Friday to Monday
    ],
)
def test_add_working_days(
    start: datetime.date, days: int, expected: datetime.date
) -> None:
    assert add_working_days(start, days) == expected


def test_add_working_days_sees_overrides() -> None:
    override(D(2026, 10, 8), working=False)
    override(D(2026, 10, 4), working=True)
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 4)
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)


def test_add_working_days_reads_past_a_long_run_of_rest_overrides() -> None:
    # Eight weeks of rest days, far beyond the first stretch read.
    start = D(2031, 3, 2)
    WorkingDayOverride.objects.bulk_create(
        WorkingDayOverride(day=start + datetime.timedelta(days=n), is_working_day=False)
        for n in range(1, 60)
    )
    assert add_working_days(start, 1) == D(2031, 5, 1)
    assert working_days_between(start, D(2031, 5, 1)) == 1


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 9, 30), D(2026, 9, 30), 0),
        (D(2026, 9, 30), D(2026, 10, 7), 0),  # the holiday has no working day
        (D(2026, 9, 30), D(2026, 10, 10), 3),  # start excluded, end included
        (D(2026, 10, 10), D(2026, 9, 30), -3),
        (D(2025, 12, 31), D(2026, 12, 31), 248),  # the whole of 2026
        (D(2030, 12, 31), D(2031, 12, 31), 261),  # 2031: its weekdays
    ],
)
def test_working_days_between(
    start: datetime.date, end: datetime.date, expected: int
) -> None:
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize("start", [D(2026, 9, 24), D(2026, 10, 1), D(2026, 2, 13)])
def test_working_days_between_undoes_add_working_days(start: datetime.date) -> None:
    for days in range(1, 40):
        assert working_days_between(start, add_working_days(start, days)) == days


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 8)),
        (D(2026, 10, 8), D(2026, 10, 9)),  # never the day itself
        (D(2026, 10, 9), D(2026, 10, 10)),
        (D(2031, 10, 3), D(2031, 10, 6)),
    ],
)
def test_next_working_day(day: datetime.date, expected: datetime.date) -> None:
    assert next_working_day(day) == expected


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(D(2026, 10, 1), -1)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (is_working_day, ()),
        (next_working_day, ()),
        (add_working_days, (1,)),
        (working_days_between, (D(2026, 10, 9),)),
    ],
)
def test_a_datetime_is_refused(call: Any, args: tuple[Any, ...]) -> None:
    moment = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)
    with pytest.raises(TypeError, match="pass a date"):
        call(moment, *args)


def test_add_working_days_over_30_days_reads_the_overrides_once(
    django_assert_num_queries: Any,
) -> None:
    override(D(2026, 10, 8), working=False)
    override(D(2026, 11, 2), working=False)
    with django_assert_num_queries(1):
        due = add_working_days(D(2026, 9, 20), 30)
    # 30 official working days after 20 September is 6 November; two became rest days.
    assert due == D(2026, 11, 10)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (is_working_day, (D(2026, 10, 1),)),
        (next_working_day, (D(2026, 9, 30),)),
        (working_days_between, (D(2025, 12, 31), D(2026, 12, 31))),
    ],
)
def test_every_function_reads_the_overrides_once(
    django_assert_num_queries: Any, call: Any, args: tuple[Any, ...]
) -> None:
    override(D(2026, 10, 8), working=False)
    with django_assert_num_queries(1):
        call(*args)


def test_one_calendar_serves_a_batch_with_one_query(
    django_assert_num_queries: Any,
) -> None:
    override(D(2026, 10, 8), working=False)
    with django_assert_num_queries(1):
        calendar = WorkingCalendar()
        calendar.load(D(2026, 1, 1), D(2026, 12, 31))
        dues = [calendar.add_working_days(D(2026, 9, day), 5) for day in range(1, 31)]
        assert calendar.working_days_in_year(2026) == 247
    assert dues[29] == D(2026, 10, 14)  # from 30 September, 8 October excluded
