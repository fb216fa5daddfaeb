"""Validators of organisation data shared by services, forms and the import."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value: str) -> str:
    """Return the mobile number without spaces, dashes or a +86 prefix."""
    cleaned = re.sub(r"[\s\-]", "", value or "")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    elif cleaned.startswith("0086"):
        cleaned = cleaned[4:]
    return cleaned


def validate_mobile(value: str) -> None:
    """Refuse anything but an 11-digit mainland mobile number (empty is allowed)."""
    if value and not MOBILE_RE.match(value):
        raise ValidationError(
            _("“%(value)s” is not a valid mobile number (11 digits starting with 1).")
            % {"value": value},
            code="invalid_mobile",
        )
