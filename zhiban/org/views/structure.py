"""Administration of units, departments and posts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.org import forms, selectors, services
from zhiban.org.models import (
    Delegation,
    Department,
    Membership,
    Post,
    Unit,
    User,
)
from zhiban.org.views._common import (
    admin_required,
    current_user,
    form_page,
    int_param,
)


@admin_required
def admin_home(request: HttpRequest) -> HttpResponse:
    """The administration start page with counts and links."""
    counts = {
        "units": Unit.objects.count(),
        "departments": Department.objects.count(),
        "posts": Post.objects.count(),
        "users": User.objects.filter(is_active=True).count(),
        "delegations": Delegation.objects.filter(is_active=True).count(),
    }
    return render(
        request, "org/admin_home.html", {"counts": counts, "nav_active": "org_admin"}
    )


@admin_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """List every unit."""
    units = selectors.unit_list_for(viewer=current_user(request))
    return render(
        request, "org/unit_list.html", {"units": units, "nav_active": "org_admin"}
    )


@admin_required
def unit_create(request: HttpRequest) -> HttpResponse:
    """Create a unit."""
    form = forms.UnitForm(request.POST or None)
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        # A new unit is always active; the flag only matters when editing.
        lambda data: services.unit_create(
            by=current_user(request),
            **{name: value for name, value in data.items() if name != "is_active"},
        ),
        _("The unit was created."),
    ):
        return redirect("org:unit_list")
    return form_page(request, form, title=_("New unit"), back=reverse("org:unit_list"))


@admin_required
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Edit a unit."""
    unit = get_object_or_404(Unit, pk=unit_id)
    initial = {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "sort_order": unit.sort_order,
        "is_active": unit.is_active,
    }
    form = forms.UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        lambda data: services.unit_update(by=current_user(request), unit=unit, **data),
        _("The unit was saved."),
    ):
        return redirect("org:unit_list")
    return form_page(
        request,
        form,
        title=_("Edit unit %(name)s") % {"name": unit.name},
        back=reverse("org:unit_list"),
    )


@admin_required
@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    """Show the whole tree of units and departments, inactive ones included."""
    tree = selectors.org_tree(include_inactive=True)
    return render(
        request,
        "org/department_list.html",
        {"tree_nodes": tree, "nav_active": "org_admin"},
    )


@admin_required
def department_create(request: HttpRequest) -> HttpResponse:
    """Create a department."""
    initial = {
        "unit": int_param(request, "unit"),
        "parent": int_param(request, "parent"),
    }
    form = forms.DepartmentCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(
                by=current_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            forms.add_domain_error(form, error)
        else:
            messages.success(request, _("The department was created."))
            return redirect("org:department_edit", department_id=department.pk)
    return form_page(
        request, form, title=_("New department"), back=reverse("org:department_list")
    )


def _department_page(
    request: HttpRequest,
    department: Department,
    *,
    edit: forms.DepartmentForm | None = None,
    move: forms.DepartmentMoveForm | None = None,
    leader: forms.OverseeingLeaderForm | None = None,
) -> HttpResponse:
    edit = edit or forms.DepartmentForm(
        initial={
            "code": department.code,
            "name": department.name,
            "sort_order": department.sort_order,
            "is_active": department.is_active,
        }
    )
    move = move or forms.DepartmentMoveForm(
        initial={"unit": department.unit_id, "parent": department.parent_id}
    )
    leader = leader or forms.OverseeingLeaderForm(
        initial={"leader": department.overseeing_leader_id}
    )
    members = (
        Membership.objects.filter(department=department)
        .select_related("user")
        .order_by("-is_head", "-is_deputy", "user__employee_number")
    )
    return render(
        request,
        "org/department_edit.html",
        {
            "department": department,
            "edit_form": edit,
            "move_form": move,
            "leader_form": leader,
            "members": members,
            "inherited_leader": selectors.overseeing_leader_for(department),
            "nav_active": "org_admin",
        },
    )


@admin_required
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    """Edit a department's code, name, order and active flag."""
    department = get_object_or_404(
        Department.objects.select_related("unit", "parent"), pk=department_id
    )
    if request.method != "POST":
        return _department_page(request, department)
    form = forms.DepartmentForm(request.POST)
    if forms.saved_through(
        request,
        form,
        lambda data: services.department_update(
            by=current_user(request), department=department, **data
        ),
        _("The department was saved."),
    ):
        return redirect("org:department_edit", department_id=department.pk)
    department.refresh_from_db()
    return _department_page(request, department, edit=form)


@admin_required
@require_POST
def department_move(request: HttpRequest, department_id: int) -> HttpResponse:
    """Move a department under another parent or unit."""
    department = get_object_or_404(Department, pk=department_id)
    form = forms.DepartmentMoveForm(request.POST)
    if forms.saved_through(
        request,
        form,
        lambda data: services.department_move(
            by=current_user(request),
            department=department,
            parent=data["parent"],
            unit=data["unit"],
        ),
        _("The department was moved."),
    ):
        return redirect("org:department_edit", department_id=department.pk)
    department.refresh_from_db()
    return _department_page(request, department, move=form)


@admin_required
@require_POST
def department_leader(request: HttpRequest, department_id: int) -> HttpResponse:
    """Set or clear the department's overseeing leader."""
    department = get_object_or_404(Department, pk=department_id)
    form = forms.OverseeingLeaderForm(request.POST)
    if forms.saved_through(
        request,
        form,
        lambda data: services.department_set_overseeing_leader(
            by=current_user(request), department=department, leader=data["leader"]
        ),
        _("The overseeing leader was saved."),
    ):
        return redirect("org:department_edit", department_id=department.pk)
    return _department_page(request, department, leader=form)


@admin_required
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    """List every post with how many hold it."""
    posts = selectors.post_list_for(viewer=current_user(request))
    return render(
        request, "org/post_list.html", {"posts": posts, "nav_active": "org_admin"}
    )


@admin_required
def post_create(request: HttpRequest) -> HttpResponse:
    """Create a post."""
    form = forms.PostForm(request.POST or None)
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        lambda data: services.post_create(by=current_user(request), **data),
        _("The post was created."),
    ):
        return redirect("org:post_list")
    return form_page(request, form, title=_("New post"), back=reverse("org:post_list"))


@admin_required
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    """Edit a post."""
    post = get_object_or_404(Post, pk=post_id)
    form = forms.PostForm(
        request.POST or None, initial={"code": post.code, "name": post.name}
    )
    if request.method == "POST" and forms.saved_through(
        request,
        form,
        lambda data: services.post_update(by=current_user(request), post=post, **data),
        _("The post was saved."),
    ):
        return redirect("org:post_list")
    return form_page(
        request,
        form,
        title=_("Edit post %(name)s") % {"name": post.name},
        back=reverse("org:post_list"),
    )


@admin_required
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Delete a post nobody holds."""
    post = get_object_or_404(Post, pk=post_id)
    try:
        services.post_delete(by=current_user(request), post=post)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The post was deleted."))
    return redirect("org:post_list")
