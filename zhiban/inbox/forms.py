"""Forms of the to-do centre: the list filters, parsed from the query string."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from zhiban.inbox import selectors
from zhiban.inbox.models import Urgency


class WorkItemFilterForm(forms.Form):
    """The tab, filters, search, sort and page of the work item list."""

    tab = forms.ChoiceField(
        label=_("Tab"),
        required=False,
        choices=[(tab, tab) for tab in selectors.TABS],
    )
    kind = forms.CharField(
        label=_("Kind"),
        required=False,
        max_length=50,
        validators=[RegexValidator(r"^[\w.:-]*$", _("Choose a kind from the list."))],
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any urgency")), *Urgency.choices],
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any due time")),
            (selectors.DUE_OVERDUE, _("Overdue")),
            (selectors.DUE_SOON, _("Due soon")),
            (selectors.DUE_NONE, _("No due time")),
        ],
    )
    hours = forms.IntegerField(
        label=_("Within hours"), required=False, min_value=1, max_value=720
    )
    q = forms.CharField(label=_("Search titles"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("", _("Default order")),
            (selectors.SORT_URGENCY, _("Most urgent first")),
            (selectors.SORT_DUE, _("Earliest due first")),
            (selectors.SORT_RECENT, _("Newest first")),
        ],
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def value(self, name: str) -> object:
        """Return a field's cleaned value, or its empty value when it was invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name)

    def chosen_tab(self) -> str:
        """Return the chosen tab (待办 when none or a wrong one was given)."""
        return str(self.value("tab") or selectors.TODO)

    def chosen_filters(self) -> selectors.WorkItemFilters:
        """Return the valid filters; an invalid one is left out, not fatal."""
        urgency = self.value("urgency")
        hours = self.value("hours")
        return selectors.WorkItemFilters(
            kind=str(self.value("kind") or ""),
            urgency=int(urgency) if isinstance(urgency, int) else None,
            due=str(self.value("due") or ""),
            within_hours=int(hours) if isinstance(hours, int) else None,
            search=str(self.value("q") or ""),
            sort=str(self.value("sort") or ""),
        )

    def page_number(self) -> int:
        """Return the requested page, 1 when none or a wrong one was given."""
        page = self.value("page")
        return int(page) if isinstance(page, int) else 1
