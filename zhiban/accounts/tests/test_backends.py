"""The signed-in user of every request: read by one statement, active users only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhiban.accounts.backends import ModelBackend
from zhiban.accounts.ldap import ResilientLDAPBackend
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = [ModelBackend, ResilientLDAPBackend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_session_user_is_the_active_user_with_the_id(backend):
    person = UserFactory(username="li", name="李四")
    gone = UserFactory(is_active=False)

    found = backend().get_user(str(person.pk))

    assert isinstance(found, User)
    assert (found.pk, found.username, found.name) == (person.pk, "li", "李四")
    assert backend().get_user(person.pk) == person
    assert backend().get_user(gone.pk) is None
    assert backend().get_user(gone.pk + person.pk + 1000) is None
    assert backend().get_user("not-a-number") is None


def test_a_deactivated_persons_session_no_longer_signs_them_in(client):
    person = UserFactory()
    client.force_login(person, backend="zhiban.accounts.backends.ModelBackend")
    assert client.get(reverse("core:home")).status_code == 200

    User.objects.filter(pk=person.pk).update(is_active=False)
    response = client.get(reverse("core:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_password_sign_in_is_remembered_with_the_local_backend(client):
    person = UserFactory(username="wang")
    person.set_password("zhiban-demo-1")
    person.save()

    response = client.post(
        reverse("accounts:login"),
        {"username": "wang", "password": "zhiban-demo-1"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == (
        "zhiban.accounts.backends.ModelBackend"
    )
    assert client.get(reverse("core:home")).wsgi_request.user == person
