"""Errors that services raise and views turn into clear, translated messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the business was broken; the message is for the user.

    It is a ValidationError so that forms and DRF serializers show it by field.
    """


class PermissionDeniedError(DomainError):
    """The user may not do this."""
