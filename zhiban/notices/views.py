"""Pages of the notices: thin; the selectors decide who sees what, the services act."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.notices import policies, selectors, services
from zhiban.notices.forms import NoticeForm, WithdrawForm
from zhiban.notices.models import Notice

PAGE_SIZE = 20
RECEIPT_PAGE_SIZE = 100


def _partial(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if getattr(request, "htmx", False) else template


def _user(request: HttpRequest) -> Any:
    return request.user


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """List the notices the user may see, pinned first; tabs, unread filter, search."""
    user = _user(request)
    filters = selectors.NoticeFilters.from_query(request.GET)
    queryset = selectors.notice_list_for(user=user, filters=filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav_active": "notices",
        "page": page,
        "filters": filters,
        "can_publish": policies.can_publish(user),
        "now": timezone.now(),
    }
    return render(
        request, _partial(request, "notices/notice_list.html", "rows"), context
    )


def _detail_context(request: HttpRequest, notice: Notice) -> dict[str, Any]:
    user = _user(request)
    can_manage = policies.can_manage(user, notice)
    return {
        "nav_active": "notices",
        "notice": notice,
        "can_manage": can_manage,
        "counts": selectors.notice_receipt_counts(notice=notice)
        if can_manage and notice.state != Notice.State.DRAFT
        else None,
        "is_expired": notice.is_expired(),
        "withdraw_form": WithdrawForm(),
    }


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one notice with its attachments and the confirm-read button."""
    notice = selectors.notice_get_for(user=_user(request), pk=pk)
    return render(
        request, "notices/notice_detail.html", _detail_context(request, notice)
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm that I have read the notice (确认已读) and close my to-do item."""
    notice = selectors.notice_get_for(user=_user(request), pk=pk)
    try:
        services.notice_mark_read(notice=notice, user=_user(request))
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("notices:detail", pk=pk)
    if getattr(request, "htmx", False):
        notice = selectors.notice_get_for(user=_user(request), pk=pk)
        return render(
            request,
            "notices/notice_detail.html#read_state",
            _detail_context(request, notice),
        )
    messages.success(request, _("Marked as read."))
    return redirect("notices:detail", pk=pk)


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    """Write a new draft notice with attachments."""
    user = _user(request)
    if not policies.can_publish(user):
        raise PermissionDenied
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        initial={"department": user.primary_department_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(author=user, **form.service_arguments())
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("notices:detail", pk=notice.pk)
    return render(
        request,
        "notices/notice_form.html",
        {"nav_active": "notices", "form": form, "notice": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft notice, its attachments included."""
    user = _user(request)
    notice = selectors.notice_get_for(user=user, pk=pk)
    if not policies.can_manage(user, notice):
        raise PermissionDenied
    if notice.state != Notice.State.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("notices:detail", pk=pk)
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        notice=notice,
        initial=NoticeForm.initial_for(notice),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(
                notice=notice,
                by=user,
                remove_attachment_ids=[
                    a.pk for a in form.cleaned_data["remove_attachments"]
                ],
                **form.service_arguments(),
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("notices:detail", pk=pk)
    return render(
        request,
        "notices/notice_form.html",
        {"nav_active": "notices", "form": form, "notice": notice},
        status=400 if form.is_bound and form.errors else 200,
    )


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponseRedirect:
    """Run one management action on a notice and go back to it."""
    user = _user(request)
    notice = selectors.notice_get_for(user=user, pk=pk)
    try:
        if action == "publish":
            notice = services.notice_publish(notice=notice, by=user)
            messages.success(
                request,
                ngettext(
                    "Published to %(n)d person.",
                    "Published to %(n)d people.",
                    notice.recipient_count,
                )
                % {"n": notice.recipient_count},
            )
        elif action == "withdraw":
            form = WithdrawForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.notice_withdraw(notice=notice, by=user, reason=reason)
            messages.success(request, _("The notice is withdrawn."))
        elif action == "pin":
            services.notice_pin(notice=notice, by=user)
            messages.success(request, _("The notice is pinned."))
        elif action == "unpin":
            services.notice_unpin(notice=notice, by=user)
            messages.success(request, _("The notice is no longer pinned."))
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("notices:detail", pk=pk)


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft."""
    return _act(request, pk, "publish")


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a published notice."""
    return _act(request, pk, "withdraw")


@login_required
@require_POST
def notice_pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Pin a notice."""
    return _act(request, pk, "pin")


@login_required
@require_POST
def notice_unpin(request: HttpRequest, pk: int) -> HttpResponse:
    """Unpin a notice."""
    return _act(request, pk, "unpin")


@login_required
@require_GET
def notice_receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """Show who has read the notice and who has not, for its author or an admin."""
    user = _user(request)
    notice = selectors.notice_get_for(user=user, pk=pk, with_related=False)
    read = request.GET.get("read", "")
    read = read if read in selectors.READ_FILTERS else ""
    rows = selectors.notice_receipts_for(user=user, notice=notice, read=read)
    counts = selectors.notice_receipt_counts(notice=notice)
    paginator = Paginator(rows, RECEIPT_PAGE_SIZE)
    # The counts query already knows the size of each list: no second COUNT.
    paginator.__dict__["count"] = {"read": counts.read, "unread": counts.unread}.get(
        read, counts.total
    )
    context = {
        "nav_active": "notices",
        "notice": notice,
        "page": paginator.get_page(request.GET.get("page")),
        "read": read,
        "counts": counts,
    }
    return render(
        request, _partial(request, "notices/notice_receipts.html", "table"), context
    )


@login_required
@require_POST
def notice_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind the recipients who have not read the notice, once per round."""
    user = _user(request)
    notice = selectors.notice_get_for(user=user, pk=pk)
    try:
        round_seen = int(request.POST.get("round", ""))
    except ValueError:
        round_seen = -1
    try:
        sent = services.notice_remind_unread(notice=notice, by=user, round=round_seen)
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(
                request,
                ngettext("Reminded %(n)d person.", "Reminded %(n)d people.", sent)
                % {"n": sent},
            )
        else:
            messages.info(
                request,
                _(
                    "Nobody was reminded: everyone has read it, or this reminder was already sent."
                ),
            )
    return redirect(reverse("notices:receipts", args=[pk]))


@login_required
@require_GET
def attachment_download(
    request: HttpRequest, pk: int, attachment_pk: int
) -> FileResponse:
    """Send an attachment of a notice the user may see, always as a download."""
    attachment = selectors.notice_attachment_get_for(
        user=_user(request), notice_pk=pk, pk=attachment_pk
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
