"""LDAP / Active Directory sign-in that never stops local accounts from signing in.

python-ldap and django-auth-ldap are an optional extra (`pip install -e '.[ldap]'`):
this module imports without them and the backend then simply declines.

The rules:
- LDAP is off while `LDAP_URI` is empty.
- Local accounts (`is_ldap=False`) never go to the directory, so an LDAP entry with the
  same name cannot take over a local account such as `admin`, and a local sign-in never
  waits for a slow directory.
- A user who signs in through LDAP the first time is created (`is_ldap=True`, no local
  password) and updated from the directory on every sign-in (`services.ldap_user_sync`).
- The department: the entry's department attribute is a department code. A known
  code becomes the user's primary department (with a membership); on a move the plain
  membership of the old department is removed (a head/deputy one is kept). An unknown
  code creates the department, named after its code for an administrator to rename,
  at the top of the unit `LDAP_DEFAULT_UNIT_CODE` (`ZHIBAN_LDAP_DEFAULT_UNIT`) or,
  when that is empty or unknown, of the headquarters unit; with neither the user
  signs in without a department. Either way it is audited.
- Odd attributes (missing, multi-valued, not UTF-8, too long, invalid) never stop a
  sign-in: the first usable value is taken or the field keeps its value, and the
  problem is logged and audited (`accounts.ldap_sync` data "problems").
- When the directory cannot be reached (down, timeout, refused service bind) the
  backend returns None quickly (network and operation timeouts are `LDAP_TIMEOUT`)
  and records the outage in the cache; the login page shows a notice while it is
  recent. A successful LDAP sign-in clears it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

OUTAGE_CACHE_KEY = "accounts:ldap-outage"
# How long the login page keeps saying the directory is unavailable after a failure.
OUTAGE_NOTICE_SECONDS = 300


def ldap_enabled() -> bool:
    """Return whether an LDAP server is configured."""
    return bool(settings.LDAP_URI)


def ldap_installed() -> bool:
    """Return whether python-ldap and django-auth-ldap can be imported."""
    try:
        import django_auth_ldap.backend  # noqa: F401
        import ldap  # noqa: F401
    except ImportError:
        return False
    return True


def outage_record(*, reason: str) -> None:
    """Remember that the directory could not be reached just now."""
    cache.set(
        OUTAGE_CACHE_KEY, {"at": time.time(), "reason": reason}, OUTAGE_NOTICE_SECONDS
    )


def outage_clear() -> None:
    """Forget a recorded outage: the directory answered."""
    cache.delete(OUTAGE_CACHE_KEY)


def outage_recent() -> bool:
    """Return whether LDAP is configured and failed within the notice period."""
    return ldap_enabled() and cache.get(OUTAGE_CACHE_KEY) is not None


def _directory_backend_class() -> type:
    """Return django-auth-ldap's backend, adapted; import only when needed."""
    from django_auth_ldap.backend import LDAPBackend

    class DirectoryBackend(LDAPBackend):  # type: ignore[misc]
        """django-auth-ldap, configured from our settings, writing nothing itself.

        It binds and searches; the Django user it returns is a throwaway that is never
        saved (`get_or_build_user` says "not built", `ALWAYS_UPDATE_USER` is off), so
        no database write happens during network I/O. `ldap_user_sync` then writes
        everything in one transaction.
        """

        settings_prefix = "ZHIBAN_LDAP_UNUSED_"  # every setting comes from defaults

        def __init__(self, options: dict[str, Any]) -> None:
            self.default_settings = options

        def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
            return self.get_user_model()(username=username), False

    return DirectoryBackend


