"""Forms of the meeting pages: a booking (once or repeating), a change, a room."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.meetings.models import BookingSeries, Equipment, OpenDays, Room
from zhiban.org.models import Unit

REPEAT_NONE = ""


def quarter_choices(
    first: datetime.time = datetime.time(0), last: datetime.time = datetime.time(23, 45)
) -> list[tuple[str, str]]:
    """Return the quarter hours from first to last as (value, label) choices."""
    choices = []
    minutes = first.hour * 60 + first.minute
    end = last.hour * 60 + last.minute
    while minutes <= end:
        text = f"{minutes // 60:02d}:{minutes % 60:02d}"
        choices.append((text, text))
        minutes += 15
    return choices


class RoomChoiceField(forms.ModelChoiceField):
    """A room named with its building, floor and seats."""

    def label_from_instance(self, obj: Room) -> str:
        return _("%(building)s %(name)s (%(floor)s, %(capacity)s seats)") % {
            "building": obj.building,
            "name": obj.name,
            "floor": obj.floor,
            "capacity": obj.capacity,
        }


def _select(**attrs: Any) -> forms.Select:
    return forms.Select(attrs={"class": "form-select", **attrs})


def _input(**attrs: Any) -> dict[str, Any]:
    return {"class": "form-control", **attrs}


class BookingForm(forms.Form):
    """Book a room: a day and times on the quarter hour, maybe repeating."""

    room = RoomChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        widget=_select(),
        error_messages={"invalid_choice": _("Choose a room in use.")},
    )
    title = forms.CharField(
        label=_("Meeting title"),
        max_length=200,
        widget=forms.TextInput(attrs=_input(autocomplete="off")),
    )
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs=_input(type="date"), format="%Y-%m-%d"),
    )
    start = forms.ChoiceField(
        label=pgettext_lazy("booking time", "From"),
        choices=quarter_choices(),
        widget=_select(),
    )
    end = forms.ChoiceField(
        label=pgettext_lazy("booking time", "To"),
        choices=quarter_choices(),
        widget=_select(),
    )
    attendees = forms.IntegerField(
        label=_("Attendees"),
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs=_input(inputmode="numeric")),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        choices=[(REPEAT_NONE, _("Does not repeat")), *BookingSeries.Frequency.choices],
        widget=_select(),
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs=_input(type="date"), format="%Y-%m-%d"),
    )
    count = forms.IntegerField(
        label=_("Or this many times"),
        required=False,
        min_value=2,
        max_value=100,
        widget=forms.NumberInput(attrs=_input(inputmode="numeric")),
    )

    def __init__(self, *args: Any, rooms: Any, with_repeat: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        room_field = self.fields["room"]
        assert isinstance(room_field, RoomChoiceField)  # noqa: S101 - for typing
        room_field.queryset = rooms
        if not with_repeat:
            for name in ("repeat", "until", "count"):
                del self.fields[name]

    def _moment(self, name: str) -> datetime.datetime | None:
        day = self.cleaned_data.get("day")
        value = self.cleaned_data.get(name)
        if day is None or not value:
            return None
        hour, minute = (int(part) for part in str(value).split(":"))
        return datetime.datetime.combine(
            day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["starts_at"] = self._moment("start")
        data["ends_at"] = self._moment("end")
        if data.get("repeat") and not data.get("until") and not data.get("count"):
            self.add_error(
                "until", _("Give either an end date or a number of occurrences.")
            )
        if data.get("repeat") and data.get("until") and data.get("count"):
            self.add_error(
                "count", _("Give either an end date or a number of occurrences.")
            )
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=_input()),
    )


class RoomForm(forms.Form):
    """A room as the office keeps it; the manager comes from the person picker."""

    unit = forms.ModelChoiceField(
        label=_("Owning unit"),
        queryset=Unit.objects.filter(is_active=True).order_by("sort_order", "code"),
        widget=_select(),
    )
    building = forms.CharField(
        label=_("Building"), max_length=50, widget=forms.TextInput(attrs=_input())
    )
    floor = forms.CharField(
        label=_("Floor"), max_length=10, widget=forms.TextInput(attrs=_input())
    )
    name = forms.CharField(
        label=pgettext_lazy("meeting room", "Name"),
        max_length=50,
        widget=forms.TextInput(attrs=_input()),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs=_input(inputmode="numeric")),
    )
    equipment = forms.ModelMultipleChoiceField(
        label=_("Equipment"),
        required=False,
        queryset=Equipment.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    opens_at = forms.ChoiceField(
        label=_("Opens at"), choices=quarter_choices(), widget=_select()
    )
    closes_at = forms.ChoiceField(
        label=_("Closes at"), choices=quarter_choices(), widget=_select()
    )
    open_days = forms.ChoiceField(
        label=_("Open on"), choices=OpenDays.choices, widget=_select()
    )
    needs_approval = forms.BooleanField(
        label=_("Bookings need the manager's approval"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=_input()),
    )
    sort_order = forms.IntegerField(
        label=pgettext_lazy("meeting room", "Order"),
        min_value=0,
        max_value=9999,
        initial=0,
        widget=forms.NumberInput(attrs=_input(inputmode="numeric")),
    )
    is_active = forms.BooleanField(
        label=_("In use"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": "image/jpeg,image/png,image/webp",
            }
        ),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )

    def time_of(self, name: str) -> datetime.time:
        hour, minute = (int(part) for part in str(self.cleaned_data[name]).split(":"))
        return datetime.time(hour, minute)


def room_initial(room: Room) -> dict[str, Any]:
    """Return a room's values for the room form."""
    return {
        "unit": room.unit_id,
        "building": room.building,
        "floor": room.floor,
        "name": room.name,
        "capacity": room.capacity,
        "equipment": [e.pk for e in room.equipment.all()],
        "opens_at": room.opens_at.strftime("%H:%M"),
        "closes_at": room.closes_at.strftime("%H:%M"),
        "open_days": room.open_days,
        "needs_approval": room.needs_approval,
        "notes": room.notes,
        "sort_order": room.sort_order,
        "is_active": room.is_active,
    }
