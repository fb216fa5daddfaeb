"""Incoming handling on the document page: the current step's form, and urging."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import selectors, services
from zhiban.documents.forms import CheckForm, InstructForm, ProposeForm, ReplyForm
from zhiban.documents.models import Document, Stage
from zhiban.documents.views._common import handling_context, user_of
from zhiban.documents.views.entries import detail_page
from zhiban.org.views.picker import chosen_people

DONE_MESSAGES = {
    Stage.CHECK: gettext_noop("The first check is recorded."),
    Stage.PROPOSE: gettext_noop("The proposal is sent to the leader."),
    Stage.INSTRUCT: gettext_noop("The instruction is sent to the departments."),
    Stage.HANDLE: gettext_noop("Your department's reply is recorded."),
    Stage.COMPLETE: gettext_noop("The document is completed."),
}


def _act(request: HttpRequest, document: Document, stage: str, user: Any) -> Any:
    """Parse the stage's form and call its service; return the form when refused."""
    post = request.POST
    if stage == Stage.CHECK:
        form: Any = CheckForm(post)
        if form.is_valid():
            services.incoming_check(
                document=document,
                by=user,
                passed=post.get("decision") != "return",
                reasons=form.cleaned_data["reasons"],
            )
            return None
    elif stage == Stage.PROPOSE:
        form = ProposeForm(post)
        leaders = chosen_people(post.getlist("leader"))
        if form.is_valid():
            if not leaders:
                form.add_error(None, _("Choose the leader who instructs."))
            else:
                services.incoming_propose(
                    document=document,
                    by=user,
                    proposal=form.cleaned_data["proposal"],
                    leader=leaders[0],
                )
                return None
    elif stage == Stage.INSTRUCT:
        form = InstructForm(post, unit_id=document.unit_id)
        if form.is_valid():
            data = form.cleaned_data
            services.incoming_instruct(
                document=document,
                by=user,
                instruction=data["instruction"],
                lead=data["lead"],
                co_departments=list(data["co_departments"]),
                deadline=data["deadline"],
            )
            return None
    elif stage == Stage.HANDLE:
        form = ReplyForm(post)
        if form.is_valid():
            services.incoming_reply(
                document=document, by=user, reply=form.cleaned_data["reply"]
            )
            return None
    else:
        form = ReplyForm(post)
        form.fields["reply"].required = False
        if form.is_valid():
            services.incoming_complete(
                document=document,
                by=user,
                reply_to_sender=form.cleaned_data["reply"],
            )
            return None
    return form


@login_required
@require_POST
def incoming_act(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """Do the current step of an incoming document's handling."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    if stage not in DONE_MESSAGES:
        raise PermissionDenied
    form = None
    try:
        form = _act(request, document, stage, user)
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        document.refresh_from_db()
        context = handling_context(user=user, document=document, form=None)
        if context["handling"] is not None:
            context["handling"]["errors"] = error.messages
        return detail_page(request, document, status=400, handling=context)
    if form is not None:
        context = handling_context(user=user, document=document, form=form)
        return detail_page(request, document, status=400, handling=context)
    messages.success(request, _(DONE_MESSAGES[Stage(stage)]))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def incoming_urge(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind everyone holding a step of the document (催办)."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    try:
        count = services.incoming_urge(
            document=document, by=user, note=request.POST.get("note", "")
        )
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s people were reminded.") % {"n": count})
    return redirect("documents:detail", pk=document.pk)
