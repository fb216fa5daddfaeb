"""Forms of the notice pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.inbox.models import Urgency
from zhiban.notices.models import Notice, NoticeAttachment
from zhiban.org.models import Department


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes any number of files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DepartmentChoiceField(forms.ModelChoiceField):
    """A department, shown with its unit."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.name} · {obj.name}"


class DepartmentsChoiceField(forms.ModelMultipleChoiceField):
    """Departments, each shown with its unit."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.name} · {obj.name}"


class NoticeForm(forms.Form):
    """Write or edit a draft notice."""

    title = forms.CharField(
        label=pgettext_lazy("notice", "Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    body = forms.CharField(
        label=_("Text"),
        help_text=_("Plain text; a blank line starts a new paragraph."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 10}),
    )
    department = DepartmentChoiceField(
        label=_("Publishing department"),
        queryset=Department.objects.filter(is_active=True).select_related("unit"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    audience = forms.ChoiceField(
        label=_("Send to"),
        choices=Notice.Audience.choices,
        initial=Notice.Audience.EVERYONE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    departments = DepartmentsChoiceField(
        label=_("Departments"),
        help_text=_("Each chosen department includes the departments below it."),
        queryset=Department.objects.filter(is_active=True).select_related("unit"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.NORMAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("After this time the notice moves to the Expired tab."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"class": "form-control", "type": "datetime-local"},
            format="%Y-%m-%dT%H:%M",
        ),
    )
    is_pinned = forms.BooleanField(
        label=_("Pin to the top"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Remove attachments"),
        queryset=NoticeAttachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, notice: Notice | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if notice is not None:
            field = self.fields["remove_attachments"]
            field.queryset = notice.attachments.all()  # type: ignore[attr-defined]
        else:
            del self.fields["remove_attachments"]

    @classmethod
    def initial_for(cls, notice: Notice) -> dict[str, Any]:
        """Return the form's starting values for an existing draft."""
        return {
            "title": notice.title,
            "body": notice.body,
            "department": notice.department_id,
            "audience": notice.audience,
            "departments": list(notice.departments.values_list("pk", flat=True)),
            "urgency": notice.urgency,
            "expires_at": notice.expires_at,
            "is_pinned": notice.is_pinned,
        }

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned values as the services take them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "department": data["department"],
            "audience": data["audience"],
            "departments": list(data["departments"]),
            "urgency": data["urgency"],
            "expires_at": data["expires_at"],
            "is_pinned": data["is_pinned"],
            "attachments": data["attachments"],
        }


class WithdrawForm(forms.Form):
    """Say why a notice is withdrawn."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "placeholder": _("Reason (optional)"),
                "aria-label": _("Reason (optional)"),
            }
        ),
    )
