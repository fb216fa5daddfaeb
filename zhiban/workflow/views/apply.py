"""The apply pages: the flows a person may start, and the form that starts one.

The form is rendered from the version's form schema with Django widgets; the
submission is cleaned once, by ``instance_start`` (``formschema``), whose field
errors come back onto the fields. The approvers panel is an engine dry run with
the values typed so far.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhiban.core.errors import DomainError
from zhiban.org.forms import BootstrapMixin
from zhiban.org.models import User
from zhiban.org.views.picker import chosen_departments, chosen_people
from zhiban.workflow import engine, formschema, policies, selectors, services
from zhiban.workflow.facts import DjangoOrgFacts
from zhiban.workflow.models import FlowDefinition, FlowFile, FlowInstance, FlowVersion

PICK_PREFIX = "pick_"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran
    return user


@login_required
@require_GET
def apply_list(request: HttpRequest) -> HttpResponse:
    """List the flows the user may start, grouped, searchable by name and description."""
    query = request.GET.get("q", "").strip()[:50]
    flows = selectors.flow_startable_for(user=_user(request))
    if query:
        flows = flows.filter(Q(name__icontains=query) | Q(description__icontains=query))
    other = _("Other")
    groups = [
        (group or other, list(items))
        for group, items in groupby(flows, key=lambda flow: flow.group)
    ]
    context = {"nav_active": "approvals", "groups": groups, "query": query}
    template = "workflow/apply/apply_list.html"
    if (
        request.headers.get("HX-Request")
        and request.headers.get("HX-Target") == "flows"
    ):
        template += "#flows"
    return render(request, template, context)


# --- the form -----------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _widget(field: Mapping[str, Any]) -> forms.Widget:
    kind = field.get("type")
    attrs: dict[str, Any] = {}
    if kind == "text":
        attrs["maxlength"] = field.get("max_length") or formschema.TEXT_MAX_LENGTH
        return forms.TextInput(attrs=attrs)
    if kind == "textarea":
        attrs["rows"] = 4
        attrs["maxlength"] = field.get("max_length") or formschema.TEXTAREA_MAX_LENGTH
        return forms.Textarea(attrs=attrs)
    if kind in ("number", "money"):
        decimals = 2 if kind == "money" else int(field.get("decimals") or 0)
        attrs["step"] = "1" if decimals == 0 else f"0.{'0' * (decimals - 1)}1"
        attrs["inputmode"] = "decimal" if decimals else "numeric"
        for rule in ("min", "max"):
            if field.get(rule) not in (None, ""):
                attrs[rule] = field[rule]
        return forms.NumberInput(attrs=attrs)
    if kind == "date":
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if kind == "datetime":
        return forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        )
    if kind == "multichoice":
        return forms.CheckboxSelectMultiple()
    if kind == "attachment":
        if field.get("multiple"):
            return MultipleFileInput()
        return forms.ClearableFileInput()
    return forms.Select()


class ApplyForm(BootstrapMixin, forms.Form):
    """Widgets for the schema's fields (the values are cleaned by formschema)."""

    title = forms.CharField(max_length=200, required=False)

    def __init__(
        self, *args: Any, schema: list[dict[str, Any]], user: User, **kwargs: Any
    ) -> None:
        self.schema = schema
        fields: dict[str, forms.Field] = {}
        for field in schema:
            kind = field.get("type")
            if kind in ("daterange", "datetimerange", "person", "department"):
                continue  # rendered by the template (two inputs, or a picker)
            widget = _widget(field)
            form_field: forms.Field
            if kind in ("choice", "multichoice"):
                options = [(str(o), str(o)) for o in field.get("options") or []]
                if kind == "choice":
                    options = [("", "—"), *options]
                    form_field = forms.ChoiceField(choices=options, widget=widget)
                else:
                    form_field = forms.MultipleChoiceField(
                        choices=options, widget=widget
                    )
            elif kind not in formschema.BUILTIN_TYPES:
                field_type = formschema.field_types().get(str(kind))
                choices = (
                    field_type.choices(user)
                    if field_type and field_type.choices
                    else []
                )
                form_field = forms.ChoiceField(
                    choices=[("", "—"), *((str(v), label) for v, label in choices)],
                    widget=widget,
                )
            elif kind == "attachment":
                form_field = forms.FileField(widget=widget)
            else:
                form_field = forms.CharField(widget=widget)
            form_field.required = bool(field.get("required"))
            form_field.label = field.get("label")
            form_field.help_text = field.get("help") or ""
            fields[str(field["key"])] = form_field
        super().__init__(*args, **kwargs)
        for form_field in fields.values():  # styled as BootstrapMixin styles
            widget = form_field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"
        self.fields.update(fields)
        self.fields["title"].label = _("Title")


