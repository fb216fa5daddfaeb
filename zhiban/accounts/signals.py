"""Write sign-in, sign-out, failed sign-in and lockout to the audit trail.

Django and django-axes announce these only as signals, so this is the one place
where accounts listens to signals. axes' own receivers run first (axes is earlier in
INSTALLED_APPS), so a failed attempt already knows whether it locked the account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.http import HttpRequest

from zhiban.audit.services import audit_record


def _ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(
        getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    )


def on_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Record a sign-in."""
    audit_record(
        actor=user,
        action="accounts.sign_in",
        target=user,
        data={"method": "ldap" if user.is_ldap else "local", "ip": _ip(request)},
    )


def on_logged_out(
    sender: Any, request: HttpRequest, user: Any = None, **kwargs: Any
) -> None:
    """Record a sign-out (nothing when nobody was signed in)."""
    if user is None or not getattr(user, "pk", None):
        return
    audit_record(
        actor=user, action="accounts.sign_out", target=user, data={"ip": _ip(request)}
    )


def on_login_failed(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """Record a refused sign-in, and the lockout when this attempt caused it."""
    username = str(credentials.get("username") or "")[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    failures = getattr(request, "axes_failures_since_start", None)
    audit_record(
        actor=None,
        action="accounts.sign_in_failed",
        data={"username": username, "ip": _ip(request), "locked_out": locked},
    )
    if locked and failures is not None:
        # axes counted this failure and it reached the limit: the lock starts now.
        audit_record(
            actor=None,
            action="accounts.lockout",
            data={"username": username, "ip": _ip(request), "failures": failures},
        )


def connect() -> None:
    """Connect the receivers (called once from AccountsConfig.ready)."""
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.audit.logged_out")
    user_login_failed.connect(
        on_login_failed, dispatch_uid="accounts.audit.login_failed"
    )
