"""Forms of the organisation pages. They parse input; the services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.org.models import Department, Post, Role, Unit, User
from zhiban.org.work_kinds import delegable_work_kind_choices


class BootstrapMixin:
    """Give every widget the Bootstrap class it needs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css


class PickerWidget(forms.Widget):
    """Choose people or departments by typing, shown as chips (the org picker).

    A ``<select>`` of every department or person is unusable on a phone; the
    picker (``org/_person_picker.html``, ``js/picker.js``, ``css/picker.css``,
    which the page loads) asks the server as the user types. Each chosen id is
    posted under the field's name, and the field validates them against its
    queryset as before. ``unit_id`` keeps department searches to one unit, for
    a field whose queryset is that unit's departments.
    """

    template_name = "org/_picker_widget.html"

    def __init__(
        self,
        *,
        kind: str = "person",
        multiple: bool = False,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.allow_multiple_selected = multiple
        self.unit_id: int | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        chosen = [value for value in values if value not in (None, "")]
        if self.allow_multiple_selected:
            return chosen
        return chosen[-1] if chosen else None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        # Nothing chosen posts nothing at all, which is a value: none.
        return False

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(item, "pk", item)) for item in values]

    def get_context(
        self, name: str, value: Any, attrs: dict[str, Any] | None
    ) -> dict[str, Any]:
        from zhiban.org.views.picker import chosen_departments, chosen_people

        context = super().get_context(name, value, attrs)
        ids = context["widget"]["value"]
        context["widget"].update(
            kind=self.kind,
            multiple=self.allow_multiple_selected,
            unit=self.unit_id,
            chosen=chosen_departments(ids)
            if self.kind == "department"
            else chosen_people(ids),
        )
        return context


def _empty_label(kwargs: dict[str, Any]) -> Any:
    return _("(none)") if not kwargs.get("required", True) else _("(choose)")


class DepartmentChoiceField(forms.ModelChoiceField):
    """A department, labelled with its unit so that equal names stay apart."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "queryset",
            Department.objects.filter(is_active=True).select_related("unit"),
        )
        kwargs.setdefault("empty_label", _empty_label(kwargs))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.short_name or obj.unit.name} / {obj.name} ({obj.code})"


class UserChoiceField(forms.ModelChoiceField):
    """An active person, labelled with name and employee number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "queryset",
            User.objects.filter(is_active=True).order_by("employee_number"),
        )
        kwargs.setdefault("empty_label", _empty_label(kwargs))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        number = f" ({obj.employee_number})" if obj.employee_number else ""
        return f"{obj.display_name}{number}"


def _units(**kwargs: Any) -> forms.ModelChoiceField:
    kwargs.setdefault("empty_label", _empty_label(kwargs))
    return forms.ModelChoiceField(queryset=Unit.objects.all(), **kwargs)


class UnitForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    short_name = forms.CharField(label=_("short name"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Unit.Kind.choices)
    parent = _units(label=_("parent unit"), required=False)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class DepartmentCreateForm(BootstrapMixin, forms.Form):
    unit = _units(label=_("unit"))
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    parent = DepartmentChoiceField(
        label=_("parent department"),
        queryset=Department.objects.select_related("unit"),
        required=False,
    )
    sort_order = forms.IntegerField(label=_("order"), min_value=0, initial=0)


class DepartmentForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    sort_order = forms.IntegerField(label=_("order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("active"), required=False)


class DepartmentMoveForm(BootstrapMixin, forms.Form):
    unit = _units(label=_("unit"))
    parent = DepartmentChoiceField(
        label=_("parent department"),
        queryset=Department.objects.select_related("unit"),
        required=False,
        help_text=_("Leave empty to make it a top-level department of the unit."),
    )


class OverseeingLeaderForm(BootstrapMixin, forms.Form):
    leader = UserChoiceField(
        label=_("overseeing leader"),
        required=False,
        help_text=_("Leave empty to inherit the parent department's leader."),
    )


class PostForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)


class UserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("sign-in name"), max_length=150)
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=50)
    employee_number = forms.CharField(
        label=_("employee number"), max_length=32, required=False
    )
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    primary_department = DepartmentChoiceField(
        label=_("primary department"), required=False
    )
    post = forms.ModelChoiceField(
        label=_("post"),
        queryset=Post.objects.all(),
        required=False,
        empty_label=_("(none)"),
    )
    title = forms.CharField(label=_("title"), max_length=50, required=False)
    language = forms.ChoiceField(label=_("language"), choices=User.Language.choices)


class UserCreateForm(UserForm):
    password = forms.CharField(
        label=_("initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty for an account that signs in through LDAP only."),
    )
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class RolesForm(BootstrapMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class MembershipForm(BootstrapMixin, forms.Form):
    department = DepartmentChoiceField(label=_("department"))
    title = forms.CharField(label=_("title"), max_length=50, required=False)
    is_head = forms.BooleanField(label=_("head of department"), required=False)
    is_deputy = forms.BooleanField(label=_("deputy head"), required=False)


class DelegationForm(BootstrapMixin, forms.Form):
    delegate = UserChoiceField(label=_("delegate"))
    starts_on = forms.DateField(
        label=_("from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds of work"),
        choices=delegable_work_kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind of work item."),
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class AdminDelegationForm(DelegationForm):
    delegator = UserChoiceField(label=_("delegator"))
    field_order = ("delegator", "delegate", "starts_on", "ends_on", "kinds", "reason")


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _working_day_choice(value: str) -> bool:
    return value == "working"


class WorkingDayOverrideForm(BootstrapMixin, forms.Form):
    day = forms.DateField(
        label=_("day"),
        # A date input takes ISO dates whatever the language's date format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    is_working_day = forms.TypedChoiceField(
        label=_("the day is"),
        choices=[
            ("", _("(choose)")),
            ("working", _("a working day")),
            ("rest", _("a rest day")),
        ],
        coerce=_working_day_choice,
    )
    note = forms.CharField(
        label=_("note"),
        max_length=100,
        help_text=_("For example 2027年国庆调休."),
    )


FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR = 2000, 2100


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(
        min_value=FIRST_CALENDAR_YEAR, max_value=LAST_CALENDAR_YEAR
    )


def saved_through(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    success: str,
) -> bool:
    """Validate the form and hand its data to a service; say so when it is saved.

    A refusal from the service lands on the form, by field where the field exists,
    and nothing is saved (every service runs in one transaction).
    """
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        add_domain_error(form, error)
        return False
    messages.success(request, success)
    return True


def add_domain_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's error on the form: by field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages)
    else:
        form.add_error(None, error.messages)
