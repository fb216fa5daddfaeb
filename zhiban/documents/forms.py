"""Forms of the document pages: they parse input; the services and elements decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.documents import elements
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    DraftTemplate,
)
from zhiban.documents.models import Urgency as DocumentUrgency
from zhiban.documents.services import secrecy_levels
from zhiban.documents.services.circulation import MAX_OPINION_LENGTH
from zhiban.org.forms import (
    BootstrapMixin,
    DepartmentChoiceField,
    PickerWidget,
    UserChoiceField,
)
from zhiban.org.models import Department, Unit
from zhiban.org.views.picker import picked_ids

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class DocumentForm(BootstrapMixin, forms.Form):
    """Register a document or change its register entry (the 18 elements)."""

    document_type = forms.ChoiceField(
        label=_("document type"), choices=[("", _("(choose)")), *DocumentType.choices]
    )
    title = forms.CharField(
        label=pgettext_lazy("document", "title"),
        max_length=elements.TITLE_MAX_LENGTH,
        help_text=_(
            "Issuer + matter + document type, e.g. 关于做好安全生产工作的通知."
        ),
    )
    unit = forms.ModelChoiceField(
        label=_("unit"), queryset=Unit.objects.filter(is_active=True)
    )
    department = DepartmentChoiceField(
        label=_("handling department"),
        required=False,
        widget=PickerWidget(kind="department"),
    )
    sender = forms.CharField(label=_("sender"), max_length=100, required=False)
    document_number = forms.CharField(
        label=_("document number"),
        max_length=60,
        required=False,
        help_text=_(
            "Issuer code, the year in 〔〕 and the number, e.g. 豫政办〔2026〕5号."
        ),
    )
    received_on = forms.DateField(
        label=_("date received"), required=False, widget=DATE_WIDGET
    )
    written_on = forms.DateField(
        label=_("date written"), required=False, widget=DATE_WIDGET
    )
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DATE_WIDGET)
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=DocumentUrgency.choices, required=False
    )
    secrecy_level = forms.ChoiceField(label=_("secrecy level"), required=False)
    secrecy_term_years = forms.IntegerField(
        label=_("secrecy term (years)"), required=False, min_value=1
    )
    secrecy_term_months = forms.IntegerField(
        label=_("secrecy term (months)"), required=False, min_value=1, max_value=11
    )
    copy_number = forms.CharField(
        label=_("copy number"),
        max_length=6,
        required=False,
        help_text=_("Six digits, e.g. 000001; required for a classified document."),
    )
    copies = forms.IntegerField(label=_("copies"), min_value=1, initial=1)
    issuer_mark = forms.CharField(
        label=_("issuer mark"), max_length=100, required=False
    )
    signers = forms.CharField(label=_("signed off by"), max_length=100, required=False)
    main_recipients = forms.CharField(
        label=_("main recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separate bodies with 、 or a new line."),
    )
    body = forms.CharField(
        label=_("body"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    attachments = forms.CharField(
        label=_("attachment names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One attachment name per line, without punctuation at the end."),
    )
    issuer_signature = forms.CharField(
        label=_("issuer signature"), max_length=100, required=False
    )
    notes = forms.CharField(
        label=_("notes (附注)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cc_recipients = forms.CharField(
        label=_("copied to"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    printed_by = forms.CharField(label=_("printed by"), max_length=100, required=False)
    printed_on = forms.DateField(
        label=_("date printed"), required=False, widget=DATE_WIDGET
    )
    page_count = forms.IntegerField(label=_("pages"), required=False, min_value=1)
    paper_holder = UserChoiceField(
        label=_("paper copy held by"), required=False, widget=PickerWidget()
    )
    paper_location = forms.CharField(
        label=_("paper copy kept at"), max_length=200, required=False
    )

    # Fields only an incoming or only an outgoing entry shows.
    INCOMING_ONLY = ("sender", "received_on")
    OUTGOING_ONLY = (
        "issuer_mark",
        "signers",
        "issuer_signature",
        "printed_by",
        "printed_on",
    )

    def __init__(self, *args: Any, direction: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.direction = direction
        self.fields["secrecy_level"].choices = [  # type: ignore[attr-defined]
            ("", _("Not classified")),
            *((level, level) for level in secrecy_levels()),
        ]
        hidden = (
            self.OUTGOING_ONLY
            if direction == Direction.INCOMING
            else self.INCOMING_ONLY
        )
        for name in hidden:
            del self.fields[name]
        if direction == Direction.INCOMING:
            self.fields["sender"].required = True
            self.fields["received_on"].required = True
            self.fields["document_number"].help_text = _(
                "The sender's number, e.g. 豫政办〔2026〕5号."
            )
        else:
            # An outgoing number is allocated from a series, never typed.
            del self.fields["document_number"]

    @staticmethod
    def initial_for(document: Document) -> dict[str, Any]:
        """Return the form's initial values for an existing entry."""
        initial = {
            name: getattr(document, name)
            for name in (
                "document_type",
                "title",
                "sender",
                "document_number",
                "received_on",
                "written_on",
                "deadline",
                "urgency",
                "secrecy_level",
                "secrecy_term_years",
                "secrecy_term_months",
                "copy_number",
                "copies",
                "issuer_mark",
                "signers",
                "main_recipients",
                "body",
                "issuer_signature",
                "notes",
                "cc_recipients",
                "printed_by",
                "printed_on",
                "page_count",
                "paper_location",
            )
        }
        initial["unit"] = document.unit_id
        initial["department"] = document.department_id
        initial["paper_holder"] = document.paper_holder_id
        initial["attachments"] = "\n".join(document.attachment_names)
        return initial

    def clean_document_number(self) -> str:
        value: str = self.cleaned_data.get("document_number", "").strip()
        if value:
            elements.validate_document_number(value)
        return value

    def clean_copy_number(self) -> str:
        value: str = self.cleaned_data.get("copy_number", "").strip()
        if value:
            elements.validate_copy_number(value)
        return value

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned values as the services take them."""
        data = dict(self.cleaned_data)
        data["attachment_names"] = _lines(data.pop("attachments", ""))
        data.pop("unit", None)
        for name in ("secrecy_term_years", "secrecy_term_months", "page_count"):
            data[name] = data.get(name)
        return data


class NumberForm(BootstrapMixin, forms.Form):
    """Allocate the next number of a series to an outgoing document."""

    series = forms.TypedChoiceField(label=_("number series"), coerce=int)
    year = forms.IntegerField(label=_("year"), min_value=1900, max_value=2099)

    def __init__(self, *args: Any, series: list[Any], year: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": year})
        super().__init__(*args, **kwargs)
        self.fields["series"].choices = [  # type: ignore[attr-defined]
            (s.pk, str(s)) for s in series
        ]


class VoidForm(BootstrapMixin, forms.Form):
    """Void an allocated number, with the reason."""

    reason = forms.CharField(label=_("reason for voiding"), max_length=200)


class FileForm(BootstrapMixin, forms.Form):
    """Attach a file (the body, an attachment or the formal copy) to a document."""

    role = forms.ChoiceField(label=_("the file is"), choices=DocumentFile.Role.choices)
    file = forms.FileField(label=_("file"))


class PaperForm(BootstrapMixin, forms.Form):
    """Record a handover of a document's paper copy (the person comes from a picker)."""

    location = forms.CharField(label=_("kept at"), max_length=200, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class SeriesForm(BootstrapMixin, forms.Form):
    """Add or change a number series (机关代字)."""

    unit = forms.ModelChoiceField(
        label=_("unit"), queryset=Unit.objects.filter(is_active=True)
    )
    code = forms.CharField(
        label=_("issuer code"),
        max_length=30,
        help_text=_("The 机关代字 before the year, e.g. 豫能集团办."),
    )
    name = forms.CharField(label=_("name"), max_length=100)
    document_types = forms.MultipleChoiceField(
        label=_("document types"),
        choices=DocumentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to number every type here."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class OpinionForm(BootstrapMixin, forms.Form):
    """A reader's opinion; left empty it means read and agreed (圈阅)."""

    opinion = forms.CharField(
        label=_("your opinion"),
        required=False,
        max_length=MAX_OPINION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave it empty to sign as read (圈阅 counts as consent)."),
    )


def _not_here(value: Any) -> ValidationError:
    """Return the refusal of a chosen department outside the field's choices."""
    ids = picked_ids([value])
    department = (
        Department.objects.filter(pk=ids[0]).select_related("unit").first()
        if ids
        else None
    )
    if department is None:
        return ValidationError(
            _("A chosen department no longer exists; choose again."),
            code="invalid_choice",
        )
    return ValidationError(
        _(
            "“%(department)s” (%(unit)s) cannot be chosen here: choose an active "
            "department of this document's unit."
        ),
        code="invalid_choice",
        params={
            "department": department.name,
            "unit": department.unit.short_name or department.unit.name,
        },
    )


class PickedDepartmentField(DepartmentChoiceField):
    """One department, chosen in the picker; a refusal names the department."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerWidget(kind="department"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if str(value).isdigit() and not picked_ids([value]):
            raise _not_here(value)
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            raise _not_here(value) from error


class DepartmentsChoiceField(forms.ModelMultipleChoiceField):
    """Several departments, chosen in the picker; a refusal names the department."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "queryset",
            Department.objects.filter(is_active=True).select_related("unit"),
        )
        kwargs.setdefault("widget", PickerWidget(kind="department", multiple=True))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.short_name or obj.unit.name} / {obj.name} ({obj.code})"

    def _check_values(self, value: Any) -> Any:
        for item in value:
            if str(item).isdigit() and not picked_ids([item]):
                raise _not_here(item)
        try:
            return super()._check_values(value)  # type: ignore[misc]
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise _not_here(error.params["value"]) from error  # type: ignore[index]
            raise


