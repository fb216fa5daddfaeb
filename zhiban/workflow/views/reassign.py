"""改派: administrators hand the open task of someone who cannot act to another person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError
from zhiban.org.models import User
from zhiban.workflow import policies, selectors
from zhiban.workflow.models import FlowTask
from zhiban.workflow.reassignment import task_reassign


def _administrator(request: HttpRequest) -> Any:
    user = request.user
    if not policies.can_reassign_tasks(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def held_tasks(request: HttpRequest) -> HttpResponse:
    """List the open tasks held by deactivated people, to reassign them."""
    user = _administrator(request)
    page = Paginator(selectors.task_list_held_by_inactive(user=user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workflow/manage/held_tasks.html",
        {"nav_active": "flows", "page": page},
    )


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Reassign one open task; go back where the form was (a refusal says why)."""
    user = _administrator(request)
    task = FlowTask.objects.filter(pk=pk).first()
    if task is None:
        raise Http404
    back = str(request.POST.get("next") or "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    chosen = [v for v in request.POST.getlist("to_user") if str(v).isdigit()]
    to = User.objects.filter(pk=chosen[-1]).first() if chosen else None
    try:
        if to is None:
            raise DomainError(_("Choose a person."), code="no_person")
        task_reassign(
            task=task, to=to, by=user, reason=str(request.POST.get("reason") or "")
        )
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The task was reassigned to %(name)s.") % {"name": to.display_name},
        )
    if back:
        return redirect(back)
    return redirect("workflow:instance_detail", pk=task.instance_id)
