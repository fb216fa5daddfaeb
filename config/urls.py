"""Top-level URL configuration: one include per app."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from zhiban.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("zhiban.core.urls")),
    path("accounts/", include("zhiban.accounts.urls")),
    path("org/", include("zhiban.org.urls")),
    path("inbox/", include("zhiban.inbox.urls")),
    path("notices/", include("zhiban.notices.urls")),
    path("workflow/", include("zhiban.workflow.urls")),
    path("seals/", include("zhiban.seals.urls")),
    path("documents/", include("zhiban.documents.urls")),
    path("vehicles/", include("zhiban.vehicles.urls")),
    path("supervision/", include("zhiban.supervision.urls")),
    path("meetings/", include("zhiban.meetings.urls")),
    path("audit/", include("zhiban.audit.urls")),
    path("api/", include("zhiban.api.urls")),
    path("django-admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

handler400 = "zhiban.core.views.bad_request"
handler403 = "zhiban.core.views.permission_denied"
handler404 = "zhiban.core.views.page_not_found"
handler500 = "zhiban.core.views.server_error"