def limit_departments_to_unit(form: forms.Form, unit_id: int, *names: str) -> None:
    """Offer only the unit's departments in the named fields (and their pickers)."""
    for name in names:
        field: Any = form.fields[name]
        field.queryset = field.queryset.filter(unit_id=unit_id)
        if isinstance(field.widget, PickerWidget):
            field.widget.unit_id = unit_id


class CheckForm(BootstrapMixin, forms.Form):
    """The first check (初审): pass, or return to the sender with reasons."""

    reasons = forms.CharField(
        label=_("reasons for returning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeForm(BootstrapMixin, forms.Form):
    """The office's proposal (拟办) and the leader it goes to."""

    proposal = forms.CharField(
        label=_("proposed handling"), widget=forms.Textarea(attrs={"rows": 3})
    )


class InstructForm(BootstrapMixin, forms.Form):
    """A leader's instruction (批办): lead and co-departments, deadline."""

    instruction = forms.CharField(
        label=_("instruction"), widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = PickedDepartmentField(
        label=_("lead department"),
        error_messages={"required": _("Choose the lead department.")},
    )
    co_departments = DepartmentsChoiceField(
        label=_("co-handling departments"), required=False
    )
    deadline = forms.DateField(label=_("deadline"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, unit_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit_id is not None:
            limit_departments_to_unit(self, unit_id, "lead", "co_departments")


class ReplyForm(BootstrapMixin, forms.Form):
    """A department's reply (承办), or the reply to the sender (答复)."""

    reply = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 3}))


# --- drafting and distribution (发文) ------------------------------------------------


class DraftForm(BootstrapMixin, forms.Form):
    """A new draft: its type and title, and the text typed, from a template or a .docx."""

    document_type = forms.ChoiceField(
        label=_("document type"), choices=DocumentType.choices
    )
    template = forms.ModelChoiceField(
        label=_("start from a template"),
        queryset=DraftTemplate.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    title = forms.CharField(
        label=pgettext_lazy("document", "title"),
        max_length=elements.TITLE_MAX_LENGTH,
        help_text=_("A title ends with its document type, e.g. 关于……的通知."),
    )
    main_recipients = forms.CharField(
        label=_("main recipients"), required=False, max_length=500
    )
    urgency = forms.ChoiceField(
        label=_("urgency"),
        choices=[("", _("Ordinary")), *DocumentUrgency.choices],
        required=False,
    )
    body = forms.CharField(
        label=_("body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    docx = forms.FileField(
        label=_("or upload a Word file (.docx)"),
        required=False,
        help_text=_("Its text becomes the body; the file is kept with the version."),
    )

    def __init__(self, *args: Any, unit_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        templates = DraftTemplate.objects.filter(is_active=True)
        templates = templates.filter(
            models.Q(unit__isnull=True) | models.Q(unit_id=unit_id)
        )
        field = self.fields["template"]
        field.queryset = templates  # type: ignore[attr-defined]
        field.label_from_instance = lambda t: (  # type: ignore[attr-defined]
            f"{DocumentType(t.document_type).label} · {t.name}"
            if t.document_type in DocumentType.values
            else t.name
        )


class ReviseForm(BootstrapMixin, forms.Form):
    """The next version of a draft."""

    title = forms.CharField(
        label=pgettext_lazy("document", "title"), max_length=elements.TITLE_MAX_LENGTH
    )
    body = forms.CharField(
        label=_("body"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    note = forms.CharField(label=_("what changed"), required=False, max_length=200)
    docx = forms.FileField(label=_("or upload a Word file (.docx)"), required=False)


class SubmitForm(BootstrapMixin, forms.Form):
    """Submit a draft for approval: countersigning departments, importance."""

    countersign_departments = DepartmentsChoiceField(
        label=_("countersigning departments (会签)"),
        required=False,
        help_text=_("Their heads countersign after the office's check."),
    )
    important = forms.BooleanField(
        label=_("important: the principal leader signs it off"), required=False
    )

    def __init__(self, *args: Any, unit_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit_id is not None:
            limit_departments_to_unit(self, unit_id, "countersign_departments")


class PrintForm(BootstrapMixin, forms.Form):
    """The printing of a numbered document (印制)."""

    copies = forms.IntegerField(label=_("copies printed"), min_value=1, max_value=10000)
    printed_on = forms.DateField(
        label=_("date printed"), required=False, widget=DATE_WIDGET
    )


class CheckboxGrid(forms.CheckboxSelectMultiple):
    """Boxes to tick, two to a row on a phone, three on a wider screen."""

    template_name = "documents/_checks_widget.html"


class IssueForm(BootstrapMixin, forms.Form):
    """Issue the document to subordinate units and internal departments (核发)."""

    # A handful of subordinate units: boxes to tick, large enough for a thumb.
    units = forms.ModelMultipleChoiceField(
        label=_("units"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=CheckboxGrid(),
        error_messages={
            "invalid_choice": _(
                "A chosen unit cannot receive this document; choose again."
            )
        },
    )
    departments = DepartmentsChoiceField(label=_("departments"), required=False)

    def __init__(self, *args: Any, unit_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit_id is not None:
            units = self.fields["units"]
            units.queryset = units.queryset.exclude(pk=unit_id)  # type: ignore[attr-defined]
            limit_departments_to_unit(self, unit_id, "departments")


class RecallForm(BootstrapMixin, forms.Form):
    """Recall the document from one recipient (撤回)."""

    reason = forms.CharField(label=_("reason for the recall"), max_length=500)


class DraftNoteForm(BootstrapMixin, forms.Form):
    """One note of the drafting loop; the follow-up's person comes from a picker."""

    kind = forms.ChoiceField(label=_("the note is"), choices=[])
    version = forms.TypedChoiceField(
        label=_("version reviewed"), coerce=int, required=False, empty_value=None
    )
    held_on = forms.DateField(label=_("held on"), required=False, widget=DATE_WIDGET)
    participants = forms.CharField(
        label=_("participants"), required=False, max_length=500
    )
    text = forms.CharField(
        label=pgettext_lazy("note", "content"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conclusions, comments, or what should be followed up."),
    )
    due_on = forms.DateField(
        label=_("follow-up due on"), required=False, widget=DATE_WIDGET
    )

    def __init__(
        self, *args: Any, versions: list[Any] | None = None, **kwargs: Any
    ) -> None:
        from zhiban.documents.models import DraftNote

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = DraftNote.Kind.choices  # type: ignore[attr-defined]
        self.fields["version"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *(
                (v.number, f"v{v.number} · {v.author.display_name}")
                for v in versions or []
            ),
        ]


class FollowUpResultForm(BootstrapMixin, forms.Form):
    """The result of a follow-up."""

    result = forms.CharField(
        label=_("result"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
