"""Who may do what with approval flows. Each rule lives here once."""

from __future__ import annotations

from typing import Any

from zhiban.org import policies as org_policies


def can_see_every_instance(user: Any) -> bool:
    """Return whether the user sees every approval (system administrators)."""
    return org_policies.can_administer(user)


def can_design_flows(user: Any) -> bool:
    """Return whether the user may create, design and publish flows (system admins)."""
    return org_policies.can_administer(user)


def can_reassign_tasks(user: Any) -> bool:
    """Return whether the user may hand someone's open task to another person."""
    return org_policies.can_administer(user)


def can_resubmit(user: Any, instance: Any) -> bool:
    """Return whether the user may edit and resubmit the request: its initiator,
    while it is returned to them."""
    from zhiban.workflow.models import FlowInstance

    return bool(
        user.is_authenticated
        and instance.initiator_id == user.pk
        and instance.status == FlowInstance.Status.RETURNED
    )
