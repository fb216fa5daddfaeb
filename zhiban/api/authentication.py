"""API token authentication, reading the token and its user by one statement."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from zhiban.core import rows
from zhiban.org.models import User


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token <key>``), the same answers.

    The token and its user are read by one statement written once
    (``zhiban.core.rows``) instead of a compiled ``select_related`` query: it is on
    every API call, an approval's included (bench/README.md).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        found = rows.fetch(
            f"SELECT {rows.select_list(Token, 't')}, {rows.select_list(User, 'u')}"  # noqa: S608 - every value is a parameter
            f" FROM {rows.table(Token)} t JOIN {rows.table(User)} u ON u.id = t.user_id"
            " WHERE t.key = %s",
            [key],
            (Token, User),
        )
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, user = found[0]
        Token.user.field.set_cached_value(token, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
