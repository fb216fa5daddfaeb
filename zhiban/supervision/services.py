"""Every write of supervision items: draft, issue, sign for, plan, report, complete,
verify, archive, urge.

Each service runs in one transaction, locks the item row first (two people acting on
one item at once: the second sees the first's result and is refused if it no longer
applies), opens and closes work items only through ``zhiban.inbox.services`` and writes
its audit entry last. The escalation sweep lives in ``escalation.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models import F, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import OFFICE_TYPES, inspect_upload
from zhiban.inbox import services as inbox
from zhiban.inbox.models import Urgency, WorkItem
from zhiban.org.models import Department, User
from zhiban.org.selectors import department_head_for
from zhiban.org.workdays import WorkingCalendar
from zhiban.supervision import clock, policies, selectors, tallies
from zhiban.supervision.models import (
    EXTENSION_FLOW_CODE,
    WORK_KIND,
    AssessmentRule,
    ClockProfile,
    Counter,
    DayBasis,
    Escalation,
    Extension,
    Grade,
    Inspection,
    InspectionPhoto,
    ItemDepartment,
    ItemEvent,
    ItemFile,
    ItemNode,
    ItemType,
    Report,
    ReportCycle,
    Source,
    Step,
    SupervisionItem,
)

State = SupervisionItem.State
TITLE_MAX = 200
TEXT_MAX = 5000
# Photos of the work, scans and office files.
ATTACHMENT_TYPES: dict[str, tuple[str, ...]] = {
    **OFFICE_TYPES,
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}
MAX_FILES = 10
MAX_MILESTONES = 20
# A manual urge is refused when the same item was urged by hand this recently.
URGE_PAUSE = datetime.timedelta(minutes=10)


# --- helpers ---------------------------------------------------------------------


def _text(value: str, field: str, *, required: bool, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError({field: _("This field is required.")}, code="required")
    if len(text) > limit:
        raise DomainError(
            {field: _("Keep it under %(limit)s characters.") % {"limit": limit}},
            code="too_long",
        )
    return text


def _locked(item: SupervisionItem) -> SupervisionItem:
    # The item's row only (``of``): with the joined rows locked too, anything that
    # referred to the item's leader or officer (a work item, an approval they acted
    # on) waited for this transaction, and could deadlock on the audit chain's lock.
    return (
        SupervisionItem.objects.select_for_update(of=("self",))
        .select_related("profile", "lead_department", "leader", "officer")
        .get(pk=item.pk)
    )


def _refuse_state(item: SupervisionItem, *allowed: str) -> None:
    if item.state not in allowed:
        raise DomainError(
            _("This item is %(state)s: that step no longer applies.")
            % {"state": item.get_state_display()},
            code="wrong_state",
        )


def _event(
    item: SupervisionItem,
    kind: str,
    *,
    by: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    ItemEvent.objects.create(item=item, kind=kind, by=by, note=note, data=data or {})


def _url(item: SupervisionItem) -> str:
    return reverse("supervision:detail", args=[item.pk])


def _urgency(item: SupervisionItem) -> int:
    return Urgency.URGENT if item.item_type == ItemType.MAJOR else Urgency.NORMAL


def handler_of(item: SupervisionItem) -> User | None:
    """Return who carries the item out: its responsible person, else the lead's head."""
    responsible = item.responsible
    if responsible is not None and responsible.is_active:
        return responsible
    return department_head_for(item.lead_department)


def _open(
    item: SupervisionItem,
    people: Sequence[User],
    *,
    title: str,
    reason: str,
    by: User | None,
    due_steps: tuple[str, ...] | None = None,
) -> None:
    """Open the work items of a step, due by the earliest open node of `due_steps`
    (every step when empty; no due time when None). The urge ladder reminds and
    escalates them, so the to-do centre's own sweeps leave them alone."""
    people = [person for person in dict.fromkeys(people) if person is not None]
    if people:
        inbox.work_items_open(
            assignees=people,
            kind=WORK_KIND,
            title=title,
            target=item,
            url=_url(item),
            reason=reason,
            initiator=by,
            urgency=_urgency(item),
            due_at=None if due_steps is None else _node_due_at(item, due_steps),
            own_reminders=True,
        )


def _node_due_at(
    item: SupervisionItem, steps: tuple[str, ...]
) -> datetime.datetime | None:
    nodes = item.nodes.filter(done_at__isnull=True)
    if steps:
        nodes = nodes.filter(step__in=steps)
    due = nodes.aggregate(due=Min("due_on"))["due"]
    if due is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(due, datetime.time(18, 0)))


def _close(
    item: SupervisionItem,
    *,
    by: User | None,
    outcome: str,
    people: Sequence[User] | None = None,
    state: str = WorkItem.State.DONE,
) -> None:
    inbox.work_items_close_for(
        target=item,
        kind=WORK_KIND,
        assignees=people,
        by=by,
        outcome=outcome,
        state=state,
    )


def _holds_work_item(item: SupervisionItem, user: User) -> bool:
    """Return whether the user holds an open work item of the item (a delegate)."""
    return WorkItem.objects.filter(
        assignee=user,
        kind=WORK_KIND,
        state=WorkItem.State.OPEN,
        target_type=ContentType.objects.get_for_model(SupervisionItem),
        target_id=str(item.pk),
    ).exists()


def _refresh_next_due(item: SupervisionItem) -> None:
    """Store the earliest open node's date on the item (read by the light)."""
    due = item.nodes.filter(done_at__isnull=True).aggregate(due=Min("due_on"))["due"]
    item.next_due_on = due
    SupervisionItem.objects.filter(pk=item.pk).update(next_due_on=due)


