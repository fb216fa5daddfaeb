"""Sign-in (签到): a QR code with a rotating token, or staff signing people in.

The code on the meeting's screen carries a token signed with the secret key
(``django.core.signing``) naming the meeting and the moment it was made; the page
makes a new one every ``ROTATE_SECONDS`` and a token is taken for ``TOKEN_MAX_AGE``
after it was made, so a photo of the code passed round stops working within
minutes. One row per person per meeting is a database constraint: signing in
twice keeps the first time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import policies
from zhiban.meetings.models import Attendee, Meeting, SignIn
from zhiban.org.models import User

ROTATE_SECONDS = 60
TOKEN_MAX_AGE = 3 * ROTATE_SECONDS
# Sign-in opens this long before the meeting starts and closes when it ends.
OPENS_BEFORE = datetime.timedelta(minutes=30)
SALT = "zhiban.meetings.signin"
Reply = Attendee.Reply


def signin_token(*, meeting: Meeting, now: datetime.datetime | None = None) -> str:
    """Return the token the code shows now (it changes every ROTATE_SECONDS)."""
    moment = now or timezone.now()
    window = int(moment.timestamp()) // ROTATE_SECONDS * ROTATE_SECONDS
    return signing.Signer(salt=SALT).sign(f"{meeting.pk}.{window}")


def _meeting_of_token(token: str, *, now: datetime.datetime) -> Meeting:
    invalid = DomainError(
        _("This sign-in code is not valid: scan the code on the screen again."),
        code="bad_token",
    )
    try:
        value = signing.Signer(salt=SALT).unsign(token or "")
    except signing.BadSignature as error:
        raise invalid from error
    pk_text, _dot, issued_text = value.partition(".")
    if not (pk_text.isdigit() and issued_text.isdigit()):
        raise invalid
    if now.timestamp() - int(issued_text) > TOKEN_MAX_AGE:
        raise DomainError(
            _(
                "This sign-in code has expired (it changes every minute): "
                "scan the code on the screen again."
            ),
            code="expired_token",
        )
    meeting = Meeting.objects.filter(pk=int(pk_text)).first()
    if meeting is None:
        raise invalid
    return meeting


def _check_open(meeting: Meeting, moment: datetime.datetime) -> None:
    if meeting.state != Meeting.State.PUBLISHED:
        raise DomainError(
            _("This meeting is %(state)s: there is no sign-in.")
            % {"state": meeting.get_state_display()},
            code="not_published",
        )
    if moment < meeting.starts_at - OPENS_BEFORE:
        raise DomainError(
            _("Sign-in opens 30 minutes before the meeting."), code="too_early"
        )
    if moment > meeting.ends_at:
        raise DomainError(_("This meeting is over."), code="past")


def _record(
    meeting: Meeting,
    *,
    person: User,
    by: User,
    method: str,
    moment: datetime.datetime,
) -> tuple[SignIn, bool]:
    if not Attendee.objects.filter(meeting=meeting, user=person).exists():
        raise DomainError(
            _("%(name)s is not on the list of this meeting.")
            % {"name": person.display_name},
            code="not_attendee",
        )
    existing = SignIn.objects.filter(meeting=meeting, user=person).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = SignIn.objects.create(
                meeting=meeting,
                user=person,
                method=method,
                signed_by=by,
                signed_at=moment,
            )
    except IntegrityError:  # signed in at the same instant elsewhere
        return SignIn.objects.get(meeting=meeting, user=person), False
    audit_record(
        actor=by,
        action="meetings.sign_in",
        target=meeting,
        data={"user": person.pk, "method": method},
    )
    return row, True


def sign_in_by_token(
    *, token: str, by: User, now: datetime.datetime | None = None
) -> tuple[SignIn, bool]:
    """Sign the person in by the scanned code; return the row and whether it is new."""
    moment = now or timezone.now()
    meeting = _meeting_of_token(token, now=moment)
    _check_open(meeting, moment)
    return _record(meeting, person=by, by=by, method=SignIn.Method.CODE, moment=moment)


def sign_in_by_staff(
    *,
    meeting: Meeting,
    person: User,
    by: User,
    now: datetime.datetime | None = None,
) -> tuple[SignIn, bool]:
    """The organiser or the office signs an attendee in (no phone, the code failed)."""
    moment = now or timezone.now()
    meeting = Meeting.objects.get(pk=meeting.pk)
    if not policies.can_manage_meeting(by, meeting):
        raise PermissionDeniedError(
            _("Only the organiser or the office signs people in.")
        )
    _check_open(meeting, moment)
    return _record(
        meeting, person=person, by=by, method=SignIn.Method.STAFF, moment=moment
    )


@dataclass
class Attendance:
    """Who was expected, who signed in, and the rate."""

    expected: int
    signed: int
    rows: list[tuple[Attendee, SignIn | None]]

    @property
    def rate(self) -> int:
        """Return the attendance rate in whole percent."""
        return round(100 * self.signed / self.expected) if self.expected else 0


def meeting_attendance(*, meeting: Meeting) -> Attendance:
    """Return the attendance record: expected attendees (not on leave) and sign-ins."""
    signed = {row.user_id: row for row in SignIn.objects.filter(meeting=meeting)}
    attendees = list(
        meeting.attendees.select_related("user")
        .exclude(reply__in=(Reply.LEAVE_GRANTED, Reply.SUBSTITUTED))
        .order_by("id")
    )
    rows = [(attendee, signed.get(attendee.user_id)) for attendee in attendees]
    return Attendance(
        expected=len(attendees),
        signed=sum(1 for _row, sign in rows if sign is not None),
        rows=rows,
    )
