"""Who may do what with approval flows. Each rule lives here once."""

from __future__ import annotations

from typing import Any

from zhiban.org import policies as org_policies


def can_see_every_instance(user: Any) -> bool:
    """Return whether the user sees every approval (system administrators)."""
    return org_policies.can_administer(user)
