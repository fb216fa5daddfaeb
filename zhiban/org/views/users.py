"""Administration of users, their roles and memberships."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.org import forms, selectors, services
from zhiban.org.models import (
    Department,
    Membership,
    Role,
    User,
)
from zhiban.org.views._common import (
    PAGE_SIZE,
    admin_required,
    current_user,
    form_page,
    int_param,
    render_page,
)


@admin_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """Search users (deactivated ones too); HTMX gets the rows only."""
    query = request.GET.get("q", "").strip()[:100]
    department = None
    department_id = int_param(request, "department")
    if department_id is not None:
        department = Department.objects.filter(pk=department_id).first()
    users = selectors.user_list_for(
        viewer=current_user(request), query=query, department=department
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Role.choices)
    for person in page.object_list:
        person.role_labels = [  # type: ignore[attr-defined]
            labels.get(group.name, group.name) for group in person.groups.all()
        ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "params": params.urlencode(),
        "nav_active": "org_admin",
    }
    return render_page(request, "org/user_list.html", "rows", context)


@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    """Create a user."""
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.user_create(
                by=current_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("The user was created."))
            return redirect("org:user_edit", user_id=created.pk)
    return form_page(request, form, title=_("New user"), back=reverse("org:user_list"))


def _user_page(
    request: HttpRequest,
    shown: User,
    *,
    edit: forms.UserForm | None = None,
    roles: forms.RolesForm | None = None,
    membership: forms.MembershipForm | None = None,
    status: int = 200,
) -> HttpResponse:
    edit = edit or forms.UserForm(
        initial={
            "username": shown.username,
            "name": shown.name,
            "employee_number": shown.employee_number or "",
            "mobile": shown.mobile,
            "email": shown.email,
            "primary_department": shown.primary_department_id,
            "post": shown.post_id,
            "title": shown.title,
            "language": shown.language,
        }
    )
    roles = roles or forms.RolesForm(
        initial={"roles": list(shown.groups.values_list("name", flat=True))}
    )
    membership = membership or forms.MembershipForm()
    memberships = shown.memberships.select_related("department__unit").order_by(
        "department__code"
    )
    return render(
        request,
        "org/user_edit.html",
        {
            "shown": shown,
            "edit_form": edit,
            "roles_form": roles,
            "membership_form": membership,
            "memberships": memberships,
            "nav_active": "org_admin",
        },
        status=status,
    )


@admin_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Edit a user's directory fields."""
    shown = get_object_or_404(User, pk=user_id)
    if request.method != "POST":
        return _user_page(request, shown)
    form = forms.UserForm(request.POST)
    if forms.saved_through(
        request,
        form,
        lambda data: services.user_update(by=current_user(request), user=shown, **data),
        _("The user was saved."),
    ):
        return redirect("org:user_edit", user_id=shown.pk)
    shown.refresh_from_db()
    return _user_page(request, shown, edit=form)


@admin_required
@require_POST
def user_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    """Set the user's roles."""
    shown = get_object_or_404(User, pk=user_id)
    form = forms.RolesForm(request.POST)
    if forms.saved_through(
        request,
        form,
        lambda data: services.user_roles_set(
            by=current_user(request), user=shown, roles=data["roles"]
        ),
        _("The roles were saved."),
    ):
        return redirect("org:user_edit", user_id=shown.pk)
    return _user_page(request, shown, roles=form)


@admin_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a user."""
    shown = get_object_or_404(User, pk=user_id)
    try:
        services.user_deactivate(by=current_user(request), user=shown)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The user was deactivated."))
    return redirect("org:user_edit", user_id=shown.pk)


@admin_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Reactivate a user."""
    shown = get_object_or_404(User, pk=user_id)
    services.user_reactivate(by=current_user(request), user=shown)
    messages.success(request, _("The user was reactivated."))
    return redirect("org:user_edit", user_id=shown.pk)


@admin_required
@require_POST
def membership_set(request: HttpRequest, user_id: int) -> HttpResponse:
    """Add the user to a department or change their title and head flags there."""
    shown = get_object_or_404(User, pk=user_id)
    form = forms.MembershipForm(request.POST)
    if forms.saved_through(
        request,
        form,
        lambda data: services.membership_set(
            by=current_user(request), user=shown, **data
        ),
        _("The membership was saved."),
    ):
        return redirect("org:user_edit", user_id=shown.pk)
    return _user_page(request, shown, membership=form)


@admin_required
@require_POST
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Remove a user from a further department."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id
    )
    try:
        services.membership_remove(by=current_user(request), membership=membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The membership was removed."))
    return redirect("org:user_edit", user_id=membership.user_id)
