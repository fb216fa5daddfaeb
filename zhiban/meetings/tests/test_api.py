"""The meeting rooms API: rooms, availability, bookings, series; refusals never 500."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from zhiban.meetings import services
from zhiban.meetings.models import Booking, Room
from zhiban.org.models import User

from .conftest import days_ahead

pytestmark = pytest.mark.django_db


def _api(user: User | None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        User.objects.filter(pk=user.pk).update(language="en")
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _body(room: Room, days: int, hour: int, **extra: Any) -> dict[str, Any]:
    start = days_ahead(days, hour)
    return {
        "room": room.pk,
        "title": "经营分析会",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "attendees": 10,
        **extra,
    }


def test_anonymous_is_refused(room: Room) -> None:
    assert _api(None).get("/api/meeting-rooms/").status_code in (401, 403)
    assert _api(None).post("/api/meeting-bookings/", {}).status_code in (401, 403)


def test_rooms_filtered_by_seats_and_equipment(
    room: Room, approval_room: Room, people: dict[str, User]
) -> None:
    client = _api(people["other"])

    every = client.get("/api/meeting-rooms/").json()
    big = client.get("/api/meeting-rooms/", {"capacity": 25}).json()
    video = client.get("/api/meeting-rooms/", {"equipment": "video"}).json()
    one = client.get(f"/api/meeting-rooms/{room.pk}/").json()

    assert every["count"] == 2
    assert [r["id"] for r in big["results"]] == [approval_room.pk]
    assert [r["id"] for r in video["results"]] == [approval_room.pk]
    assert (one["capacity"], one["equipment"]) == (20, ["projector"])


def test_book_then_list_then_cancel(room: Room, people: dict[str, User]) -> None:
    client = _api(people["organiser"])

    created = client.post("/api/meeting-bookings/", _body(room, 1, 9), format="json")
    pk = created.json()["id"]
    listed = client.get("/api/meeting-bookings/").json()
    cancelled = client.post(
        f"/api/meeting-bookings/{pk}/cancel/", {"reason": "改期"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["state"] == "confirmed"
    assert [b["id"] for b in listed["results"]] == [pk]
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"


def test_an_overlap_is_a_400_naming_the_time(
    room: Room, people: dict[str, User]
) -> None:
    _api(people["other"]).post(
        "/api/meeting-bookings/", _body(room, 1, 9), format="json"
    )

    response = _api(people["organiser"]).post(
        "/api/meeting-bookings/", _body(room, 1, 9), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "overlap"
    assert "already booked from 09:00 to 10:00" in body["detail"]
    assert len(body["conflicts"]) == 1
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attendees": 500}, "attendees"),
        ({"attendees": 0}, "attendees"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"room": 999999}, "room"),
        ({"title": ""}, "title"),
        ({"ends_at": None}, "ends_at"),
    ],
)
def test_bad_bookings_are_400s_by_field(
    room: Room, people: dict[str, User], change: dict[str, Any], field: str
) -> None:
    response = _api(people["organiser"]).post(
        "/api/meeting-bookings/", {**_body(room, 1, 9), **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert Booking.objects.count() == 0


def test_a_past_booking_and_a_reversed_one_are_refused(
    room: Room, people: dict[str, User]
) -> None:
    client = _api(people["organiser"])
    past = client.post("/api/meeting-bookings/", _body(room, -1, 9), format="json")
    body = _body(room, 1, 9)
    body["ends_at"] = body["starts_at"]
    same = client.post("/api/meeting-bookings/", body, format="json")

    assert past.status_code == 400
    assert "already passed" in past.json()["starts_at"][0]
    assert same.status_code == 400
    assert "end must be after the start" in same.json()["ends_at"][0]


def test_a_series_and_its_conflicts(room: Room, people: dict[str, User]) -> None:
    services.booking_create(
        room=room,
        by=people["other"],
        title="占用",
        starts_at=days_ahead(15, 9),
        ends_at=days_ahead(15, 10),
        attendees=5,
    )
    client = _api(people["organiser"])

    refused = client.post(
        "/api/meeting-series/",
        {**_body(room, 1, 9), "frequency": "weekly", "count": 4},
        format="json",
    )
    made = client.post(
        "/api/meeting-series/",
        {**_body(room, 1, 11), "frequency": "weekly", "count": 4},
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "overlap"
    assert [c["starts_at"][:10] for c in refused.json()["conflicts"]] == [
        days_ahead(15, 9).date().isoformat()
    ]
    assert made.status_code == 201
    assert len(made.json()["bookings"]) == 4


def test_the_availability_of_rooms(
    room: Room, approval_room: Room, people: dict[str, User]
) -> None:
    services.booking_create(
        room=room,
        by=people["organiser"],
        title="人事专题会",
        starts_at=days_ahead(1, 9),
        ends_at=days_ahead(1, 10),
        attendees=5,
    )
    start = days_ahead(1, 0).date().isoformat()

    mine = _api(people["organiser"]).get(
        "/api/meeting-availability/", {"start": start, "days": "7"}
    )
    theirs = _api(people["other"]).get(
        "/api/meeting-availability/", {"start": start, "days": "7"}
    )

    assert mine.status_code == 200
    rooms = {r["room"]["id"]: r for r in mine.json()["rooms"]}
    assert len(rooms[room.pk]["open_on"]) == 7
    assert rooms[room.pk]["bookings"][0]["title"] == "人事专题会"
    other_view = {r["room"]["id"]: r for r in theirs.json()["rooms"]}
    assert other_view[room.pk]["bookings"][0]["title"] is None


@pytest.mark.parametrize(
    "query", [{"start": "soon"}, {"start": "2026-02-30"}, {"days": 0}, {"days": 400}]
)
def test_bad_availability_queries_are_400s(
    room: Room, people: dict[str, User], query: dict[str, Any]
) -> None:
    response = _api(people["other"]).get("/api/meeting-availability/", query)

    assert response.status_code == 400


def test_a_stranger_cannot_see_or_cancel_a_booking(
    room: Room, people: dict[str, User]
) -> None:
    booking = services.booking_create(
        room=room,
        by=people["organiser"],
        title="会",
        starts_at=days_ahead(1, 9),
        ends_at=days_ahead(1, 10),
        attendees=5,
    )
    client = _api(people["other"])

    assert client.get(f"/api/meeting-bookings/{booking.pk}/").status_code == 404
    assert client.post(f"/api/meeting-bookings/{booking.pk}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.state == Booking.State.CONFIRMED


def test_the_room_manager_may_cancel_but_is_told_why_not_when_over(
    approval_room: Room, people: dict[str, User]
) -> None:
    booking = services.booking_create(
        room=approval_room,
        by=people["organiser"],
        title="会",
        starts_at=days_ahead(1, 9),
        ends_at=days_ahead(1, 10),
        attendees=5,
    )

    response = _api(people["manager"]).post(
        f"/api/meeting-bookings/{booking.pk}/cancel/", {}, format="json"
    )
    again = _api(people["manager"]).post(
        f"/api/meeting-bookings/{booking.pk}/cancel/", {}, format="json"
    )

    assert response.status_code == 200
    assert again.status_code == 400
