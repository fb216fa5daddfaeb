"""Forms of the personal pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhiban.inbox.models import ChannelPreference


class PreferencesForm(forms.Form):
    """My interface language and which outside channels notify me."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Interface language"), choices=settings.LANGUAGES
        )
        for channel, label in ChannelPreference.Channel.choices:
            self.fields[channel] = forms.BooleanField(
                label=label,
                required=False,
                help_text=_("Also send my notifications through this channel."),
            )

    def channel_fields(self) -> list[forms.BoundField]:
        """Return the channel switches, in the order the inbox lists them."""
        return [self[channel] for channel in ChannelPreference.Channel.values]
