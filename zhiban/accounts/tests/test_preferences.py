"""The preferences page: language, notification channels, the API token."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from zhiban.accounts.tests.factories import (
    make_user,
    make_users,
)
from zhiban.audit.models import AuditEntry
from zhiban.inbox.models import ChannelPreference
from zhiban.inbox.selectors import channel_preferences_for
from zhiban.org.models import User

pytestmark = pytest.mark.django_db

URL = "/accounts/preferences/"
TOKEN_URL = "/accounts/api-token/"
API_URL = "/api/org/units/"


@pytest.fixture
def clerk() -> User:
    return make_user(username="clerk", email="clerk@example.com")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    for url in (URL, TOKEN_URL):
        response = client.post(url, {"language": "en"})
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    assert not Token.objects.exists()
    assert not ChannelPreference.objects.exists()


def test_the_page_shows_my_current_choices(clerk: User) -> None:
    response = signed_in(clerk).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="zh-hans" selected>简体中文</option>' in page
    assert 'id="id_email" checked data-testid="channel-email"' in page
    assert 'id="id_webhook" data-testid="channel-webhook"' in page
    assert "您还没有 API 令牌。" in page
    assert 'href="/accounts/password/"' in page


def test_saving_changes_language_and_channels(clerk: User) -> None:
    client = signed_in(clerk)

    response = client.post(URL, {"language": "en", "webhook": "on"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Your preferences have been saved." in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.language == "en"
    assert channel_preferences_for(user=clerk) == {"email": False, "webhook": True}
    assert [entry.data for entry in audits("inbox.channel_preference_set")] == [
        {"channel": "email", "is_enabled": False},
        {"channel": "webhook", "is_enabled": True},
    ]
    assert audits("org.user_update")[0].data == {"language": ["zh-hans", "en"]}


def test_saving_without_changes_writes_nothing(clerk: User) -> None:
    client = signed_in(clerk)
    before = AuditEntry.objects.count()

    client.post(URL, {"language": "zh-hans", "email": "on"})

    assert AuditEntry.objects.count() == before
    assert not ChannelPreference.objects.exists()


def test_an_unknown_language_is_refused_by_field(clerk: User) -> None:
    client = signed_in(clerk)
    before = AuditEntry.objects.count()

    response = client.post(URL, {"language": "klingon", "webhook": "on"})

    assert response.status_code == 400
    assert "klingon 不在可用的选项中" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.language == "zh-hans"
    assert not ChannelPreference.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_user_changes_only_their_own_preferences(clerk: User) -> None:
    other = make_user(email="other@example.com")

    signed_in(other).post(URL, {"language": "en"})

    clerk.refresh_from_db()
    assert clerk.language == "zh-hans"
    assert channel_preferences_for(user=clerk) == {"email": True, "webhook": False}
    assert not ChannelPreference.objects.filter(user=clerk).exists()


@pytest.mark.parametrize("others", [1, 6])
def test_the_page_costs_the_same_queries_whatever_others_have(
    django_assert_num_queries, others: int
) -> None:  # type: ignore[no-untyped-def]
    for user in make_users(others):
        Token.objects.create(user=user)
        ChannelPreference.objects.create(user=user, channel="webhook", is_enabled=True)
    me = make_user()
    client = signed_in(me)

    # user (the session comes from the cache), channel choices, token; the layout:
    # department, roles (menu)
    with django_assert_num_queries(5):
        response = client.get(URL)

    assert response.status_code == 200


# --- API token -----------------------------------------------------------------------


def test_a_token_is_made_shown_and_works(clerk: User) -> None:
    client = signed_in(clerk)

    response = client.post(TOKEN_URL, follow=True)

    token = Token.objects.get(user=clerk)
    page = response.content.decode()
    assert response.redirect_chain == [(URL, 302)]
    assert f'value="{token.key}" data-testid="api-token"' in page
    assert "已生成新的 API 令牌，使用旧令牌的客户端需要更新。" in page
    api = Client(headers={"authorization": f"Token {token.key}"})
    assert api.get(API_URL).status_code == 200
    assert [entry.data for entry in audits("accounts.api_token_regenerate")] == [
        {"replaced": False}
    ]


def test_regenerating_stops_the_old_token(clerk: User) -> None:
    old = Token.objects.create(user=clerk).key
    client = signed_in(clerk)

    client.post(TOKEN_URL)

    new = Token.objects.get(user=clerk).key
    assert new != old
    assert (
        Client(headers={"authorization": f"Token {old}"}).get(API_URL).status_code
        == 403
    )
    assert (
        Client(headers={"authorization": f"Token {new}"}).get(API_URL).status_code
        == 200
    )
    assert audits("accounts.api_token_regenerate")[0].data == {"replaced": True}


def test_the_token_endpoint_is_post_only(clerk: User) -> None:
    response = signed_in(clerk).get(TOKEN_URL)

    assert response.status_code == 405
    assert not Token.objects.exists()


def test_nobody_sees_or_replaces_another_users_token(clerk: User) -> None:
    mine = Token.objects.create(user=clerk).key
    other = make_user()
    client = signed_in(other)

    page = client.get(URL).content.decode()
    client.post(TOKEN_URL)

    assert mine not in page
    assert Token.objects.get(user=clerk).key == mine
    assert Token.objects.filter(user=other).exists()
