"""Demo meeting rooms across the headquarters' buildings and a week of bookings.

Everything goes through the services, so the demo obeys the rules it shows: no
overlaps, opening hours and days, seats; rooms that need approval hold some
bookings pending and some approved by their manager.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from zhiban.core.errors import DomainError
from zhiban.meetings import services
from zhiban.meetings.defaults import ensure_booking_flow, ensure_equipment
from zhiban.meetings.models import (
    Booking,
    BookingSeries,
    Equipment,
    MeetingType,
    OpenDays,
    Room,
)
from zhiban.org.models import Unit, User
from zhiban.workflow.models import FlowDefinition, FlowVersion

# (building, floor, name, seats, equipment, open days, needs approval, opens, closes)
ROOMS: tuple[tuple[str, str, str, int, tuple[str, ...], str, bool, int, int], ...] = (
    ("办公楼", "2F", "大会议室", 120, ("projector", "screen", "microphone", "recording", "nameplates"), OpenDays.WORKING, True, 8, 18),
    ("办公楼", "3F", "第一会议室", 20, ("projector", "screen"), OpenDays.WORKING, False, 8, 18),
    ("办公楼", "3F", "第二会议室", 12, ("screen", "whiteboard"), OpenDays.WORKING, False, 8, 18),
    ("办公楼", "5F", "党委会议室", 30, ("projector", "microphone", "nameplates"), OpenDays.WORKING, True, 8, 18),
    ("办公楼", "6F", "视频会议室", 40, ("video", "screen", "microphone", "recording"), OpenDays.WEEKDAYS, True, 8, 20),
    ("科技楼", "1F", "培训教室", 60, ("projector", "microphone"), OpenDays.WORKING, False, 8, 18),
    ("科技楼", "4F", "研讨室A", 8, ("screen", "whiteboard"), OpenDays.EVERY_DAY, False, 8, 21),
    ("科技楼", "4F", "研讨室B", 8, ("whiteboard",), OpenDays.EVERY_DAY, False, 8, 21),
    ("生产调度楼", "2F", "调度会议室", 25, ("video", "screen", "microphone"), OpenDays.EVERY_DAY, False, 7, 22),
    ("生产调度楼", "3F", "安全会商室", 16, ("projector", "video"), OpenDays.EVERY_DAY, False, 8, 18),
)  # fmt: skip
# (title, organiser, start hour, minute, length in minutes, attendees)
MEETINGS: tuple[tuple[str, str, int, int, int, int], ...] = (
    ("生产调度会", "fengtao", 8, 30, 60, 18),
    ("安全生产专题会", "songjian", 9, 0, 90, 15),
    ("公文处理培训", "wangfang", 9, 30, 120, 10),
    ("党委理论学习中心组学习", "zhengwen", 10, 0, 90, 25),
    ("财务预算评审会", "wumin", 10, 30, 60, 8),
    ("人事工作专题会", "hejing", 14, 0, 90, 12),
    ("机电设备检修协调会", "hanlei", 14, 30, 60, 10),
    ("督查工作推进会", "zhaolei", 15, 0, 60, 12),
    ("信息化项目评审", "admin", 15, 30, 90, 8),
    ("地质测量技术交流", "gaofeng", 16, 0, 60, 6),
)
MANAGER = "liqiang"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def _rooms(people: Mapping[str, User]) -> list[Room]:
    unit = Unit.objects.filter(code="YN").first() or Unit.objects.order_by("id").first()
    assert unit is not None  # noqa: S101 - the demo organisation is seeded first
    kinds = {kind.code: kind for kind in Equipment.objects.all()}
    rooms = []
    for order, spec in enumerate(ROOMS, start=1):
        building, floor, name, seats, codes, days, approval, opens, closes = spec
        rooms.append(
            services.room_save(
                by=people["admin"],
                data=services.RoomData(
                    unit=unit,
                    building=building,
                    floor=floor,
                    name=name,
                    capacity=seats,
                    equipment=[kinds[code] for code in codes],
                    opens_at=datetime.time(opens),
                    closes_at=datetime.time(closes),
                    open_days=days,
                    needs_approval=approval,
                    manager=people.get(MANAGER) if approval else None,
                    sort_order=order,
                ),
            )
        )
    return rooms


def _approve(booking: Booking, manager: User) -> None:
    from zhiban.workflow import services as workflow

    if booking.instance_id is None:
        return
    # Not the manager's task (the flow was changed): leave it pending.
    with contextlib.suppress(DomainError):
        workflow.instance_act(
            instance_id=booking.instance_id,
            kind="approve",
            by=manager,
            payload={"opinion": "同意。"},
        )


def seed_demo_meetings(*, people: Mapping[str, User]) -> list[Booking]:
    """Create the rooms, a week of bookings from now on and a weekly meeting."""
    ensure_equipment(Equipment)
    ensure_booking_flow(FlowDefinition, FlowVersion)
    rooms = _rooms(people)
    today = timezone.localdate()
    made: list[Booking] = []
    manager = people.get(MANAGER)
    for offset in range(7):
        day = today + datetime.timedelta(days=offset)
        for index, room in enumerate(rooms):
            # Three or four meetings a room a day, a different mix each day.
            for turn in range(3 + (index + offset) % 2):
                spec = MEETINGS[(index * 3 + offset + turn * 4) % len(MEETINGS)]
                title, who, hour, minute, minutes, attendees = spec
                if who not in people:
                    continue
                start = _at(day, hour, minute)
                try:
                    booking = services.booking_create(
                        room=room,
                        by=people[who],
                        title=title,
                        starts_at=start,
                        ends_at=start + datetime.timedelta(minutes=minutes),
                        attendees=min(attendees, room.capacity),
                    )
                except DomainError:
                    continue  # past, taken or closed: the demo skips it
                if booking.instance_id and manager and (offset + turn) % 3:
                    _approve(booking, manager)
                made.append(booking)
    first = next((r for r in rooms if r.name == "第一会议室"), rooms[0])
    monday = today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7)
    if "chenjing" in people:
        try:
            series: Any = services.series_create(
                room=first,
                by=people["chenjing"],
                title="办公室周例会",
                starts_at=_at(monday, 8),
                ends_at=_at(monday, 8, 30),
                attendees=12,
                frequency=BookingSeries.Frequency.WEEKLY,
                count=8,
            )
            made.extend(series.bookings.all())
        except DomainError:
            pass  # a holiday Monday in the next eight weeks: no series then
    _seed_office_meeting(people, rooms, today=today)
    return made


def _seed_office_meeting(
    people: Mapping[str, User], rooms: list[Room], *, today: datetime.date
) -> None:
    """A 总经理办公会 with its notice published and some replies in."""
    wanted = ("chenjing", "lizhenhua", "zhaohaitao", "sunliping", "zhougang")
    if any(name not in people for name in wanted):
        return
    room = next((r for r in rooms if r.name == "第二会议室"), rooms[0])
    organiser = people["chenjing"]
    for offset in range(2, 9):
        start = _at(today + datetime.timedelta(days=offset), 16, 30)
        try:
            booking = services.booking_create(
                room=room,
                by=organiser,
                title="总经理办公会",
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=90),
                attendees=10,
            )
        except DomainError:
            continue
        break
    else:
        return
    meeting = services.meeting_create(
        by=organiser,
        title="总经理办公会（第12次）",
        meeting_type=MeetingType.GENERAL_MANAGER,
        booking=booking,
        chair=people["lizhenhua"],
        people=[people[name] for name in wanted[1:]],
        agenda=[
            ("三季度安全生产形势分析", people["zhougang"]),
            ("年度投资计划调整", people["sunliping"]),
            ("智能化矿山建设进展", people["zhaohaitao"]),
        ],
        notes="请各位领导准时参会；汇报材料会前一天上传。",
    )
    services.meeting_publish(meeting=meeting, by=organiser)
    replies: tuple[tuple[str, dict[str, Any]], ...] = (
        ("lizhenhua", {"reply": "attend"}),
        ("zhaohaitao", {"reply": "attend"}),
        ("sunliping", {"reply": "leave", "reason": "赴省国资委汇报预算"}),
    )
    for name, reply in replies:
        with contextlib.suppress(DomainError):
            services.attendee_reply(meeting=meeting, by=people[name], **reply)
