"""The instance page, its actions, its files and its printable form: thin views.

Who may see an instance is ``selectors.instance_get_for``; who may act is the
engine's (through ``services.instance_act``), so the page only offers what the
rules would allow and shows a refusal on the form when it is too late.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError
from zhiban.workflow import instance_pages, policies, selectors, services
from zhiban.workflow.kinds import flow_kind
from zhiban.workflow.models import FlowInstance

ACTION_KINDS = frozenset(
    {
        "approve",
        "reject",
        "return",
        "transfer",
        "add_approver",
        "withdraw",
        "urge",
        "comment",
        "revoke",
        "submit",  # resubmit a returned request as it stands
    }
)

DONE_MESSAGES = {
    "approve": gettext_lazy("Approved."),
    "reject": gettext_lazy("Rejected."),
    "return": gettext_lazy("Returned."),
    "transfer": gettext_lazy("Handed over."),
    "add_approver": gettext_lazy("Approver added."),
    "withdraw": gettext_lazy("Withdrawn."),
    "urge": gettext_lazy("Reminder sent to the approvers."),
    "comment": gettext_lazy("Comment added."),
    "revoke": gettext_lazy("Revocation requested; it goes through approval."),
    "submit": gettext_lazy("Resubmitted."),
}


def _user(request: HttpRequest) -> Any:
    return request.user


def _visible(request: HttpRequest, pk: int) -> FlowInstance:
    instance = selectors.instance_get_for(user=_user(request), instance_id=pk)
    if instance is None:
        raise Http404
    return instance


def _render_detail(
    request: HttpRequest,
    instance: FlowInstance,
    *,
    error: DomainError | None = None,
    kind: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    context = instance_pages.instance_page(instance=instance, user=user)
    panel = context["panel"]
    context.update(
        {
            "nav_active": "approvals",
            "error": error,
            "error_kind": kind,
            "data": request.POST if error is not None else {},
            "transfer_people": instance_pages.transfer_candidates(
                user=user, instance=instance
            )
            if panel.task is not None
            else [],
            "has_picker": _has_picker(),
            "kind_template": flow_kind(
                instance.version.definition.kind
            ).detail_template,
            "reassignable": list(selectors.instance_open_tasks(instance=instance))
            if policies.can_reassign_tasks(user)
            else [],
        }
    )
    return render(request, "workflow/instance_detail.html", context, status=status)


def _has_picker() -> bool:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template("org/_person_picker.html")
    except TemplateDoesNotExist:
        return False
    return True


@login_required
@require_GET
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an approval: header, form, path, timeline and what the viewer may do."""
    return _render_detail(request, _visible(request, pk))


def _payload(kind: str, data: Any) -> dict[str, Any]:
    """Read the action's fields from the posted form."""
    text = str(data.get("opinion") or "").strip()
    payload: dict[str, Any] = {"opinion": text, "reason": text}
    if kind == "return":
        payload["to_node"] = str(data.get("to_node") or "")
    if kind == "transfer":
        payload["to_user"] = _one_person(data, "to_user")
    if kind == "add_approver":
        payload["user"] = _one_person(data, "user")
        payload["before"] = data.get("before") != "after"
    if kind == "urge":
        payload["message"] = text
    if kind == "comment":
        payload["text"] = str(data.get("text") or "").strip()
    return payload


def _one_person(data: Any, name: str) -> str:
    chosen = [value for value in data.getlist(name) if value]
    return str(chosen[-1]) if chosen else ""


def _task_id(data: Any) -> int | None:
    value = str(data.get("task") or "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def instance_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one action on an approval from its page; a refusal changes nothing."""
    instance = _visible(request, pk)
    user = _user(request)
    kind = str(request.POST.get("kind") or "")
    try:
        if kind not in ACTION_KINDS:
            raise DomainError(_("Choose an action."), code="unknown_action")
        payload = _payload(kind, request.POST)
        if kind in ("transfer", "add_approver") and not (
            payload.get("to_user") or payload.get("user")
        ):
            raise DomainError(_("Choose a person."), code="no_person")
        if kind == "revoke":
            from zhiban.workflow.revocation import instance_revoke_request

            if not payload["reason"]:
                raise DomainError(
                    _("Give a reason for the revocation."), code="no_reason"
                )
            revocation = instance_revoke_request(
                instance=instance, by=user, reason=payload["reason"]
            )
            messages.success(request, str(DONE_MESSAGES[kind]))
            return redirect("workflow:instance_detail", revocation.pk)
        services.instance_act(
            instance_id=instance.pk,
            kind=kind,
            by=user,
            payload=payload,
            task_id=_task_id(request.POST),
            files=request.FILES.getlist("files"),
        )
    except DomainError as error:
        fresh = _visible(request, pk)
        return _render_detail(request, fresh, error=error, kind=kind, status=409)
    messages.success(request, str(DONE_MESSAGES[kind]))
    return redirect("workflow:instance_detail", instance.pk)


@login_required
@require_GET
def instance_file(request: HttpRequest, pk: int) -> FileResponse:
    """Send an approval's file to someone who may see the approval, else 404."""
    row = instance_pages.file_get_for(user=_user(request), file_id=pk)
    if row is None or not row.file:
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=row.original_name,
        content_type=row.content_type or "application/octet-stream",
    )


@login_required
@require_GET
def instance_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the approval form (审批单) as an A4 PDF."""
    import weasyprint

    instance = _visible(request, pk)
    context = instance_pages.instance_page(instance=instance, user=_user(request))
    context["printed_at"] = timezone.localtime()
    context["printed_by"] = _user(request)
    context["opinions"] = [
        action
        for action in context["actions"]
        if action.kind
        in ("approve", "reject", "return", "transfer", "add_approver", "revoke")
    ]
    html = render_to_string("workflow/instance_print.html", context, request=request)
    stylesheet = finders.find("css/approvals-print.css")
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR))
    pdf = document.write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(stylesheet))] if stylesheet else []
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localdate().strftime("%Y%m%d")
    name = f"{instance.serial}-{day}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
