"""Every write of a meeting: create, publish the notice, replies, leave, change, cancel.

Publishing the notice (会议通知) expands the invitation (people, departments,
roles) to one ``Attendee`` row per person and opens each a work item to reply.
A reply closes it and tells the organiser; a request for leave opens the
organiser a work item to decide it. A substitute (代参会) becomes an attendee of
their own; one row per person per meeting is a database constraint, so a
substitute already invited is refused, and two replies naming the same person at
once give one substitute and one refusal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox import services as inbox
from zhiban.meetings import policies
from zhiban.meetings.models import (
    WORK_KIND,
    AgendaItem,
    Attendee,
    Booking,
    Meeting,
    MeetingType,
    Room,
)
from zhiban.meetings.services.bookings import booking_cancel, booking_change
from zhiban.meetings.services.rules import (
    REASON_MAX,
    TITLE_MAX,
    Slot,
    _text,
    slot_text,
)
from zhiban.org.models import Department, Role, User

State = Meeting.State
Reply = Attendee.Reply
# Replies a person may still change (a granted leave or a substitute is settled).
OPEN_REPLIES = (Reply.PENDING, Reply.ATTEND, Reply.LEAVE_ASKED, Reply.LEAVE_REFUSED)
REPLY_CHOICES = ("attend", "leave", "substitute")


def meeting_url(meeting: Meeting) -> str:
    """Return the meeting's page."""
    return reverse("meetings:meeting", args=[meeting.pk])


def _when(meeting: Meeting) -> str:
    return slot_text(Slot(meeting.starts_at, meeting.ends_at))


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("booking", "booking__room", "organiser", "chair")
        .get(pk=meeting.pk)
    )


def _refuse_unless_manager(by: User, meeting: Meeting) -> None:
    if not policies.can_manage_meeting(by, meeting):
        raise PermissionDeniedError(
            _("Only the organiser or the office changes this meeting.")
        )


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError(
            {"ends_at": [_("The meeting must end after it starts.")]},
            code="bad_times",
        )


def meeting_create(
    *,
    by: User,
    title: str,
    meeting_type: str = MeetingType.TOPIC,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    booking: Booking | None = None,
    place: str = "",
    chair: User | None = None,
    notes: str = "",
    people: Iterable[User] = (),
    departments: Iterable[Department] = (),
    roles: Sequence[str] = (),
    agenda: Sequence[tuple[str, User | None]] = (),
) -> Meeting:
    """Draft a meeting in a booked room (its times) or at a place; nothing is sent."""
    title = _text(title, "title", limit=TITLE_MAX)
    place = _text(place, "place", limit=200, required=False)
    if meeting_type not in MeetingType.values:
        raise DomainError(
            {"meeting_type": [pgettext("meeting", "Choose a type.")]}, code="bad_type"
        )
    bad_roles = [role for role in roles if role not in Role.values]
    if bad_roles:
        raise DomainError(
            {"roles": [_("Choose roles from the list.")]}, code="bad_role"
        )
    with transaction.atomic():
        if booking is not None:
            locked = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("room")
                .get(pk=booking.pk)
            )
            if not locked.is_active:
                raise DomainError(
                    {"booking": [_("This booking is no longer active.")]},
                    code="booking_inactive",
                )
            if locked.organiser_id != by.pk and not policies.is_office(by):
                raise DomainError(
                    {"booking": [_("Choose one of your own bookings.")]},
                    code="booking_not_yours",
                )
            if Meeting.objects.filter(booking=locked).exists():
                raise DomainError(
                    {"booking": [_("This booking already holds a meeting.")]},
                    code="booking_taken",
                )
            starts_at, ends_at = locked.starts_at, locked.ends_at
        else:
            if not place:
                raise DomainError(
                    {"place": [_("Choose a booked room or give the place.")]},
                    code="no_place",
                )
            if starts_at is None or ends_at is None:
                raise DomainError(
                    {"starts_at": [_("Give the time of the meeting.")]},
                    code="no_time",
                )
            _check_times(starts_at, ends_at)
        meeting = Meeting(
            meeting_type=meeting_type,
            title=title,
            organiser=by,
            chair=chair,
            starts_at=starts_at,
            ends_at=ends_at,
            booking=booking,
            place=place,
            notes=notes.strip(),
            invited_roles=list(dict.fromkeys(roles)),
        )
        meeting.full_clean(exclude=["organiser", "chair", "booking"])
        meeting.save()
        meeting.invited_people.set(list(people))
        meeting.invited_departments.set(list(departments))
        AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                position=index,
                title=_text(item_title, "agenda", limit=TITLE_MAX),
                presenter=presenter,
            )
            for index, (item_title, presenter) in enumerate(agenda)
            if item_title.strip()
        )
        audit_record(
            actor=by,
            action="meetings.meeting_create",
            target=meeting,
            data={"title": title, "type": meeting_type, "booking": meeting.booking_id},
        )
    return meeting


