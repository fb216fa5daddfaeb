"""My delegations, and every delegation for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhiban.core.errors import PermissionDeniedError
from zhiban.org import forms, policies, selectors, services
from zhiban.org.models import (
    Delegation,
)
from zhiban.org.views._common import (
    PAGE_SIZE,
    admin_required,
    current_user,
    with_kind_labels,
)


@login_required
def my_delegations(request: HttpRequest) -> HttpResponse:
    """List the delegations I gave or received; set up a new one."""
    user = current_user(request)
    form = forms.DelegationForm(request.POST or None)
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        lambda data: services.delegation_create(by=user, delegator=user, **data),
        _("The delegation was set up."),
    ):
        return redirect("org:my_delegations")
    delegations = with_kind_labels(
        selectors.delegation_list_for(viewer=user, mine=True)
    )
    return render(
        request,
        "org/delegation_list.html",
        {
            "form": form,
            "delegations": delegations,
            "mine": True,
            "nav_active": "org",
        },
    )


@login_required
@require_POST
def delegation_end(request: HttpRequest, delegation_id: int) -> HttpResponse:
    """End a delegation (one's own, or any for an administrator)."""
    delegation = get_object_or_404(
        Delegation.objects.select_related("delegator"), pk=delegation_id
    )
    try:
        services.delegation_end(by=current_user(request), delegation=delegation)
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    messages.success(request, _("The delegation was ended."))
    if policies.can_administer(request.user) and request.POST.get("next") == "admin":
        return redirect("org:delegation_admin")
    return redirect("org:my_delegations")


@admin_required
def delegation_admin(request: HttpRequest) -> HttpResponse:
    """List every delegation; set one up for anyone."""
    form = forms.AdminDelegationForm(request.POST or None)
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        lambda data: services.delegation_create(by=current_user(request), **data),
        _("The delegation was set up."),
    ):
        return redirect("org:delegation_admin")
    delegations = selectors.delegation_list_for(viewer=current_user(request))
    page = Paginator(delegations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/delegation_list.html",
        {
            "form": form,
            "delegations": with_kind_labels(page.object_list),
            "page": page,
            "mine": False,
            "nav_active": "org_admin",
        },
    )