def directory_options() -> dict[str, Any]:
    """Return django-auth-ldap's settings built from ours (read at call time)."""
    import ldap
    from django_auth_ldap.config import LDAPSearch

    timeout = max(1, int(settings.LDAP_TIMEOUT))
    attributes = [name for name in settings.LDAP_ATTRIBUTES.values() if name]
    return {
        "SERVER_URI": settings.LDAP_URI,
        "BIND_DN": settings.LDAP_BIND_DN,
        "BIND_PASSWORD": settings.LDAP_BIND_PASSWORD,
        "USER_SEARCH": LDAPSearch(
            settings.LDAP_USER_SEARCH_BASE,
            ldap.SCOPE_SUBTREE,
            settings.LDAP_USER_FILTER,
            attrlist=attributes,
        ),
        "ALWAYS_UPDATE_USER": False,
        "USER_ATTR_MAP": {},
        "CACHE_TIMEOUT": 0,
        "CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,
        },
    }


# The errors that mean "the directory is not there", as opposed to a wrong password.
_OUTAGE_ERRORS = (
    "SERVER_DOWN",
    "TIMEOUT",
    "TIMELIMIT_EXCEEDED",
    "CONNECT_ERROR",
    "UNAVAILABLE",
    "BUSY",
    "INVALID_CREDENTIALS",  # of the service account: a configuration problem
    "INAPPROPRIATE_AUTH",
)


def _is_outage(error: BaseException) -> bool:
    import ldap

    return any(
        isinstance(error, getattr(ldap, name)) for name in _OUTAGE_ERRORS
    ) or isinstance(error, OSError)


class ResilientLDAPBackend(BaseBackend):
    """Authenticate against LDAP when configured; do nothing otherwise."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Return the signed-in LDAP user, or None (and never raise)."""
        if not ldap_enabled() or not username or not password:
            return None
        if not ldap_installed():
            logger.warning("LDAP is configured but python-ldap is not installed.")
            return None
        from zhiban.org.models import User

        username = username.strip()
        existing = User.objects.filter(username__iexact=username).first()
        if existing is not None and (not existing.is_ldap or not existing.is_active):
            # Local accounts stay local; a deactivated account stays out.
            return None
        found = self._directory_lookup(request, username, password)
        if found is None:
            return None
        dn, attributes = found
        from zhiban.accounts.services import LdapSyncError, ldap_user_sync

        try:
            return ldap_user_sync(
                username=existing.username if existing else username.lower(),
                dn=dn,
                attributes=attributes,
            )
        except LdapSyncError:
            return None

    def get_user(self, user_id: Any) -> Any:
        """Return the active user of a session this backend signed in."""
        from zhiban.org.selectors import user_active_get

        return user_active_get(user_id=user_id)

    def _directory_lookup(
        self, request: HttpRequest | None, username: str, password: str
    ) -> tuple[str, dict[str, list[Any]]] | None:
        """Bind as the user; return (dn, attributes) or None. Record outages."""
        import ldap
        from django_auth_ldap.backend import ldap_error

        problems: list[BaseException] = []
        unexpected = False

        def on_error(*, exception: BaseException, **_: Any) -> None:
            problems.append(exception)

        backend_class = _directory_backend_class()
        ldap_error.connect(on_error, sender=backend_class, weak=False)
        started = time.monotonic()
        try:
            directory = backend_class(directory_options())
            placeholder = directory.authenticate(
                request, username=username, password=password
            )
            if placeholder is None:
                return None
            ldap_user = placeholder.ldap_user
            return ldap_user.dn, dict(ldap_user.attrs or {})
        except (ldap.LDAPError, OSError) as error:
            problems.append(error)
            return None
        except Exception:
            # A directory oddity must not turn the login page into a 500.
            logger.exception("LDAP sign-in of %r failed unexpectedly.", username)
            unexpected = True
            return None
        finally:
            ldap_error.disconnect(on_error, sender=backend_class)
            outages = [error for error in problems if _is_outage(error)]
            if outages:
                reason = type(outages[0]).__name__
                logger.warning(
                    "LDAP directory unavailable (%s after %.1f s); local accounts "
                    "only.",
                    reason,
                    time.monotonic() - started,
                )
                outage_record(reason=reason)
            elif unexpected:
                outage_record(reason="error")
            elif not problems:
                outage_clear()
