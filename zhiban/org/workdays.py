"""The working-day calendar (工作日历) that every deadline is counted in.

A day is a working day when, in this order:

1. an administrator's `WorkingDayOverride` for the day says so: an override always wins;
2. else the official calendar of the State Council's holiday notices says so, as published
   in the `chinese_calendar` package (adjusted working Saturdays and Sundays included);
3. else, for a year the package does not know yet (it knows 2004 to 2026 in 1.11.0),
   when it is Monday to Friday: weekends are rest days and weekdays working days, so
   that year's public holidays count as working days until the package is updated or an
   administrator enters them as overrides.

Counting convention: "day N" is the N-th working day *after* the start day; the start day
itself never counts. Three working days after Wednesday 2026-09-30 is Saturday
2026-10-10: 1 to 7 October is the National Day holiday, and the 10th a working Saturday. `working_days_between(start, end)` counts the working days
in (start, end], so it undoes `add_working_days` for N >= 1.

Overrides are read one range at a time: a `WorkingCalendar` reads the overrides of the
days it is asked about in one query and keeps them, so a batch of deadline calculations
(one calendar for the batch) or one `add_working_days` over 30 days costs one query.
Pass dates, never datetimes: take `timezone.localdate()` or a datetime's local `.date()`.
"""

from __future__ import annotations

import datetime
import operator
from functools import reduce

import chinese_calendar
from django.db.models import Q

from zhiban.org.models import WorkingDayOverride

_ONE_DAY = datetime.timedelta(days=1)
# How many calendar days past the working days a first read covers: the longest official
# run of rest days is the 9 days of Spring Festival 2026, and weekends come on top. When
# overrides add more rest days the walk reads further, one query per stretch.
_MARGIN_DAYS = 21


def official_calendar_covers(year: int) -> bool:
    """Return whether the `chinese_calendar` package knows the year's holidays."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def official_is_working_day(day: datetime.date) -> bool:
    """Return whether the day is a working day without overrides (weekdays if unknown)."""
    _check_date(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5  # Monday to Friday


def _check_date(value: object) -> None:
    # A datetime is a date too, but would never match an override's key, and an aware
    # datetime in UTC is on the previous day in Shanghai until 08:00.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(
            f"pass a date (timezone.localdate(), or a local datetime's .date()), "
            f"not {type(value).__name__}"
        )


class WorkingCalendar:
    """The effective calendar: overrides first, then the official calendar.

    It reads the overrides of the days it is asked about, one query per new range, and
    keeps them: make one for a batch of calculations, and a fresh one after changes.
    """

    def __init__(self) -> None:
        self._overrides: dict[datetime.date, bool] = {}
        self._loaded: tuple[datetime.date, datetime.date] | None = None

    def load(self, start: datetime.date, end: datetime.date) -> None:
        """Read the overrides of the days start to end (inclusive) unless already read.

        The days read stay one unbroken range, so a gap between two ranges is read too.
        """
        _check_date(start)
        _check_date(end)
        if end < start:
            start, end = end, start
        if self._loaded is None:
            missing = [(start, end)]
            self._loaded = (start, end)
        else:
            low, high = self._loaded
            if low <= start and end <= high:
                return
            missing = []
            if start < low:
                missing.append((start, low - _ONE_DAY))
            if end > high:
                missing.append((high + _ONE_DAY, end))
            self._loaded = (min(start, low), max(end, high))
        where = reduce(operator.or_, (Q(day__range=days) for days in missing))
        self._overrides.update(
            WorkingDayOverride.objects.filter(where).values_list(
                "day", "is_working_day"
            )
        )

    def _ensure(self, day: datetime.date) -> None:
        if self._loaded is None:
            self.load(day, day)
        elif day > self._loaded[1]:
            # Walking forward: read a stretch ahead, not one query per day.
            self.load(day, max(day, self._loaded[1] + _MARGIN_DAYS * _ONE_DAY))
        elif day < self._loaded[0]:
            self.load(min(day, self._loaded[0] - _MARGIN_DAYS * _ONE_DAY), day)

    def override_for(self, day: datetime.date) -> bool | None:
        """Return what an override says of the day, or None when there is none."""
        _check_date(day)
        self._ensure(day)
        return self._overrides.get(day)

    def is_working_day(self, day: datetime.date) -> bool:
        """Return whether the day is a working day."""
        ruling = self.override_for(day)
        return official_is_working_day(day) if ruling is None else ruling

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """Return the first working day after the day (never the day itself)."""
        _check_date(day)
        self.load(day + _ONE_DAY, day + _MARGIN_DAYS * _ONE_DAY)
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """Return day N: the N-th working day after start.

        For N = 0, return start when it is a working day, else the next working day.
        """
        _check_date(start)
        if days < 0:
            raise ValueError(f"days must be zero or more, not {days}")
        # Enough calendar days for N working days in any official year.
        self.load(start, start + (days * 7 // 5 + _MARGIN_DAYS) * _ONE_DAY)
        if days == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        day, left = start, days
        while left:
            day += _ONE_DAY
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Return the number of working days in (start, end]; negative if end < start."""
        _check_date(start)
        _check_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        if end == start:
            return 0
        self.load(start + _ONE_DAY, end)
        count, day = 0, start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def working_days_in_year(self, year: int) -> int:
        """Return the number of working days of the year."""
        return self.working_days_between(
            datetime.date(year - 1, 12, 31), datetime.date(year, 12, 31)
        )


def is_working_day(day: datetime.date) -> bool:
    """Return whether the day is a working day (an override wins; see the module)."""
    return WorkingCalendar().is_working_day(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """Return the first working day after the day (never the day itself)."""
    return WorkingCalendar().next_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """Return day N, the N-th working day after start (start itself when N = 0 and it
    is a working day, else the next working day). N must be zero or more.
    """
    return WorkingCalendar().add_working_days(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Return the number of working days in (start, end]; negative if end < start."""
    return WorkingCalendar().working_days_between(start, end)


def working_days_in_year(year: int) -> int:
    """Return the number of working days of the year."""
    return WorkingCalendar().working_days_in_year(year)
