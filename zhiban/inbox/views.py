"""Pages of the to-do centre: the list, opening an item, notifications, the badge."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from zhiban.inbox import display, selectors, services
from zhiban.inbox.forms import WorkItemFilterForm
from zhiban.inbox.models import Notification, Urgency, WorkItem
from zhiban.org.models import User
from zhiban.org.work_kinds import work_kind_choices


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required, with django-htmx's details."""

    user: User
    htmx: HtmxDetails


def _tab_links(*, list_url: str, counts: dict[str, int], tab: str) -> list[dict]:
    labels = {
        selectors.TODO: _("To do"),
        selectors.DONE: _("Done"),
        selectors.INITIATED: _("Initiated by me"),
        selectors.CC: _("Copied to me"),
    }
    return [
        {
            "key": key,
            "label": labels[key],
            "count": display.count_label(counts[key]),
            "href": f"{list_url}?tab={key}",
            "active": key == tab,
        }
        for key in selectors.TABS
    ]


@functools.lru_cache(maxsize=512)
def _filter_bar_cached(
    language: str, tab: str, filters: selectors.WorkItemFilters
) -> str:
    with translation.override(language):
        return _filter_bar_render(tab=tab, filters=filters, form=None)


def _filter_bar_render(
    *, tab: str, filters: selectors.WorkItemFilters, form: WorkItemFilterForm | None
) -> str:
    fields = WorkItemFilterForm.base_fields
    return render_to_string(
        "inbox/work_item_list.html#filters",
        {
            "form": form,
            "tab": tab,
            "filters": filters,
            "list_url": reverse("inbox:list"),
            "kinds": work_kind_choices(),
            "urgencies": Urgency.choices,
            "due_choices": fields["due"].choices,  # type: ignore[attr-defined]
            "sort_choices": fields["sort"].choices,  # type: ignore[attr-defined]
        },
    )


def _filter_bar(
    *, form: WorkItemFilterForm, tab: str, filters: selectors.WorkItemFilters
) -> str:
    """Return the filter form's HTML; the same for everyone who filters alike.

    It depends only on the language and the chosen filters (a GET form, no CSRF
    token), so it is rendered once per process and reused, like the navigation.
    """
    if form.errors:
        return _filter_bar_render(tab=tab, filters=filters, form=form)
    return _filter_bar_cached(translation.get_language(), tab, filters)


@login_required
def work_item_list(request: AuthenticatedRequest) -> HttpResponse:
    """Show one tab of the to-do centre; HTMX requests get only the rows."""
    now = timezone.now()
    form = WorkItemFilterForm(request.GET)
    form.is_valid()
    tab = form.chosen_tab()
    filters = form.chosen_filters()
    counts, rows, number = selectors.work_item_counts_and_page_for(
        user=request.user,
        tab=tab,
        filters=filters,
        now=now,
        page_number=form.page_number(),
        per_page=display.PAGE_SIZE,
    )
    page = display.page_info(count=counts["matching"], number=number)
    list_url = reverse("inbox:list")
    shown = display.work_item_rows(rows, tab=tab, now=now, open_prefix=list_url)
    context = {
        "form": form,
        "tab": tab,
        "filters": filters,
        "page": page,
        "rows": shown,
        # Each row is one escaped string already: joined once, not looped over.
        "rows_html": mark_safe("\n".join(row["html"] for row in shown)),  # noqa: S308 - escaped by display._row_html
        "list_url": list_url,
        "nav_active": "inbox",
    }
    if request.htmx:
        return render(request, "inbox/work_item_list.html#rows", context)
    context.update(
        counts=counts,
        count_cap=selectors.COUNT_CAP,
        overdue_label=display.count_label(counts["overdue"]),
        tabs=_tab_links(list_url=list_url, counts=counts, tab=tab),
        filter_bar=mark_safe(_filter_bar(form=form, tab=tab, filters=filters)),  # noqa: S308 - rendered by our template
    )
    return render(request, "inbox/work_item_list.html", context)


@login_required
def work_item_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Go to a work item's business object; reading a cc item marks it read."""
    try:
        item = selectors.work_items_handled_by(user=request.user).get(pk=pk)
    except WorkItem.DoesNotExist as error:
        raise Http404 from error
    if item.is_cc and item.assignee_id == request.user.pk:
        services.work_item_cc_read(item=item, by=request.user)
    if item.url and url_has_allowed_host_and_scheme(
        item.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(item.url)
    messages.info(request, _("This item has no page of its own."))
    return redirect("inbox:list")


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    """Show the user's notifications, newest first, 50 a page."""
    counts = selectors.notification_counts_for(user=request.user)
    number = request.GET.get("page", "1")
    page = display.page_info(
        count=counts["total"], number=int(number) if number.isdigit() else 1
    )
    rows = selectors.notification_list_for(user=request.user)[
        page.offset : page.offset + page.per_page
    ]
    prefix = reverse("inbox:notifications")
    context = {
        "counts": counts,
        "page": page,
        "rows": display.notification_rows(rows, open_prefix=prefix),
        "list_url": prefix,
        "nav_active": "inbox",
    }
    if request.htmx:
        return render(request, "inbox/notification_list.html#rows", context)
    return render(request, "inbox/notification_list.html", context)


@login_required
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link."""
    try:
        services.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist as error:
        raise Http404 from error
    url = (
        Notification.objects.filter(pk=pk, recipient=request.user)
        .values_list("url", flat=True)
        .first()
    )
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(url)
    return redirect("inbox:notifications")


@login_required
@require_POST
def notification_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark one notification read."""
    try:
        services.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist as error:
        raise Http404 from error
    return redirect("inbox:notifications")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedRequest) -> HttpResponse:
    """Mark every notification of the user read."""
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(
        request, _("%(count)d notifications marked read.") % {"count": count}
    )
    return redirect("inbox:notifications")


@login_required
def unread_badge(request: AuthenticatedRequest) -> HttpResponse:
    """Return the unread badge of the top bar (polled by HTMX)."""
    count = selectors.notification_unread_count_for(user=request.user)
    return render(
        request,
        "inbox/unread_badge.html",
        {"count": count, "label": "99+" if count > 99 else str(count)},
    )
