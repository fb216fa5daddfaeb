"""Fixtures of the meeting tests: an office, an organiser, rooms with and without approval.

Services take ``now``: the tests book on fixed days of 2030 (``NOW`` is a Monday
08:00 in Shanghai), so they never depend on today's date. Pages and the API use
the real clock, so their tests book from tomorrow on (``days_ahead``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from zhiban.meetings import services
from zhiban.meetings.defaults import ensure_booking_flow, ensure_equipment
from zhiban.meetings.models import Equipment, OpenDays, Room
from zhiban.org.models import Role, Unit, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
from zhiban.workflow.models import FlowDefinition, FlowVersion

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2030, 3, 4, 8, 0, tzinfo=SHANGHAI)  # a Monday


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """Return 2030-03-<day> hour:minute in Shanghai."""
    return datetime.datetime(2030, 3, day, hour, minute, tzinfo=SHANGHAI)


def days_ahead(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """Return a moment ``days`` after today at the hour, in Shanghai (real clock)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    hq = UnitFactory(code="HQ", name="集团本部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    production = DepartmentFactory(unit=hq, code="PRD", name="生产技术部")
    safety = DepartmentFactory(unit=hq, code="SAF", name="安全监察部")
    return {
        "director": UserFactory(
            username="director",
            name="陈静",
            primary_department=office,
            roles=[Role.OFFICE_DIRECTOR],
        ),
        "manager": UserFactory(
            username="manager", name="何静", primary_department=office
        ),
        "organiser": UserFactory(
            username="organiser", name="林波", primary_department=production
        ),
        "other": UserFactory(username="other", name="宋健", primary_department=safety),
    }


def make_room(people: dict[str, User], **extra: Any) -> Room:
    """Make a room through the service, open every day 08:00-18:00 by default."""
    equipment_codes = extra.pop("equipment", ("projector",))
    fields: dict[str, Any] = {
        "unit": Unit.objects.get(code="HQ"),
        "building": "办公楼",
        "floor": "3F",
        "name": "第一会议室",
        "capacity": 20,
        "equipment": list(Equipment.objects.filter(code__in=equipment_codes)),
        "opens_at": datetime.time(8),
        "closes_at": datetime.time(18),
        "open_days": OpenDays.EVERY_DAY,
        "needs_approval": False,
        "manager": None,
        **extra,
    }
    return services.room_save(by=people["director"], data=services.RoomData(**fields))


@pytest.fixture
def flows(db: Any) -> None:
    """Put back what the data migration made (a transactional test flushes it)."""
    ensure_equipment(Equipment)
    ensure_booking_flow(FlowDefinition, FlowVersion)


@pytest.fixture
def room(people: dict[str, User], flows: None) -> Room:
    return make_room(people)


@pytest.fixture
def approval_room(people: dict[str, User], flows: None) -> Room:
    return make_room(
        people,
        name="党委会议室",
        capacity=30,
        needs_approval=True,
        manager=people["manager"],
        equipment=("projector", "video", "microphone"),
    )


def book(
    room: Room, who: User, start: datetime.datetime, hours: float = 1, **extra: Any
):  # type: ignore[no-untyped-def]
    """Book the room through the service at the fixed NOW."""
    arguments: dict[str, Any] = {
        "room": room,
        "by": who,
        "title": "安全生产例会",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=hours),
        "attendees": 10,
        "now": NOW,
        **extra,
    }
    return services.booking_create(**arguments)
