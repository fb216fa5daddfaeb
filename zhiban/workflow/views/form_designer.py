"""The form designer: the fields a requester fills, edited by flow administrators.

The page holds the whole form as one HTML form with numbered inputs
(``f<i>-key``, ``f<i>-label``, ...). Every button (add, move, remove) posts it
back and the server answers the editor again (an HTMX partial), so no script
is needed; "Save" stores it through ``services.flow_form_save``, whose problems
are shown on their fields. Locked fields (those the flow kind relies on) keep
their key, type and rules: only the label and help come from the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhiban.core.errors import DomainError
from zhiban.workflow import formschema, services
from zhiban.workflow.kinds import flow_kind
from zhiban.workflow.views.apply import ApplyForm, _rows
from zhiban.workflow.views.manage import current_user, designer_required, flow_or_404

NUMBER_RULES = ("min", "max")
INT_RULES = ("decimals", "max_length", "max_files")
TEXT_RULES = ("pattern", "pattern_message")
BOOL_RULES = ("multiple", "not_past")
MAX_FIELDS = 60


def _number(text: str) -> int | float | str:
    """Return the typed number as int or float; keep bad text so that it is refused."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _int(text: str) -> int | str:
    return int(text) if text.lstrip("-").isdigit() else text


def fields_from_post(data: QueryDict, kind: str) -> list[dict[str, Any]]:
    """Read the designer's numbered inputs back into field dicts, in page order."""
    locked = {str(f.get("key")): dict(f) for f in flow_kind(kind).fields}
    try:
        count = min(int(data.get("count", "0")), MAX_FIELDS)
    except ValueError:
        count = 0
    fields: list[dict[str, Any]] = []
    for index in range(count):
        prefix = f"f{index}-"
        if f"{prefix}type" not in data:
            continue
        key = data.get(f"{prefix}key", "").strip()
        label = data.get(f"{prefix}label", "").strip()
        help_text = data.get(f"{prefix}help", "").strip()
        if data.get(f"{prefix}locked") == "1" and key in locked:
            fields.append(
                {**locked[key], "label": label, "help": help_text, "locked": True}
            )
            continue
        field_type = data.get(f"{prefix}type", "")
        field: dict[str, Any] = {
            "key": key,
            "type": field_type,
            "label": label,
            "required": data.get(f"{prefix}required") == "1",
            "help": help_text,
            "locked": False,
        }
        rules = formschema.field_types().get(field_type)
        allowed = rules.rules if rules else frozenset()
        if "options" in allowed:
            field["options"] = [
                line.strip()
                for line in data.get(f"{prefix}options", "").splitlines()
                if line.strip()
            ]
        for name in NUMBER_RULES:
            text = data.get(f"{prefix}{name}", "").strip()
            if name in allowed and text:
                field[name] = _number(text)
        for name in INT_RULES:
            text = data.get(f"{prefix}{name}", "").strip()
            if name in allowed and text:
                field[name] = _int(text)
        for name in TEXT_RULES:
            text = data.get(f"{prefix}{name}", "").strip()
            if name in allowed and text:
                field[name] = text
        for name in BOOL_RULES:
            if name in allowed and data.get(f"{prefix}{name}") == "1":
                field[name] = True
        fields.append(field)
    return fields


def _new_key(fields: list[dict[str, Any]]) -> str:
    keys = {f.get("key") for f in fields}
    number = len(fields) + 1
    while f"field_{number}" in keys:
        number += 1
    return f"field_{number}"


def _apply_op(
    fields: list[dict[str, Any]], op: str, new_type: str
) -> list[dict[str, Any]]:
    """Return the fields after an add, move or remove (nothing is stored)."""
    verb, _sep, argument = op.partition(":")
    index = int(argument) if argument.isdigit() else -1
    if verb == "add" and new_type in formschema.field_types():
        label = str(formschema.field_types()[new_type].label)
        field: dict[str, Any] = {
            "key": _new_key(fields),
            "type": new_type,
            "label": label,
            "required": False,
            "help": "",
            "locked": False,
        }
        if new_type in ("choice", "multichoice"):
            field["options"] = [_("Option 1"), _("Option 2")]
        fields.append(field)
    elif verb == "up" and 0 < index < len(fields):
        fields[index - 1], fields[index] = fields[index], fields[index - 1]
    elif verb == "down" and 0 <= index < len(fields) - 1:
        fields[index + 1], fields[index] = fields[index], fields[index + 1]
    elif (
        verb == "remove"
        and 0 <= index < len(fields)
        and not fields[index].get("locked")
    ):
        del fields[index]
    return fields


