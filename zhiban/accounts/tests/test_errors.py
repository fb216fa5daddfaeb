"""Error pages in the user's language, and HTMX requests after the session expired."""

from __future__ import annotations

import pytest
from django.test import Client

from zhiban.accounts.tests.factories import (
    make_user,
)

pytestmark = pytest.mark.django_db

TEXTS = {
    404: {
        "zh-hans": "您访问的页面不存在。",
        "en": "The page you asked for does not exist.",
    },
    403: {
        "zh-hans": "您没有权限访问此页面。",
        "en": "You do not have permission to see this page.",
    },
}
URLS = {404: "/no-such-page/", 403: "/test-forbidden/"}


@pytest.fixture(autouse=True)
def _forbidden_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "zhiban.accounts.tests.urls_errors"


@pytest.mark.parametrize("status", [404, 403])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_error_pages_speak_the_users_language(status: int, language: str) -> None:
    # The browser asks for the other language: the user's choice must win.
    browser = "en" if language == "zh-hans" else "zh-hans"
    client = Client(headers={"accept-language": browser})
    client.force_login(make_user(language=language))

    response = client.get(URLS[status])

    assert response.status_code == status
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert TEXTS[status][language] in page


def test_an_anonymous_404_is_chinese_by_default(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert TEXTS[404]["zh-hans"] in response.content.decode()


def test_an_htmx_request_with_an_expired_session_goes_to_the_login_page(
    client: Client,
) -> None:
    response = client.get(
        "/accounts/preferences/",
        headers={
            "hx-request": "true",
            "hx-current-url": "http://testserver/accounts/preferences/?tab=1",
        },
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == (
        "/accounts/login/?next=%2Faccounts%2Fpreferences%2F%3Ftab%3D1"
    )
    assert response.content == b""


def test_a_plain_request_with_an_expired_session_is_redirected(client: Client) -> None:
    response = client.get("/accounts/preferences/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/preferences/"
    assert "HX-Redirect" not in response
