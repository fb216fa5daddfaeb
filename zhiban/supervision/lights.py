"""The light (红黄绿灯): one rule, evaluated in Python for one item and in SQL for many.

Red: the next open node is past due. Yellow: it is due within the profile's
``yellow_days`` (working or calendar days, as the profile counts), the due day
included. Green: otherwise, and when no node is open (the officer is verifying).
None: the item's clock is not running (a draft, closed, archived or cancelled item).

Nothing stores a light: a page, an export, the API and the dashboard all ask a
``LightRule`` made for today, whose ``light()`` (one item) and ``expression()`` (an SQL
CASE over ``next_due_on``) are the same ordered conditions; a test checks that both
give the same light for every item.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiban.org.workdays import WorkingCalendar
from zhiban.supervision.models import RUNNING_STATES, ClockProfile, DayBasis


class Light(models.TextChoices):
    GREEN = "green", _("Green")  # 绿灯
    YELLOW = "yellow", _("Yellow")  # 黄灯
    RED = "red", _("Red")  # 红灯
    NONE = "none", _("Not running")  # 不计时


# The order the lights are shown in, worst first.
LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)
_RUNNING = frozenset(str(state) for state in RUNNING_STATES)


def days_ahead(
    today: datetime.date, days: int, basis: str, calendar: WorkingCalendar
) -> datetime.date:
    """Return the last due date that is within `days` days of today."""
    if days <= 0:
        return today
    if basis == DayBasis.WORKING:
        return calendar.add_working_days(today, days)
    return today + datetime.timedelta(days=days)


def days_back(
    today: datetime.date, days: int, basis: str, calendar: WorkingCalendar
) -> datetime.date:
    """Return the date D such that a node due before D is over `days` days overdue."""
    if days <= 0:
        return today
    if basis != DayBasis.WORKING:
        return today - datetime.timedelta(days=days)
    day, left = today, days
    calendar.load(today - datetime.timedelta(days=days * 7 // 5 + 21), today)
    while left:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            left -= 1
    return day


@dataclass(frozen=True)
class LightRule:
    """The light of any item, today."""

    today: datetime.date
    # Per profile id: the last due date that shows yellow.
    yellow_until: dict[int, datetime.date] = field(default_factory=dict)

    def _yellow_until(self, profile_id: int) -> datetime.date:
        return self.yellow_until.get(profile_id, self.today)

    def light(
        self, *, state: str, next_due_on: datetime.date | None, profile_id: int
    ) -> Light:
        """Return the light of one item."""
        if state not in _RUNNING:
            return Light.NONE
        if next_due_on is None:
            return Light.GREEN
        if next_due_on < self.today:
            return Light.RED
        if next_due_on <= self._yellow_until(profile_id):
            return Light.YELLOW
        return Light.GREEN

    def of(self, item: object) -> Light:
        """Return the light of an item (anything with state, next_due_on, profile_id)."""
        return self.light(
            state=item.state,  # type: ignore[attr-defined]
            next_due_on=item.next_due_on,  # type: ignore[attr-defined]
            profile_id=item.profile_id,  # type: ignore[attr-defined]
        )

    def _yellow(self, due: str, profile: str) -> Q:
        yellow = Q()
        for profile_id, until in self.yellow_until.items():
            yellow |= Q(**{profile: profile_id, f"{due}__lte": until})
        # Profiles made after the rule: yellow on the due day only, as in light().
        return yellow | (
            ~Q(**{f"{profile}__in": list(self.yellow_until)})
            & Q(**{f"{due}__lte": self.today})
        )

    @staticmethod
    def running() -> Q:
        """Items whose clock runs (any light but "not running").

        Written as ``state IN (…)``, not as the exclusion of "not running": SQLite
        reads the ``(state, next_due_on)`` index only for the positive form.
        """
        return Q(state__in=sorted(_RUNNING))

    def q(self, light: str) -> Q:
        """Return the same rule as a filter for one light.

        Written on ``state`` and ``next_due_on`` themselves, not on the ``CASE``, so
        that the ``(state, next_due_on)`` index finds red and yellow items among a
        million finished ones; a test checks it against ``light()`` too.
        """
        running = self.running()
        if light == Light.NONE:
            return ~running
        if light == Light.RED:
            return running & Q(next_due_on__lt=self.today)
        not_red = Q(next_due_on__gte=self.today)
        yellow = self._yellow("next_due_on", "profile")
        if light == Light.YELLOW:
            return running & not_red & yellow
        if light == Light.GREEN:
            return running & (Q(next_due_on__isnull=True) | (not_red & ~yellow))
        return Q(pk__in=[])

    def expression(self, prefix: str = "") -> Case:
        """Return the same rule as an SQL CASE (prefix: a path to the item, with __)."""
        state, due, profile = (
            f"{prefix}state",
            f"{prefix}next_due_on",
            f"{prefix}profile",
        )
        yellow = self._yellow(due, profile)
        return Case(
            When(
                ~Q(**{f"{state}__in": sorted(_RUNNING)}), then=Value(Light.NONE.value)
            ),
            When(Q(**{f"{due}__isnull": True}), then=Value(Light.GREEN.value)),
            When(Q(**{f"{due}__lt": self.today}), then=Value(Light.RED.value)),
            When(yellow, then=Value(Light.YELLOW.value)),
            default=Value(Light.GREEN.value),
            output_field=models.CharField(),
        )


def light_rule(
    *, today: datetime.date | None = None, calendar: WorkingCalendar | None = None
) -> LightRule:
    """Return today's rule: one query for the profiles, one for the calendar."""
    day = today or timezone.localdate()
    cal = calendar or WorkingCalendar()
    thresholds = ClockProfile.objects.values_list("id", "day_basis", "yellow_days")
    return LightRule(
        today=day,
        yellow_until={
            profile_id: days_ahead(day, yellow_days, basis, cal)
            for profile_id, basis, yellow_days in thresholds
        },
    )


def node_light(
    *,
    due_on: datetime.date,
    done: bool,
    today: datetime.date,
    yellow_until: datetime.date,
) -> str:
    """Return the light of one node of a running item ("done" once fulfilled)."""
    if done:
        return "done"
    if due_on < today:
        return Light.RED.value
    if due_on <= yellow_until:
        return Light.YELLOW.value
    return Light.GREEN.value
