"""Sign in, sign out, language and personal preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


class ZhibanLoginView(auth_views.LoginView):
    """The sign-in page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class ZhibanLogoutView(auth_views.LogoutView):
    """Sign out (POST only)."""


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language, and remember it on the user."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in settings.SUPPORTED_LANGUAGE_CODES:
        if request.user.is_authenticated:
            request.user.language = language  # type: ignore[union-attr]
            request.user.save(update_fields=["language"])  # type: ignore[union-attr]
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Show and change my preferences."""
    return render(request, "accounts/preferences.html", {})