def _store_files(
    item: SupervisionItem,
    files: Sequence[IO[bytes]],
    *,
    by: User,
    report: Report | None = None,
) -> list[ItemFile]:
    """Keep files already passed by _check_files (called before the transaction)."""
    stored = []
    for upload in files:
        name = getattr(upload, "name", "") or "file"
        intake = inspect_upload(upload, name=name, allowed=ATTACHMENT_TYPES)
        record = ItemFile(
            item=item,
            report=report,
            original_name=intake.name[:200],
            size=intake.size,
            sha256=intake.sha256,
            content_type=intake.content_type,
            uploaded_by=by,
        )
        record.file.save(intake.name, File(upload), save=False)
        record.save()
        stored.append(record)
    return stored


def _check_files(files: Sequence[IO[bytes]]) -> None:
    """Refuse bad files before anything is written (inspect_upload rewinds them)."""
    if len(files) > MAX_FILES:
        raise DomainError(
            {"files": _("Attach at most %(n)s files at a time.") % {"n": MAX_FILES}},
            code="too_many_files",
        )
    for upload in files:
        inspect_upload(
            upload, name=getattr(upload, "name", "") or "file", allowed=ATTACHMENT_TYPES
        )


# --- drafting ----------------------------------------------------------------------


def _check_departments(lead: Department, co: Sequence[Department]) -> list[Department]:
    departments = [lead, *[d for d in dict.fromkeys(co) if d.pk != lead.pk]]
    inactive = [d.name for d in departments if not d.is_active]
    if inactive:
        raise DomainError(
            {
                "lead_department": _("These departments are closed: %(names)s.")
                % {"names": "、".join(inactive)}
            },
            code="inactive_department",
        )
    headless = [d.name for d in departments if department_head_for(d) is None]
    if headless:
        raise DomainError(
            {
                "lead_department": _(
                    "These departments have no head to sign for the item: "
                    "%(names)s. Name a head in the organisation first."
                )
                % {"names": "、".join(headless)}
            },
            code="department_without_head",
        )
    return departments


def _check_people(*, leader: User, officer: User, responsible: User | None) -> None:
    for field, person in (
        ("leader", leader),
        ("officer", officer),
        ("responsible", responsible),
    ):
        if person is not None and not person.is_active:
            raise DomainError(
                {field: _("Choose someone who is still with the group.")},
                code="inactive_person",
            )
    if not policies.is_office(officer):
        raise DomainError(
            {
                "officer": _(
                    "The officer must be a supervision officer or the office director."
                )
            },
            code="not_an_officer",
        )


def _check_deadline(deadline: datetime.date | None, *, today: datetime.date) -> None:
    if deadline is not None and deadline < today:
        raise DomainError(
            {
                "deadline": _(
                    "The deadline cannot be before the day the item is issued."
                )
            },
            code="deadline_before_issue",
        )


def item_create(
    *,
    by: User,
    title: str,
    content: str,
    lead_department: Department,
    leader: User,
    officer: User,
    profile: ClockProfile,
    co_departments: Sequence[Department] = (),
    responsible: User | None = None,
    requirements: str = "",
    item_type: str = ItemType.GENERAL,
    report_cycle: str = ReportCycle.NONE,
    deadline: datetime.date | None = None,
    source: str = Source.OTHER,
    source_object: models.Model | None = None,
    source_text: str = "",
    parent: SupervisionItem | None = None,
    files: Sequence[IO[bytes]] = (),
) -> SupervisionItem:
    """Draft a supervision item (立项); nothing is sent until it is issued."""
    if not policies.can_create(by):
        raise PermissionDeniedError(
            _("Only the supervision office and leaders create supervision items.")
        )
    title = _text(title, "title", required=True, limit=TITLE_MAX)
    content = _text(content, "content", required=True)
    requirements = _text(requirements, "requirements", required=False)
    source_text = _text(source_text, "source_text", required=False)
    if item_type not in ItemType.values:
        raise DomainError({"item_type": _("Choose a type.")}, code="invalid_type")
    if report_cycle not in ReportCycle.values:
        raise DomainError({"report_cycle": _("Choose a cycle.")}, code="invalid_cycle")
    if item_type == ItemType.CONTINUING and not report_cycle and deadline is None:
        raise DomainError(
            {
                "report_cycle": _(
                    "A continuing item needs a periodic report or a deadline, "
                    "or nothing would ever fall due."
                )
            },
            code="continuing_without_clock",
        )
    if not profile.is_active:
        raise DomainError(
            {"profile": _("This clock is no longer in use.")}, code="profile"
        )
    _check_deadline(deadline, today=timezone.localdate())
    departments = _check_departments(lead_department, co_departments)
    _check_people(leader=leader, officer=officer, responsible=responsible)
    _check_files(files)
    with transaction.atomic():
        item = SupervisionItem.objects.create(
            unit=lead_department.unit,
            title=title,
            content=content,
            requirements=requirements,
            source=source,
            source_type=(
                ContentType.objects.get_for_model(source_object)
                if source_object is not None
                else None
            ),
            source_id=str(source_object.pk) if source_object is not None else "",
            source_text=source_text,
            item_type=item_type,
            profile=profile,
            report_cycle=report_cycle,
            deadline=deadline,
            leader=leader,
            officer=officer,
            lead_department=lead_department,
            responsible=responsible,
            created_by=by,
            parent=parent,
        )
        ItemDepartment.objects.bulk_create(
            ItemDepartment(
                item=item,
                department=department,
                role=ItemDepartment.Role.LEAD if index == 0 else ItemDepartment.Role.CO,
            )
            for index, department in enumerate(departments)
        )
        _store_files(item, files, by=by)
        _event(item, "create", by=by)
        audit_record(
            actor=by,
            action="supervision.item_create",
            target=item,
            data={"title": title, "lead": lead_department.pk, "source": source},
        )
    return item


def item_create_and_send(*, then: str = "draft", **arguments: Any) -> SupervisionItem:
    """Draft an item and, in the same transaction, issue it or send it for review.

    A refusal of the second step keeps nothing: no orphan draft is left behind.
    """
    with transaction.atomic():
        item = item_create(**arguments)
        if then == "issue":
            item = item_issue(item=item, by=arguments["by"])
        elif then == "review":
            item = item_submit_review(item=item, by=arguments["by"])
    return item


