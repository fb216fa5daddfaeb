"""Password rules beyond Django's own."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require letters and digits in a password."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ValidationError unless the password mixes letters and digits."""
        if not any(c.isalpha() for c in password) or not any(
            c.isdigit() for c in password
        ):
            raise ValidationError(
                _("The password must contain both letters and digits."),
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        """Say what the rule is."""
        return _("Your password must contain both letters and digits.")
