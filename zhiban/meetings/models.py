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


# --- meetings (会议), their notices, replies, minutes and decisions -------------------


class MeetingType(models.TextChoices):
    """The kinds of meeting the office runs."""

    PARTY_COMMITTEE = "party_committee", _("Party committee meeting")  # 党委会
    GENERAL_MANAGER = "general_manager", _("General manager's office meeting")
    TOPIC = "topic", _("Topic meeting")  # 专题会
    WEEKLY = "weekly", _("Weekly meeting")  # 周例会
    OTHER = "other", _("Other meeting")  # 其他


class Meeting(TimeStampedModel):
    """A meeting (会议): its notice (会议通知), attendees, agenda and minutes.

    It holds a booking of a room, or takes place elsewhere (``place``).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿
        PUBLISHED = (
            "published",
            pgettext_lazy("meeting", "Notice published"),
        )  # 已发通知
        CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")  # 已取消

    meeting_type = models.CharField(
        _("type"), max_length=20, choices=MeetingType.choices, default=MeetingType.TOPIC
    )
    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    booking = models.OneToOneField(
        Booking,
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting",
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Where the meeting is held when it is not in a booked room."),
    )
    notes = models.TextField(_("notice text"), blank=True)
    invited_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited people"),
        blank=True,
        related_name="+",
    )
    invited_departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("invited departments"),
        blank=True,
        related_name="+",
    )
    invited_roles = models.JSONField(_("invited roles"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # After the meeting the organiser may withdraw the materials from attendees.
    materials_withdrawn_at = models.DateTimeField(
        _("materials withdrawn at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering: ClassVar = ["-starts_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meetings_meeting_ends_after_start",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organiser", "-starts_at"], name="meetings_org_start"),
            models.Index(fields=["starts_at"], name="meetings_meeting_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        """Return the room or the place, as the notice names it."""
        if self.booking_id is not None:
            return str(self.booking.room)  # type: ignore[union-attr]
        return self.place


class AgendaItem(models.Model):
    """One item of a meeting's agenda (议程), with who presents it."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presenter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering: ClassVar = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Attendee(TimeStampedModel):
    """A person expected at a meeting and their reply to the notice."""

    class Reply(models.TextChoices):
        PENDING = "pending", _("No reply yet")  # 未回复
        ATTEND = "attend", _("Will attend")  # 参会
        LEAVE_ASKED = "leave_asked", _("Asked for leave")  # 请假（待批）
        LEAVE_GRANTED = "leave_granted", _("Leave granted")  # 准假
        LEAVE_REFUSED = "leave_refused", _("Leave refused")  # 不准假
        SUBSTITUTED = "substituted", _("Sent a substitute")  # 代参会

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
    )
    reply = models.CharField(
        pgettext_lazy("meeting", "reply"),
        max_length=15,
        choices=Reply.choices,
        default=Reply.PENDING,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # Who this person stands in for (代参会), and whom this person sent.
    substitute_for = models.OneToOneField(
        "self",
        verbose_name=_("substitute for"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="substitute",
    )
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leave decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leave_decided_at = models.DateTimeField(
        _("leave decided at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering: ClassVar = ["meeting", "id"]
        constraints: ClassVar = [
            # One row per person per meeting: a substitute already invited is refused,
            # and two replies naming the same substitute at once give one row.
            models.UniqueConstraint(
                fields=["meeting", "user"], name="meetings_attendee_once"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["user", "meeting"], name="meetings_attendee_user"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


class Minutes(TimeStampedModel):
    """The minutes (纪要) of a meeting, written in the system."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes"
    )
    text = models.TextField(_("minutes"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The 纪要 drafted from these minutes in the documents module (numbered and
    # distributed there).
    document = models.OneToOneField(
        "documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_minutes",
    )

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)


class Decision(TimeStampedModel):
    """One decision of the minutes (议定事项); it may become a supervision item."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="decisions"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("decision"))
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering: ClassVar = ["minutes", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


def material_path(instance: Material, filename: str) -> str:
    """Store materials under the meeting, never under the name the user gave."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"meetings/materials/{instance.meeting_id}/{uuid.uuid4().hex}.{suffix}"


class Material(models.Model):
    """A meeting material (会议材料) of an agenda item; a new upload is a new version."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="materials"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="materials",
    )
    name = models.CharField(_("file name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to=material_path, max_length=300)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("meeting material")
        verbose_name_plural = _("meeting materials")
        ordering: ClassVar = ["meeting", "agenda_item", "name", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "agenda_item", "name", "version"],
                name="meetings_material_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SignIn(models.Model):
    """An attendee's sign-in (签到) at a meeting: by the QR code or by staff."""

    class Method(models.TextChoices):
        CODE = "code", _("Scanned the code")  # 扫码
        STAFF = "staff", _("Signed in by staff")  # 工作人员代签

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="sign_ins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed in by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed in at"))

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering: ClassVar = ["meeting", "signed_at", "id"]
        constraints: ClassVar = [
            # Signing in twice (two scans, a scan and staff at once) keeps one row.
            models.UniqueConstraint(
                fields=["meeting", "user"], name="meetings_signin_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


class ChecklistTemplate(models.Model):
    """One task of a meeting type's service checklist (会务任务清单), kept as data."""

    meeting_type = models.CharField(
        _("type"), max_length=20, choices=MeetingType.choices
    )
    title = models.CharField(_("task"), max_length=100)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours_before = models.PositiveIntegerField(
        _("due hours before the start"), default=2
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist template task")
        verbose_name_plural = _("checklist template tasks")
        ordering: ClassVar = ["meeting_type", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ChecklistTask(TimeStampedModel):
    """A service task (会务任务) of one meeting, owned by a person, due at a time."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="checklist"
    )
    title = models.CharField(_("task"), max_length=100)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service task")
        verbose_name_plural = _("service tasks")
        ordering: ClassVar = ["meeting", "due_at", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ContingencyPlan(TimeStampedModel):
    """A contingency plan (应急预案) of the library: power failure, illness, weather."""

    title = models.CharField(pgettext_lazy("meeting", "title"), max_length=100)
    content = models.TextField(_("what to do"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("contingency plan")
        verbose_name_plural = _("contingency plans")
        ordering: ClassVar = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class MeetingContingency(models.Model):
    """A contingency plan attached to a meeting, with the person who owns it."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="contingencies"
    )
    plan = models.ForeignKey(
        ContingencyPlan,
        verbose_name=_("contingency plan"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting contingency plan")
        verbose_name_plural = _("meeting contingency plans")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["meeting", "plan"], name="meetings_contingency_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.plan)


class CalendarFeed(models.Model):
    """A person's secret calendar address (ICS) to subscribe from Outlook or a phone.

    Whoever holds the address reads the person's meetings: a new secret revokes
    the old address at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="meeting_calendar_feed",
    )
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user_id)
