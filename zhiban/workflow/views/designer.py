"""The flow designer: the page, and the JSON endpoints its script calls.

The page delivers the draft (the engine's dict format, see
``zhiban.workflow.engine.definitions``) in a ``json_script`` data block; the
script posts the whole tree back as JSON. Every endpoint answers JSON: bad
JSON or a refused definition is a 400 with the messages, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from zhiban.org import selectors as org_selectors
from zhiban.org.models import Role, User
from zhiban.workflow import engine, services
from zhiban.workflow.views.manage import current_user, designer_required, flow_or_404


def texts() -> dict[str, str]:
    """Return the designer script's texts in the user's language."""
    return {
        "start": _("Initiator"),
        "start_note": _("Submits the request"),
        "end": pgettext("flow node", "End"),
        "end_note": _("The request is approved"),
        "approver": _("Approver"),
        "cc": pgettext("node", "CC"),
        "condition": _("Condition branches"),
        "parallel": _("Parallel branches"),
        "branch": _("Branch"),
        "default_branch": _("Default branch"),
        "default_note": _("When no other branch applies"),
        "no_conditions": _("No condition set yet"),
        "add_node": _("Add a step here"),
        "add_branch": _("Add branch"),
        "delete": _("Delete"),
        "move_left": _("Move left"),
        "move_right": _("Move right"),
        "close": _("Close"),
        "name": pgettext("of a thing", "Name"),
        "who": _("Who approves"),
        "who_cc": _("Who is told"),
        "k_users": _("Named people"),
        "k_role": _("A role in the initiator's unit"),
        "k_department_head": _("Head of the initiator's department"),
        "k_levels_up": _("Heads up the department tree"),
        "k_overseeing_leader": _("Overseeing leader"),
        "k_initiator_pick": _("The initiator picks"),
        "k_form_field": _("A person field of the form"),
        "levels": _("How many levels up"),
        "levels_n": _("%(n)s levels of heads"),
        "role": _("Role"),
        "field": _("Form field"),
        "people": _("People"),
        "search_people": _("Search by name or department"),
        "no_person": _("Nobody chosen yet"),
        "mode": _("When several people approve"),
        "m_sequential": _("One after another (sequential)"),
        "m_all": _("All must approve (all-sign)"),
        "m_any": _("Any one approves (any-sign)"),
        "m_threshold": _("A number of them approve"),
        "threshold": _("How many must approve"),
        "policies": _("Policies"),
        "initiator_policy": _("When the initiator is an approver"),
        "ip_approve": _("The initiator approves it"),
        "ip_skip": _("Skip the initiator"),
        "skip_same": _("Skip when the same person approved the step before"),
        "when_empty": _("When nobody is found"),
        "we_auto_pass": _("Pass automatically (recorded)"),
        "we_fallback": _("Hand it to fallback people"),
        "fallback_users": _("Fallback people"),
        "return_policy": _("After a return to an earlier step"),
        "rp_rewalk": _("Walk every step in between again"),
        "rp_straight_back": _("Come straight back to this step"),
        "timeout": _("Timeout in minutes (0: none)"),
        "on_timeout": _("On timeout"),
        "to_remind": _("Remind"),
        "to_escalate": _("Escalate"),
        "to_auto_pass": _("Pass automatically"),
        "escalate_to": _("Escalate to"),
        "conditions": _("Conditions (all must hold)"),
        "add_condition": _("Add condition"),
        "value": _("Value"),
        "values_hint": _("Several values: separate with commas"),
        "is_default": _("Default branch (taken when no other branch applies)"),
        "choose": _("(choose)"),
        "no_form_fields": _("The form has no fields yet: add them on the Form tab."),
        "no_person_fields": _("The form has no person field."),
        "select_hint_readonly": _("Click a step to see its settings."),
        "select_hint": _("Click a step to edit it; use + between steps to add one."),
        "saved": _("Draft saved."),
        "valid": _("No problems found: the flow can be published."),
        "problems": _("Problems to fix before publishing"),
        "published": _("Published as version %(n)s."),
        "published_badge": _("Published v%(n)s"),
        "failed": _("The request failed; please try again."),
        "dry_run": _("Dry run"),
        "dry_initiator": _("Sample initiator"),
        "dry_go": _("Show the path"),
        "dry_intro": _(
            "Enter sample values; the path and the approvers are shown on the steps."
        ),
        "dry_need_initiator": _("Choose a sample initiator."),
        "dry_nobody": _("Nobody (passes automatically)"),
        "dry_skipped": _("Not on this path"),
        "settings_problem": _("Flow settings"),
        "unsaved": _("Unsaved changes"),
        "n_approvers": _("%(n)s people"),
        "dept_head_short": _("Department head"),
        "overseeing_short": _("Overseeing leader"),
        "pick_short": _("Picked by the initiator"),
        "op_eq": "=",
        "op_ne": "≠",
        "op_gt": ">",
        "op_ge": "≥",
        "op_lt": "<",
        "op_le": "≤",
        "op_in": _("is one of"),
        "op_contains": _("contains"),
    }


def _people_names(refs: Iterable[str]) -> dict[str, str]:
    ids = {int(ref) for ref in refs if str(ref).isdigit()}
    return {
        str(person.pk): person.display_name
        for person in User.objects.filter(pk__in=ids).select_related(
            "primary_department"
        )
    }


def _referenced_people(body: dict[str, Any]) -> set[str]:
    refs: set[str] = set()

    def walk(nodes: list[Any]) -> None:
        for node in nodes:
            if not isinstance(node, dict):
                continue
            assignees = node.get("assignees") or {}
            refs.update(str(u) for u in assignees.get("users", ()))
            refs.update(str(u) for u in node.get("fallback_users", ()))
            refs.update(str(u) for u in node.get("escalate_to", ()))
            for branch in node.get("branches", ()):
                walk(list(branch.get("nodes", ())))

    walk(list(body.get("nodes", ())))
    return refs


def _design_data(
    request: HttpRequest, code: str, body: dict[str, Any], form: Any
) -> dict[str, Any]:
    return {
        "definition": body,
        "form": form,
        "roles": [
            {"value": value, "label": str(label)} for value, label in Role.choices
        ],
        "people": _people_names(_referenced_people(body)),
        "texts": texts(),
        "urls": {
            "save": reverse("workflow:flow_design_save", args=[code]),
            "validate": reverse("workflow:flow_design_validate", args=[code]),
            "dry_run": reverse("workflow:flow_design_dry_run", args=[code]),
            "publish": reverse("workflow:flow_design_publish", args=[code]),
            "people": reverse("workflow:flow_people"),
        },
    }


@designer_required
@require_GET
def flow_design(request: HttpRequest, code: str) -> HttpResponse:
    """Show the designer with the flow's draft node tree."""
    flow = flow_or_404(request, code)
    draft = services.flow_draft_of(definition=flow)
    context = {
        "nav_active": "flows",
        "flow": flow,
        "tab": "design",
        "design": _design_data(request, flow.code, draft["definition"], draft["form"]),
    }
    return render(request, "workflow/manage/flow_design.html", context)