def _cards(
    fields: list[dict[str, Any]], problems: list[formschema.SchemaProblem]
) -> list[dict[str, Any]]:
    types = formschema.field_types()
    by_key: dict[str, list[str]] = {}
    for problem in problems:
        by_key.setdefault(problem.key, []).append(problem.message)
    cards = []
    for index, field in enumerate(fields):
        field_type = types.get(str(field.get("type")))
        cards.append(
            {
                "index": index,
                "prefix": f"f{index}-",
                "field": field,
                "options_text": "\n".join(str(o) for o in field.get("options") or []),
                "type_label": field_type.label if field_type else field.get("type"),
                "icon": field_type.icon if field_type else "bi-question-circle",
                "rules": field_type.rules if field_type else frozenset(),
                "problems": by_key.get(str(field.get("key")), []),
                "first": index == 0,
                "last": index == len(fields) - 1,
            }
        )
    return cards


def _context(
    request: HttpRequest,
    flow: Any,
    fields: list[dict[str, Any]],
    problems: list[formschema.SchemaProblem],
    *,
    changed: bool,
) -> dict[str, Any]:
    known = {str(f.get("key")) for f in fields}
    return {
        "nav_active": "flows",
        "flow": flow,
        "tab": "form",
        "cards": _cards(fields, problems),
        "count": len(fields),
        "general_problems": [p.message for p in problems if p.key not in known],
        "types": [
            (code, field_type.label)
            for code, field_type in formschema.field_types().items()
        ],
        "changed": changed,
        "kind_label": flow_kind(flow.kind).label,
    }


def _with_locked_fields(
    fields: list[dict[str, Any]], kind: str
) -> tuple[list[dict[str, Any]], bool]:
    """Mark the kind's fields locked and add back any the draft lacks (unsaved)."""
    locked = formschema.locked_keys(kind)
    for field in fields:
        field["locked"] = str(field.get("key")) in locked
    present = {str(f.get("key")) for f in fields}
    missing = [
        {**dict(f), "locked": True}
        for f in flow_kind(kind).fields
        if str(f.get("key")) not in present
    ]
    return fields + missing, bool(missing)


@designer_required
@require_http_methods(["GET", "POST"])
def flow_form(request: HttpRequest, code: str) -> HttpResponse:
    """Show and edit the draft's form; "Save" stores it, other buttons only edit."""
    flow = flow_or_404(request, code)
    problems: list[formschema.SchemaProblem] = []
    changed = False
    if request.method == "POST":
        fields = fields_from_post(request.POST, flow.kind)
        op = request.POST.get("op", "")
        if op == "save":
            try:
                services.flow_form_save(
                    definition=flow, form=fields, by=current_user(request)
                )
            except DomainError as error:
                problems = list(getattr(error, "problems", []))
                changed = True
            else:
                messages.success(request, _("The form was saved to the draft."))
                if not request.headers.get("HX-Request"):
                    return redirect("workflow:flow_form", code=flow.code)
                fields = services.flow_draft_of(definition=flow)["form"]
        else:
            fields = _apply_op(fields, op, request.POST.get("new_type", ""))
            changed = True
    else:
        fields, changed = _with_locked_fields(
            [dict(f) for f in services.flow_draft_of(definition=flow)["form"]],
            flow.kind,
        )
    context = _context(request, flow, fields, problems, changed=changed)
    template = "workflow/manage/form_designer.html"
    status = 400 if problems else 200
    if request.headers.get("HX-Request"):
        template += "#editor"
        status = 200  # htmx swaps nothing on an error status: show the problems
    return render(request, template, context, status=status)


@designer_required
@require_POST
def flow_form_preview(request: HttpRequest, code: str) -> HttpResponse:
    """Answer the form as the requester will see it, from the fields on the page."""
    flow = flow_or_404(request, code)
    fields = fields_from_post(request.POST, flow.kind)
    user = current_user(request)
    problems = formschema.validate_schema(fields, kind=flow.kind)
    sound = [f for f in fields if f.get("type") in formschema.field_types()]
    form = ApplyForm(None, schema=sound, user=user)
    context: Mapping[str, Any] = {
        "rows": _rows(sound, form, None, {}),
        "problems": [p.message for p in problems],
    }
    return render(request, "workflow/manage/form_designer.html#preview", context)
