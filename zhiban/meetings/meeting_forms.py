"""Forms of meetings: the draft, a reply, moving, cancelling, the minutes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.meetings.models import Booking, ContingencyPlan, MeetingType
from zhiban.org.forms import DepartmentChoiceField, PickerWidget, UserChoiceField
from zhiban.org.models import Department, Role, User

AGENDA_MAX = 30


class BookingChoiceField(forms.ModelChoiceField):
    """One of the organiser's bookings still to come, named by room and time."""

    def label_from_instance(self, obj: Booking) -> str:
        start = timezone.localtime(obj.starts_at)
        end = timezone.localtime(obj.ends_at)
        return f"{obj.title} · {obj.room} · {start:%Y-%m-%d %H:%M}-{end:%H:%M}"


def _moment(day: datetime.date | None, value: Any) -> datetime.datetime | None:
    if day is None or value is None:
        return None
    return datetime.datetime.combine(day, value, tzinfo=timezone.get_current_timezone())


class MeetingForm(forms.Form):
    meeting_type = forms.ChoiceField(label=_("Type"), choices=MeetingType.choices)
    title = forms.CharField(label=pgettext_lazy("meeting", "Title"), max_length=200)
    booking = BookingChoiceField(
        label=_("Booked room"),
        queryset=Booking.objects.none(),
        required=False,
        empty_label=_("(held elsewhere)"),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("When the meeting is not in a booked room."),
    )
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start = forms.TimeField(
        label=pgettext_lazy("booking time", "From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    end = forms.TimeField(
        label=pgettext_lazy("booking time", "To"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    chair = UserChoiceField(label=_("Chair"), required=False, widget=PickerWidget())
    people = forms.ModelMultipleChoiceField(
        label=_("Invited people"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=PickerWidget(multiple=True),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Invited departments"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=PickerWidget(kind="department", multiple=True),
    )
    roles = forms.MultipleChoiceField(
        label=_("Invited roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One item a line; a presenter after a vertical bar: "
            "安全生产通报 | 林波 (a name or a sign-in name)."
        ),
    )
    notes = forms.CharField(
        label=_("Notice text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["booking"]
        assert isinstance(field, BookingChoiceField)  # noqa: S101 - for typing
        field.queryset = (
            Booking.objects.filter(
                organiser=user,
                state__in=Booking.ACTIVE_STATES,
                ends_at__gt=timezone.now(),
                meeting__isnull=True,
            )
            .select_related("room")
            .order_by("starts_at")
        )
        for name, bound in self.fields.items():
            if name in ("roles", "chair", "people", "departments"):
                continue
            css = (
                "form-select"
                if isinstance(bound.widget, forms.Select)
                else "form-control"
            )
            bound.widget.attrs.setdefault("class", css)

    def start_from_booking(self, value: str | None) -> None:
        """Offer the meeting in one of the organiser's bookings (from its page)."""
        field = self.fields["booking"]
        assert isinstance(field, BookingChoiceField)  # noqa: S101 - for typing
        if not value or not value.isdigit() or field.queryset is None:
            return
        booking = field.queryset.filter(pk=int(value)).first()
        if booking is not None:
            self.initial.update(booking=booking.pk, title=booking.title)

    def clean_agenda(self) -> list[tuple[str, User | None]]:
        lines = [
            line.strip()
            for line in self.cleaned_data.get("agenda", "").splitlines()
            if line.strip()
        ]
        if len(lines) > AGENDA_MAX:
            raise forms.ValidationError(
                _("At most %(max)s agenda items.") % {"max": AGENDA_MAX}
            )
        items: list[tuple[str, User | None]] = []
        for line in lines:
            title, _bar, who = line.partition("|")
            presenter = None
            who = who.strip()
            if who:
                found = list(
                    User.objects.filter(Q(username=who) | Q(name=who), is_active=True)[
                        :2
                    ]
                )
                if len(found) != 1:
                    raise forms.ValidationError(
                        _("No single person is called “%(name)s”.") % {"name": who}
                    )
                presenter = found[0]
            items.append((title.strip()[:200], presenter))
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["starts_at"] = _moment(data.get("day"), data.get("start"))
        data["ends_at"] = _moment(data.get("day"), data.get("end"))
        return data


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label=pgettext_lazy("meeting", "Reply"),
        choices=[
            ("attend", _("I will attend")),
            ("leave", _("Ask for leave")),
            ("substitute", _("Send a substitute")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    substitute = UserChoiceField(
        label=_("Substitute"), required=False, widget=PickerWidget()
    )


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class MeetingMoveForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
        ),
    )
    start = forms.TimeField(
        label=pgettext_lazy("booking time", "From"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )
    end = forms.TimeField(
        label=pgettext_lazy("booking time", "To"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["starts_at"] = _moment(data.get("day"), data.get("start"))
        data["ends_at"] = _moment(data.get("day"), data.get("end"))
        return data


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
    )
    decisions = forms.CharField(
        label=_("New decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("One decision a line."),
    )
    lead_department = DepartmentChoiceField(
        label=_("Lead department of the new decisions"),
        required=False,
        widget=PickerWidget(kind="department"),
    )
    deadline = forms.DateField(
        label=_("Deadline of the new decisions"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
        ),
    )


class DecisionItemForm(forms.Form):
    """What a supervision item made from a decision needs beyond the decision."""

    leader = UserChoiceField(label=_("Assigning leader"), widget=PickerWidget())
    officer = UserChoiceField(
        label=_("Supervision officer"),
        queryset=User.objects.filter(
            is_active=True,
            groups__name__in=[Role.SUPERVISION_OFFICER, Role.OFFICE_DIRECTOR],
        ).distinct(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    lead_department = DepartmentChoiceField(
        label=pgettext_lazy("decision", "Lead department"),
        required=False,
        widget=PickerWidget(kind="department"),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
        ),
    )


class ContingencyForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Contingency plan"),
        queryset=ContingencyPlan.objects.filter(is_active=True),
        empty_label="—",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    owner = UserChoiceField(label=_("Owner"), widget=PickerWidget())
