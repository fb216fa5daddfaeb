"""Reads of rooms and bookings that carry a rule: the board, the lists, one booking.

The availability board is read in a fixed number of queries whatever the number
of rooms and bookings (rooms, their equipment, the bookings of the range, the
working calendar's overrides, the filter lists), pinned by tests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_date

from zhiban.meetings import policies
from zhiban.meetings.models import (
    Attendee,
    Booking,
    BookingSeries,
    Decision,
    Equipment,
    Meeting,
    Minutes,
    Room,
)
from zhiban.meetings.services import STEP_MINUTES, room_is_open_on
from zhiban.org.models import User
from zhiban.org.workdays import WorkingCalendar

QUARTER = datetime.timedelta(minutes=STEP_MINUTES)
HOUR = datetime.timedelta(hours=1)
WEEK_DAYS = 7
MAX_API_DAYS = 31


def _aware(day: datetime.date, moment: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(
        day, moment, tzinfo=timezone.get_current_timezone()
    )


# --- rooms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomFilters:
    """What the rooms are narrowed to: seats at least, equipment, building."""

    capacity: int | None = None
    equipment: tuple[str, ...] = ()
    building: str = ""

    @classmethod
    def from_query(cls, data: Any) -> RoomFilters:
        """Build filters from query parameters, ignoring values we cannot read."""
        raw = str(data.get("capacity") or "").strip()
        capacity = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else None
        codes = data.getlist("equipment") if hasattr(data, "getlist") else []
        return cls(
            capacity=capacity,
            equipment=tuple(dict.fromkeys(str(c)[:40] for c in codes if c))[:10],
            building=str(data.get("building") or "").strip()[:50],
        )


def room_list_for(
    *, user: User, filters: RoomFilters | None = None, include_inactive: bool = False
) -> QuerySet[Room]:
    """Return the rooms to choose from (the office also lists rooms out of use)."""
    filters = filters or RoomFilters()
    queryset = Room.objects.select_related("unit", "manager").prefetch_related(
        "equipment"
    )
    if not (include_inactive and policies.can_manage_rooms(user)):
        queryset = queryset.filter(is_active=True)
    if filters.capacity:
        queryset = queryset.filter(capacity__gte=filters.capacity)
    for code in filters.equipment:
        queryset = queryset.filter(equipment__code=code)
    if filters.building:
        queryset = queryset.filter(building=filters.building)
    return queryset.order_by("building", "sort_order", "floor", "name", "id")


def room_get_for(*, user: User, pk: int) -> Room | None:
    """Return one room the user may book (or manage), or None."""
    return room_list_for(user=user, include_inactive=True).filter(pk=pk).first()


def equipment_choices() -> list[Equipment]:
    """Return the equipment kinds in use, in their order."""
    return list(Equipment.objects.filter(is_active=True).order_by("sort_order", "id"))


def building_choices() -> list[str]:
    """Return the buildings that have rooms in use."""
    return list(
        Room.objects.filter(is_active=True)
        .order_by("building")
        .values_list("building", flat=True)
        .distinct()
    )


# --- the availability board ----------------------------------------------------------


@dataclass(slots=True)
class BoardBooking:
    """A booking as the board shows it to one viewer."""

    pk: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    times: str  # "09:00-10:30" (with an en dash), local time
    pending: bool
    title: str  # empty when the viewer may not read it
    department: str
    organiser: str
    mine: bool
    can_open: bool


@dataclass(slots=True)
class Cell:
    """One cell of a room's row on the day grid, spanning quarter hours."""

    kind: str  # "free" | "booked" | "closed" | "past"
    span: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    booking: BoardBooking | None = None
    book_until: datetime.datetime | None = None  # a free cell's suggested end


@dataclass(slots=True)
class DayCell:
    """One room on one day of the week grid."""

    day: datetime.date
    is_open: bool
    bookable: bool
    bookings: list[BoardBooking]
    is_past: bool = False