def invitees(meeting: Meeting) -> list[User]:
    """Return the active people the invitation names (people, departments, roles)."""
    departments = list(meeting.invited_departments.values_list("pk", flat=True))
    condition = Q(pk__in=meeting.invited_people.values("pk"))
    if departments:
        condition |= Q(primary_department_id__in=departments)
        condition |= Q(memberships__department_id__in=departments)
    if meeting.invited_roles:
        condition |= Q(groups__name__in=meeting.invited_roles)
    return list(
        User.objects.filter(condition, is_active=True)
        .distinct()
        .order_by("employee_number", "username")
    )


def meeting_publish(
    *, meeting: Meeting, by: User, now: datetime.datetime | None = None
) -> Meeting:
    """Publish the notice: one attendee per person invited, each a work item to reply."""
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(meeting)
        _refuse_unless_manager(by, locked)
        if locked.state != State.DRAFT:
            raise DomainError(
                _("The notice of this meeting has already been published."),
                code="not_draft",
            )
        if locked.ends_at <= moment:
            raise DomainError(_("This meeting is over."), code="past")
        people = invitees(locked)
        if not people:
            raise DomainError(
                _("Invite at least one person, department or role."),
                code="nobody",
            )
        Attendee.objects.bulk_create(
            Attendee(meeting=locked, user=person) for person in people
        )
        locked.state = State.PUBLISHED
        locked.published_at = moment
        locked.save(update_fields=["state", "published_at", "updated_at"])
        inbox.work_items_open(
            assignees=people,
            kind=WORK_KIND,
            title=_("Meeting notice: “%(title)s”, %(time)s, %(where)s")
            % {"title": locked.title, "time": _when(locked), "where": locked.where},
            target=locked,
            url=meeting_url(locked),
            reason=_("You are invited; reply whether you attend."),
            initiator=by,
            due_at=locked.starts_at,
        )
        audit_record(
            actor=by,
            action="meetings.meeting_publish",
            target=locked,
            data={"attendees": len(people)},
        )
    return locked


def _live(meeting: Meeting, moment: datetime.datetime) -> None:
    if meeting.state != State.PUBLISHED:
        raise DomainError(
            _("This meeting is %(state)s: replies are closed.")
            % {"state": meeting.get_state_display()},
            code="not_published",
        )
    if meeting.ends_at <= moment:
        raise DomainError(_("This meeting is over."), code="past")


