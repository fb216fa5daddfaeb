"""Incoming handling (收文办理): each stage a service, each open step a work item.

Every service locks the document row and checks its ``stage`` first: a step that has
moved on (done by someone else, returned, completed) is refused with a clear message
and changes nothing. Work items are opened and closed only through the inbox.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import policies
from zhiban.documents.models import (
    INCOMING_WORK_KIND,
    Direction,
    Document,
    IncomingStep,
    Stage,
)
from zhiban.documents.selectors import incoming_step_for
from zhiban.documents.services._common import record_event
from zhiban.inbox import services as inbox
from zhiban.inbox.models import Urgency as WorkUrgency
from zhiban.org.models import Department, User
from zhiban.org.selectors import department_head_for
from zhiban.org.workdays import add_working_days

MAX_TEXT = 2000
WORK_URGENCY = {"特急": WorkUrgency.EXTRA_URGENT, "加急": WorkUrgency.URGENT}


def _step_title(stage: str, document: Document) -> str:
    titles = {
        Stage.CHECK: _("First check: %(title)s"),
        Stage.PROPOSE: _("Propose handling: %(title)s"),
        Stage.INSTRUCT: _("Instruct: %(title)s"),
        Stage.HANDLE: _("Handle and reply: %(title)s"),
        Stage.COMPLETE: _("Reply and complete: %(title)s"),
    }
    return titles[Stage(stage)] % {"title": document.title}


def _due(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    end = datetime.datetime.combine(day, datetime.time(18, 0))
    return timezone.make_aware(end)


def step_due(document: Document, stage: str) -> datetime.date:
    """Return the working-day time limit of a handling step, by the document's urgency.

    Office steps take ``INCOMING_STEP_WORKING_DAYS``, 承办 without a deadline
    ``INCOMING_HANDLING_WORKING_DAYS``; never later than the document's own deadline.
    """
    limits = (
        settings.INCOMING_HANDLING_WORKING_DAYS
        if stage == Stage.HANDLE
        else settings.INCOMING_STEP_WORKING_DAYS
    )
    days = int(limits.get(document.urgency, limits.get("", 2)))
    due = add_working_days(timezone.localdate(), days)
    if document.deadline is not None and document.deadline >= timezone.localdate():
        due = min(due, document.deadline)
    return due


def _open(
    document: Document,
    *,
    stage: str,
    people: Sequence[User],
    by: User,
    departments: Sequence[tuple[Department, str]] = (),
    due_on: datetime.date | None = None,
) -> list[IncomingStep]:
    """Open the steps of a stage and their work items; set the document's stage.

    A step without a given date is due by its working-day time limit (``step_due``).
    """
    if due_on is None:
        due_on = step_due(document, stage)
    steps: list[IncomingStep] = []
    if departments:
        for (department, role), person in zip(departments, people, strict=True):
            steps.append(
                IncomingStep(
                    document=document,
                    stage=stage,
                    assignee=person,
                    department=department,
                    role=role,
                    due_on=due_on,
                )
            )
    else:
        steps = [
            IncomingStep(document=document, stage=stage, assignee=p, due_on=due_on)
            for p in people
        ]
    IncomingStep.objects.bulk_create(steps)
    for step in steps:
        inbox.work_item_open(
            assignee=step.assignee,
            kind=INCOMING_WORK_KIND,
            title=_step_title(stage, document),
            target=step,
            url=reverse("documents:detail", args=[document.pk]),
            reason=step.get_role_display() if step.role else _("Incoming document"),
            initiator=by,
            urgency=WORK_URGENCY.get(document.urgency, WorkUrgency.NORMAL),
            due_at=_due(due_on),
        )
    document.stage = stage
    document.save(update_fields=["stage", "updated_at"])
    return steps


def _locked(document: Document, stage: str) -> Document:
    """Lock the document and refuse unless it stands at the stage."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.direction != Direction.INCOMING:
        raise DomainError(
            _("Only an incoming document is handled this way."), code="not_incoming"
        )
    if locked.stage != stage:
        raise DomainError(
            _(
                "This step has moved on: the document is now at “%(stage)s”. "
                "Reload the page to see who holds it."
            )
            % {"stage": locked.get_stage_display() or _("not started")},
            code="stage_moved_on",
        )
    return locked


