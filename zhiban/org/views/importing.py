"""The Excel import pages."""

from __future__ import annotations

import io
import re

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhiban.org import forms, importing
from zhiban.org.views._common import (
    admin_required,
    current_user,
)

_TOKEN = re.compile(r"^[0-9a-f]{64}$")


def _stored_name(token: str) -> str:
    return f"org-imports/{token}.xlsx"


@admin_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a workbook for a dry run; apply it once it is clean."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    token = ""
    file_name = ""
    if request.method == "POST" and request.POST.get("action") == "apply":
        return _import_apply(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = upload.name
        result = importing.import_check(upload, name=file_name)
        if result.is_clean:
            token = result.sha256
            upload.seek(0)
            path = _stored_name(token)
            if not default_storage.exists(path):
                default_storage.save(path, ContentFile(upload.read()))
    return render(
        request,
        "org/import.html",
        {
            "form": form,
            "result": result,
            "token": token,
            "file_name": file_name,
            "nav_active": "org_admin",
        },
    )


def _import_apply(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    file_name = request.POST.get("file_name", "upload.xlsx")[:200]
    if not _TOKEN.match(token) or not default_storage.exists(_stored_name(token)):
        messages.error(request, _("The checked file has expired; upload it again."))
        return redirect("org:import")
    with default_storage.open(_stored_name(token), "rb") as stored:
        data = io.BytesIO(stored.read())
    result = importing.import_apply(data, name=file_name, by=current_user(request))
    if result.applied:
        default_storage.delete(_stored_name(token))
        messages.success(
            request,
            _(
                "Imported %(units)d unit(s), %(departments)d department(s) and "
                "%(people)d person(s)."
            )
            % result.counts,
        )
        return redirect("org:admin_home")
    return render(
        request,
        "org/import.html",
        {
            "form": forms.ImportForm(),
            "result": result,
            "token": "",
            "file_name": file_name,
            "nav_active": "org_admin",
        },
    )


@admin_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """Download the import template workbook."""
    response = HttpResponse(
        importing.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="org-import-template.xlsx"'
    return response
