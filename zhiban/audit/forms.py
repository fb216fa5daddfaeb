"""The filter form of the audit trail page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.audit.selectors import AuditFilters


def object_type_choices() -> list[tuple[str, str]]:
    """Return every model of the platform as (label, 'App · model') choices."""
    choices = [("", str(_("Any kind of object")))]
    for model in apps.get_models():
        if not model.__module__.startswith("zhiban."):
            continue
        meta = model._meta
        choices.append(
            (meta.label_lower, f"{meta.app_config.verbose_name} · {meta.verbose_name}")
        )
    return choices


class AuditFilterForm(forms.Form):
    """Narrow the trail by object, person, action and time."""

    object_type = forms.ChoiceField(label=_("Object kind"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    user = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        help_text=_("Sign-in name, employee number or full name."),
    )
    action = forms.CharField(
        label=pgettext_lazy("audit", "Action"),
        required=False,
        max_length=64,
        help_text=_("The start of the action, e.g. notices."),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        object_type = cast("forms.ChoiceField", self.fields["object_type"])
        object_type.choices = object_type_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error(
                "date_to", _("The end date must not be before the start date.")
            )
        return cleaned

    def filters(self) -> AuditFilters:
        """Return the valid filters (empty ones when the form is invalid)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            object_type=data["object_type"],
            object_id=data["object_id"].strip(),
            user=data["user"].strip(),
            action=data["action"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