def _my_step(document: Document, stage: str, by: User) -> IncomingStep:
    """Return the open step of the stage the person may act on."""
    steps = list(
        document.incoming_steps.filter(stage=stage, state=IncomingStep.State.OPEN)
    )
    step = incoming_step_for(document=document, user=by, steps=steps)
    if step is None:
        raise PermissionDeniedError(_("It is not your turn at this step."))
    return step


def _finish(step: IncomingStep, *, by: User, text: str, data: dict[str, Any]) -> None:
    step.state = IncomingStep.State.DONE
    step.done_at = timezone.now()
    step.done_by = by
    step.text = text
    step.data = data
    step.save(update_fields=["state", "done_at", "done_by", "text", "data"])
    inbox.work_items_close_for(
        target=step, kind=INCOMING_WORK_KIND, by=by, outcome=step.stage
    )


def _text(text: str, field: str, *, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise DomainError({field: _("Write it down: this step needs it.")}, code="text")
    if len(text) > MAX_TEXT:
        raise DomainError(
            {field: _("Keep it within %(n)s characters.") % {"n": MAX_TEXT}},
            code="text_too_long",
        )
    return text


def incoming_handling_start(*, document: Document, by: User) -> None:
    """Open the first check of a just-registered incoming document (caller's txn)."""
    _open(document, stage=Stage.CHECK, people=[by], by=by)


def incoming_check(
    *, document: Document, by: User, passed: bool, reasons: str = ""
) -> Document:
    """Pass the first check (初审), or return the document to its sender with reasons."""
    reasons = _text(reasons, "reasons", required=not passed)
    with transaction.atomic():
        locked = _locked(document, Stage.CHECK)
        step = _my_step(locked, Stage.CHECK, by)
        _finish(step, by=by, text=reasons, data={"passed": passed})
        if passed:
            office = [by]
            _open(locked, stage=Stage.PROPOSE, people=office, by=by)
        else:
            locked.stage = Stage.RETURNED
            locked.state = Document.State.CLOSED
            locked.save(update_fields=["stage", "state", "updated_at"])
        record_event(
            locked,
            by=by,
            kind="incoming_check",
            data={"passed": passed},
            note=reasons,
        )
        audit_record(
            actor=by,
            action="documents.incoming_check",
            target=locked,
            data={"passed": passed},
        )
    return locked


def incoming_propose(
    *, document: Document, by: User, proposal: str, leader: User
) -> Document:
    """Propose how to handle the document and send it to a leader (拟办)."""
    proposal = _text(proposal, "proposal", required=True)
    if not leader.is_active:
        raise DomainError(
            {"leader": _("Choose a leader who is still with the group.")},
            code="inactive_leader",
        )
    with transaction.atomic():
        locked = _locked(document, Stage.PROPOSE)
        step = _my_step(locked, Stage.PROPOSE, by)
        _finish(
            step,
            by=by,
            text=proposal,
            data={"leader": leader.pk, "leader_name": leader.display_name},
        )
        _open(locked, stage=Stage.INSTRUCT, people=[leader], by=by)
        record_event(
            locked,
            by=by,
            kind="incoming_propose",
            data={"leader": leader.display_name},
            note=proposal,
        )
        audit_record(
            actor=by,
            action="documents.incoming_propose",
            target=locked,
            data={"leader": leader.pk},
        )
    return locked


def incoming_instruct(
    *,
    document: Document,
    by: User,
    instruction: str,
    lead: Department,
    co_departments: Sequence[Department] = (),
    deadline: datetime.date | None = None,
) -> Document:
    """Record the leader's instruction (批办) and send the document to the departments."""
    instruction = _text(instruction, "instruction", required=True)
    co = [d for d in dict.fromkeys(co_departments) if d.pk != lead.pk]
    if deadline is not None and deadline < timezone.localdate():
        raise DomainError(
            {"deadline": _("The deadline cannot be in the past.")}, code="deadline"
        )
    departments = [(lead, IncomingStep.Role.LEAD)] + [
        (d, IncomingStep.Role.CO) for d in co
    ]
    heads: list[User] = []
    headless = []
    for department, _role in departments:
        head = department_head_for(department)
        if head is None:
            headless.append(department.name)
        else:
            heads.append(head)
    if headless:
        raise DomainError(
            {
                "lead": _(
                    "These departments have no head to receive the document: "
                    "%(names)s. Name a head in the organisation first."
                )
                % {"names": "、".join(headless)}
            },
            code="department_without_head",
        )
    with transaction.atomic():
        locked = _locked(document, Stage.INSTRUCT)
        step = _my_step(locked, Stage.INSTRUCT, by)
        _finish(
            step,
            by=by,
            text=instruction,
            data={
                "lead": lead.name,
                "co": [d.name for d in co],
                "deadline": deadline.isoformat() if deadline else "",
            },
        )
        if deadline is not None:
            locked.deadline = deadline
            locked.save(update_fields=["deadline", "updated_at"])
        elif locked.deadline is None:
            # No date from the leader or the registrar: the working-day default.
            locked.deadline = step_due(locked, Stage.HANDLE)
            locked.save(update_fields=["deadline", "updated_at"])
        _open(
            locked,
            stage=Stage.HANDLE,
            people=heads,
            by=by,
            departments=departments,
            due_on=locked.deadline,
        )
        record_event(
            locked,
            by=by,
            kind="incoming_instruct",
            data={"lead": lead.name, "co": [d.name for d in co]},
            note=instruction,
        )
        audit_record(
            actor=by,
            action="documents.incoming_instruct",
            target=locked,
            data={"lead": lead.pk, "co": [d.pk for d in co]},
        )
    return locked


def incoming_reply(*, document: Document, by: User, reply: str) -> Document:
    """Record a department's reply (承办); the last reply sends it to the office."""
    reply = _text(reply, "reply", required=True)
    with transaction.atomic():
        locked = _locked(document, Stage.HANDLE)
        step = _my_step(locked, Stage.HANDLE, by)
        _finish(
            step,
            by=by,
            text=reply,
            data={"department": step.department.name if step.department else ""},
        )
        record_event(
            locked,
            by=by,
            kind="incoming_reply",
            data={
                "department": step.department.name if step.department else "",
                "role": step.role,
            },
            note=reply,
        )
        waiting = locked.incoming_steps.filter(
            stage=Stage.HANDLE, state=IncomingStep.State.OPEN
        ).exists()
        if not waiting:
            registrar = locked.created_by
            _open(locked, stage=Stage.COMPLETE, people=[registrar], by=by)
        audit_record(
            actor=by,
            action="documents.incoming_reply",
            target=locked,
            data={"step": step.pk},
        )
    return locked


def incoming_complete(
    *, document: Document, by: User, reply_to_sender: str
) -> Document:
    """Record the reply to the sender (答复) and complete the document (办结)."""
    reply_to_sender = _text(reply_to_sender, "reply_to_sender", required=False)
    with transaction.atomic():
        locked = _locked(document, Stage.COMPLETE)
        step = _my_step(locked, Stage.COMPLETE, by)
        _finish(step, by=by, text=reply_to_sender, data={})
        locked.stage = Stage.DONE
        locked.state = Document.State.CLOSED
        locked.save(update_fields=["stage", "state", "updated_at"])
        from zhiban.documents.services.distribution import recipient_handled

        recipient_handled(locked)  # a distributed copy: tell the sender's table
        record_event(
            locked, by=by, kind="incoming_complete", data={}, note=reply_to_sender
        )
        audit_record(actor=by, action="documents.incoming_complete", target=locked)
    return locked


def incoming_urge(*, document: Document, by: User, note: str = "") -> int:
    """Urge everyone whose step is open (催办); return how many were reminded."""
    if not policies.can_keep_register(by):
        raise PermissionDeniedError(_("Only the office's clerks urge."))
    steps = list(
        document.incoming_steps.filter(state=IncomingStep.State.OPEN).select_related(
            "assignee"
        )
    )
    if not steps:
        raise DomainError(
            _("Nobody holds a step of this document now."), code="nothing_to_urge"
        )
    with transaction.atomic():
        inbox.notify_many(
            recipients=[s.assignee for s in steps],
            kind="document_urge",
            title=_("Urged: %(title)s") % {"title": document.title},
            body=note.strip()[:300],
            url=reverse("documents:detail", args=[document.pk]),
        )
        record_event(
            document,
            by=by,
            kind="incoming_urge",
            data={"people": [s.assignee.display_name for s in steps]},
            note=note.strip()[:300],
        )
        audit_record(
            actor=by,
            action="documents.incoming_urge",
            target=document,
            data={"steps": [s.pk for s in steps]},
        )
    return len(steps)
