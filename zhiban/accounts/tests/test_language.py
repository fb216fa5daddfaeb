"""Switching the interface language, per user and across sessions."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhiban.accounts.middleware import UserLanguageMiddleware
from zhiban.accounts.tests.factories import (
    make_user,
)
from zhiban.org.models import User

pytestmark = pytest.mark.django_db

LANGUAGE_URL = "/accounts/language/"
PREFERENCES_URL = "/accounts/preferences/"
PASSWORD = "clerk-pass-123"
TITLES = {
    "zh-hans": '<h1 class="zb-page-title">个人设置</h1>',
    "zh-hant": '<h1 class="zb-page-title">個人設置</h1>',
    "en": '<h1 class="zb-page-title">Preferences</h1>',
}


@pytest.fixture
def clerk() -> User:
    return make_user(username="clerk", password=PASSWORD)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["en", "zh-hant", "zh-hans"])
def test_switching_changes_the_page_and_is_remembered_across_sessions(
    clerk: User, language: str
) -> None:
    User.objects.filter(pk=clerk.pk).update(
        language="en" if language != "en" else "zh-hans"
    )
    client = signed_in(clerk)

    response = client.post(
        LANGUAGE_URL, {"language": language, "next": PREFERENCES_URL}
    )

    assert response.status_code == 302
    assert response["Location"] == PREFERENCES_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    page = client.get(PREFERENCES_URL).content.decode()
    assert f'<html lang="{language}">' in page
    assert TITLES[language] in page
    clerk.refresh_from_db()
    assert clerk.language == language
    # A new browser (no cookie, Chinese Accept-Language) gets the same language.
    fresh = Client(headers={"accept-language": "zh-hans"})
    fresh.post(reverse("accounts:login"), {"username": "clerk", "password": PASSWORD})
    assert TITLES[language] in fresh.get(PREFERENCES_URL).content.decode()


def test_an_unknown_language_changes_nothing_and_says_so(clerk: User) -> None:
    client = signed_in(clerk)

    response = client.post(
        LANGUAGE_URL, {"language": "klingon", "next": PREFERENCES_URL}, follow=True
    )

    assert response.redirect_chain == [(PREFERENCES_URL, 302)]
    page = response.content.decode()
    assert "系统不提供“klingon”语言，未作任何更改。" in page
    assert TITLES["zh-hans"] in page
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    clerk.refresh_from_db()
    assert clerk.language == "zh-hans"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", ""],
)
def test_an_unsafe_or_missing_next_goes_home(clerk: User, next_url: str) -> None:
    client = signed_in(clerk)

    response = client.post(LANGUAGE_URL, {"language": "en", "next": next_url})

    assert response["Location"] == reverse("core:home")


def test_the_language_switch_is_post_only(clerk: User) -> None:
    client = signed_in(clerk)

    response = client.get(LANGUAGE_URL, {"language": "en"})

    assert response.status_code == 405
    clerk.refresh_from_db()
    assert clerk.language == "zh-hans"


def test_anonymous_visitors_switch_with_a_cookie(client: Client) -> None:
    response = client.post(LANGUAGE_URL, {"language": "en", "next": "/accounts/login/"})

    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "One platform, one login, one-stop handling" in page


def test_the_users_language_wins_over_cookie_and_browser(clerk: User) -> None:
    User.objects.filter(pk=clerk.pk).update(language="zh-hant")
    client = Client(headers={"accept-language": "en"})
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(PREFERENCES_URL).content.decode()

    assert '<html lang="zh-hant">' in page


def test_the_middleware_leaves_anonymous_requests_alone(rf, settings) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.utils import translation

    seen: list[str] = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(translation.get_language())
        return HttpResponse()

    request = rf.get("/")
    request.user = AnonymousUser()
    with translation.override("en"):
        UserLanguageMiddleware(view)(request)

    assert seen == ["en"]


def test_the_middleware_activates_the_users_language(rf, clerk: User) -> None:  # type: ignore[no-untyped-def]
    from django.http import HttpResponse
    from django.utils import translation

    seen: list[str] = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(translation.get_language())
        return HttpResponse()

    clerk.language = "en"
    request = rf.get("/")
    request.user = clerk
    with translation.override("zh-hans"):
        UserLanguageMiddleware(view)(request)

    assert seen == ["en"]
    assert request.LANGUAGE_CODE == "en"


def test_languages_are_offered_in_their_own_names(client: Client, clerk: User) -> None:
    login_page = client.get("/accounts/login/").content.decode()
    client.force_login(clerk)
    page = client.get(PREFERENCES_URL).content.decode()

    for html in (login_page, page):
        assert ">简体中文</button>" in html
        assert ">繁體中文</button>" in html
        assert ">English</button>" in html
