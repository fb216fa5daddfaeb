"""Pages of meeting rooms: the availability board, booking, my bookings, the rooms.

Thin: the selectors decide who sees what, the services act and refuse.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import board_html, policies, selectors, services
from zhiban.meetings.forms import BookingForm, CancelForm, RoomForm, room_initial
from zhiban.meetings.models import Booking
from zhiban.org.forms import add_domain_error
from zhiban.org.models import User
from zhiban.org.views.picker import chosen_people

PAGE_SIZE = 30
NAV = {"nav_active": "meetings"}


def _user(request: HttpRequest) -> Any:
    return request.user


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


# --- the availability board ----------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Rooms × time for a day, or rooms × days for a week; free slots link to booking."""
    user = _user(request)
    today = timezone.localdate()
    filters = selectors.BoardFilters.from_query(request.GET, today=today)
    result = selectors.availability_board(user=user, filters=filters)
    if filters.view == "week":
        rows_html, phone_html = board_html.week_rows(result, today=today), ""
    else:
        rows_html, phone_html = (
            board_html.day_rows(result),
            board_html.phone_cards(result),
        )
    step = datetime.timedelta(days=7 if filters.view == "week" else 1)
    query = request.GET.copy()
    for key in ("day", "view"):
        query.pop(key, None)
    return render(
        request,
        "meetings/board.html",
        {
            **NAV,
            "board": result,
            "rows_html": rows_html,
            "phone_html": phone_html,
            "filters": filters,
            "today": today,
            "previous_day": filters.day - step,
            "next_day": filters.day + step,
            "keep": query.urlencode(),
            "equipment": selectors.equipment_choices(),
            "buildings": selectors.building_choices(),
            "can_manage": policies.can_manage_rooms(user),
        },
    )


# --- booking -------------------------------------------------------------------------


def _booking_initial(request: HttpRequest, rooms: Any) -> dict[str, Any]:
    data = request.GET
    initial: dict[str, Any] = {"attendees": 10, "repeat": ""}
    room_id = _int(data.get("room"))
    if room_id and rooms.filter(pk=room_id).exists():
        initial["room"] = room_id
    try:
        day = parse_date(str(data.get("day") or ""))
    except ValueError:
        day = None
    initial["day"] = day or timezone.localdate()
    for key in ("start", "end"):
        value = str(data.get(key) or "")
        if len(value) == 5 and value[2] == ":":
            initial[key] = value
    if "start" not in initial:
        initial["start"], initial["end"] = "09:00", "10:00"
    capacity = _int(data.get("capacity"))
    if capacity:
        initial["attendees"] = capacity
    return initial