def item_submit_review(*, item: SupervisionItem, by: User) -> SupervisionItem:
    """Send a draft to its assigning leader for review before it is issued."""
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.DRAFT)
        if by.pk != locked.created_by_id and not policies.is_office(by):
            raise PermissionDeniedError(_("Only the item's author can submit it."))
        if locked.leader_id == by.pk:
            raise DomainError(
                _("You are the assigning leader: issue the item yourself."),
                code="own_review",
            )
        locked.state = State.REVIEW
        locked.save(update_fields=["state", "updated_at"])
        _open(
            locked,
            [locked.leader],
            title=_("Review the supervision item: %(title)s") % {"title": locked.title},
            reason=_("Assigning leader"),
            by=by,
        )
        _event(locked, "submit_review", by=by)
        audit_record(actor=by, action="supervision.item_submit_review", target=locked)
    return locked


def item_review(
    *, item: SupervisionItem, by: User, approve: bool, opinion: str = ""
) -> SupervisionItem:
    """The leader approves the draft (it is issued at once) or sends it back."""
    opinion = _text(opinion, "opinion", required=not approve)
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.REVIEW)
        if by.pk != locked.leader_id and not _holds_work_item(locked, by):
            raise PermissionDeniedError(
                _("Only the assigning leader reviews the item.")
            )
        _close(locked, by=by, outcome="approved" if approve else "returned")
        _event(locked, "review", by=by, note=opinion, data={"approved": approve})
        if approve:
            _issue(locked, by=by)
        else:
            locked.state = State.DRAFT
            locked.save(update_fields=["state", "updated_at"])
            inbox.notify(
                recipient=locked.created_by,
                kind=WORK_KIND,
                title=_("The leader sent the supervision item back: %(title)s")
                % {"title": locked.title},
                body=opinion,
                url=_url(locked),
            )
        audit_record(
            actor=by,
            action="supervision.item_review",
            target=locked,
            data={"approved": approve},
        )
    return locked


def _number(item: SupervisionItem, year: int) -> int:
    counter, _created = Counter.objects.get_or_create(unit_id=item.unit_id, year=year)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _issue(locked: SupervisionItem, *, by: User) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    _check_deadline(locked.deadline, today=today)
    departments = list(locked.departments.select_related("department"))
    _check_departments(
        departments[0].department, [d.department for d in departments[1:]]
    )
    calendar = WorkingCalendar()
    profile = locked.profile
    planned = clock.plan_nodes(
        nodes=profile.nodes,
        basis=profile.day_basis,
        item_type=locked.item_type,
        issued_on=today,
        deadline=locked.deadline,
        calendar=calendar,
    )
    nodes = [
        ItemNode(
            item=locked,
            key=node.key,
            label=node.label,
            step=node.step,
            due_on=node.due_on,
            sort_order=node.sort_order,
        )
        for node in planned
    ]
    report_due = clock.next_report_due(
        locked.report_cycle, after=today, basis=profile.day_basis, calendar=calendar
    )
    if report_due is not None and (
        locked.deadline is None or report_due < locked.deadline
    ):
        nodes.append(_report_node(locked, 1, report_due))
    ItemNode.objects.bulk_create(nodes)
    locked.year = today.year
    locked.sequence = _number(locked, today.year)
    locked.state = State.ISSUED
    locked.issued_on = today
    locked.issued_at = now
    locked.save(
        update_fields=[
            "year",
            "sequence",
            "state",
            "issued_on",
            "issued_at",
            "updated_at",
        ]
    )
    ItemDepartment.objects.filter(item=locked).update(
        item_running=True, item_issued_on=today
    )
    _refresh_next_due(locked)
    heads = [department_head_for(d.department) for d in departments]
    _open(
        locked,
        [head for head in heads if head is not None],
        title=_("Sign for the supervision item %(number)s: %(title)s")
        % {"number": locked.number, "title": locked.title},
        reason=_("Head of a department the item is issued to"),
        by=by,
        due_steps=(Step.SIGN,),
    )
    _event(locked, "issue", by=by, data={"number": locked.number})


def _report_node(item: SupervisionItem, index: int, due: datetime.date) -> ItemNode:
    return ItemNode(
        item=item,
        key=f"report-{index}",
        label=_("Periodic report %(n)s") % {"n": index},
        step=Step.REPORT,
        due_on=due,
        sort_order=100 + index,
    )


def item_issue(*, item: SupervisionItem, by: User) -> SupervisionItem:
    """Issue a draft (交办): number it, compute its nodes, send it to the departments."""
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.DRAFT)
        allowed = by.pk in (
            locked.created_by_id,
            locked.leader_id,
        ) or policies.is_office(by)
        if not allowed:
            raise PermissionDeniedError(
                _(
                    "Only the item's author, its leader or the supervision office issues it."
                )
            )
        _issue(locked, by=by)
        audit_record(
            actor=by,
            action="supervision.item_issue",
            target=locked,
            data={"number": locked.number},
        )
    return locked


# --- the departments' steps ----------------------------------------------------------


def _my_department(
    locked: SupervisionItem, by: User, department: Department | None = None
) -> ItemDepartment:
    """Return the item department the user answers for (lead first)."""
    rows = selectors.answering_rows(item=locked, viewer=by)
    if department is not None:
        rows = [row for row in rows if row.department_id == department.pk]
    if rows:
        return rows[0]
    raise PermissionDeniedError(
        _(
            "Only the head of a department the item is issued to, or its "
            "responsible person, can do this."
        )
    )


def _done(
    locked: SupervisionItem, *steps: str, now: datetime.datetime
) -> list[ItemNode]:
    nodes = list(locked.nodes.filter(step__in=steps, done_at__isnull=True))
    ItemNode.objects.filter(pk__in=[n.pk for n in nodes]).update(done_at=now)
    return nodes


