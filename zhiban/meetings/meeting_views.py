"""Pages of meetings: the list, the draft, the notice and replies, minutes, decisions.

Thin: the selectors decide who sees what, the services act and refuse. A refusal
is shown as a message on the meeting page and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import policies, selectors, services
from zhiban.meetings.meeting_forms import (
    ContingencyForm,
    DecisionItemForm,
    MeetingCancelForm,
    MeetingForm,
    MeetingMoveForm,
    MinutesForm,
    ReplyForm,
)
from zhiban.meetings.models import (
    AgendaItem,
    Attendee,
    CalendarFeed,
    ChecklistTask,
    Decision,
    Material,
    Meeting,
    Minutes,
)
from zhiban.org.forms import add_domain_error

PAGE_SIZE = 30
NAV = {"nav_active": "meetings"}


def _user(request: HttpRequest) -> Any:
    return request.user


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get_for(user=_user(request), pk=pk)
    if meeting is None:
        raise Http404
    return meeting


def _refused(request: HttpRequest, error: DomainError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_refused(request: HttpRequest, form: Any, meeting: Meeting) -> HttpResponse:
    """Show a form's errors as messages, named by field, on the meeting page."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect("meetings:meeting", pk=meeting.pk)


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The meetings the user organises, chairs or attends."""
    page = Paginator(
        selectors.meeting_list_for(user=_user(request)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/meeting_list.html",
        {**NAV, "page": page, "now": timezone.now()},
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    """Draft a meeting: type, title, room or place, chair, invitation, agenda."""
    user = _user(request)
    form = MeetingForm(request.POST or None, user=user)
    if request.method != "POST":
        form.start_from_booking(request.GET.get("booking"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                by=user,
                title=data["title"],
                meeting_type=data["meeting_type"],
                booking=data["booking"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                chair=data["chair"],
                notes=data["notes"],
                people=data["people"],
                departments=data["departments"],
                roles=data["roles"],
                agenda=data["agenda"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Meeting drafted: publish the notice when ready.")
            )
            return redirect("meetings:meeting", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {**NAV, "form": form},
        status=400 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = _user(request)
    manager = policies.can_manage_meeting(user, meeting)
    mine = selectors.my_attendance(meeting=meeting, user=user)
    minutes = selectors.meeting_minutes(meeting=meeting)
    decisions: list[dict[str, Any]] = []
    if minutes is not None:
        for decision in minutes.decisions.all():
            decisions.append(
                {"decision": decision, "items": list(services.decision_items(decision))}
            )
    sees_replies = manager or user.pk == meeting.chair_id
    agenda = list(meeting.agenda_items.select_related("presenter"))
    sees_materials = services.may_view_materials(user, meeting)
    materials = (
        list(
            Material.objects.filter(meeting=meeting)
            .select_related("agenda_item")
            .order_by("agenda_item__position", "name", "-version")
        )
        if sees_materials
        else []
    )
    presents = any(item.presenter_id == user.pk for item in agenda)
    return {
        **NAV,
        "meeting": meeting,
        "agenda": agenda,
        "materials": materials,
        "sees_materials": sees_materials,
        "can_upload": (manager or presents)
        and meeting.state != Meeting.State.CANCELLED,
        "can_withdraw": manager
        and meeting.ends_at <= timezone.now()
        and meeting.materials_withdrawn_at is None,
        "mine": mine,
        "can_reply": mine is not None
        and meeting.state == Meeting.State.PUBLISHED
        and mine.reply in services.meetings.OPEN_REPLIES,
        "manager": manager,
        "replies": selectors.meeting_replies(meeting=meeting) if sees_replies else None,
        "minutes": minutes,
        "decisions": decisions,
        "reply_form": ReplyForm(),
        "cancel_form": MeetingCancelForm(),
        "move_form": MeetingMoveForm(
            initial={
                "day": timezone.localtime(meeting.starts_at).date(),
                "start": timezone.localtime(meeting.starts_at).time(),
                "end": timezone.localtime(meeting.ends_at).time(),
            }
        ),
        "minutes_form": MinutesForm(initial={"text": minutes.text if minutes else ""}),
        "item_form": DecisionItemForm(initial={"leader": meeting.chair_id}),
        "can_make_items": _can_make_items(user),
        "checklist": list(meeting.checklist.select_related("assignee", "done_by")),
        "contingencies": list(
            meeting.contingencies.select_related("plan", "owner").order_by("id")
        ),
        "contingency_form": ContingencyForm(),
    }


def _can_make_items(user: Any) -> bool:
    from zhiban.supervision.policies import can_create

    return can_create(user)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting: notice, agenda, my reply, the replies (organiser), minutes."""
    meeting = _meeting(request, pk)
    return render(
        request, "meetings/meeting_detail.html", _detail_context(request, meeting)
    )


