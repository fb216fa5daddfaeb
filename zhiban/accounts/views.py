"""Sign in, sign out, password, language and personal preferences."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from zhiban.accounts import services
from zhiban.accounts.forms import PreferencesForm
from zhiban.accounts.ldap import outage_recent
from zhiban.core.errors import DomainError
from zhiban.org.models import User

# axes' response code for a locked-out attempt (Too Many Requests).
LOCKED_OUT_STATUS = 429


def _me(request: HttpRequest) -> User:
    """Return the signed-in user (the views below all require one)."""
    return cast(User, request.user)


def _login_context(request: HttpRequest) -> dict[str, Any]:
    return {"ldap_unavailable": outage_recent()}


class ZhibanLoginView(auth_views.LoginView):
    """The sign-in page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Add the LDAP outage notice."""
        return super().get_context_data(**kwargs) | _login_context(self.request)


def lockout_message() -> str:
    """Say that the account is locked and for how long."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return ngettext(
        "Too many failed sign-ins: this account is locked for %(minutes)d minute. "
        "Try again later, or ask an administrator to unlock it.",
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show the login page with the lockout message (axes' AXES_LOCKOUT_CALLABLE)."""
    username = str((credentials or {}).get("username") or "")[:150]
    form = AuthenticationForm(request, initial={"username": username})
    redirect_to = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        redirect_to, allowed_hosts={request.get_host()}
    ):
        redirect_to = ""
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": redirect_to,
            "locked_out_message": lockout_message(),
            "locked_username": username,
            **_login_context(request),
        },
        status=LOCKED_OUT_STATUS,
    )


class ZhibanLogoutView(auth_views.LogoutView):
    """Sign out (POST only)."""


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password of a local account; LDAP accounts are told where to go."""
    user = _me(request)
    if user.is_ldap:
        return render(
            request,
            "accounts/password_change.html",
            {"managed_by_ldap": True, "nav_active": "preferences"},
            status=403,
        )
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.local_password_change(
            user=user,
            password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:preferences")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "nav_active": "preferences"},
        status=400 if form.is_bound else 200,
    )


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("core:home")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language, and remember it on the user."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if language not in settings.SUPPORTED_LANGUAGE_CODES:
        messages.error(
            request,
            _("“%(language)s” is not a language Zhiban offers; nothing was changed.")
            % {"language": language[:20]},
        )
        return response
    if request.user.is_authenticated:
        services.user_language_set(
            user=_me(request),
            language=language,
        )
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Show and change my language and notification channels; show my API token."""
    from zhiban.inbox.selectors import channel_preferences_for
    from zhiban.inbox.services import channel_preference_set

    user = _me(request)
    channels = channel_preferences_for(user=user)
    initial = {"language": user.language, **channels}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            language = form.cleaned_data["language"]
            try:
                with transaction.atomic():
                    if language != user.language:
                        services.user_language_set(
                            user=user,
                            language=language,
                        )
                    for channel, enabled in channels.items():
                        if form.cleaned_data[channel] != enabled:
                            channel_preference_set(
                                user=user,
                                channel=channel,
                                is_enabled=form.cleaned_data[channel],
                            )
            except DomainError as error:
                user.refresh_from_db(fields=["language"])
                form.add_error(None, error.messages)
            else:
                translation.activate(language)
                messages.success(request, _("Your preferences have been saved."))
                return redirect("accounts:preferences")
        status = 400
    else:
        status = 200
    token = Token.objects.filter(user=user).first()
    return render(
        request,
        "accounts/preferences.html",
        {"form": form, "api_token": token, "nav_active": "preferences"},
        status=status,
    )


@require_POST
@login_required
def api_token_regenerate(request: HttpRequest) -> HttpResponse:
    """Make a new API token for me; the old one stops working."""
    services.api_token_regenerate(user=_me(request))
    messages.success(
        request,
        _("A new API token was made. Clients using the old one must be updated."),
    )
    return redirect("accounts:preferences")