@login_required
def book(request: HttpRequest) -> HttpResponse:
    """Book a room (pre-filled from the board's free slot), once or repeating."""
    user = _user(request)
    rooms = selectors.room_list_for(user=user)
    form = BookingForm(
        request.POST or None,
        rooms=rooms,
        initial=_booking_initial(request, rooms) if request.method != "POST" else None,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("repeat"):
                    series = services.series_create(
                        room=data["room"],
                        by=user,
                        title=data["title"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        attendees=data["attendees"],
                        frequency=data["repeat"],
                        until=data.get("until"),
                        count=data.get("count"),
                    )
                    first = series.bookings.order_by("starts_at").first()
                    messages.success(
                        request,
                        _("Booked %(count)s times.")
                        % {"count": series.bookings.count()},
                    )
                    assert first is not None  # noqa: S101 - a series has occurrences
                    return redirect("meetings:booking", pk=first.pk)
                booking = services.booking_create(
                    room=data["room"],
                    by=user,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    attendees=data["attendees"],
                )
                messages.success(
                    request,
                    _("Booked; waiting for the room manager's approval.")
                    if booking.state == Booking.State.PENDING
                    else _("Booked."),
                )
                return redirect("meetings:booking", pk=booking.pk)
            except DomainError as error:
                add_domain_error(form, error)
    return render(
        request,
        "meetings/booking_form.html",
        {**NAV, "form": form, "rooms": list(rooms)},
        status=status,
    )


# --- bookings ------------------------------------------------------------------------


@login_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    """The user's bookings (the office: everyone's), upcoming or past."""
    user = _user(request)
    filters = selectors.BookingFilters.from_query(request.GET)
    bookings = selectors.booking_list_for(user=user, filters=filters)
    page = Paginator(bookings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/booking_list.html",
        {
            **NAV,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "sees_everything": policies.sees_every_booking(user),
            "states": Booking.State.choices,
        },
    )


def _get_booking(request: HttpRequest, pk: int) -> Booking:
    booking = selectors.booking_get_for(user=_user(request), pk=pk)
    if booking is None:
        raise Http404
    return booking


def _booking_page(
    request: HttpRequest,
    booking: Booking,
    *,
    change_form: BookingForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    rooms = selectors.room_list_for(user=user)
    local_start = timezone.localtime(booking.starts_at)
    change_form = change_form or BookingForm(
        rooms=rooms,
        with_repeat=False,
        initial={
            "room": booking.room_id,
            "title": booking.title,
            "day": local_start.date(),
            "start": local_start.strftime("%H:%M"),
            "end": timezone.localtime(booking.ends_at).strftime("%H:%M"),
            "attendees": booking.attendees,
        },
    )
    change_form.fields["title"].disabled = True
    occurrences = (
        list(selectors.series_occurrences(series=booking.series))
        if booking.series
        else []
    )
    can_change = (
        policies.can_change(user, booking)
        and booking.is_active
        and booking.ends_at > timezone.now()
    )
    # The meeting held in this booking, when the user may see it; or, for the
    # organiser of a booking still to come, the way to arrange one in it.
    meeting = selectors.meeting_list_for(user=user).filter(booking=booking).first()
    can_arrange = (
        meeting is None
        and booking.organiser_id == user.pk
        and booking.is_active
        and booking.ends_at > timezone.now()
    )
    return render(
        request,
        "meetings/booking_detail.html",
        {
            **NAV,
            "booking": booking,
            "meeting": meeting,
            "can_arrange": can_arrange,
            "occurrences": occurrences,
            "can_change": can_change,
            "series_left": sum(
                1 for b in occurrences if b.is_active and b.starts_at > timezone.now()
            ),
            "change_form": change_form,
            "cancel_form": cancel_form or CancelForm(),
        },
        status=status,
    )


@login_required
@require_GET
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking: when, where, its state and approval, its series; change, cancel."""
    return _booking_page(request, _get_booking(request, pk))


@login_required
@require_POST
def booking_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one booking (or one occurrence) to another time or room."""
    user = _user(request)
    booking = _get_booking(request, pk)
    form = BookingForm(
        request.POST,
        rooms=selectors.room_list_for(user=user),
        with_repeat=False,
        initial={"title": booking.title},
    )
    form.fields["title"].disabled = True
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.booking_change(
                booking=booking,
                by=user,
                room=data["room"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                attendees=data["attendees"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Changed; waiting for the room manager's approval.")
                if changed.state == Booking.State.PENDING
                else _("Changed."),
            )
            return redirect("meetings:booking", pk=booking.pk)
    return _booking_page(request, booking, change_form=form, status=400)


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one booking; the slot is free again."""
    user = _user(request)
    booking = _get_booking(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.booking_cancel(
                booking=booking, by=user, reason=form.cleaned_data["reason"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Cancelled; the room is free again."))
            return redirect("meetings:booking", pk=booking.pk)
    return _booking_page(request, booking, cancel_form=form, status=400)


@login_required
@require_POST
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel every occurrence of a series still to come."""
    user = _user(request)
    series = selectors.series_get_for(user=user, pk=pk)
    if series is None:
        raise Http404
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        count = services.series_cancel(series=series, by=user, reason=reason)
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("Cancelled %(count)s occurrences.") % {"count": count}
        )
    first = series.bookings.order_by("starts_at").first()
    return (
        redirect("meetings:booking", pk=first.pk)
        if first
        else redirect("meetings:bookings")
    )


# --- rooms ---------------------------------------------------------------------------


@login_required
@require_GET
def room_list(request: HttpRequest) -> HttpResponse:
    """Every room, in use or not, for the office to keep."""
    user = _user(request)
    if not policies.can_manage_rooms(user):
        raise PermissionDenied
    rooms = selectors.room_list_for(user=user, include_inactive=True)
    return render(request, "meetings/room_list.html", {**NAV, "rooms": rooms})


def _room_data(form: RoomForm, manager: User | None) -> services.RoomData:
    data = form.cleaned_data
    return services.RoomData(
        unit=data["unit"],
        building=data["building"],
        floor=data["floor"],
        name=data["name"],
        capacity=data["capacity"],
        equipment=list(data["equipment"]),
        opens_at=form.time_of("opens_at"),
        closes_at=form.time_of("closes_at"),
        open_days=data["open_days"],
        needs_approval=data["needs_approval"],
        manager=manager,
        notes=data["notes"],
        sort_order=data["sort_order"] or 0,
        is_active=data["is_active"],
    )


@login_required
def room_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a room, or change one (office director and administrators)."""
    user = _user(request)
    if not policies.can_manage_rooms(user):
        raise PermissionDenied
    room = None
    if pk is not None:
        room = selectors.room_get_for(user=user, pk=pk)
        if room is None:
            raise Http404
    if request.method == "POST":
        form = RoomForm(request.POST, request.FILES)
        managers = chosen_people(request.POST.getlist("manager"))
    else:
        initial = (
            room_initial(room) if room else {"opens_at": "08:00", "closes_at": "18:00"}
        )
        if room is None and user.primary_department_id:
            initial["unit"] = user.primary_department.unit_id
        form = RoomForm(initial=initial)
        managers = [room.manager] if room and room.manager else []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            photo = form.cleaned_data.get("photo")
            try:
                saved = services.room_save(
                    by=user,
                    room=room,
                    data=_room_data(form, managers[0] if managers else None),
                    photo=photo or None,
                    remove_photo=photo is False,
                )
            except PermissionDeniedError as error:
                raise PermissionDenied from error
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Saved %(room)s.") % {"room": str(saved)})
                return redirect("meetings:rooms")
    return render(
        request,
        "meetings/room_form.html",
        {**NAV, "form": form, "room": room, "managers": managers},
        status=status,
    )


@login_required
@require_GET
def room_photo(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a room's photo to anyone signed in (rooms are no secret)."""
    room = selectors.room_get_for(user=_user(request), pk=pk)
    if room is None or not room.photo:
        raise Http404
    response = FileResponse(room.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
