"""Forms of the supervision pages: they parse input; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.org.forms import BootstrapMixin, DepartmentChoiceField
from zhiban.supervision.models import (
    ClockProfile,
    DayBasis,
    Escalation,
    Grade,
    ItemType,
    ReportCycle,
    Source,
    Step,
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


class ExtensionForm(BootstrapMixin, forms.Form):
    new_due = forms.DateField(label=_("Extend to"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("Why more time is needed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
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


POINT_ROWS = 5


class InspectionForm(BootstrapMixin, forms.Form):
    """An on-site supervision; people and departments come from the pickers."""

    title = forms.CharField(label=_("Subject"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200)
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    profile = forms.ModelChoiceField(
        label=_("Clock of the rectification items"),
        queryset=ClockProfile.objects.filter(is_active=True),
        empty_label=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, POINT_ROWS + 1):
            self.fields[f"point_text_{index}"] = forms.CharField(
                label=_("Point %(n)s to put right") % {"n": index},
                required=False,
                max_length=1000,
            )
            self.fields[f"point_department_{index}"] = DepartmentChoiceField(
                label=_("Point %(n)s: department") % {"n": index},
                required=False,
                empty_label=_("(department that puts it right)"),
            )
            self.fields[f"point_deadline_{index}"] = forms.DateField(
                label=_("Point %(n)s: deadline") % {"n": index},
                required=False,
                widget=DATE_WIDGET,
            )
        for name, field in self.fields.items():
            if name.startswith("point_"):
                css = "form-select" if "department" in name else "form-control"
                field.widget.attrs["class"] = css
                field.widget.attrs["aria-label"] = str(field.label)
                if name.startswith("point_text_"):
                    field.widget.attrs["placeholder"] = str(field.label)

    def point_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (
                self[f"point_text_{index}"],
                self[f"point_department_{index}"],
                self[f"point_deadline_{index}"],
            )
            for index in range(1, POINT_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        points = []
        for index in range(1, POINT_ROWS + 1):
            text = (data.get(f"point_text_{index}") or "").strip()
            department = data.get(f"point_department_{index}")
            deadline = data.get(f"point_deadline_{index}")
            if text and department is None:
                self.add_error(
                    f"point_department_{index}", _("Choose who puts this right.")
                )
            elif (department is not None or deadline) and not text:
                self.add_error(f"point_text_{index}", _("Say what is to be put right."))
            elif text and department is not None:
                points.append((text, department, deadline))
        data["points"] = points
        return data


NODE_ROWS = 6
STEP_CHOICES = [
    ("", _("(unused row)")),
    (Step.SIGN, Step.SIGN.label),
    (Step.PLAN, Step.PLAN.label),
    (Step.COMPLETE, Step.COMPLETE.label),
]
LADDER_RUNGS = ("handler", "head", "leader")


class ProfileForm(BootstrapMixin, forms.Form):
    """A clock profile: its nodes as rows, its ladder as three rungs."""

    code = forms.SlugField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=pgettext_lazy("clock", "Name"), max_length=60)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    day_basis = forms.ChoiceField(label=_("Days counted"), choices=DayBasis.choices)
    yellow_days = forms.IntegerField(
        label=_("Yellow this many days before a node"), min_value=0, max_value=30
    )
    is_active = forms.BooleanField(label=_("In use"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = ItemType.choices
        for index in range(1, NODE_ROWS + 1):
            self.fields[f"node_label_{index}"] = forms.CharField(
                label=_("Node %(n)s: name") % {"n": index},
                required=False,
                max_length=100,
            )
            self.fields[f"node_step_{index}"] = forms.ChoiceField(
                label=_("Node %(n)s: fulfilled by") % {"n": index},
                choices=STEP_CHOICES,
                required=False,
            )
            self.fields[f"node_days_{index}"] = forms.IntegerField(
                label=_("Node %(n)s: days") % {"n": index}, required=False, min_value=0
            )
            self.fields[f"node_months_{index}"] = forms.IntegerField(
                label=_("Node %(n)s: months") % {"n": index},
                required=False,
                min_value=1,
            )
            self.fields[f"node_types_{index}"] = forms.MultipleChoiceField(
                label=_("Node %(n)s: only for") % {"n": index},
                choices=types,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        for rung in LADDER_RUNGS:
            self.fields[f"rung_{rung}_light"] = forms.ChoiceField(
                label=Escalation.Rung(rung).label,
                choices=[
                    ("", _("(not sent)")),
                    ("yellow", _("At yellow")),
                    ("red", _("At red")),
                ],
                required=False,
            )
            self.fields[f"rung_{rung}_after"] = forms.IntegerField(
                label=_("and days overdue over"),
                required=False,
                min_value=0,
                max_value=60,
            )
        for name, field in self.fields.items():
            if name.startswith(("node_", "rung_")) and not isinstance(
                field.widget, forms.CheckboxSelectMultiple
            ):
                field.widget.attrs["class"] = (
                    "form-select form-select-sm"
                    if isinstance(field.widget, forms.Select)
                    else "form-control form-control-sm"
                )

    def node_rows(self) -> list[list[Any]]:
        return [
            [
                self[f"node_{part}_{index}"]
                for part in ("label", "step", "days", "months", "types")
            ]
            for index in range(1, NODE_ROWS + 1)
        ]

    def rung_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"rung_{r}_light"], self[f"rung_{r}_after"]) for r in LADDER_RUNGS
        ]

    @staticmethod
    def initial_for(profile: ClockProfile | None) -> dict[str, Any]:
        if profile is None:
            return {"day_basis": DayBasis.WORKING, "yellow_days": 1, "is_active": True}
        initial: dict[str, Any] = {
            "code": profile.code,
            "name": profile.name,
            "description": profile.description,
            "day_basis": profile.day_basis,
            "yellow_days": profile.yellow_days,
            "is_active": profile.is_active,
        }
        for index, node in enumerate(profile.nodes[:NODE_ROWS], start=1):
            initial[f"node_label_{index}"] = node.get("label", "")
            initial[f"node_step_{index}"] = node.get("step", "")
            initial[f"node_days_{index}"] = node.get("days")
            initial[f"node_months_{index}"] = node.get("months")
            initial[f"node_types_{index}"] = node.get("types") or []
        for rung in profile.ladder:
            initial[f"rung_{rung.get('rung')}_light"] = rung.get("light", "")
            initial[f"rung_{rung.get('rung')}_after"] = rung.get("after_days", 0)
        return initial

    def nodes(self, existing: ClockProfile | None) -> list[dict[str, Any]]:
        """Return the node rows as the profile stores them (keys kept where they were)."""
        old_keys = [n.get("key") for n in existing.nodes] if existing else []
        data, nodes = self.cleaned_data, []
        for index in range(1, NODE_ROWS + 1):
            step = data.get(f"node_step_{index}")
            if not step:
                continue
            key = old_keys[index - 1] if index - 1 < len(old_keys) else f"node{index}"
            node: dict[str, Any] = {
                "key": key or f"node{index}",
                "label": (data.get(f"node_label_{index}") or "").strip(),
                "step": step,
            }
            if data.get(f"node_months_{index}"):
                node["months"] = data[f"node_months_{index}"]
            if data.get(f"node_days_{index}") is not None:
                node["days"] = data[f"node_days_{index}"]
            if data.get(f"node_types_{index}"):
                node["types"] = list(data[f"node_types_{index}"])
            nodes.append(node)
        return nodes

    def ladder(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "rung": rung,
                "light": data[f"rung_{rung}_light"],
                "after_days": data.get(f"rung_{rung}_after") or 0,
            }
            for rung in LADDER_RUNGS
            if data.get(f"rung_{rung}_light")
        ]