@login_required
@require_GET
def meeting_replies(request: HttpRequest, pk: int) -> HttpResponse:
    """The replies fragment the organiser's page reloads every few seconds."""
    meeting = _meeting(request, pk)
    user = _user(request)
    if not (policies.can_manage_meeting(user, meeting) or user.pk == meeting.chair_id):
        raise PermissionDenied
    return render(
        request,
        "meetings/meeting_detail.html#replies",
        {
            "meeting": meeting,
            "replies": selectors.meeting_replies(meeting=meeting),
            "manager": policies.can_manage_meeting(user, meeting),
        },
    )


def _act(
    request: HttpRequest,
    meeting: Meeting,
    call: Callable[[], Any],
    done: str,
    *,
    then: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse:
    """Run a service: a refusal is a message on the meeting's page; success says
    ``done`` and goes back there, or where ``then`` sends the service's result."""
    try:
        result = call()
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
        if then is not None:
            return then(result)
    return redirect("meetings:meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the notice (会议通知)."""
    meeting = _meeting(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.meeting_publish(meeting=meeting, by=_user(request)),
        _("Notice published: each attendee has it to reply."),
    )


@login_required
@require_POST
def meeting_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Reply to the notice: attend, ask for leave, send a substitute."""
    meeting = _meeting(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, meeting)
    data = form.cleaned_data
    return _act(
        request,
        meeting,
        lambda: services.attendee_reply(
            meeting=meeting,
            by=_user(request),
            reply=data["reply"],
            reason=data["reason"],
            substitute=data["substitute"],
        ),
        _("Reply sent to the organiser."),
    )


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant or refuse a request for leave."""
    row = Attendee.objects.filter(pk=pk).select_related("meeting").first()
    if row is None:
        raise Http404
    meeting = _meeting(request, row.meeting_id)
    grant = request.POST.get("grant") == "1"
    return _act(
        request,
        meeting,
        lambda: services.leave_decide(attendee=row, by=_user(request), grant=grant),
        _("Leave granted.") if grant else _("Leave refused."),
    )


@login_required
@require_POST
def meeting_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the meeting (and its booking); everyone affected is told."""
    meeting = _meeting(request, pk)
    form = MeetingMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day and the times."))
        return redirect("meetings:meeting", pk=meeting.pk)
    data = form.cleaned_data
    return _act(
        request,
        meeting,
        lambda: services.meeting_change(
            meeting=meeting,
            by=_user(request),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        ),
        _("Meeting moved; everyone affected is told."),
    )


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the meeting; its room is released."""
    meeting = _meeting(request, pk)
    form = MeetingCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        meeting,
        lambda: services.meeting_cancel(
            meeting=meeting, by=_user(request), reason=reason
        ),
        _("Meeting cancelled; the room is free again and everyone is told."),
    )


@login_required
@require_POST
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the minutes (纪要) and add decisions."""
    meeting = _meeting(request, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, meeting)
    data = form.cleaned_data
    decisions = [
        services.DecisionData(
            text=line.strip(),
            lead_department=data["lead_department"],
            deadline=data["deadline"],
        )
        for line in data["decisions"].splitlines()
        if line.strip()
    ]
    return _act(
        request,
        meeting,
        lambda: services.minutes_save(
            meeting=meeting, by=_user(request), text=data["text"], decisions=decisions
        ),
        _("Minutes saved."),
    )


@login_required
@require_POST
def minutes_to_document(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the minutes as a 纪要 in the documents module (numbered there)."""
    meeting = _meeting(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        messages.error(request, _("Write the minutes first."))
        return redirect("meetings:meeting", pk=meeting.pk)
    return _act(
        request,
        meeting,
        lambda: services.minutes_to_document(minutes=minutes, by=_user(request)),
        _("The minutes are drafted as a 纪要: approve and number it here."),
        then=lambda document: redirect("documents:detail", pk=document.pk),
    )


@login_required
@require_POST
def decision_to_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a decision into a supervision item (a draft) in one step."""
    decision = Decision.objects.filter(pk=pk).select_related("minutes").first()
    if decision is None:
        raise Http404
    meeting = _meeting(request, decision.minutes.meeting_id)
    form = DecisionItemForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, meeting)
    data = form.cleaned_data
    return _act(
        request,
        meeting,
        lambda: services.decision_to_item(
            decision=decision,
            by=_user(request),
            leader=data["leader"],
            officer=data["officer"],
            lead_department=data["lead_department"],
            deadline=data["deadline"],
        ),
        _("Supervision item drafted from the decision."),
        then=lambda item: redirect("supervision:detail", pk=item.pk),
    )


@login_required
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a material (or its next version) to an agenda item."""
    meeting = _meeting(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("meetings:meeting", pk=meeting.pk)
    item_id = str(request.POST.get("agenda_item") or "")
    item = (
        AgendaItem.objects.filter(meeting=meeting, pk=int(item_id)).first()
        if item_id.isdigit() and len(item_id) < 10
        else None
    )
    return _act(
        request,
        meeting,
        lambda: services.material_upload(
            meeting=meeting,
            by=_user(request),
            stream=upload,
            name=upload.name or "",
            agenda_item=item,
        ),
        _("Material added."),
    )


@login_required
@require_GET
def material_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A copy of the material watermarked with the viewer's name and the time."""
    material = Material.objects.filter(pk=pk).select_related("meeting").first()
    if material is None:
        raise Http404
    meeting = _meeting(request, material.meeting_id)
    material.meeting = meeting
    try:
        data, content_type = services.material_view(
            material=material, by=_user(request)
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(error.messages[0]) from error
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(bool(request.GET.get("download")), material.name)
        or "inline"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def materials_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw the materials from the attendees after the meeting."""
    meeting = _meeting(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.materials_withdraw(meeting=meeting, by=_user(request)),
        _("Materials withdrawn from the attendees."),
    )


def _code_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    import segno

    token = services.signin_token(meeting=meeting)
    url = (
        request.build_absolute_uri(reverse("meetings:signin"))
        + "?"
        + urlencode({"t": token})
    )
    return {
        **NAV,
        "meeting": meeting,
        "code_svg": mark_safe(  # noqa: S308 - segno's own SVG of our URL
            segno.make(url, error="m").svg_inline(scale=6, title=meeting.title)
        ),
        "code_url": url,
        "rotate": services.ROTATE_SECONDS,
        "attendance": services.meeting_attendance(meeting=meeting),
    }


@login_required
@require_GET
def signin_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in code to show on the room's screen, renewed every minute."""
    meeting = _meeting(request, pk)
    user = _user(request)
    if not (policies.can_manage_meeting(user, meeting) or user.pk == meeting.chair_id):
        raise PermissionDenied
    template = "meetings/signin_code.html"
    if request.headers.get("HX-Request"):
        template += "#code"
    return render(request, template, _code_context(request, meeting))


@login_required
def signin(request: HttpRequest) -> HttpResponse:
    """Where the scanned code leads: confirm, then signed in (or why not)."""
    token = str(request.POST.get("t") or request.GET.get("t") or "")[:300]
    context: dict[str, Any] = {**NAV, "token": token}
    if request.method == "POST":
        try:
            row, created = services.sign_in_by_token(token=token, by=_user(request))
        except DomainError as error:
            context["refusal"] = error.messages[0]
            return render(request, "meetings/signin.html", context, status=400)
        context.update(row=row, created=created, meeting=row.meeting)
    return render(request, "meetings/signin.html", context)


@login_required
@require_POST
def signin_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser or the office signs an attendee in."""
    meeting = _meeting(request, pk)
    person_id = str(request.POST.get("person") or "")
    row = (
        Attendee.objects.filter(meeting=meeting, user_id=int(person_id))
        .select_related("user")
        .first()
        if person_id.isdigit() and len(person_id) < 10
        else None
    )
    if row is None:
        messages.error(request, _("Choose someone on the list of this meeting."))
        return redirect("meetings:signin_code", pk=meeting.pk)
    try:
        services.sign_in_by_staff(meeting=meeting, person=row.user, by=_user(request))
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("%(name)s is signed in.") % {"name": row.user.display_name}
        )
    return redirect("meetings:signin_code", pk=meeting.pk)


@login_required
@require_POST
def checklist_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the meeting's service checklist from its type's template."""
    meeting = _meeting(request, pk)
    return _act(
        request,
        meeting,
        lambda: services.checklist_apply(meeting=meeting, by=_user(request)),
        _("Service checklist made; each owner has the task to do."),
    )


@login_required
@require_POST
def checklist_tick(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick a service task off."""
    task = ChecklistTask.objects.filter(pk=pk).first()
    if task is None:
        raise Http404
    meeting = _meeting(request, task.meeting_id)
    return _act(
        request,
        meeting,
        lambda: services.checklist_tick(task=task, by=_user(request)),
        _("Task done."),
    )


@login_required
@require_POST
def contingency_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a contingency plan with its owner."""
    meeting = _meeting(request, pk)
    form = ContingencyForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, meeting)
    return _act(
        request,
        meeting,
        lambda: services.contingency_attach(
            meeting=meeting,
            by=_user(request),
            plan=form.cleaned_data["plan"],
            owner=form.cleaned_data["owner"],
        ),
        _("Contingency plan attached; its owner is told."),
    )


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """My meetings (or my department's) for a week, and my calendar address."""
    import datetime

    from django.utils.dateparse import parse_date

    user = _user(request)
    today = timezone.localdate()
    day = (
        parse_date(str(request.GET.get("week") or "")[:10])
        if request.GET.get("week")
        else None
    )
    monday = (day or today) - datetime.timedelta(days=(day or today).weekday())
    department = request.GET.get("scope") == "department"
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=tz)
    meetings = selectors.calendar_meetings(
        user=user,
        start=start,
        end=start + datetime.timedelta(days=7),
        department=department,
    )
    days = [
        {
            "day": monday + datetime.timedelta(days=offset),
            "meetings": [
                m
                for m in meetings
                if timezone.localtime(m.starts_at).date()
                == monday + datetime.timedelta(days=offset)
            ],
        }
        for offset in range(7)
    ]
    feed = CalendarFeed.objects.filter(user=user).first()
    return render(
        request,
        "meetings/calendar.html",
        {
            **NAV,
            "days": days,
            "today": today,
            "department": department,
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "feed_url": request.build_absolute_uri(
                reverse("meetings:calendar_feed", args=[feed.secret])
            )
            if feed
            else "",
        },
    )


@login_required
@require_POST
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    """Make a new secret calendar address, or stop it."""
    user = _user(request)
    if request.POST.get("action") == "revoke":
        services.calendar_feed_revoke(user=user)
        messages.success(request, _("Your calendar address no longer works."))
    else:
        services.calendar_feed_renew(user=user)
        messages.success(
            request, _("New calendar address made; the old one no longer works.")
        )
    return redirect("meetings:calendar")


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The ICS feed of a secret address (no sign-in: calendar apps cannot)."""
    import datetime

    feed = (
        CalendarFeed.objects.filter(secret=secret[:64]).select_related("user").first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404
    now = timezone.now()
    meetings = selectors.calendar_meetings(
        user=feed.user,
        start=now - datetime.timedelta(days=60),
        end=now + datetime.timedelta(days=366),
    )
    data = services.calendar_ics(
        meetings=meetings,
        name=_("Meetings of %(name)s") % {"name": feed.user.display_name},
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