def _add_report(*, item: SupervisionItem, **fields: Any) -> Report:
    """Write a report and count it on the item (the dashboard's on-time rates).

    The counts are kept on the item so that the dashboard sums them with the items
    it reads anyway, instead of reading the reports (``tallies.recount`` checks them).
    """
    report = Report.objects.create(item=item, **fields)
    counts = report_counts_of(report)
    if counts:
        SupervisionItem.objects.filter(pk=item.pk).update(
            **{name: F(name) + n for name, n in counts.items()}
        )
        for name, n in counts.items():
            setattr(item, name, getattr(item, name) + n)
    return report


def report_counts_of(report: Report) -> dict[str, int]:
    """Return which of the item's report counters one report adds to."""
    if report.kind == Report.Kind.COMPLETION:
        prefix = "completion"
    elif report.node_id is not None:
        prefix = "feedback"
    else:
        return {}
    return {
        f"{prefix}_reports": 1,
        **({f"{prefix}_on_time": 1} if report.on_time else {}),
    }


def _on_time(nodes: Sequence[ItemNode], today: datetime.date) -> bool:
    return all(node.due_on >= today for node in nodes)


def item_sign(
    *,
    item: SupervisionItem,
    by: User,
    arrangement: str,
    department: Department | None = None,
    responsible: User | None = None,
) -> SupervisionItem:
    """A department signs for the item (签收) and says how it will arrange the work."""
    arrangement = _text(arrangement, "arrangement", required=True)
    if responsible is not None and not responsible.is_active:
        raise DomainError(
            {"responsible": _("Choose someone who is still with the group.")},
            code="inactive_person",
        )
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(
            locked, State.ISSUED, State.SIGNED, State.IN_PROGRESS, State.RETURNED
        )
        row = _my_department(locked, by, department)
        if row.signed_at is not None:
            raise DomainError(
                _("%(department)s has already signed for this item.")
                % {"department": row.department.name},
                code="already_signed",
            )
        now = timezone.now()
        row.signed_at, row.signed_by = now, by
        row.save(update_fields=["signed_at", "signed_by"])
        lead = row.role == ItemDepartment.Role.LEAD
        nodes = _done(locked, Step.SIGN, now=now) if lead else []
        _add_report(
            item=locked,
            kind=Report.Kind.SIGN,
            department=row.department,
            text=arrangement,
            node=nodes[0] if nodes else None,
            by=by,
            on_time=_on_time(nodes, timezone.localdate(now)),
        )
        _close(locked, by=by, outcome="signed", people=[by])
        head = department_head_for(row.department)
        if head is not None and head.pk != by.pk:
            _close(locked, by=by, outcome="signed", people=[head])
        if lead:
            if responsible is not None:
                locked.responsible = responsible
            locked.state = State.SIGNED
            locked.save(update_fields=["state", "responsible", "updated_at"])
            _refresh_next_due(locked)
            _open(
                locked,
                [handler_of(locked)],  # type: ignore[list-item]
                title=_("Report the plan for %(number)s: %(title)s")
                % {"number": locked.number, "title": locked.title},
                reason=_("Responsible for the lead department"),
                by=by,
                due_steps=(Step.PLAN,),
            )
        _event(
            locked,
            "sign",
            by=by,
            note=arrangement,
            data={"department": row.department.name},
        )
        audit_record(
            actor=by,
            action="supervision.item_sign",
            target=locked,
            data={"department": row.department_id},
        )
    return locked


def _check_milestones(
    milestones: Sequence[tuple[datetime.date, str]],
    *,
    today: datetime.date,
    deadline: datetime.date | None,
) -> list[tuple[datetime.date, str]]:
    if len(milestones) > MAX_MILESTONES:
        raise DomainError(
            {"milestones": _("At most %(n)s milestones.") % {"n": MAX_MILESTONES}},
            code="too_many_milestones",
        )
    clean = []
    for due, label in milestones:
        label = (label or "").strip()
        if not label:
            raise DomainError(
                {"milestones": _("Every milestone needs a description.")},
                code="milestone_label",
            )
        if due < today:
            raise DomainError(
                {
                    "milestones": _("A milestone cannot be in the past: %(label)s.")
                    % {"label": label}
                },
                code="milestone_past",
            )
        if deadline is not None and due > deadline:
            raise DomainError(
                {
                    "milestones": _(
                        "A milestone cannot fall after the item's deadline (%(deadline)s): "
                        "%(label)s. Ask for an extension first."
                    )
                    % {"deadline": deadline.isoformat(), "label": label}
                },
                code="milestone_after_deadline",
            )
        clean.append((due, label[:100]))
    return sorted(clean)


def item_plan(
    *,
    item: SupervisionItem,
    by: User,
    plan: str,
    milestones: Sequence[tuple[datetime.date, str]] = (),
    files: Sequence[IO[bytes]] = (),
) -> SupervisionItem:
    """The lead department reports its plan (计划反馈), with milestones as deadlines."""
    plan = _text(plan, "plan", required=True)
    today = timezone.localdate()
    _check_files(files)
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.SIGNED)
        row = _my_department(locked, by)
        if row.role != ItemDepartment.Role.LEAD:
            raise PermissionDeniedError(_("The lead department reports the plan."))
        clean = _check_milestones(milestones, today=today, deadline=locked.deadline)
        now = timezone.now()
        nodes = _done(locked, Step.PLAN, now=now)
        report = _add_report(
            item=locked,
            kind=Report.Kind.PLAN,
            department=row.department,
            text=plan,
            node=nodes[0] if nodes else None,
            by=by,
            on_time=_on_time(nodes, today),
        )
        _store_files(locked, files, by=by, report=report)
        ItemNode.objects.bulk_create(
            ItemNode(
                item=locked,
                key=f"milestone-{index}",
                label=label,
                step=Step.MILESTONE,
                due_on=due,
                sort_order=200 + index,
            )
            for index, (due, label) in enumerate(clean, start=1)
        )
        locked.state = State.IN_PROGRESS
        locked.save(update_fields=["state", "updated_at"])
        _refresh_next_due(locked)
        _close(locked, by=by, outcome="planned")
        _open(
            locked,
            [handler_of(locked)],  # type: ignore[list-item]
            title=_("Carry out and report on %(number)s: %(title)s")
            % {"number": locked.number, "title": locked.title},
            reason=_("Responsible for the lead department"),
            by=by,
            due_steps=(),
        )
        _event(locked, "plan", by=by, note=plan, data={"milestones": len(clean)})
        audit_record(
            actor=by,
            action="supervision.item_plan",
            target=locked,
            data={"milestones": len(clean)},
        )
    return locked


