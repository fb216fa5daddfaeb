"""Forms of the seal pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiban.org.forms import BootstrapMixin, DepartmentChoiceField, UserChoiceField
from zhiban.org.models import Unit
from zhiban.seals.models import Seal


class SealForm(BootstrapMixin, forms.Form):
    """Add or edit a seal of the register."""

    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Seal.Kind.choices)
    unit = forms.ModelChoiceField(
        label=_("unit"), queryset=Unit.objects.filter(is_active=True)
    )
    department = DepartmentChoiceField(
        label=_("department"),
        required=False,
        help_text=_("Only for a department seal."),
    )
    keeper = UserChoiceField(label=_("keeper"))
    deputy_keeper = UserChoiceField(label=_("deputy keeper"), required=False)
    location = forms.CharField(label=_("kept at"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_for(seal: Seal) -> dict[str, Any]:
        """Return the form's initial values for an existing seal."""
        return {
            "name": seal.name,
            "kind": seal.kind,
            "unit": seal.unit_id,
            "department": seal.department_id,
            "keeper": seal.keeper_id,
            "deputy_keeper": seal.deputy_keeper_id,
            "location": seal.location,
            "notes": seal.notes,
        }

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned values as the services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "unit": data["unit"],
            "department": data["department"],
            "keeper": data["keeper"],
            "deputy_keeper": data["deputy_keeper"],
            "location": data["location"],
            "notes": data["notes"],
        }


class StampForm(BootstrapMixin, forms.Form):
    """Record the stamping of an approved request."""

    stamped_at = forms.DateTimeField(
        label=_("stamped at"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    copies = forms.IntegerField(label=_("copies stamped"), min_value=1)
    scan = forms.FileField(
        label=_("scan or photo"),
        help_text=_("A PDF, JPEG or PNG of the stamped document."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            }
        ),
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, copies_approved: int, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "stamped_at": timezone.localtime().replace(second=0, microsecond=0),
                "copies": copies_approved,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["copies"].widget.attrs.update({"min": 1, "max": copies_approved})
        self.fields["copies"].help_text = _("At most %(n)s (approved).") % {
            "n": copies_approved
        }
