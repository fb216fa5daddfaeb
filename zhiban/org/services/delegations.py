"""Delegation while away (委托)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org import policies
from zhiban.org.models import Delegation, User
from zhiban.org.work_kinds import is_delegable, is_known_work_kind


@transaction.atomic
def delegation_create(
    *,
    by: User,
    delegator: User,
    delegate: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    kinds: Iterable[str] = (),
    reason: str = "",
    today: datetime.date | None = None,
) -> Delegation:
    """Send the delegator's work items of these kinds (all when empty) to the delegate.

    A user may delegate their own work; administrators may set up anyone's.
    """
    if not policies.can_manage_delegations_of(by, delegator):
        raise PermissionDeniedError(
            _("You may only set up your own delegations."), code="forbidden"
        )
    today = today or timezone.localdate()
    kind_list = sorted(set(kinds))
    errors: dict[str, list[str]] = {}
    if delegate.pk == delegator.pk:
        errors.setdefault("delegate", []).append(
            _("A delegation must go to someone else.")
        )
    elif not delegate.is_active:
        errors.setdefault("delegate", []).append(
            _("“%(name)s” is deactivated and cannot receive a delegation.")
            % {"name": delegate.display_name}
        )
    if ends_on < starts_on:
        errors.setdefault("ends_on", []).append(
            _("The end date must be on or after the start date.")
        )
    elif ends_on < today:
        errors.setdefault("ends_on", []).append(_("The end date is in the past."))
    unknown = [kind for kind in kind_list if not is_known_work_kind(kind)]
    if unknown:
        errors.setdefault("kinds", []).append(
            _("Unknown kind(s) of work: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )
    personal = [
        kind for kind in kind_list if kind not in unknown and not is_delegable(kind)
    ]
    if personal:
        errors.setdefault("kinds", []).append(
            _(
                "These kinds of work stay with the person and cannot be delegated: %(kinds)s."
            )
            % {"kinds": ", ".join(personal)}
        )
    if not errors:
        overlapping = Delegation.objects.filter(
            delegator=delegator,
            is_active=True,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        for other in overlapping:
            shared = (
                not kind_list or not other.kinds or set(kind_list) & set(other.kinds)
            )
            if shared:
                errors.setdefault("starts_on", []).append(
                    _(
                        "This overlaps the delegation to %(name)s from %(start)s to "
                        "%(end)s for the same kinds of work; end that one first."
                    )
                    % {
                        "name": other.delegate.display_name,
                        "start": other.starts_on.isoformat(),
                        "end": other.ends_on.isoformat(),
                    }
                )
                break
    if errors:
        raise DomainError(errors, code="invalid_delegation")
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        kinds=kind_list,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
    )
    delegation.full_clean()
    delegation.save()
    audit_record(
        actor=by,
        action="org.delegation_create",
        target=delegation,
        on_behalf_of=delegator if by.pk != delegator.pk else None,
        data={
            "delegate": delegate.pk,
            "kinds": kind_list,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return delegation


@transaction.atomic
def delegation_end(*, by: User, delegation: Delegation) -> Delegation:
    """End a delegation now; work items already routed stay where they are."""
    if not policies.can_manage_delegations_of(by, delegation.delegator):
        raise PermissionDeniedError(
            _("You may only end your own delegations."), code="forbidden"
        )
    if not delegation.is_active:
        return delegation
    delegation.is_active = False
    delegation.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=by, action="org.delegation_end", target=delegation)
    return delegation