def item_report(
    *,
    item: SupervisionItem,
    by: User,
    text: str,
    node: ItemNode | None = None,
    files: Sequence[IO[bytes]] = (),
) -> Report:
    """A department reports progress (进度反馈), fulfilling a milestone or a periodic report."""
    text = _text(text, "text", required=True)
    _check_files(files)
    with transaction.atomic():
        locked = _locked(item)
        if locked.state in (
            State.REQUESTED,
            State.CLOSED,
            State.ARCHIVED,
            State.CANCELLED,
        ):
            raise DomainError(
                _("This item is %(state)s: no more progress reports are taken.")
                % {"state": locked.get_state_display()},
                code="item_closed",
            )
        _refuse_state(locked, State.SIGNED, State.IN_PROGRESS, State.RETURNED)
        row = _my_department(locked, by)
        now = timezone.now()
        today = timezone.localdate(now)
        fulfilled: list[ItemNode] = []
        if node is not None:
            target = locked.nodes.filter(pk=node.pk).first()
            if target is None or target.step not in (Step.MILESTONE, Step.REPORT):
                raise DomainError(
                    {"node": _("Choose a milestone or periodic report of this item.")},
                    code="wrong_node",
                )
            if target.done_at is not None:
                raise DomainError(
                    {"node": _("That node has already been reported.")},
                    code="node_done",
                )
            if row.role != ItemDepartment.Role.LEAD:
                raise PermissionDeniedError(
                    _("The lead department reports a milestone or periodic report.")
                )
            ItemNode.objects.filter(pk=target.pk).update(done_at=now)
            fulfilled = [target]
            if target.step == Step.REPORT:
                _next_report(locked, after=today, index=_report_index(target) + 1)
        report = _add_report(
            item=locked,
            kind=Report.Kind.PROGRESS,
            department=row.department,
            text=text,
            node=fulfilled[0] if fulfilled else None,
            by=by,
            on_time=_on_time(fulfilled, today),
        )
        _store_files(locked, files, by=by, report=report)
        _refresh_next_due(locked)
        _event(
            locked, "report", by=by, note=text, data={"department": row.department.name}
        )
        inbox.notify(
            recipient=locked.officer,
            kind=WORK_KIND,
            title=_("Progress reported on %(number)s: %(title)s")
            % {"number": locked.number, "title": locked.title},
            body=text[:500],
            url=_url(locked),
        )
        audit_record(
            actor=by,
            action="supervision.item_report",
            target=locked,
            data={
                "department": row.department_id,
                "node": fulfilled[0].pk if fulfilled else None,
            },
        )
    return report


def _report_index(node: ItemNode) -> int:
    try:
        return int(node.key.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _next_report(locked: SupervisionItem, *, after: datetime.date, index: int) -> None:
    due = clock.next_report_due(
        locked.report_cycle,
        after=after,
        basis=locked.profile.day_basis,
        calendar=WorkingCalendar(),
    )
    if due is None or (locked.deadline is not None and due >= locked.deadline):
        return
    _report_node(locked, index, due).save()


def item_request_completion(
    *,
    item: SupervisionItem,
    by: User,
    summary: str,
    files: Sequence[IO[bytes]] = (),
) -> SupervisionItem:
    """The lead department applies for completion (申请办结); the officer verifies."""
    summary = _text(summary, "summary", required=True)
    _check_files(files)
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.SIGNED, State.IN_PROGRESS, State.RETURNED)
        row = _my_department(locked, by)
        if row.role != ItemDepartment.Role.LEAD:
            raise PermissionDeniedError(
                _("The lead department applies for completion.")
            )
        now = timezone.now()
        today = timezone.localdate(now)
        completion = _done(locked, Step.COMPLETE, now=now)
        # The department's clock stops: what is left open is covered by the request.
        rest = _done(locked, *Step.values, now=now)
        report = _add_report(
            item=locked,
            kind=Report.Kind.COMPLETION,
            department=row.department,
            text=summary,
            node=completion[0] if completion else None,
            by=by,
            on_time=_on_time([*completion, *rest], today),
        )
        _store_files(locked, files, by=by, report=report)
        locked.state = State.REQUESTED
        locked.save(update_fields=["state", "updated_at"])
        _refresh_next_due(locked)
        _close(locked, by=by, outcome="completion_requested")
        _open(
            locked,
            [locked.officer],
            title=_("Verify the completion of %(number)s: %(title)s")
            % {"number": locked.number, "title": locked.title},
            reason=_("Supervision officer of the item"),
            by=by,
        )
        _event(locked, "request_completion", by=by, note=summary)
        audit_record(
            actor=by, action="supervision.item_request_completion", target=locked
        )
    return locked


# --- the office's steps ------------------------------------------------------------