def _pick_nodes(definition: engine.Definition) -> list[engine.ApproverNode]:
    return [
        node
        for node in definition.approver_nodes()
        if node.assignees.kind is engine.AssigneeKind.INITIATOR_PICK
    ]


def _picks(data: Any, nodes: list[engine.ApproverNode]) -> dict[str, list[str]]:
    getlist = getattr(data, "getlist", None)
    picks: dict[str, list[str]] = {}
    for node in nodes:
        values = getlist(PICK_PREFIX + node.id) if getlist else []
        chosen = [v for v in values if str(v).isdigit()]
        if chosen:
            picks[node.id] = list(dict.fromkeys(chosen))
    return picks


def _rows(
    schema: list[dict[str, Any]],
    form: ApplyForm,
    data: Any,
    errors: Mapping[str, list[str]],
) -> list[dict[str, Any]]:
    """Return what the template needs to render each field, in order."""
    rows = []
    for field in schema:
        key = str(field["key"])
        kind = field.get("type")
        row: dict[str, Any] = {
            "key": key,
            "type": kind,
            "label": field.get("label"),
            "help": field.get("help") or "",
            "required": bool(field.get("required")),
            "multiple": bool(field.get("multiple")),
            "errors": errors.get(key, []),
            "bound": form[key] if key in form.fields else None,
        }
        if kind in ("daterange", "datetimerange"):
            row["input_type"] = "date" if kind == "daterange" else "datetime-local"
            row["start"] = data.get(f"{key}_start", "") if data else ""
            row["end"] = data.get(f"{key}_end", "") if data else ""
        elif kind in ("person", "department"):
            ids = data.getlist(key) if data is not None else []
            row["chosen"] = (
                chosen_people(ids) if kind == "person" else chosen_departments(ids)
            )
        rows.append(row)
    return rows


def _startable(request: HttpRequest, code: str) -> tuple[FlowDefinition, FlowVersion]:
    flow = selectors.flow_startable_get_for(user=_user(request), code=code)
    if flow is None:
        raise Http404
    version = flow.versions.order_by("-number").first()
    if version is None:  # pragma: no cover - the selector requires a version
        raise Http404
    return flow, version


@login_required
@require_http_methods(["GET", "POST"])
def apply_form(request: HttpRequest, code: str) -> HttpResponse:
    """Show the flow's form; submit it to start an approval."""
    user = _user(request)
    flow, version = _startable(request, code)

    def submit(data: Any, picks: dict[str, list[str]]) -> FlowInstance:
        instance = services.instance_start(
            flow_code=flow.code,
            # Without a schema there is nothing to take from the page.
            form=data if version.form_schema else {},
            files=request.FILES,
            by=user,
            title=data.get("title", "").strip(),
            picks=picks,
        )
        messages.success(
            request,
            _("Your request “%(title)s” was submitted.") % {"title": instance.title},
        )
        return instance

    return _form_page(request, flow=flow, version=version, submit=submit)


