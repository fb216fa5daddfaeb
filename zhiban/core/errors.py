"""Errors that services raise and views turn into clear, translated messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the business was broken; the message is for the user.

    It is a ValidationError so that forms and DRF serializers show it by field.
    Unlike a ValidationError, it keeps its ``code`` when the message is a dict of
    field errors or a list, so that callers can tell refusals apart.
    """

    def __init__(self, message: Any, code: str | None = None, params: Any = None):
        super().__init__(message, code, params)
        if code is not None and not hasattr(self, "code"):
            self.code = code


class PermissionDeniedError(DomainError):
    """The user may not do this."""