def item_close(
    *, item: SupervisionItem, by: User, grade: str, reason: str = ""
) -> SupervisionItem:
    """Close the item (销号) with a grade; 不合格 needs a reason."""
    if grade not in Grade.values:
        raise DomainError({"grade": _("Choose a grade.")}, code="invalid_grade")
    reason = _text(reason, "reason", required=grade == Grade.FAIL)
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.REQUESTED)
        if not policies.can_verify(by, officer_id=locked.officer_id) and not (
            _holds_work_item(locked, by)
        ):
            raise PermissionDeniedError(
                _("Only the item's supervision officer verifies its completion.")
            )
        locked.state = State.CLOSED
        locked.grade = grade
        locked.grade_reason = reason
        locked.closed_at = timezone.now()
        locked.save(
            update_fields=["state", "grade", "grade_reason", "closed_at", "updated_at"]
        )
        ItemDepartment.objects.filter(item=locked).update(
            item_running=False, item_closed_at=locked.closed_at
        )
        tallies.count(locked, sign=1)
        _close(locked, by=by, outcome="closed")
        people = [handler_of(locked), locked.leader]
        inbox.notify_many(
            recipients=[p for p in dict.fromkeys(people) if p is not None],
            kind=WORK_KIND,
            title=_("Supervision item %(number)s closed: %(grade)s")
            % {"number": locked.number, "grade": locked.get_grade_display()},
            body=reason,
            url=_url(locked),
        )
        _event(locked, "close", by=by, note=reason, data={"grade": grade})
        audit_record(
            actor=by,
            action="supervision.item_close",
            target=locked,
            data={"grade": grade},
        )
    return locked


def item_return(
    *,
    item: SupervisionItem,
    by: User,
    reason: str,
    due_on: datetime.date | None = None,
) -> SupervisionItem:
    """Return a completion request with the reason; the completion node reopens."""
    reason = _text(reason, "reason", required=True)
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise DomainError(
            {"due_on": _("The new date cannot be in the past.")}, code="due_past"
        )
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.REQUESTED)
        if not policies.can_verify(by, officer_id=locked.officer_id) and not (
            _holds_work_item(locked, by)
        ):
            raise PermissionDeniedError(
                _("Only the item's supervision officer verifies its completion.")
            )
        node = locked.nodes.filter(step=Step.COMPLETE).order_by("-due_on").first()
        if node is None:
            node = ItemNode(
                item=locked,
                key="complete",
                label=_("Completion"),
                step=Step.COMPLETE,
                due_on=due_on or today,
                sort_order=99,
            )
        node.done_at = None
        if due_on is not None:
            node.due_on = due_on
        node.save()
        locked.state = State.RETURNED
        locked.returned_count += 1
        locked.save(update_fields=["state", "returned_count", "updated_at"])
        _refresh_next_due(locked)
        _close(locked, by=by, outcome="returned")
        _open(
            locked,
            [handler_of(locked)],  # type: ignore[list-item]
            title=_("Completion returned, rework %(number)s: %(title)s")
            % {"number": locked.number, "title": locked.title},
            reason=_("Responsible for the lead department"),
            by=by,
            due_steps=(Step.COMPLETE,),
        )
        _event(
            locked,
            "return",
            by=by,
            note=reason,
            data={"due_on": node.due_on.isoformat()},
        )
        audit_record(actor=by, action="supervision.item_return", target=locked)
    return locked


def item_archive(*, item: SupervisionItem, by: User) -> SupervisionItem:
    """Archive a closed item."""
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(locked, State.CLOSED)
        if not policies.can_verify(by, officer_id=locked.officer_id):
            raise PermissionDeniedError(
                _("Only the supervision office archives items.")
            )
        locked.state = State.ARCHIVED
        locked.archived_at = timezone.now()
        locked.save(update_fields=["state", "archived_at", "updated_at"])
        tallies.count(locked, sign=-1, state=State.CLOSED)
        tallies.count(locked, sign=1)
        _event(locked, "archive", by=by)
        audit_record(actor=by, action="supervision.item_archive", target=locked)
    return locked


def item_urge(*, item: SupervisionItem, by: User, note: str = "") -> Escalation:
    """Urge the department by hand (催办): the handler and the department head hear."""
    note = _text(note, "note", required=False, limit=500)
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(
            locked,
            *[
                str(s)
                for s in (State.ISSUED, State.SIGNED, State.IN_PROGRESS, State.RETURNED)
            ],
        )
        if not (
            policies.is_office(by) or by.pk in (locked.leader_id, locked.officer_id)
        ):
            raise PermissionDeniedError(
                _("Only the supervision office and the assigning leader urge an item.")
            )
        now = timezone.now()
        recent = locked.escalations.filter(
            rung=Escalation.Rung.MANUAL, at__gt=now - URGE_PAUSE
        ).exists()
        if recent:
            raise DomainError(
                _(
                    "This item was urged a few minutes ago; give the department time to answer."
                ),
                code="urged_recently",
            )
        people = [handler_of(locked), department_head_for(locked.lead_department)]
        recipients = [p for p in dict.fromkeys(people) if p is not None]
        escalation = Escalation.objects.create(
            item=locked,
            rung=Escalation.Rung.MANUAL,
            sent_to=[p.pk for p in recipients],
            by=by,
            note=note,
            at=now,
        )
        inbox.notify_many(
            recipients=recipients,
            kind=WORK_KIND,
            title=_("Urged: %(number)s %(title)s")
            % {"number": locked.number, "title": locked.title},
            body=note,
            url=_url(locked),
        )
        _event(locked, "urge", by=by, note=note)
        audit_record(actor=by, action="supervision.item_urge", target=locked)
    return escalation


def assessment_rule_set(
    *,
    by: User,
    feedback_weight: Decimal,
    completion_weight: Decimal,
    quality_weight: Decimal,
    return_penalty: Decimal,
    overdue_penalty: Decimal,
    grade_points: dict[str, int],
) -> AssessmentRule:
    """Set the assessment's weights; the earlier rules are kept as history."""
    if not policies.is_office(by):
        raise PermissionDeniedError(
            _("Only the supervision office sets the assessment's weights.")
        )
    if feedback_weight + completion_weight + quality_weight <= 0:
        raise DomainError(
            _("At least one of the three weights must be more than zero."),
            code="weights_zero",
        )
    if set(grade_points) != set(Grade.values) or any(
        not 0 <= int(points) <= 100 for points in grade_points.values()
    ):
        raise DomainError(
            _("Give every grade a worth from 0 to 100."), code="grade_points"
        )
    with transaction.atomic():
        rule = AssessmentRule.objects.create(
            feedback_weight=feedback_weight,
            completion_weight=completion_weight,
            quality_weight=quality_weight,
            return_penalty=return_penalty,
            overdue_penalty=overdue_penalty,
            grade_points={grade: int(points) for grade, points in grade_points.items()},
            updated_by=by,
        )
        audit_record(
            actor=by,
            action="supervision.assessment_rule_set",
            target=rule,
            data={
                "weights": [
                    str(feedback_weight),
                    str(completion_weight),
                    str(quality_weight),
                ],
                "penalties": [str(return_penalty), str(overdue_penalty)],
                "grade_points": rule.grade_points,
            },
        )
    return rule


