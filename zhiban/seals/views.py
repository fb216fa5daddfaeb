"""Pages of the seal register, the stamping record and the ledger: thin.

The selectors decide who sees what; the services act.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.seals import exports, policies, selectors, services
from zhiban.seals.forms import SealForm, StampForm
from zhiban.seals.models import Seal, SealUse

PAGE_SIZE = 20


def _user(request: HttpRequest) -> Any:
    return request.user


def _partial(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if getattr(request, "htmx", False) else template


def _refuse_unless_register_keeper(request: HttpRequest) -> None:
    if not policies.can_manage_register(_user(request)):
        raise PermissionDenied


# --- the register ---------------------------------------------------------------


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """List the seals of the register (office director, system administrator)."""
    _refuse_unless_register_keeper(request)
    seals = list(selectors.seal_list_for(viewer=_user(request)))
    return render(
        request,
        "seals/seal_list.html",
        {"nav_active": "seals", "seals": seals},
    )


def _seal_form_page(
    request: HttpRequest, form: SealForm, seal: Seal | None
) -> HttpResponse:
    return render(
        request,
        "seals/seal_form.html",
        {"nav_active": "seals", "form": form, "seal": seal},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def seal_create(request: HttpRequest) -> HttpResponse:
    """Add a seal to the register."""
    _refuse_unless_register_keeper(request)
    form = SealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.seal_create(by=_user(request), **form.service_arguments())
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The seal is added to the register."))
            return redirect("seals:register")
    return _seal_form_page(request, form, None)


@login_required
def seal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a seal of the register."""
    _refuse_unless_register_keeper(request)
    seal = selectors.seal_get_for(viewer=_user(request), pk=pk)
    form = SealForm(request.POST or None, initial=SealForm.initial_for(seal))
    if request.method == "POST" and form.is_valid():
        try:
            services.seal_update(
                seal=seal, by=_user(request), **form.service_arguments()
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The seal is saved."))
            return redirect("seals:register")
    return _seal_form_page(request, form, seal)


@login_required
@require_POST
def seal_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a seal, or bring it back."""
    _refuse_unless_register_keeper(request)
    seal = selectors.seal_get_for(viewer=_user(request), pk=pk)
    active = request.POST.get("active") == "1"
    services.seal_set_active(seal=seal, active=active, by=_user(request))
    if active:
        messages.success(request, _("The seal is active again."))
    else:
        messages.success(request, _("The seal is deactivated."))
    return redirect("seals:register")


# --- the ledger -----------------------------------------------------------------


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """The seal-use ledger (用印台账): the rows the user may see, filtered, paged."""
    user = _user(request)
    filters = selectors.LedgerFilters.from_query(request.GET)
    queryset = selectors.seal_use_list_for(user=user, filters=filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav_active": "seals",
        "page": page,
        "filters": filters,
        "query": filters.query_string(),
        "choices": selectors.ledger_filter_choices(user=user),
        "statuses": SealUse.Status.choices,
        "can_manage_register": policies.can_manage_register(user),
        "sees_whole_ledger": policies.sees_whole_ledger(user),
        "user_id": user.pk,
    }
    return render(request, _partial(request, "seals/ledger.html", "rows"), context)


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered ledger rows the user may see as an Excel workbook."""
    filters = selectors.LedgerFilters.from_query(request.GET)
    rows = selectors.seal_use_list_for(user=_user(request), filters=filters)
    content = exports.ledger_workbook(rows[: exports.MAX_ROWS].iterator(chunk_size=500))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content,
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = f'attachment; filename="seal-ledger-{stamp}.xlsx"'
    return response


@login_required
def stamp(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the stamping of an approved request (the seal's keeper or deputy)."""
    user = _user(request)
    use = selectors.seal_use_get_for(user=user, pk=pk)
    if not policies.can_stamp(user, use):
        raise PermissionDenied
    form = StampForm(
        request.POST or None,
        request.FILES or None,
        copies_approved=use.copies_approved,
    )
    if (
        request.method == "POST"
        and use.status == SealUse.Status.AWAITING
        and form.is_valid()
    ):
        data = form.cleaned_data
        try:
            services.seal_use_stamp(
                use_id=use.pk,
                by=user,
                copies=data["copies"],
                scan=data["scan"],
                scan_name=data["scan"].name or "",
                stamped_at=data["stamped_at"],
                note=data["note"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The stamping is recorded."))
            return redirect(f"{reverse('seals:ledger')}?seal={use.seal_id}")
    return render(
        request,
        "seals/stamp_form.html",
        {"nav_active": "seals", "use": use, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def scan(request: HttpRequest, pk: int) -> FileResponse:
    """Send the scan of a stamping to someone who sees the ledger row."""
    use = selectors.seal_use_get_for(user=_user(request), pk=pk)
    if not use.scan:
        raise Http404
    return FileResponse(
        use.scan.open("rb"),
        as_attachment=True,
        filename=use.scan_name or "scan",
        content_type=use.scan_content_type or "application/octet-stream",
    )
