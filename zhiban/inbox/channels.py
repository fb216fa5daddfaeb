"""Notification channels behind one interface: in-app, e-mail and webhook."""

from __future__ import annotations

from collections.abc import Iterable

from zhiban.inbox.models import Notification


def dispatch(*, notifications: Iterable[Notification]) -> None:
    """Queue the outside-channel deliveries of notifications (in-app needs none)."""
    # Filled in with the e-mail and webhook channels.
    return None