# --- extension requests (延期申请), on the approval engine -----------------------------


def _completion_node(locked: SupervisionItem) -> ItemNode | None:
    return locked.nodes.filter(step=Step.COMPLETE).order_by("-due_on", "-id").first()


def extension_request(
    *, item: SupervisionItem, by: User, new_due: datetime.date, reason: str
) -> Extension:
    """Ask for a later completion date; the extension flow decides (延期申请)."""
    from zhiban.workflow.services import instance_start

    reason = _text(reason, "reason", required=True, limit=2000)
    today = timezone.localdate()
    with transaction.atomic():
        locked = _locked(item)
        _refuse_state(
            locked, State.ISSUED, State.SIGNED, State.IN_PROGRESS, State.RETURNED
        )
        row = _my_department(locked, by)
        if row.role != ItemDepartment.Role.LEAD:
            raise PermissionDeniedError(_("The lead department asks for an extension."))
        if locked.extensions.filter(state=Extension.State.PENDING).exists():
            raise DomainError(
                _("An extension request for this item is already in approval."),
                code="extension_pending",
            )
        node = _completion_node(locked)
        old_due = node.due_on if node is not None else locked.deadline
        if old_due is None:
            raise DomainError(
                _("This item has no completion date to extend."), code="no_completion"
            )
        if new_due <= old_due or new_due < today:
            raise DomainError(
                {
                    "new_due": _(
                        "Ask for a date after the current completion date (%(due)s)."
                    )
                    % {"due": old_due.isoformat()}
                },
                code="extension_not_later",
            )
        instance = instance_start(
            flow_code=EXTENSION_FLOW_CODE,
            form={
                "item": locked.pk,
                "new_due": new_due.isoformat(),
                "reason": reason,
                "officer": [locked.officer_id],
                "leader": [locked.leader_id],
            },
            by=by,
            title=_("Extension of %(number)s to %(due)s")
            % {"number": locked.number, "due": new_due.isoformat()},
        )
        extension = Extension.objects.create(
            item=locked,
            instance=instance,
            old_due=old_due,
            new_due=new_due,
            reason=reason,
            requested_by=by,
        )
        _event(
            locked,
            "extension_request",
            by=by,
            note=reason,
            data={"old_due": old_due.isoformat(), "new_due": new_due.isoformat()},
        )
        instance.refresh_from_db()
        if instance.is_finished:  # every node auto-passed: settle it here
            _settle_extension(extension, instance)
        audit_record(
            actor=by,
            action="supervision.extension_request",
            target=locked,
            data={"new_due": new_due.isoformat(), "instance": instance.pk},
        )
    return extension


def _settle_extension(extension: Extension, instance: Any) -> None:
    from zhiban.workflow.models import FlowInstance

    if extension.state != Extension.State.PENDING:
        return
    status = instance.status
    locked = _locked(extension.item)
    now = timezone.now()
    if status == FlowInstance.Status.APPROVED:
        extension.state = Extension.State.APPROVED
        node = _completion_node(locked)
        if node is not None:
            ItemNode.objects.filter(pk=node.pk).update(due_on=extension.new_due)
        if locked.deadline is not None or node is None:
            locked.deadline = extension.new_due
            locked.save(update_fields=["deadline", "updated_at"])
        _refresh_next_due(locked)
        outcome = "extension_approved"
    elif status in (
        FlowInstance.Status.REJECTED,
        FlowInstance.Status.WITHDRAWN,
        FlowInstance.Status.REVOKED,
    ):
        extension.state = (
            Extension.State.REJECTED
            if status == FlowInstance.Status.REJECTED
            else Extension.State.WITHDRAWN
        )
        outcome = "extension_rejected"
    else:
        return
    extension.decided_at = now
    extension.save(update_fields=["state", "decided_at"])
    _event(
        locked,
        outcome,
        by=None,
        data={"new_due": extension.new_due.isoformat(), "instance": instance.pk},
    )
    inbox.notify(
        recipient=extension.requested_by,
        kind=WORK_KIND,
        title=(
            _("Extension of %(number)s to %(due)s approved")
            if extension.state == Extension.State.APPROVED
            else _("Extension of %(number)s to %(due)s not approved")
        )
        % {"number": locked.number, "due": extension.new_due.isoformat()},
        url=_url(locked),
    )


def extension_outcome(instance: Any) -> None:
    """React to the extension flow's outcome (registered for its flow kind)."""
    extension = (
        Extension.objects.select_for_update()
        .filter(instance=instance)
        .select_related("item", "requested_by")
        .first()
    )
    if extension is None:  # still inside extension_request, which settles it itself
        return
    _settle_extension(extension, instance)


# --- joint on-site supervision (现场督查) -------------------------------------------


PHOTO_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "application/pdf": ("pdf",),
}
MAX_POINTS = 20


@dataclass(frozen=True)
class RectificationPoint:
    """One point to put right, found on site: it becomes a sub-item."""

    text: str
    department: Department
    responsible: User | None = None
    deadline: datetime.date | None = None