@designer_required
@require_GET
def flow_version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Show one published version read-only, as its node tree."""
    flow = flow_or_404(request, code)
    version = get_object_or_404(
        flow.versions.select_related("published_by"), number=number
    )
    design = _design_data(
        request, flow.code, dict(version.body), list(version.form_schema)
    )
    design["readonly"] = True
    context = {
        "nav_active": "flows",
        "flow": flow,
        "version": version,
        "tab": "versions",
        "design": design,
    }
    return render(request, "workflow/manage/flow_version_detail.html", context)


# --- JSON endpoints -------------------------------------------------------------------


class BadRequestError(Exception):
    """The request body is not what the designer sends."""


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequestError(_("The request is not valid JSON.")) from error
    if not isinstance(data, dict):
        raise BadRequestError(_("The request must be a JSON object."))
    return data


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _bad(messages: list[str], status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": messages, **extra}, status=status)


def _problems_json(problems: Iterable[engine.Problem]) -> list[dict[str, str]]:
    return [
        {"node_id": p.node_id, "code": p.code, "message": str(p.message)}
        for p in problems
    ]


def _save_posted(request: HttpRequest, code: str) -> tuple[Any, dict[str, Any]]:
    """Store the posted tree (if any) as the draft; return the flow and the body."""
    flow = flow_or_404(request, code)
    data = _json_body(request)
    if "definition" in data:
        services.flow_draft_save(
            definition=flow, body=data["definition"], by=current_user(request)
        )
        flow.refresh_from_db()
    return flow, data


def _json_view(handler: Any) -> Any:
    """Turn bad JSON and refusals into a 400 with messages."""

    def wrapped(request: HttpRequest, code: str) -> HttpResponse:
        try:
            return handler(request, code)
        except BadRequestError as error:
            return _bad([str(error)])
        except ValidationError as error:
            return _bad(_messages(error))

    wrapped.__doc__ = handler.__doc__
    wrapped.__name__ = handler.__name__
    return wrapped


@designer_required
@require_POST
@_json_view
def flow_design_save(request: HttpRequest, code: str) -> HttpResponse:
    """Save the posted node tree as the draft."""
    flow, _data = _save_posted(request, code)
    return JsonResponse(
        {
            "ok": True,
            "saved_at": flow.draft_updated_at.isoformat()
            if flow.draft_updated_at
            else None,
        }
    )


@designer_required
@require_POST
@_json_view
def flow_design_validate(request: HttpRequest, code: str) -> HttpResponse:
    """Save the posted tree, then list the draft's problems."""
    flow, _data = _save_posted(request, code)
    problems = services.flow_validate(definition=flow)
    return JsonResponse({"ok": not problems, "problems": _problems_json(problems)})


