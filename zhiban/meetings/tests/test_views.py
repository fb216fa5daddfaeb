"""The meeting pages: the board, booking, the booking page, the rooms."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from zhiban.meetings import services
from zhiban.meetings.models import Booking, Room
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

from .conftest import days_ahead, make_room

pytestmark = pytest.mark.django_db
BOARD = reverse("meetings:board")
BOOK = reverse("meetings:book")


def _as(client: Client, user: User, language: str = "en") -> Client:
    """Sign the client in as the user, who reads the pages in the language."""
    User.objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    return client


def _book_now(room: Room, who: User, days: int, hour: int, **extra: Any) -> Booking:
    start = days_ahead(days, hour)
    return services.booking_create(
        room=room,
        by=who,
        title=extra.pop("title", "安全生产例会"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        attendees=extra.pop("attendees", 8),
        **extra,
    )


def test_the_board_needs_sign_in(client: Client) -> None:
    assert client.get(BOARD).status_code == 302


def test_the_day_board_shows_rooms_free_slots_and_bookings(
    client: Client, room: Room, approval_room: Room, people: dict[str, User]
) -> None:
    _book_now(room, people["organiser"], 1, 9, title="生产调度会")
    _book_now(approval_room, people["organiser"], 1, 14, title="党委会")
    day = days_ahead(1, 0).date().isoformat()

    html = _as(client, people["organiser"]).get(BOARD, {"day": day}).content.decode()

    assert html.count('data-testid="board-row"') == 2
    assert "生产调度会" in html
    assert "data-pending" in html  # the booking awaiting approval looks different
    assert f"?room={room.pk}&amp;day={day}&amp;start=10:00&amp;end=11:00" in html


def test_others_see_a_department_not_the_title(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    _book_now(room, people["organiser"], 1, 9, title="人事问题专题会")
    day = days_ahead(1, 0).date().isoformat()

    other = _as(client, people["other"]).get(BOARD, {"day": day}).content.decode()
    office = _as(Client(), people["director"]).get(BOARD, {"day": day}).content.decode()

    assert "人事问题专题会" not in other
    assert "生产技术部" in other
    assert "人事问题专题会" in office


def test_the_week_board_and_the_filters(
    client: Client, room: Room, approval_room: Room, people: dict[str, User]
) -> None:
    _as(client, people["organiser"])

    week = client.get(BOARD, {"view": "week"}).content.decode()
    big = client.get(BOARD, {"capacity": "25"}).content.decode()
    video = client.get(BOARD, {"equipment": ["video", "microphone"]}).content.decode()
    none = client.get(BOARD, {"capacity": "500"}).content.decode()

    assert 'data-testid="board-week"' in week
    assert week.count('data-testid="board-row"') == 2
    assert big.count('data-testid="board-row"') == 1
    assert "党委会议室" in big
    assert video.count('data-testid="board-row"') == 1
    assert 'data-testid="board-empty"' in none


@pytest.mark.parametrize(
    "query",
    [
        {"day": "not-a-date"},
        {"day": "2026-02-30"},
        {"capacity": "-3"},
        {"capacity": "x" * 50},
        {"view": "year"},
        {"equipment": "nothing"},
    ],
)
def test_the_board_ignores_what_it_cannot_read(
    client: Client, room: Room, people: dict[str, User], query: dict[str, str]
) -> None:
    assert _as(client, people["other"]).get(BOARD, query).status_code == 200


@pytest.mark.parametrize("view", ["day", "week"])
def test_the_board_reads_in_fixed_queries_whatever_the_rooms_and_bookings(
    client: Client,
    people: dict[str, User],
    flows: None,
    django_assert_num_queries: Any,
    view: str,
) -> None:
    _as(client, people["organiser"])
    rooms = [make_room(people, name=f"会议室{n}") for n in range(2)]
    _book_now(rooms[0], people["organiser"], 1, 9)
    day = days_ahead(1, 0).date().isoformat()
    client.get(BOARD, {"day": day, "view": view})  # warm the session and caches

    with django_assert_num_queries(8) as small:
        client.get(BOARD, {"day": day, "view": view})
    rooms += [make_room(people, name=f"大会议室{n}") for n in range(6)]
    for n, target in enumerate(rooms):
        _book_now(target, people["other"], 1, 10 + n % 6)
        _book_now(target, people["organiser"], 2, 8 + n % 6)
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(BOARD, {"day": day, "view": view}).content.decode()
    assert html.count('data-testid="board-row"') == 8


def test_the_booking_form_is_prefilled_from_the_board(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    day = days_ahead(1, 0).date().isoformat()

    html = (
        _as(client, people["organiser"])
        .get(BOOK, {"room": str(room.pk), "day": day, "start": "10:30", "end": "11:30"})
        .content.decode()
    )

    assert f'<option value="{room.pk}" selected>' in html
    assert f'value="{day}"' in html
    assert '<option value="10:30" selected>' in html
    assert '<option value="11:30" selected>' in html


def _post(room: Room, days: int, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "room": room.pk,
        "title": "经营分析会",
        "day": days_ahead(days, 0).date().isoformat(),
        "start": start,
        "end": end,
        "attendees": 12,
        **extra,
    }


def test_booking_from_the_form(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    response = _as(client, people["organiser"]).post(
        BOOK, _post(room, 2, "14:00", "15:30")
    )

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:booking", args=[booking.pk])
    assert (booking.organiser, booking.state) == (
        people["organiser"],
        Booking.State.CONFIRMED,
    )


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"start": "09:30", "end": "10:30"}, "already booked from 09:00 to 10:00"),
        ({"start": "11:00", "end": "10:00"}, "end must be after the start"),
        ({"start": "06:00", "end": "07:00"}, "from 08:00 to 18:00"),
        ({"attendees": "99"}, "do not fit"),
        ({"days": -2}, "already passed"),
        ({"start": "25:00"}, "not one of the available choices"),
        ({"room": "999999"}, "Choose a room in use"),
        ({"attendees": "abc"}, "Enter a whole number"),
        ({"repeat": "weekly"}, "either an end date or a number"),
    ],
)
def test_bad_input_on_the_form_is_a_400_with_the_reason(
    client: Client,
    room: Room,
    people: dict[str, User],
    change: dict[str, Any],
    text: str,
) -> None:
    _book_now(room, people["other"], 2, 9)
    days = change.pop("days", 2)
    data = _post(room, days, "14:00", "15:00")
    data.update(change)

    response = _as(client, people["organiser"]).post(BOOK, data)

    assert response.status_code == 400
    assert text in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_repeating_booking_from_the_form(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    response = _as(client, people["organiser"]).post(
        BOOK, _post(room, 1, "09:00", "10:00", repeat="weekly", count="3")
    )

    assert response.status_code == 302
    assert Booking.objects.filter(series__isnull=False).count() == 3


def test_the_booking_page_and_who_may_see_it(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    booking = _book_now(room, people["organiser"], 1, 9)
    url = reverse("meetings:booking", args=[booking.pk])

    assert _as(client, people["organiser"]).get(url).status_code == 200
    assert _as(Client(), people["director"]).get(url).status_code == 200
    assert _as(Client(), people["other"]).get(url).status_code == 404


def test_cancel_from_the_page_and_a_stranger_cannot(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    booking = _book_now(room, people["organiser"], 1, 9)
    url = reverse("meetings:booking_cancel", args=[booking.pk])

    stranger = _as(Client(), people["other"]).post(url, {"reason": "x"})
    booking.refresh_from_db()
    assert (stranger.status_code, booking.state) == (404, Booking.State.CONFIRMED)

    response = _as(client, people["organiser"]).post(url, {"reason": "改期"})
    booking.refresh_from_db()
    assert response.status_code == 302
    assert (booking.state, booking.cancel_reason) == (Booking.State.CANCELLED, "改期")


def test_move_from_the_page(
    client: Client, room: Room, people: dict[str, User]
) -> None:
    booking = _book_now(room, people["organiser"], 1, 9)
    _book_now(room, people["other"], 1, 15)
    url = reverse("meetings:booking_change", args=[booking.pk])
    data = _post(room, 1, "15:30", "16:30")

    refused = _as(client, people["organiser"]).post(url, data)
    data.update(start="16:00", end="17:00")
    moved = client.post(url, data)

    booking.refresh_from_db()
    assert refused.status_code == 400
    assert "already booked from 15:00 to 16:00" in refused.content.decode()
    assert moved.status_code == 302
    assert booking.starts_at == days_ahead(1, 16)


def test_my_bookings(client: Client, room: Room, people: dict[str, User]) -> None:
    _book_now(room, people["organiser"], 1, 9)
    _book_now(room, people["other"], 1, 11)

    mine = _as(client, people["organiser"]).get(reverse("meetings:bookings"))
    everyone = _as(Client(), people["director"]).get(
        reverse("meetings:bookings"), {"scope": "all"}
    )

    assert mine.content.decode().count('data-testid="booking-row"') == 1
    assert everyone.content.decode().count('data-testid="booking-row"') == 2


# --- rooms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("organiser", 403), ("manager", 403), ("director", 200)]
)
def test_only_the_office_keeps_the_rooms(
    client: Client, room: Room, people: dict[str, User], who: str, status: int
) -> None:
    _as(client, people[who])

    assert client.get(reverse("meetings:rooms")).status_code == status
    assert client.get(reverse("meetings:room_create")).status_code == status
    assert client.get(reverse("meetings:room_edit", args=[room.pk])).status_code == (
        status
    )


def test_an_administrator_keeps_the_rooms_too(client: Client, admin: User) -> None:
    assert _as(client, admin).get(reverse("meetings:rooms")).status_code == 200


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(data, "PNG")
    data.seek(0)
    data.name = "room.png"
    return data


def _room_post(people: dict[str, User], **extra: Any) -> dict[str, Any]:
    from zhiban.org.models import Unit

    return {
        "unit": Unit.objects.get(code="HQ").pk,
        "building": "科技楼",
        "floor": "5F",
        "name": "视频会议室",
        "capacity": "40",
        "opens_at": "08:30",
        "closes_at": "21:00",
        "open_days": "every_day",
        "sort_order": "1",
        "is_active": "on",
        **extra,
    }


def test_the_office_adds_a_room_with_a_photo(
    client: Client, people: dict[str, User], flows: None
) -> None:
    from zhiban.meetings.models import Equipment

    video = Equipment.objects.get(code="video")
    response = _as(client, people["director"]).post(
        reverse("meetings:room_create"),
        _room_post(
            people,
            equipment=[video.pk],
            needs_approval="on",
            manager=people["manager"].pk,
            photo=_png(),
        ),
    )

    room = Room.objects.get()
    assert response.status_code == 302
    assert (room.capacity, room.manager, room.needs_approval) == (
        40,
        people["manager"],
        True,
    )
    assert list(room.equipment.all()) == [video]
    photo = client.get(reverse("meetings:room_photo", args=[room.pk]))
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content).startswith(  # type: ignore[attr-defined]
        b"\x89PNG"
    )


@pytest.mark.parametrize(
    ("extra", "text"),
    [
        ({"needs_approval": "on"}, "needs a manager"),
        ({"closes_at": "08:00"}, "must close after it opens"),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_a_bad_room_is_a_400_and_nothing_is_saved(
    client: Client,
    people: dict[str, User],
    flows: None,
    extra: dict[str, Any],
    text: str,
) -> None:
    response = _as(client, people["director"]).post(
        reverse("meetings:room_create"), _room_post(people, **extra)
    )

    assert response.status_code == 400
    assert text in response.content.decode()
    assert Room.objects.count() == 0


def test_a_photo_that_is_not_an_image_is_refused(
    client: Client, people: dict[str, User], flows: None
) -> None:
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "room.png"

    response = _as(client, people["director"]).post(
        reverse("meetings:room_create"), _room_post(people, photo=fake)
    )

    assert response.status_code == 400
    assert "room.png" in response.content.decode()
    assert Room.objects.count() == 0


def test_an_employee_sees_the_board_in_the_navigation(
    client: Client, people: dict[str, User]
) -> None:
    html = _as(client, UserFactory()).get(reverse("core:home")).content.decode()

    assert f'href="{BOARD}"' in html


def test_a_room_closed_on_the_day_says_so(
    client: Client, people: dict[str, User], flows: None
) -> None:
    from zhiban.meetings.models import OpenDays

    make_room(people, open_days=OpenDays.WEEKDAYS)
    sunday = days_ahead(7 - days_ahead(0, 0).weekday() + 6, 0).date().isoformat()

    html = _as(client, people["other"]).get(BOARD, {"day": sunday}).content.decode()

    assert "Closed on this day." in html
    assert 'data-testid="free-slot"' not in html
