"""Token authentication: DRF's answers, one statement per call."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_reads_its_user_in_one_statement(django_assert_num_queries):
    person = UserFactory(username="li")
    token = Token.objects.create(user=person)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    # The token with its user, then the listing's own read of nothing (/api/ reads
    # no rows): one statement in all.
    with django_assert_num_queries(1):
        response = api.get("/api/")

    assert response.status_code == 200
    assert response.wsgi_request.user == person
    assert response.wsgi_request.auth == token
    assert response.wsgi_request.auth.user is response.wsgi_request.user


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Invalid token."), ("zh-hans", "认证令牌无效。")],
)
def test_an_unknown_token_is_refused_in_the_callers_language(language, message):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = api.get("/api/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 403
    assert response.json() == {"detail": message}


def test_the_token_of_a_deactivated_person_is_refused():
    person = UserFactory(is_active=False)
    token = Token.objects.create(user=person)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get("/api/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json() == {"detail": "User inactive or deleted."}