@dataclass
class RoomRow:
    """One room of the board with its cells (day) or its days (week)."""

    room: Room
    is_open: bool = True
    cells: list[Cell] = field(default_factory=list)
    free: list[Cell] = field(default_factory=list)  # the free stretches, for phones
    bookings: list[BoardBooking] = field(default_factory=list)
    days: list[DayCell] = field(default_factory=list)


@dataclass(frozen=True)
class BoardFilters:
    """Which board: the day or the week of ``day``, and which rooms."""

    day: datetime.date
    view: str = "day"
    rooms: RoomFilters = field(default_factory=RoomFilters)

    @classmethod
    def from_query(cls, data: Any, *, today: datetime.date) -> BoardFilters:
        """Build the board's filters from query parameters (unreadable: today, day)."""
        try:
            day = parse_date(str(data.get("day") or "").strip()) or today
        except ValueError:
            day = today
        if abs((day - today).days) > 3660:
            day = today
        view = "week" if data.get("view") == "week" else "day"
        return cls(day=day, view=view, rooms=RoomFilters.from_query(data))

    @property
    def days(self) -> list[datetime.date]:
        if self.view == "day":
            return [self.day]
        monday = self.day - datetime.timedelta(days=self.day.weekday())
        return [monday + datetime.timedelta(days=n) for n in range(WEEK_DAYS)]


@dataclass
class Board:
    """The availability board: rooms as rows, time (day) or days (week) as columns."""

    filters: BoardFilters
    days: list[datetime.date]
    rows: list[RoomRow]
    hours: list[tuple[datetime.datetime, int]]  # (hour, quarter columns), day view
    quarters: int
    now: datetime.datetime


BOARD_FIELDS = (
    "pk",
    "room_id",
    "title",
    "organiser_id",
    "organiser__name",
    "organiser__first_name",
    "organiser__last_name",
    "organiser__username",
    "department__name",
    "starts_text",
    "ends_text",
    "state",
)


class _Moments:
    """Stored times, as text, turned into local time once per distinct value.

    Bookings start and end on a few dozen quarter hours a day: a week's 2,400
    bookings hold about 500 distinct times. Read through the database driver and
    Django's converters, each of the 4,800 values cost as much as the rest of the
    board's Python together on SQLite (bench/README.md, meetings).
    """

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.seen: dict[str, tuple[datetime.datetime, str]] = {}

    def __call__(self, text: str) -> tuple[datetime.datetime, str]:
        known = self.seen.get(text)
        if known is None:
            # PostgreSQL writes the offset ("+00"); SQLite stores UTC without one.
            moment = datetime.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.UTC)
            local = moment.astimezone(self.tz)
            known = self.seen[text] = (local, f"{local.hour:02d}:{local.minute:02d}")
        return known


