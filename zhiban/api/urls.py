"""The REST API: one router; each app registers its viewsets in its own api.py."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

API_MODULES = (
    "zhiban.org.api",
    "zhiban.inbox.api",
    "zhiban.notices.api",
    "zhiban.workflow.api",
    "zhiban.documents.api",
    "zhiban.supervision.api",
    "zhiban.meetings.api",
)

router = DefaultRouter()
for module in API_MODULES:
    import_module(module).register(router)

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a separate file (?script), so the
    # strict CSP needs no inline script; our template drops the inline <style> too.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # Username and password for a token (mobile clients, integrations); the sign-in
    # goes through authenticate(), so the lockout after failures applies here too.
    path("token/", obtain_auth_token, name="token"),
    path("", include(router.urls)),
]