@designer_required
@require_POST
@_json_view
def flow_design_publish(request: HttpRequest, code: str) -> HttpResponse:
    """Save the posted tree, then publish the draft or list its problems."""
    flow, _data = _save_posted(request, code)
    problems = services.flow_validate(definition=flow)
    if problems:
        return _bad([p.message for p in problems], problems=_problems_json(problems))
    version = services.flow_publish_draft(definition=flow, by=current_user(request))
    return JsonResponse({"ok": True, "version": version.number})


@designer_required
@require_POST
@_json_view
def flow_design_dry_run(request: HttpRequest, code: str) -> HttpResponse:
    """Save the posted tree, then walk it with sample values; nothing is created."""
    flow, data = _save_posted(request, code)
    form = data.get("form") or {}
    if not isinstance(form, dict):
        raise BadRequestError(_("The sample form must be a JSON object."))
    initiator_id = str(data.get("initiator") or "")
    initiator = (
        User.objects.filter(pk=initiator_id, is_active=True).first()
        if initiator_id.isdigit()
        else None
    )
    if initiator is None:
        return _bad([_("Choose a sample initiator.")])
    path = services.flow_dry_run(definition=flow, form=form, initiator=initiator)
    names = _people_names(ref for step in path.steps for ref, _reason in step.approvers)
    return JsonResponse(
        {
            "ok": True,
            "steps": [
                {
                    "node_id": step.node_id,
                    "kind": step.kind,
                    "name": step.name,
                    "note": step.note,
                    "approvers": [
                        {"id": ref, "name": names.get(ref, ref), "reason": reason}
                        for ref, reason in step.approvers
                    ],
                }
                for step in path.steps
            ],
        }
    )


@designer_required
@require_GET
def flow_people(request: HttpRequest) -> HttpResponse:
    """Return up to 20 active people matching the query, for the designer's pickers."""
    query = request.GET.get("q", "")[:50]
    people = org_selectors.user_directory_for(viewer=current_user(request), query=query)
    return JsonResponse(
        {
            "results": [
                {
                    "id": str(person.pk),
                    "name": person.display_name,
                    "department": person.primary_department.name
                    if person.primary_department
                    else "",
                }
                for person in people[:20]
            ]
        }
    )