def _board_bookings(
    *,
    user: User,
    office: bool,
    rooms: dict[int, Room],
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[tuple[int, BoardBooking]]:
    """Return (room id, booking as shown) for the range, read as plain values.

    The board can show a few thousand bookings (50 rooms x a week): model instances
    with their organisers cost more than the rest of the page (bench/README.md).
    """
    rows = (
        Booking.objects.filter(
            room_id__in=list(rooms),
            state__in=Booking.ACTIVE_STATES,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by("starts_at", "id")
        .annotate(
            starts_text=Cast("starts_at", TextField()),
            ends_text=Cast("ends_at", TextField()),
        )
        .values_list(*BOARD_FIELDS)
    )
    moments = _Moments()
    viewer = user.pk  # once: request.user is a lazy object
    managers = {pk: room.manager_id for pk, room in rooms.items()}
    shown = []
    for (
        pk,
        room_id,
        title,
        organiser_id,
        name,
        first_name,
        last_name,
        username,
        department,
        starts_text,
        ends_text,
        state,
    ) in rows:
        visible = office or viewer in (organiser_id, managers[room_id])
        organiser = name or f"{first_name} {last_name}".strip() or username
        (start, start_hm), (end, end_hm) = moments(starts_text), moments(ends_text)
        shown.append(
            (
                room_id,
                BoardBooking(
                    pk=pk,
                    starts_at=start,
                    ends_at=end,
                    times=f"{start_hm}\u2013{end_hm}",
                    pending=state == Booking.State.PENDING,
                    title=title if visible else "",
                    department=department or "",
                    organiser=organiser if visible else "",
                    mine=organiser_id == viewer,
                    can_open=visible,
                ),
            )
        )
    return shown


def bookings_in_range(
    *, room_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Booking]:
    """Return the active bookings of the rooms that start in [start, end).

    A booking lies within one day, so with ``start`` at a midnight every booking
    that touches the range starts in it (the partial index on starts_at serves it).
    """
    return (
        Booking.objects.filter(
            room_id__in=room_ids,
            state__in=Booking.ACTIVE_STATES,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("department", "organiser")
        .only(
            "pk",
            "room_id",
            "title",
            "organiser_id",
            "organiser__name",
            "organiser__username",
            "organiser__first_name",
            "organiser__last_name",
            "department__name",
            "starts_at",
            "ends_at",
            "state",
        )
        .order_by("starts_at", "id")
    )


def _day_cells(
    row: RoomRow,
    day: datetime.date,
    grid: tuple[datetime.datetime, datetime.datetime],
    now: datetime.datetime,
) -> None:
    """Fill a room's day row: closed, past, booked and free cells over the grid."""
    room = row.room
    first, last = grid
    opens, closes = _aware(day, room.opens_at), _aware(day, room.closes_at)
    bookings = sorted(row.bookings, key=lambda b: b.starts_at)
    cells: list[Cell] = []

    def add(kind: str, start: datetime.datetime, end: datetime.datetime, **extra: Any):  # type: ignore[no-untyped-def]
        span = max(round((end - start) / QUARTER), 1)
        previous = cells[-1] if cells else None
        if previous and kind in ("closed", "past") and previous.kind == kind:
            cells[-1] = Cell(
                kind, previous.span + span, previous.starts_at, end, **extra
            )
        else:
            cells.append(Cell(kind, span, start, end, **extra))

    moment = first
    index = 0
    while moment < last:
        while index < len(bookings) and bookings[index].ends_at <= moment:
            index += 1
        booking = bookings[index] if index < len(bookings) else None
        if not row.is_open or moment < opens or moment >= closes:
            add("closed", moment, moment + QUARTER)
            moment += QUARTER
        elif booking is not None and booking.starts_at <= moment:
            end = min(booking.ends_at, last)
            add("booked", moment, end, booking=booking)
            moment = end
        else:
            # A free half hour (or quarter, to the next booking or the grid's edge).
            step = HOUR / 2 if moment.minute % 30 == 0 else QUARTER
            end = min(moment + step, closes, last)
            if booking is not None:
                end = min(end, booking.starts_at)
            if end <= now:
                add("past", moment, end)
            else:
                until = min(moment + HOUR, closes)
                if booking is not None:
                    until = min(until, booking.starts_at)
                add("free", moment, end, book_until=until)
            moment = end
    row.cells = cells
    # The free stretches from now on, merged, for the phone list.
    stretches: list[Cell] = []
    for cell in cells:
        if cell.kind != "free":
            continue
        if stretches and stretches[-1].ends_at == cell.starts_at:
            last_free = stretches[-1]
            stretches[-1] = Cell(
                "free",
                last_free.span + cell.span,
                last_free.starts_at,
                cell.ends_at,
                book_until=last_free.book_until,
            )
        else:
            stretches.append(cell)
    row.free = stretches


def availability_board(
    *, user: User, filters: BoardFilters, now: datetime.datetime | None = None
) -> Board:
    """Return the board of the rooms the filters leave, for the day or the week."""
    now = now or timezone.now()
    days = filters.days
    rooms = list(room_list_for(user=user, filters=filters.rooms))
    start = _aware(days[0], datetime.time.min)
    end = _aware(days[-1] + datetime.timedelta(days=1), datetime.time.min)
    office = policies.is_office(user)
    by_room: dict[int, RoomRow] = {room.pk: RoomRow(room=room) for room in rooms}
    by_room_day: dict[tuple[int, datetime.date], list[BoardBooking]] = {}
    if rooms:
        rooms_by_id = {room.pk: room for room in rooms}
        for room_id, shown in _board_bookings(
            user=user, office=office, rooms=rooms_by_id, start=start, end=end
        ):
            by_room[room_id].bookings.append(shown)
            by_room_day.setdefault((room_id, shown.starts_at.date()), []).append(shown)
    calendar = WorkingCalendar()
    calendar.load(days[0], days[-1])
    hours: list[tuple[datetime.datetime, int]] = []
    quarters = 0
    if filters.view == "day":
        day = days[0]
        opens = min((r.opens_at for r in rooms), default=datetime.time(8))
        closes = max((r.closes_at for r in rooms), default=datetime.time(18))
        first = _aware(day, opens.replace(minute=opens.minute - opens.minute % 15))
        last = _aware(day, closes)
        moment = first
        while moment < last:
            next_hour = (moment + HOUR).replace(minute=0)
            span_end = min(next_hour, last)
            hours.append((moment, round((span_end - moment) / QUARTER)))
            moment = span_end
        quarters = sum(span for _hour, span in hours)
        for row in by_room.values():
            row.is_open = room_is_open_on(row.room, day, calendar)
            _day_cells(row, day, (first, last), now)
    else:
        today = timezone.localdate(now)
        for room_id, row in by_room.items():
            for day in days:
                is_open = room_is_open_on(row.room, day, calendar)
                row.days.append(
                    DayCell(
                        day=day,
                        is_open=is_open,
                        bookable=is_open and _aware(day, row.room.closes_at) > now,
                        bookings=by_room_day.get((room_id, day), []),
                        is_past=day < today,
                    )
                )
    return Board(
        filters=filters,
        days=days,
        rows=list(by_room.values()),
        hours=hours,
        quarters=quarters,
        now=now,
    )


# --- bookings ------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingFilters:
    """What the bookings list is narrowed to."""

    scope: str = "mine"  # "mine" | "all" (the office)
    when: str = "upcoming"  # "upcoming" | "past"
    state: str = ""
    room: int | None = None

    @classmethod
    def from_query(cls, data: Any) -> BookingFilters:
        state = str(data.get("state") or "")
        room = str(data.get("room") or "")
        return cls(
            scope="all" if data.get("scope") == "all" else "mine",
            when="past" if data.get("when") == "past" else "upcoming",
            state=state if state in Booking.State.values else "",
            room=int(room) if room.isdigit() and len(room) < 10 else None,
        )


def _visible(user: User) -> Q:
    if policies.sees_every_booking(user):
        return Q()
    return Q(organiser=user) | Q(room__manager=user)


def booking_list_for(
    *,
    user: User,
    filters: BookingFilters | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Booking]:
    """Return the bookings the user may see: their own, their rooms', all (office)."""
    filters = filters or BookingFilters()
    now = now or timezone.now()
    queryset = Booking.objects.filter(_visible(user)).select_related(
        "room", "organiser", "department", "series"
    )
    if filters.scope == "mine" or not policies.sees_every_booking(user):
        queryset = queryset.filter(Q(organiser=user) | Q(room__manager=user))
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.room:
        queryset = queryset.filter(room_id=filters.room)
    if filters.when == "past":
        return queryset.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    return queryset.filter(ends_at__gt=now).order_by("starts_at", "id")


def booking_get_for(*, user: User, pk: int) -> Booking | None:
    """Return one booking the user may see, or None."""
    return (
        Booking.objects.filter(_visible(user), pk=pk)
        .select_related(
            "room",
            "room__manager",
            "organiser",
            "department",
            "series",
            "instance",
            "cancelled_by",
        )
        .first()
    )


def series_get_for(*, user: User, pk: int) -> BookingSeries | None:
    """Return a series whose bookings the user may see, or None."""
    visible = Booking.objects.filter(_visible(user), series_id=pk)
    if not visible.exists():
        return None
    return BookingSeries.objects.select_related("organiser").filter(pk=pk).first()


def series_occurrences(*, series: BookingSeries) -> QuerySet[Booking]:
    """Return every occurrence of a series, in order."""
    return series.bookings.select_related("room").order_by("starts_at", "id")


# --- meetings ------------------------------------------------------------------------


def meetings_visible_q(user: User) -> Q:
    """The meetings a person sees: organised, chaired, attended, or all for the office."""
    if policies.is_office(user):
        return Q()
    return (
        Q(organiser=user)
        | Q(chair=user)
        | Q(pk__in=Attendee.objects.filter(user=user).values("meeting_id"))
    )


def meeting_list_for(*, user: User) -> QuerySet[Meeting]:
    """Return the meetings the user sees, latest first, with room and organiser."""
    return (
        Meeting.objects.filter(meetings_visible_q(user))
        .select_related("organiser", "chair", "booking__room")
        .order_by("-starts_at", "-id")
    )


def meeting_get_for(*, user: User, pk: int) -> Meeting | None:
    """Return the meeting if the user may see it, else None."""
    return meeting_list_for(user=user).filter(pk=pk).first()


@dataclass
class Replies:
    """The replies to a notice as the organiser follows them."""

    rows: list[Attendee]
    counts: dict[str, int]
    total: int


def meeting_replies(*, meeting: Meeting) -> Replies:
    """Return every attendee with their reply, and the count of each reply."""
    rows = list(
        meeting.attendees.select_related(
            "user", "user__primary_department", "substitute_for__user"
        ).order_by("id")
    )
    counts = dict.fromkeys(Attendee.Reply.values, 0)
    for row in rows:
        counts[row.reply] += 1
    return Replies(rows=rows, counts=counts, total=len(rows))


def my_attendance(*, meeting: Meeting, user: User) -> Attendee | None:
    """Return the user's own attendee row, if invited (or a substitute)."""
    return Attendee.objects.filter(meeting=meeting, user=user).first()


def meeting_minutes(*, meeting: Meeting) -> Minutes | None:
    """Return the minutes with their decisions, or None before they are written."""
    return (
        Minutes.objects.filter(meeting=meeting)
        .select_related("document")
        .prefetch_related("decisions__lead_department")
        .first()
    )


def decision_source_link(source_id: str) -> dict[str, str] | None:
    """Name a decision as the source of a supervision item (its meeting's page)."""
    from django.urls import reverse

    if not str(source_id).isdigit():
        return None
    decision = (
        Decision.objects.filter(pk=int(source_id))
        .select_related("minutes__meeting")
        .first()
    )
    if decision is None:
        return None
    meeting = decision.minutes.meeting
    return {
        "label": f"{meeting.title}: {decision.text[:60]}",
        "url": reverse("meetings:meeting", args=[meeting.pk]),
    }


def calendar_meetings(
    *,
    user: User,
    start: datetime.datetime,
    end: datetime.datetime,
    department: bool = False,
) -> list[Meeting]:
    """Return the user's meetings (or their department's) overlapping the range.

    Mine: organised, chaired, or attended (not on granted leave, not sent a
    substitute). The department's: any meeting a member of the user's primary
    department attends. Drafts only to their organiser.
    """
    settled = (Attendee.Reply.LEAVE_GRANTED, Attendee.Reply.SUBSTITUTED)
    if department and user.primary_department_id:
        attending = Attendee.objects.filter(
            user__primary_department_id=user.primary_department_id
        ).exclude(reply__in=settled)
        condition = Q(pk__in=attending.values("meeting_id"))
    else:
        attending = Attendee.objects.filter(user=user).exclude(reply__in=settled)
        condition = (
            Q(organiser=user) | Q(chair=user) | Q(pk__in=attending.values("meeting_id"))
        )
    return list(
        Meeting.objects.filter(condition, starts_at__lt=end, ends_at__gt=start)
        .filter(
            Q(state__in=(Meeting.State.PUBLISHED, Meeting.State.CANCELLED))
            | Q(organiser=user)
        )
        .select_related("booking__room", "organiser")
        .order_by("starts_at", "id")
    )
