"""Forms of the supervision pages: they parse input; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhiban.org.forms import BootstrapMixin
from zhiban.supervision.models import (
    ClockProfile,
    Grade,
    ItemType,
    ReportCycle,
    Source,
    SupervisionItem,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MILESTONE_ROWS = 5


class ItemForm(BootstrapMixin, forms.Form):
    """A new supervision item; people and departments come from the pickers."""

    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    requirements = forms.CharField(
        label=_("Requirements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    source_text = forms.CharField(
        label=_("Source details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text=_("The instruction, decision or assignment, in its own words."),
    )
    item_type = forms.ChoiceField(label=_("Type"), choices=ItemType.choices)
    profile = forms.ModelChoiceField(
        label=_("Clock"),
        queryset=ClockProfile.objects.filter(is_active=True),
        empty_label=None,
    )
    report_cycle = forms.ChoiceField(
        label=_("Periodic report"), choices=ReportCycle.choices, required=False
    )
    deadline = forms.DateField(
        label=_("Custom deadline"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty to use the clock's completion node."),
    )


class SignForm(BootstrapMixin, forms.Form):
    arrangement = forms.CharField(
        label=_("How the department arranges the work"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class PlanForm(BootstrapMixin, forms.Form):
    """The plan, with up to five milestones (date and description)."""

    plan = forms.CharField(
        label=_("Plan and first progress"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, MILESTONE_ROWS + 1):
            self.fields[f"milestone_date_{index}"] = forms.DateField(
                label=_("Milestone %(n)s: date") % {"n": index},
                required=False,
                widget=DATE_WIDGET,
            )
            self.fields[f"milestone_label_{index}"] = forms.CharField(
                label=_("Milestone %(n)s: what is done by then") % {"n": index},
                required=False,
                max_length=100,
            )
        # The mixin styled the fields that existed before these were added.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def milestone_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"milestone_date_{index}"], self[f"milestone_label_{index}"])
            for index in range(1, MILESTONE_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        milestones: list[tuple[datetime.date, str]] = []
        for index in range(1, MILESTONE_ROWS + 1):
            day = data.get(f"milestone_date_{index}")
            label = (data.get(f"milestone_label_{index}") or "").strip()
            if day and not label:
                self.add_error(
                    f"milestone_label_{index}", _("Say what is done by this date.")
                )
            elif label and not day:
                self.add_error(
                    f"milestone_date_{index}", _("Give this milestone a date.")
                )
            elif day and label:
                milestones.append((day, label))
        data["milestones"] = milestones
        return data


class ReportForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    node = forms.TypedChoiceField(
        label=_("This report fulfils"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, nodes: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["node"]
        field.choices = [("", _("(no node: a progress note)"))] + [
            (node.pk, f"{node.label} · {node.due_on:%Y-%m-%d}") for node in nodes or []
        ]


class CompletionForm(BootstrapMixin, forms.Form):
    summary = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class VerifyForm(BootstrapMixin, forms.Form):
    """Close with a grade, or return with the reason (and a new date)."""

    grade = forms.ChoiceField(
        label=_("Grade"), choices=[("", _("(choose)")), *Grade.choices], required=False
    )
    reason = forms.CharField(
        label=_("Reason or comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text=_("Required to return the item or to grade it as failed."),
    )
    due_on = forms.DateField(
        label=_("Rework due on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Only when returning; empty keeps the completion date."),
    )


class ReviewForm(BootstrapMixin, forms.Form):
    opinion = forms.CharField(
        label=_("Opinion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class UrgeForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class FilterForm(forms.Form):
    """The list's filters; invalid values are ignored, not errors."""

    state = forms.ChoiceField(
        required=False, choices=[("", _("All states")), *SupervisionItem.State.choices]
    )
    light = forms.CharField(required=False)
    department = forms.IntegerField(required=False)
    source = forms.ChoiceField(
        required=False,
        choices=[("", _("All sources")), *Source.choices],
        widget=forms.Select(
            attrs={
                "class": "form-select",
                "data-autosubmit": "",
                "aria-label": _("Source"),
            }
        ),
    )
    q = forms.CharField(required=False, max_length=100)
    scope = forms.CharField(required=False)
    leader = forms.IntegerField(required=False)
    issued_from = forms.DateField(required=False)
    issued_to = forms.DateField(required=False)


class ScopeForm(forms.Form):
    """The dashboard's drill-down; invalid values are ignored, not errors."""

    department = forms.IntegerField(required=False, min_value=1)
    leader = forms.IntegerField(required=False, min_value=1)
    source = forms.ChoiceField(required=False, choices=[("", ""), *Source.choices])
    issued_from = forms.DateField(required=False)
    issued_to = forms.DateField(required=False)


class AssessmentRuleForm(BootstrapMixin, forms.Form):
    """The assessment's weights and the points each grade is worth."""

    feedback_weight = forms.DecimalField(
        label=_("Feedback on time (points)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    completion_weight = forms.DecimalField(
        label=_("Completion on time (points)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    quality_weight = forms.DecimalField(
        label=_("Grades (points)"), min_value=0, max_value=100, decimal_places=1
    )
    return_penalty = forms.DecimalField(
        label=_("Points off per return"), min_value=0, max_value=100, decimal_places=1
    )
    overdue_penalty = forms.DecimalField(
        label=_("Points off per overdue node"),
        min_value=0,
        max_value=100,
        decimal_places=1,
    )
    excellent = forms.IntegerField(
        label=_("Excellent is worth (of 100)"), min_value=0, max_value=100
    )
    good = forms.IntegerField(
        label=_("Good is worth (of 100)"), min_value=0, max_value=100
    )
    passed = forms.IntegerField(
        label=_("Pass is worth (of 100)"), min_value=0, max_value=100
    )
    fail = forms.IntegerField(
        label=_("Fail is worth (of 100)"), min_value=0, max_value=100
    )
