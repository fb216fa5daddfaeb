"""Meeting rooms (会议室) and their bookings (预订).

No two active bookings of a room overlap, and the database says so itself: a
PostgreSQL exclusion constraint, a trigger on SQLite (migration 0002, ADR 12).
The constraint is not in ``Meta.constraints`` because Django would then validate
it in ``full_clean()`` on SQLite too, where range operators do not exist; the
services check overlaps themselves to name the conflicts, and the database
settles a race.

A booking is the room for a time; a meeting (会议, later) will own one booking
through a one-to-one field of its own, so the booking keeps only a title.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.core.models import TimeStampedModel

WORK_KIND = "meeting"
BOOKING_FLOW_KIND = "meeting_room_booking"
BOOKING_FLOW_CODE = "meeting_room_booking"
# The name of the database guard on both vendors; the services recognise it in an
# IntegrityError and answer with the same message as their own overlap check.
NO_OVERLAP = "meetings_booking_no_overlap"
DEFAULT_OPENS_AT = datetime.time(8, 0)
DEFAULT_CLOSES_AT = datetime.time(18, 0)


class Equipment(models.Model):
    """One kind of equipment a room may have (a list kept as data)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        ordering: ClassVar = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class OpenDays(models.TextChoices):
    """On which days a room may be booked."""

    WORKING = "working", _("Working days")  # 工作日（按工作日历）
    WEEKDAYS = "weekdays", _("Monday to Friday")
    EVERY_DAY = "every_day", _("Every day")


class Room(TimeStampedModel):
    """A meeting room (会议室) of a unit."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("owning unit"),
        on_delete=models.PROTECT,
        related_name="meeting_rooms",
    )
    building = models.CharField(_("building"), max_length=50)
    floor = models.CharField(_("floor"), max_length=10)
    name = models.CharField(_("name"), max_length=50)
    capacity = models.PositiveIntegerField(_("seats"))
    equipment = models.ManyToManyField(
        Equipment, verbose_name=_("equipment"), blank=True, related_name="rooms"
    )
    photo = models.FileField(
        _("photo"), upload_to="meetings/rooms/%Y/", blank=True, max_length=200
    )
    opens_at = models.TimeField(_("opens at"), default=DEFAULT_OPENS_AT)
    closes_at = models.TimeField(_("closes at"), default=DEFAULT_CLOSES_AT)
    open_days = models.CharField(
        _("open on"), max_length=10, choices=OpenDays.choices, default=OpenDays.WORKING
    )
    needs_approval = models.BooleanField(_("bookings need approval"), default=False)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("room manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_meeting_rooms",
        help_text=_("Approves the bookings when they need approval."),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        ordering: ClassVar = ["building", "sort_order", "floor", "name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "building", "name"], name="meetings_room_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="meetings_room_hours"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="meetings_room_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"

    @property
    def equipment_codes(self) -> list[str]:
        """Return the codes of the room's equipment (prefetch ``equipment``)."""
        return [kind.code for kind in self.equipment.all()]


class BookingSeries(TimeStampedModel):
    """A recurring booking (周例会): its occurrences are real Booking rows."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every two weeks")

    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    first_starts_at = models.DateTimeField(_("first starts at"))
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering: ClassVar = ["-first_starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Booking(TimeStampedModel):
    """A room held for a time (预订), by its organiser."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")  # 待审批
        CONFIRMED = "confirmed", _("Confirmed")  # 已预订
        REJECTED = "rejected", _("Not approved")  # 未通过
        CANCELLED = "cancelled", _("Cancelled")  # 已取消

    ACTIVE_STATES: ClassVar[tuple[str, ...]] = (State.PENDING, State.CONFIRMED)

    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings"
    )
    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="meeting_bookings",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendees = models.PositiveIntegerField(_("attendees"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CONFIRMED
    )
    series = models.ForeignKey(
        BookingSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    # The approval deciding this booking now (one for every occurrence of a series).
    instance = models.ForeignKey(
        "workflow.FlowInstance",
        verbose_name=_("approval"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_bookings",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering: ClassVar = ["starts_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meetings_booking_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(attendees__gte=1), name="meetings_booking_attendees"
            ),
        ]
        indexes: ClassVar = [
            # The board and the overlap check: active bookings by start.
            models.Index(
                fields=["starts_at", "room"],
                name="meetings_booking_active",
                condition=Q(state__in=("pending", "confirmed")),
            ),
            models.Index(
                fields=["room", "starts_at"], name="meetings_booking_room_start"
            ),
            models.Index(
                fields=["organiser", "-starts_at"], name="meetings_booking_organiser"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES
