"""Local accounts: Django's own sign-in by password, reading the session user cheaply."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend; the signed-in user of each request is read by one statement.

    ``get_user`` runs on every page and API call of a signed-in user; Django's compiles
    a queryset each time (bench/README.md). The rule is the same: the user with the id,
    if active.
    """

    def get_user(self, user_id: Any) -> Any:
        from zhiban.org.selectors import user_active_get

        return user_active_get(user_id=user_id)
