"""The OpenAPI schema, the browsable docs under the strict CSP, and token sign-in."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_the_schema_is_valid_openapi_3_and_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    # --validate checks it against the OpenAPI 3 specification; --fail-on-warn turns
    # every warning (an unresolvable serializer, an untyped field) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Zhiban 智办 API"
    assert set(schema["components"]["securitySchemes"]) == {
        "cookieAuth",
        "tokenAuth",
    }


@pytest.mark.django_db
def test_the_schema_is_served(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_the_docs_page_needs_no_inline_script_or_style_and_no_cdn(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html
    assert " style=" not in html
    assert "cdn" not in html.lower()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_the_docs_start_up_script_is_a_javascript_file(client):
    response = client.get(reverse("api:docs") + "?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.content.decode()


@pytest.mark.django_db
def test_a_token_signs_in_to_the_api(employee):
    token = Token.objects.create(user=employee)
    api = APIClient()

    anonymous = api.get("/api/")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    signed_in = api.get("/api/")

    # Session authentication comes first, and it names no WWW-Authenticate scheme,
    # so DRF answers 403 rather than 401 to a request without credentials.
    assert anonymous.status_code == 403
    assert signed_in.status_code == 200


@pytest.mark.django_db
def test_a_wrong_token_is_refused(employee):
    Token.objects.create(user=employee)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = api.get("/api/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.django_db
def test_a_token_is_given_for_a_username_and_password(employee):
    api = APIClient()

    response = api.post(
        reverse("api:token"),
        {"username": employee.username, "password": "zhiban-demo-1"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=employee).key}


@pytest.mark.django_db
def test_a_wrong_password_gets_no_token(employee):
    api = APIClient()

    response = api.post(
        reverse("api:token"),
        {"username": employee.username, "password": "wrong"},
        format="json",
    )

    assert response.status_code == 400
    assert Token.objects.filter(user=employee).exists() is False


@pytest.mark.django_db
def test_the_token_endpoint_is_locked_after_repeated_failures(employee, settings):
    api = APIClient()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        api.post(
            reverse("api:token"),
            {"username": employee.username, "password": "wrong"},
            format="json",
        )

    response = api.post(
        reverse("api:token"),
        {"username": employee.username, "password": "zhiban-demo-1"},
        format="json",
    )

    # The right password is refused while the account is locked out.
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Token.objects.filter(user=employee).exists() is False