@login_required
@require_http_methods(["GET", "POST"])
def instance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a request returned to its initiator and resubmit it (on its own version)."""
    user = _user(request)
    instance = selectors.instance_get_for(user=user, instance_id=pk)
    if instance is None or instance.initiator_id != user.pk:
        raise Http404
    if not policies.can_resubmit(user, instance):
        messages.info(request, _("Only a request returned to you can be edited."))
        return redirect("workflow:instance_detail", pk=instance.pk)
    version = instance.version

    def submit(data: Any, picks: dict[str, list[str]]) -> FlowInstance:
        resubmitted = services.instance_resubmit(
            instance_id=instance.pk,
            form=data if version.form_schema else {},
            files=request.FILES,
            by=user,
            picks=picks,
        )
        messages.success(request, _("Resubmitted."))
        return resubmitted

    return _form_page(
        request,
        flow=version.definition,
        version=version,
        submit=submit,
        editing=instance,
    )


def _form_page(
    request: HttpRequest,
    *,
    flow: FlowDefinition,
    version: FlowVersion,
    submit: Any,
    editing: FlowInstance | None = None,
) -> HttpResponse:
    """Render an approval form; on POST, hand it to ``submit`` and follow the result."""
    user = _user(request)
    schema = formschema.schema_fields(version.form_schema)
    definition = services.definition_of(version)
    pick_nodes = _pick_nodes(definition)
    data = request.POST if request.method == "POST" else None
    shown: QueryDict | None = data
    if data is None and editing is not None:
        shown = _values_as_data(schema, editing.form, editing.state.get("picks", {}))
    form = ApplyForm(data, schema=schema, user=user, initial=_initial(shown))
    errors: dict[str, list[str]] = {}
    pick_errors: dict[str, list[str]] = {}
    general: list[str] = []
    if data is not None:
        picks = _picks(data, pick_nodes)
        pick_errors = _missing_picks(definition, schema, data, user, picks, pick_nodes)
        try:
            if pick_errors:
                # Still clean the form so that every problem shows at once.
                cleaned = formschema.clean_submission(
                    schema, data, request.FILES, user=user
                )
                errors = cleaned.errors
            else:
                instance = submit(data, picks)
                return redirect("workflow:instance_detail", pk=instance.pk)
        except DomainError as error:
            if getattr(error, "code", None) == "invalid_form" and hasattr(
                error, "error_dict"
            ):
                errors = {key: list(msgs) for key, msgs in error.message_dict.items()}
            else:
                general = list(error.messages)
    rows = _rows(schema, form, shown, errors)
    if editing is not None:
        kept = _kept_files(schema, editing)
        for row in rows:
            row["kept"] = kept.get(row["key"], [])
    context = {
        "nav_active": "approvals",
        "flow": flow,
        "version": version,
        "form": form,
        "editing": editing,
        "rows": rows,
        "picks": [
            {
                "node": node,
                "name": PICK_PREFIX + node.id,
                "chosen": chosen_people(shown.getlist(PICK_PREFIX + node.id))
                if shown is not None
                else [],
                "errors": pick_errors.get(node.id, []),
            }
            for node in pick_nodes
        ],
        "general_errors": general,
        "has_errors": bool(errors or pick_errors or general),
        "has_files": any(f.get("type") == "attachment" for f in schema),
        "default_title": f"{flow.name}·{user.display_name}",
    }
    # Errors answer 200, as Django forms do: the page is a normal answer to show.
    return render(request, "workflow/apply/apply_form.html", context)


def _values_as_data(
    schema: list[dict[str, Any]], values: Mapping[str, Any], picks: Any
) -> QueryDict:
    """Return a stored form as the page would post it (to show it for editing)."""
    data = QueryDict(mutable=True)
    for field in schema:
        key, kind = str(field["key"]), field.get("type")
        value = values.get(key)
        if value in (None, "", []) or kind == "attachment":
            continue
        if kind in ("daterange", "datetimerange") and isinstance(value, Mapping):
            for end in ("start", "end"):
                data[f"{key}_{end}"] = _local_input(kind, value.get(end))
        elif kind == "datetime":
            data[key] = _local_input(kind, value)
        elif isinstance(value, list | tuple):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value)
    for node_id, people in (picks or {}).items():
        data.setlist(PICK_PREFIX + str(node_id), [str(p) for p in people])
    return data


def _local_input(kind: Any, value: Any) -> str:
    """Return a stored date or time as a date / datetime-local input shows it."""
    if not value:
        return ""
    if kind in ("datetime", "datetimerange"):
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return ""
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%dT%H:%M")
    return str(value)


def _initial(data: QueryDict | None) -> dict[str, Any]:
    if data is None:
        return {}
    return {
        key: data.getlist(key) if len(data.getlist(key)) > 1 else data.get(key)
        for key in data
    }


def _kept_files(
    schema: list[dict[str, Any]], instance: FlowInstance
) -> dict[str, list[Any]]:
    """Return the files each attachment field keeps unless new ones are chosen."""
    ids = {
        int(i)
        for f in schema
        if f.get("type") == "attachment"
        for i in instance.form.get(str(f["key"])) or []
        if str(i).isdigit()
    }
    rows = FlowFile.objects.filter(instance=instance, pk__in=ids).order_by("pk")
    kept: dict[str, list[Any]] = {}
    for row in rows:
        kept.setdefault(row.field, []).append(row)
    return kept


def _dry_run(
    definition: engine.Definition,
    schema: list[dict[str, Any]],
    data: Any,
    user: User,
    picks: Mapping[str, list[str]],
) -> engine.Path:
    values = formschema.clean_submission(schema, data, None, user=user).values
    facts = DjangoOrgFacts()
    facts.remember(user)
    return engine.dry_run(
        definition,
        values,
        str(user.pk),
        facts,
        {node: tuple(people) for node, people in picks.items()},
        labels=formschema.field_labels(schema),
    )


def _missing_picks(
    definition: engine.Definition,
    schema: list[dict[str, Any]],
    data: Any,
    user: User,
    picks: Mapping[str, list[str]],
    nodes: list[engine.ApproverNode],
) -> dict[str, list[str]]:
    """Return an error for each initiator-pick node on the path with nobody chosen."""
    if not nodes:
        return {}
    on_path = {
        step.node_id for step in _dry_run(definition, schema, data, user, picks).steps
    }
    return {
        node.id: [_("Choose who approves this step.")]
        for node in nodes
        if node.id in on_path and not picks.get(node.id)
    }


def _editing_version(request: HttpRequest, code: str) -> FlowVersion | None:
    """Return the version of the returned request being edited (``?instance=``).

    A resubmission runs on the request's own version, so its preview does too;
    only for the initiator of a returned request of this flow, else None.
    """
    raw = request.GET.get("instance", "")
    if not raw.isdigit():
        return None
    user = _user(request)
    instance = selectors.instance_get_for(user=user, instance_id=int(raw))
    if (
        instance is None
        or not policies.can_resubmit(user, instance)
        or instance.version.definition.code != code
    ):
        return None
    return instance.version


@login_required
@require_POST
def apply_preview(request: HttpRequest, code: str) -> HttpResponse:
    """Answer the approvers panel: the path the values typed so far would take."""
    user = _user(request)
    version = _editing_version(request, code) or _startable(request, code)[1]
    schema = formschema.schema_fields(version.form_schema)
    definition = services.definition_of(version)
    picks = _picks(request.POST, _pick_nodes(definition))
    path = _dry_run(definition, schema, request.POST, user, picks)
    refs = {ref for step in path.steps for ref, _reason in step.approvers}
    names = {
        str(person.pk): person.display_name
        for person in User.objects.filter(pk__in=[r for r in refs if r.isdigit()])
    }
    steps = [
        {
            "kind": step.kind,
            "name": step.name,
            "note": step.note,
            "approvers": [
                (names.get(ref, ref), reason) for ref, reason in step.approvers
            ],
        }
        for step in path.steps
    ]
    return render(request, "workflow/apply/apply_form.html#preview", {"steps": steps})
