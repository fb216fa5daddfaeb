"""Circulation (传阅) on the document page: start a round, give an opinion, close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import selectors, services
from zhiban.documents.forms import OpinionForm
from zhiban.documents.models import Circulation
from zhiban.documents.views._common import circulation_context, user_of
from zhiban.documents.views.entries import detail_page
from zhiban.org.views.picker import chosen_people


def _back(document_id: int) -> HttpResponse:
    return redirect("documents:detail", pk=document_id)


@login_required
@require_POST
def circulation_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the document round the chosen readers."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    readers = chosen_people(request.POST.getlist("readers"))
    try:
        services.circulation_start(
            document=document,
            by=user,
            readers=readers,
            note=request.POST.get("note", "")[:300],
        )
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        return detail_page(
            request,
            document,
            status=400,
            circulation=circulation_context(
                user=user,
                document=document,
                start_errors=error.messages,
                chosen=readers,
            ),
        )
    messages.success(
        request,
        _("The document is circulating to %(n)s readers.") % {"n": len(readers)},
    )
    return _back(document.pk)


@login_required
@require_POST
def circulation_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the signed-in reader's opinion."""
    user = user_of(request)
    circulation = get_object_or_404(Circulation, pk=pk)
    document = selectors.document_get_for(user=user, pk=circulation.document_id)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.circulation_opinion(
                circulation=circulation, by=user, opinion=form.cleaned_data["opinion"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your opinion is recorded."))
            return _back(document.pk)
    return detail_page(
        request,
        document,
        status=400,
        circulation=circulation_context(
            user=user, document=document, opinion_form=form
        ),
    )


@login_required
@require_POST
def circulation_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a round before every reader has signed."""
    user = user_of(request)
    circulation = get_object_or_404(Circulation, pk=pk)
    document = selectors.document_get_for(user=user, pk=circulation.document_id)
    try:
        services.circulation_close(circulation=circulation, by=user)
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The circulation is closed."))
    return _back(document.pk)
