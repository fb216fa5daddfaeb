"""Every write of the seal register and the seal-use ledger.

Each service runs in one transaction and writes its audit entry last; the
keeper's work item is opened and closed only through ``zhiban.inbox.services``.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import inspect_upload
from zhiban.inbox import services as inbox
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Department, Unit, User
from zhiban.seals import policies
from zhiban.seals.models import WORK_ITEM_KIND, Seal, SealUse
from zhiban.workflow.models import FlowInstance

# A scan or photo of the stamped document: PDF, JPEG or PNG.
SCAN_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}
# How far ahead of the server's clock a stamping time may lie (clock skew).
FUTURE_SLACK = datetime.timedelta(minutes=5)


def _refuse_unless_register_keeper(by: User) -> None:
    if not policies.can_manage_register(by):
        raise PermissionDeniedError(
            _("Only the office director or a system administrator keeps the register.")
        )


def _check_seal(seal: Seal) -> None:
    if seal.kind == Seal.Kind.DEPARTMENT:
        if seal.department_id is None:
            raise DomainError(
                {"department": _("A department seal belongs to a department.")},
                code="department_required",
            )
        department = seal.department
        if department is not None and department.unit_id != seal.unit_id:
            raise DomainError(
                {"department": _("The department is not part of the seal's unit.")},
                code="department_unit",
            )
    else:
        seal.department = None
    if seal.deputy_keeper_id is not None and seal.deputy_keeper_id == seal.keeper_id:
        raise DomainError(
            {"deputy_keeper": _("The deputy keeper must be someone else.")},
            code="deputy_is_keeper",
        )
    keepers = [seal.keeper_id, seal.deputy_keeper_id]
    inactive = User.objects.filter(
        pk__in=[k for k in keepers if k], is_active=False
    ).exists()
    if inactive:
        raise DomainError(
            _("A keeper of a seal must be an active user."), code="inactive_keeper"
        )
    taken = (
        Seal.objects.filter(unit_id=seal.unit_id, name=seal.name)
        .exclude(pk=seal.pk)
        .exists()
    )
    if taken:
        raise DomainError(
            {"name": _("The unit already has a seal with this name.")},
            code="seal_name_taken",
        )


def seal_create(
    *,
    by: User,
    name: str,
    kind: str,
    unit: Unit,
    keeper: User,
    department: Department | None = None,
    deputy_keeper: User | None = None,
    location: str = "",
    notes: str = "",
) -> Seal:
    """Add a seal to the register."""
    _refuse_unless_register_keeper(by)
    with transaction.atomic():
        seal = Seal(
            name=name.strip(),
            kind=kind,
            unit=unit,
            department=department,
            keeper=keeper,
            deputy_keeper=deputy_keeper,
            location=location.strip(),
            notes=notes.strip(),
        )
        _check_seal(seal)
        seal.full_clean()
        seal.save()
        audit_record(
            actor=by,
            action="seal.create",
            target=seal,
            data={"name": seal.name, "kind": seal.kind, "keeper": keeper.pk},
        )
    return seal


SEAL_FIELDS = (
    "name",
    "kind",
    "unit",
    "department",
    "keeper",
    "deputy_keeper",
    "location",
    "notes",
)


def seal_update(*, seal: Seal, by: User, **changes: Any) -> Seal:
    """Change a seal of the register; its ledger rows keep pointing at it."""
    _refuse_unless_register_keeper(by)
    unknown = set(changes) - set(SEAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown seal fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Seal.objects.select_for_update().get(pk=seal.pk)
        before = {
            "name": locked.name,
            "keeper": locked.keeper_id,
            "deputy_keeper": locked.deputy_keeper_id,
        }
        for name, value in changes.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        _check_seal(locked)
        locked.full_clean()
        locked.save()
        audit_record(
            actor=by,
            action="seal.update",
            target=locked,
            data={
                "before": before,
                "after": {
                    "name": locked.name,
                    "keeper": locked.keeper_id,
                    "deputy_keeper": locked.deputy_keeper_id,
                },
            },
        )
    return locked


def seal_set_active(*, seal: Seal, active: bool, by: User) -> Seal:
    """Deactivate a seal (no longer offered to requesters) or bring it back."""
    _refuse_unless_register_keeper(by)
    with transaction.atomic():
        locked = Seal.objects.select_for_update().get(pk=seal.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=by,
            action="seal.activate" if active else "seal.deactivate",
            target=locked,
            data={"name": locked.name},
        )
    return locked


# --- the ledger -----------------------------------------------------------------


def _use_title(title: str) -> str:
    return _("Seal use: %(title)s") % {"title": title}


def _copies(value: Any) -> int:
    try:
        copies = int(value)
    except (TypeError, ValueError):
        copies = 0
    return max(copies, 1)


def seal_use_open(*, instance: FlowInstance) -> SealUse:
    """Book an approved seal-use request in the ledger and tell the seal's keeper.

    Runs inside the approving transaction (the flow kind's outcome handler); an
    instance is booked once (its row is unique per instance).
    """
    existing = SealUse.objects.filter(instance=instance).first()
    if existing is not None:
        return existing
    form = instance.form or {}
    seal_id = str(form.get("seal") or "")
    seal = (
        Seal.objects.select_related("keeper").filter(pk=int(seal_id)).first()
        if seal_id.isdigit()
        else None
    )
    if seal is None:
        raise DomainError(
            _("The seal of this request is no longer in the register."),
            code="unknown_seal",
        )
    requester = instance.initiator
    now = instance.finished_at or timezone.now()
    title = str(form.get("document_title") or instance.title)[:200]
    use = SealUse(
        instance=instance,
        seal=seal,
        department_id=requester.primary_department_id,
        requester=requester,
        document_title=title,
        copies_approved=_copies(form.get("copies")),
        approved_at=now,
    )
    use.full_clean(exclude=["instance"])
    use.save()
    # The item is about the approval, so that the keeper may open it (and the
    # document to stamp): the approval's visibility counts its work items.
    item = inbox.work_item_open(
        assignee=seal.keeper,
        kind=WORK_ITEM_KIND,
        title=_use_title(title),
        target=instance,
        url=reverse("seals:stamp", args=[use.pk]),
        reason=_("You keep the seal “%(seal)s”.") % {"seal": seal.name},
        initiator=requester,
    )
    use.work_item = item
    use.save(update_fields=["work_item", "updated_at"])
    audit_record(
        actor=None,
        action="seal.use_open",
        target=use,
        data={
            "instance": instance.pk,
            "seal": seal.pk,
            "copies": use.copies_approved,
        },
    )
    return use


def seal_use_revoke(*, instance: FlowInstance) -> SealUse | None:
    """Mark the ledger row of a revoked request revoked and close the keeper's item."""
    use = SealUse.objects.select_for_update().filter(instance=instance).first()
    if use is None or use.status == SealUse.Status.REVOKED:
        return use
    was = use.status
    use.status = SealUse.Status.REVOKED
    use.revoked_at = instance.finished_at or timezone.now()
    use.save(update_fields=["status", "revoked_at", "updated_at"])
    inbox.work_items_close_for(
        target=instance,
        kind=WORK_ITEM_KIND,
        by=None,
        outcome="revoked",
        state=WorkItem.State.CANCELLED,
    )
    audit_record(
        actor=instance.initiator,
        action="seal.use_revoke",
        target=use,
        data={"instance": instance.pk, "was": was},
    )
    return use


def seal_outcome(instance: FlowInstance) -> None:
    """React to a seal-use request's outcome (registered for the flow kind "seal")."""
    if instance.status == FlowInstance.Status.APPROVED:
        seal_use_open(instance=instance)
    elif instance.status == FlowInstance.Status.REVOKED:
        seal_use_revoke(instance=instance)


def seal_use_stamp(
    *,
    use_id: int,
    by: User,
    copies: int,
    scan: IO[bytes] | None,
    scan_name: str = "",
    stamped_at: datetime.datetime | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> SealUse:
    """Record the stamping of an approved request: when, how many copies, a scan.

    Only the seal's keeper or deputy keeper, once: the row is locked, so of two
    keepers recording at once one wins and the other is told it is done.
    """
    now = now or timezone.now()
    at = stamped_at or now
    errors: dict[str, list[str]] = {}
    intake = None
    if scan is None:
        errors["scan"] = [_("Attach a scan or photo of the stamped document.")]
    else:
        try:
            intake = inspect_upload(scan, name=scan_name, allowed=SCAN_TYPES)
        except DomainError as error:
            errors["scan"] = list(error.messages)
    if at > now + FUTURE_SLACK:
        errors["stamped_at"] = [_("The stamping time cannot be in the future.")]
    written: SealUse | None = None
    try:
        with transaction.atomic():
            use = (
                SealUse.objects.select_for_update()
                .select_related("seal")
                .filter(pk=use_id)
                .first()
            )
            if use is None:
                raise DomainError(
                    _("This ledger entry does not exist."), code="no_seal_use"
                )
            if not policies.can_stamp(by, use):
                raise PermissionDeniedError(
                    _("Only the keeper of this seal may record its stamping.")
                )
            if use.status == SealUse.Status.STAMPED:
                raise DomainError(
                    _("The stamping of this request has already been recorded."),
                    code="already_stamped",
                )
            if use.status == SealUse.Status.REVOKED:
                raise DomainError(
                    _("This request was revoked; it may not be stamped."),
                    code="revoked",
                )
            if not 1 <= copies <= use.copies_approved:
                errors["copies"] = [
                    _("Enter a number of copies from 1 to %(n)s (approved).")
                    % {"n": use.copies_approved}
                ]
            if at < use.approved_at - FUTURE_SLACK:
                errors.setdefault("stamped_at", []).append(
                    _("The stamping time cannot be before the approval.")
                )
            if errors:
                raise DomainError(errors, code="invalid_stamping")
            assert intake is not None  # noqa: S101 - checked above
            use.status = SealUse.Status.STAMPED
            use.stamped_at = at
            use.copies_stamped = copies
            use.stamped_by = by
            use.note = note.strip()
            use.scan_name = intake.name[:200]
            use.scan_content_type = intake.content_type
            use.scan_sha256 = intake.sha256
            assert scan is not None  # noqa: S101 - checked above
            use.scan.save(intake.name, _as_file(scan), save=False)
            written = use
            use.save()
            inbox.work_items_close_for(
                target=use.instance, kind=WORK_ITEM_KIND, by=by, outcome="stamped"
            )
            audit_record(
                actor=by,
                action="seal.use_stamp",
                target=use,
                data={
                    "copies": copies,
                    "stamped_at": at.isoformat(),
                    "sha256": intake.sha256,
                },
            )
    except BaseException:
        if written is not None:  # nothing of a refused record stays on disk
            written.scan.delete(save=False)
        raise
    return use


def _as_file(stream: IO[bytes]) -> Any:
    from django.core.files import File

    stream.seek(0)
    return stream if isinstance(stream, File) else File(stream)
