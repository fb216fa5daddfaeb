"""Who may do what with meeting rooms and bookings."""

from __future__ import annotations

from typing import Any

from zhiban.org.models import Role, User

# The office keeps the rooms, sees every booking and may move or cancel any.
OFFICE_ROLES = (Role.OFFICE_DIRECTOR, Role.SYSTEM_ADMIN)


def is_office(user: User) -> bool:
    """Return whether the user runs the rooms for the office (办公室)."""
    return any(user.has_role(role) for role in OFFICE_ROLES)


def can_manage_rooms(user: User) -> bool:
    """The office director and administrators add and change rooms."""
    return is_office(user)


def sees_every_booking(user: User) -> bool:
    """The office lists everyone's bookings; others list their own."""
    return is_office(user)


def can_change(user: User, booking: Any) -> bool:
    """The organiser, the office and the room's manager move or cancel a booking."""
    return (
        user.pk == booking.organiser_id
        or user.pk == booking.room.manager_id
        or is_office(user)
    )


def sees_title(user: User, booking: Any, *, office: bool) -> bool:
    """Whether the board shows the booking's title to the user.

    A meeting's title can say more than its room should (a 党委会 on a personnel
    matter): the organiser, the room's manager and the office read it, everyone
    else sees the room taken by a department. ``office`` is ``is_office(user)``,
    decided once per page.
    """
    return office or user.pk in (booking.organiser_id, booking.room.manager_id)


def can_manage_meeting(user: User, meeting: Any) -> bool:
    """The organiser and the office publish, change and cancel a meeting."""
    return user.pk == meeting.organiser_id or is_office(user)


def can_see_meeting(user: User, meeting: Any, *, is_attendee: bool) -> bool:
    """The organiser, the chair, the attendees (substitutes too) and the office."""
    return (
        is_attendee
        or user.pk in (meeting.organiser_id, meeting.chair_id)
        or is_office(user)
    )


def can_write_minutes(user: User, meeting: Any) -> bool:
    """The organiser and the office write the minutes (纪要)."""
    return can_manage_meeting(user, meeting)