def attendee_reply(
    *,
    meeting: Meeting,
    by: User,
    reply: str,
    reason: str = "",
    substitute: User | None = None,
    now: datetime.datetime | None = None,
) -> Attendee:
    """Reply to the notice: attend, ask for leave (a reason), or send a substitute."""
    moment = now or timezone.now()
    if reply not in REPLY_CHOICES:
        raise DomainError({"reply": [_("Choose a reply.")]}, code="bad_reply")
    reason = _text(reason, "reason", limit=REASON_MAX, required=reply == "leave")
    with transaction.atomic():
        current = (
            Meeting.objects.select_related("organiser", "booking__room")
            .filter(pk=meeting.pk)
            .get()
        )
        _live(current, moment)
        row = (
            Attendee.objects.select_for_update()
            .filter(meeting=current, user=by)
            .first()
        )
        if row is None:
            raise PermissionDeniedError(_("You are not invited to this meeting."))
        if row.reply not in OPEN_REPLIES:
            raise DomainError(
                _("Your reply (%(reply)s) is settled and cannot be changed.")
                % {"reply": row.get_reply_display()},
                code="settled",
            )
        was_asking = row.reply == Reply.LEAVE_ASKED
        person: User | None = None
        if reply == "attend":
            row.reply = Reply.ATTEND
        elif reply == "leave":
            row.reply = Reply.LEAVE_ASKED
        else:
            if row.substitute_for_id is not None:
                raise DomainError(
                    {"substitute": [_("A substitute cannot send a substitute.")]},
                    code="substitute_of_substitute",
                )
            if substitute is None or not substitute.is_active:
                raise DomainError(
                    {"substitute": [_("Choose who attends in your place.")]},
                    code="no_substitute",
                )
            person = substitute
            row.reply = Reply.SUBSTITUTED
        row.reason = reason
        row.replied_at = moment
        row.save(update_fields=["reply", "reason", "replied_at", "updated_at"])
        if person is not None:
            _add_substitute(current, row=row, person=person, by=by)
        if was_asking:
            inbox.work_items_close_for(
                target=row, kind=WORK_KIND, by=by, outcome="withdrawn"
            )
        inbox.work_items_close_for(
            target=current, kind=WORK_KIND, assignees=[by], by=by, outcome=reply
        )
        if row.reply == Reply.LEAVE_ASKED:
            inbox.work_item_open(
                assignee=current.organiser,
                kind=WORK_KIND,
                title=_("%(name)s asks for leave from “%(title)s”: %(reason)s")
                % {
                    "name": by.display_name,
                    "title": current.title,
                    "reason": reason,
                },
                target=row,
                url=meeting_url(current),
                initiator=by,
                due_at=current.starts_at,
            )
        elif by.pk != current.organiser_id:
            inbox.notify(
                recipient=current.organiser,
                kind=WORK_KIND,
                title=_("%(name)s replied to “%(title)s”: %(reply)s")
                % {
                    "name": by.display_name,
                    "title": current.title,
                    "reply": _reply_text(row, person),
                },
                url=meeting_url(current),
            )
        audit_record(
            actor=by,
            action="meetings.attendee_reply",
            target=current,
            data={
                "reply": row.reply,
                "reason": reason,
                "substitute": person.pk if person else None,
            },
        )
    return row


def _reply_text(row: Attendee, person: User | None) -> str:
    if person is not None:
        return _("sends %(name)s in their place") % {"name": person.display_name}
    return str(row.get_reply_display())


def _add_substitute(meeting: Meeting, *, row: Attendee, person: User, by: User) -> None:
    already = _("%(name)s is already an attendee of this meeting.") % {
        "name": person.display_name
    }
    if (
        person.pk == by.pk
        or Attendee.objects.filter(meeting=meeting, user=person).exists()
    ):
        raise DomainError({"substitute": [already]}, code="already_attendee")
    try:
        with transaction.atomic():
            Attendee.objects.create(
                meeting=meeting,
                user=person,
                substitute_for=row,
                reply=Reply.ATTEND,
                replied_at=row.replied_at,
            )
    except IntegrityError as error:  # invited at the same instant by another reply
        raise DomainError({"substitute": [already]}, code="already_attendee") from error
    inbox.notify(
        recipient=person,
        kind=WORK_KIND,
        title=_("You attend “%(title)s”, %(time)s, in place of %(name)s")
        % {"title": meeting.title, "time": _when(meeting), "name": by.display_name},
        url=meeting_url(meeting),
    )


def leave_decide(
    *,
    attendee: Attendee,
    by: User,
    grant: bool,
    now: datetime.datetime | None = None,
) -> Attendee:
    """Grant or refuse a request for leave; the person is told."""
    moment = now or timezone.now()
    with transaction.atomic():
        row = (
            Attendee.objects.select_for_update(of=("self",))
            .select_related("meeting", "user")
            .get(pk=attendee.pk)
        )
        meeting = row.meeting
        _refuse_unless_manager(by, meeting)
        if row.reply != Reply.LEAVE_ASKED:
            raise DomainError(
                _("This request for leave has already been decided or withdrawn."),
                code="not_asked",
            )
        row.reply = Reply.LEAVE_GRANTED if grant else Reply.LEAVE_REFUSED
        row.leave_decided_by = by
        row.leave_decided_at = moment
        row.save(
            update_fields=[
                "reply",
                "leave_decided_by",
                "leave_decided_at",
                "updated_at",
            ]
        )
        inbox.work_items_close_for(
            target=row,
            kind=WORK_KIND,
            by=by,
            outcome="granted" if grant else "refused",
        )
        inbox.notify(
            recipient=row.user,
            kind=WORK_KIND,
            title=(
                _("Your leave from “%(title)s” is granted")
                if grant
                else _("Your leave from “%(title)s” is refused: please attend")
            )
            % {"title": meeting.title},
            url=meeting_url(meeting),
        )
        audit_record(
            actor=by,
            action="meetings.leave_decide",
            target=meeting,
            data={"attendee": row.user_id, "granted": grant},
        )
    return row