def inspection_record(
    *,
    by: User,
    title: str,
    held_on: datetime.date,
    place: str,
    leader: User,
    participants: Sequence[User],
    departments: Sequence[Department],
    findings: str,
    profile: ClockProfile,
    points: Sequence[RectificationPoint] = (),
    item: SupervisionItem | None = None,
    photos: Sequence[IO[bytes]] = (),
) -> Inspection:
    """Record an on-site supervision and issue each rectification point as a sub-item.

    All or nothing: a point that cannot be issued (a department without a head, a
    deadline in the past) refuses the whole record, with the point named.
    """
    if not policies.is_office(by):
        raise PermissionDeniedError(
            _("Only the supervision office records on-site supervision.")
        )
    title = _text(title, "title", required=True, limit=TITLE_MAX)
    place = _text(place, "place", required=True, limit=200)
    findings = _text(findings, "findings", required=True)
    if held_on > timezone.localdate():
        raise DomainError(
            {"held_on": _("On-site supervision is recorded after it took place.")},
            code="held_in_future",
        )
    people = list(dict.fromkeys(participants))
    if not people:
        raise DomainError(
            {"participants": _("Name who took part.")}, code="no_participants"
        )
    if not departments:
        raise DomainError(
            {"departments": _("Name the departments that took part.")},
            code="no_departments",
        )
    if len(points) > MAX_POINTS:
        raise DomainError(
            {
                "points": _("At most %(n)s rectification points at a time.")
                % {"n": MAX_POINTS}
            },
            code="too_many_points",
        )
    if len(photos) > MAX_FILES:
        raise DomainError(
            {"photos": _("Attach at most %(n)s files at a time.") % {"n": MAX_FILES}},
            code="too_many_files",
        )
    for upload in photos:
        inspect_upload(
            upload, name=getattr(upload, "name", "") or "photo", allowed=PHOTO_TYPES
        )
    with transaction.atomic():
        inspection = Inspection.objects.create(
            unit=(departments[0].unit),
            title=title,
            held_on=held_on,
            place=place,
            leader=leader,
            findings=findings,
            item=item,
            created_by=by,
        )
        inspection.participants.set(people)
        inspection.departments.set(list(dict.fromkeys(departments)))
        for upload in photos:
            intake = inspect_upload(
                upload, name=getattr(upload, "name", "") or "photo", allowed=PHOTO_TYPES
            )
            photo = InspectionPhoto(
                inspection=inspection,
                original_name=intake.name[:200],
                size=intake.size,
                sha256=intake.sha256,
                content_type=intake.content_type,
                uploaded_by=by,
            )
            photo.file.save(intake.name, File(upload), save=False)
            photo.save()
        for number, point in enumerate(points, start=1):
            try:
                item_create_and_send(
                    then="issue",
                    by=by,
                    title=_("Rectify: %(text)s") % {"text": point.text.strip()[:60]},
                    content=point.text,
                    requirements=_("Found on site on %(day)s at %(place)s.")
                    % {"day": held_on.isoformat(), "place": place},
                    lead_department=point.department,
                    responsible=point.responsible,
                    deadline=point.deadline,
                    leader=leader,
                    officer=by,
                    profile=profile,
                    source=Source.ON_SITE,
                    source_object=inspection,
                    source_text=title,
                    parent=item,
                )
            except DomainError as error:
                raise DomainError(
                    {
                        "points": _("Rectification point %(n)s: %(reason)s")
                        % {"n": number, "reason": " ".join(error.messages)}
                    },
                    code=getattr(error, "code", None) or "invalid_point",
                ) from error
        audit_record(
            actor=by,
            action="supervision.inspection_record",
            target=inspection,
            data={"points": len(points), "departments": [d.pk for d in departments]},
        )
    return inspection


# --- clock profiles (administrators) -----------------------------------------------


def profile_save(
    *,
    by: User,
    profile: ClockProfile | None,
    code: str,
    name: str,
    description: str,
    day_basis: str,
    yellow_days: int,
    nodes: list[dict[str, Any]],
    ladder: list[dict[str, Any]],
    is_active: bool = True,
) -> ClockProfile:
    """Create or change a clock profile (data, not code).

    Items already issued keep the node dates computed then; the threshold of yellow
    and the ladder apply to every running item of the profile from now on.
    """
    from zhiban.supervision.escalation import ladder_errors

    if not policies.can_keep_profiles(by):
        raise PermissionDeniedError(
            _("Only an administrator or the office director keeps the clocks.")
        )
    name = _text(name, "name", required=True, limit=60)
    code = (code or "").strip()
    if profile is None and not code:
        raise DomainError({"code": _("This field is required.")}, code="required")
    if day_basis not in DayBasis.values:
        raise DomainError(
            {"day_basis": _("Choose how days are counted.")}, code="basis"
        )
    if not 0 <= yellow_days <= 30:
        raise DomainError(
            {"yellow_days": _("Yellow may start 0 to 30 days before a node.")},
            code="yellow_days",
        )
    node_problems = clock.profile_node_errors(nodes)
    if node_problems:
        raise DomainError({"nodes": node_problems}, code="invalid_nodes")
    ladder_problems = ladder_errors(ladder)
    if ladder_problems:
        raise DomainError({"ladder": ladder_problems}, code="invalid_ladder")
    with transaction.atomic():
        if profile is None:
            if ClockProfile.objects.filter(code=code).exists():
                raise DomainError(
                    {"code": _("Another clock has this code.")}, code="code_taken"
                )
            profile = ClockProfile(code=code)
        else:
            profile = ClockProfile.objects.select_for_update().get(pk=profile.pk)
        profile.name = name
        profile.description = description.strip()
        profile.day_basis = day_basis
        profile.yellow_days = yellow_days
        profile.nodes = nodes
        profile.ladder = ladder
        profile.is_active = is_active
        try:
            profile.full_clean()
        except ValidationError as error:
            raise DomainError(error.message_dict, code="invalid") from error
        profile.save()
        audit_record(
            actor=by,
            action="supervision.profile_save",
            target=profile,
            data={"code": profile.code, "nodes": nodes, "ladder": ladder},
        )
    return profile
