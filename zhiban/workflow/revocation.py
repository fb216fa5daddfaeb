"""Revoking an approved request (撤销) through its own approval.

The initiator asks with a reason; the request runs as a new instance on the
original's *same version* (``revokes`` points at the original), with the same
form and picks, so the same approvers decide. Approving it revokes the original:
the engine's Revoke is appended to the original's log with the initiator as
actor, and the original's outcome handler runs for the revocation. A rejected or
withdrawn request leaves the original approved. The flow type's handler never
runs for the revocation request itself.

This is the only way to the engine's Revoke: ``instance_act(kind="revoke")``
starts the request.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.org.models import User
from zhiban.workflow import engine, services
from zhiban.workflow.facts import DjangoOrgFacts
from zhiban.workflow.models import FlowAction, FlowInstance

IN_APPROVAL = (FlowInstance.Status.RUNNING, FlowInstance.Status.RETURNED)


def _refuse_unless_revocable(original: FlowInstance, by: User) -> None:
    if original.initiator_id != by.pk:
        raise services.domain_error_from(engine.NotInitiator("", ""))
    if original.revokes_id is not None:
        raise DomainError(
            _("A revocation request cannot itself be revoked."),
            code="revoke_revocation",
        )
    if original.status != FlowInstance.Status.APPROVED:
        raise DomainError(
            _("Only an approved request can be revoked."), code="not_approved"
        )
    if not services.definition_of(original.version).allow_revoke:
        raise DomainError(
            _("This flow does not allow revoking an approved request."),
            code=engine.NotAllowedByFlow.code,
        )
    pending = original.revocations.filter(status__in=IN_APPROVAL).first()
    if pending is not None:
        raise DomainError(
            _(
                "A request to revoke this approval is already in approval "
                "(no. %(number)s); wait for its outcome."
            )
            % {"number": pending.pk},
            code="revocation_pending",
        )


def instance_revoke_request(
    *,
    instance: FlowInstance,
    by: User,
    reason: str,
    now: datetime.datetime | None = None,
) -> FlowInstance:
    """Ask to revoke an approved request; return the revocation request started.

    Only the initiator, only an approved instance whose flow allows revoking,
    with a reason, and one request in approval at a time (the original's row is
    locked, so of two requests at once one wins and the other is told why).
    """
    text = reason.strip()
    if not text:
        raise DomainError(
            {"reason": _("Give the reason for revoking.")}, code="reason_required"
        )
    at = now or timezone.now()
    with transaction.atomic():
        original = services.instance_lock(instance_id=instance.pk)
        if original is None:
            raise DomainError(_("This approval does not exist."), code="no_instance")
        _refuse_unless_revocable(original, by)
        state = engine.state_from_dict(original.state)
        revocation = FlowInstance(
            version=original.version,
            initiator=original.initiator,
            title=(_("Revoke: %(title)s") % {"title": original.title})[:200],
            form=dict(original.form),
            revokes=original,
            created_at=at,
            updated_at=at,
        )
        revocation.full_clean()
        revocation.save()
        facts = DjangoOrgFacts()
        facts.remember(original.initiator)
        submit = engine.Submit(
            str(original.initiator_id),
            at,
            form=dict(original.form),
            picks={node: tuple(people) for node, people in state.picks.items()},
        )
        services._apply(
            instance=revocation,
            action=submit,
            by=original.initiator,
            on_behalf_of=None,
            facts=facts,
            now=at,
            comment=text,
        )
        audit_record(
            actor=by,
            action="workflow.instance_revoke_request",
            target=original,
            data={"revocation": revocation.pk, "reason": text},
        )
    return revocation


def _reason_of(revocation: FlowInstance) -> str:
    """Return the reason the revocation request was submitted with."""
    first = (
        FlowAction.objects.filter(instance=revocation, kind=FlowAction.Kind.SUBMIT)
        .order_by("sequence")
        .values_list("comment", flat=True)
        .first()
    )
    return first or ""


def revocation_finished(*, revocation: FlowInstance, now: datetime.datetime) -> None:
    """Carry out a revocation request's outcome on the original (services call this).

    Approved: the original is revoked on behalf of its initiator and its outcome
    handler runs. Rejected or withdrawn: the original stays approved.
    """
    if revocation.status != FlowInstance.Status.APPROVED:
        return
    assert revocation.revokes_id is not None  # noqa: S101 - a revocation request
    original = services.instance_lock(instance_id=revocation.revokes_id)
    assert original is not None  # noqa: S101 - the request's foreign key
    if original.status != FlowInstance.Status.APPROVED:
        raise DomainError(
            _("The approval this request would revoke is no longer approved."),
            code="not_approved",
        )
    initiator = original.initiator
    facts = DjangoOrgFacts()
    facts.remember(initiator)
    text = _reason_of(revocation)
    action = engine.Revoke(str(initiator.pk), now, reason=text)
    services._apply(
        instance=original,
        action=action,
        by=initiator,
        on_behalf_of=None,
        facts=facts,
        now=now,
        comment=_("Revocation request no. %(number)s approved: %(reason)s")
        % {"number": revocation.pk, "reason": text},
    )


__all__ = ["instance_revoke_request", "revocation_finished"]