def _affected(meeting: Meeting, *, by: User) -> list[User]:
    people = {
        row.user_id: row.user
        for row in meeting.attendees.select_related("user").exclude(
            reply__in=(Reply.LEAVE_GRANTED, Reply.SUBSTITUTED)
        )
    }
    for person in (meeting.organiser, meeting.chair):
        if person is not None:
            people.setdefault(person.pk, person)
    people.pop(by.pk, None)
    return list(people.values())


def meeting_change(
    *,
    meeting: Meeting,
    by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None = None,
    place: str | None = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Move a meeting (its booking with it, or its place); everyone affected is told."""
    moment = now or timezone.now()
    _check_times(starts_at, ends_at)
    with transaction.atomic():
        locked = _locked(meeting)
        _refuse_unless_manager(by, locked)
        if locked.state == State.CANCELLED:
            raise DomainError(_("This meeting is cancelled."), code="cancelled")
        if locked.ends_at <= moment:
            raise DomainError(_("This meeting is over."), code="past")
        before = {"starts_at": locked.starts_at.isoformat(), "where": locked.where}
        if locked.booking is not None and locked.booking.is_active:
            booking_change(
                booking=locked.booking,
                by=by,
                starts_at=starts_at,
                ends_at=ends_at,
                room=room,
                now=moment,
            )
            locked.booking.refresh_from_db()
        elif place is not None:
            locked.place = _text(place, "place", limit=200)
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.save(update_fields=["starts_at", "ends_at", "place", "updated_at"])
        if locked.state == State.PUBLISHED:
            inbox.notify_many(
                recipients=_affected(locked, by=by),
                kind=WORK_KIND,
                title=_("“%(title)s” moved to %(time)s, %(where)s")
                % {"title": locked.title, "time": _when(locked), "where": locked.where},
                url=meeting_url(locked),
            )
        audit_record(
            actor=by,
            action="meetings.meeting_change",
            target=locked,
            data={
                "before": before,
                "starts_at": starts_at.isoformat(),
                "where": locked.where,
            },
        )
    return locked


def meeting_cancel(
    *,
    meeting: Meeting,
    by: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """Cancel a meeting: the room is released, open replies closed, everyone told."""
    reason = _text(reason, "reason", limit=REASON_MAX, required=False)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(meeting)
        _refuse_unless_manager(by, locked)
        if locked.state == State.CANCELLED:
            raise DomainError(_("This meeting is already cancelled."), code="cancelled")
        if locked.ends_at <= moment:
            raise DomainError(_("This meeting is over."), code="past")
        if locked.booking is not None and locked.booking.is_active:
            booking_cancel(booking=locked.booking, by=by, reason=reason, now=moment)
        was_published = locked.state == State.PUBLISHED
        locked.state = State.CANCELLED
        locked.cancelled_at = moment
        locked.cancel_reason = reason
        locked.save(
            update_fields=["state", "cancelled_at", "cancel_reason", "updated_at"]
        )
        inbox.work_items_close_for(
            target=locked, kind=WORK_KIND, by=by, outcome="cancelled"
        )
        for row in locked.attendees.filter(reply=Reply.LEAVE_ASKED):
            inbox.work_items_close_for(
                target=row, kind=WORK_KIND, by=by, outcome="cancelled"
            )
        if was_published:
            inbox.notify_many(
                recipients=_affected(locked, by=by),
                kind=WORK_KIND,
                title=_("“%(title)s”, %(time)s, is cancelled")
                % {"title": locked.title, "time": _when(locked)}
                + (f": {reason}" if reason else ""),
                url=meeting_url(locked),
            )
        audit_record(
            actor=by,
            action="meetings.meeting_cancel",
            target=locked,
            data={"reason": reason},
        )
    return locked
