"""Local sign-in, lockout, sign-out, sessions and the change-password page."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from zhiban.accounts.tests.factories import (
    make_user,
)
from zhiban.audit.models import AuditEntry
from zhiban.org.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "clerk-pass-123"
LOCKED_ZH = "登录失败次数过多，此账号已被锁定 15 分钟。请稍后再试，或联系管理员解锁。"
LOCKED_EN = (
    "Too many failed sign-ins: this account is locked for 15 minutes. "
    "Try again later, or ask an administrator to unlock it."
)


@pytest.fixture
def clerk() -> User:
    return make_user(username="clerk", password=PASSWORD)


def post_login(client: Client, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_the_login_page_is_in_chinese_by_default(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "一个平台、一点登录、一网通办" in page


def test_a_local_user_signs_in_and_the_session_is_rotated(
    client: Client, clerk: User
) -> None:
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key

    response = post_login(client, "clerk", PASSWORD, next="/accounts/preferences/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/preferences/"
    assert client.session[SESSION_KEY] == str(clerk.pk)
    assert client.session.session_key != before
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.data["method"]) == (
        "accounts.sign_in",
        clerk,
        "local",
    )


def test_an_unsafe_next_after_sign_in_is_ignored(client: Client, clerk: User) -> None:
    response = post_login(client, "clerk", PASSWORD, next="https://evil.example/")

    assert response["Location"] == reverse("core:home")


def test_a_wrong_password_says_so_in_chinese_and_is_audited(
    client: Client, clerk: User
) -> None:
    response = post_login(client, "clerk", "wrong")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert SESSION_KEY not in client.session
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.data) == (
        "accounts.sign_in_failed",
        None,
        {"username": "clerk", "ip": "127.0.0.1", "locked_out": False},
    )


def test_an_unknown_username_is_audited_with_that_name(client: Client) -> None:
    post_login(client, "nobody", "whatever")

    assert AuditEntry.objects.get().data["username"] == "nobody"


def test_five_failures_lock_the_account_on_the_login_page(
    client: Client, clerk: User
) -> None:
    for _attempt in range(4):
        assert post_login(client, "clerk", "wrong").status_code == 200

    fifth = post_login(client, "clerk", "wrong")

    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert LOCKED_ZH in page
    assert 'name="password"' in page  # the login page, not a bare page
    assert audit_actions() == ["accounts.sign_in_failed"] * 5 + ["accounts.lockout"]
    lockout = AuditEntry.objects.get(action="accounts.lockout")
    assert (lockout.actor, lockout.data) == (
        None,
        {"username": "clerk", "ip": "127.0.0.1", "failures": 5},
    )


def test_a_locked_account_refuses_even_the_right_password(
    client: Client, clerk: User
) -> None:
    for _attempt in range(5):
        post_login(client, "clerk", "wrong")

    response = post_login(client, "clerk", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_ZH in response.content.decode()
    assert SESSION_KEY not in client.session
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    assert (last.action, last.data["locked_out"]) == ("accounts.sign_in_failed", True)
    # Attempts while locked do not count again and do not extend the lock.
    assert AuditEntry.objects.filter(action="accounts.lockout").count() == 1
    assert AccessAttempt.objects.get(username="clerk").failures_since_start == 5


def test_the_lockout_message_follows_the_browser_language(clerk: User) -> None:
    client = Client(headers={"accept-language": "en"})
    for _attempt in range(5):
        response = post_login(client, "clerk", "wrong")

    assert LOCKED_EN in response.content.decode()


def test_the_lock_ends_after_the_cool_off_time(client: Client, clerk: User) -> None:
    for _attempt in range(5):
        post_login(client, "clerk", "wrong")
    attempt = AccessAttempt.objects.get(username="clerk")
    attempt.attempt_time -= datetime.timedelta(minutes=16)
    attempt.save(update_fields=["attempt_time"])

    response = post_login(client, "clerk", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(clerk.pk)


def test_the_lock_is_per_account(client: Client, clerk: User) -> None:
    other = make_user(username="other", password=PASSWORD)
    for _attempt in range(5):
        post_login(client, "clerk", "wrong")

    response = post_login(client, "other", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(other.pk)


def test_success_clears_earlier_failures(client: Client, clerk: User) -> None:
    for _attempt in range(4):
        post_login(client, "clerk", "wrong")
    post_login(client, "clerk", PASSWORD)
    client.post(reverse("accounts:logout"))

    for _attempt in range(4):
        response = post_login(client, "clerk", "wrong")

    assert response.status_code == 200


def test_sign_out_is_post_only_and_audited(client: Client, clerk: User) -> None:
    client.force_login(clerk)

    refused = client.get(reverse("accounts:logout"))
    response = client.post(reverse("accounts:logout"))

    assert refused.status_code == 405
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session
    entry = AuditEntry.objects.get(action="accounts.sign_out")
    assert (entry.actor, entry.data) == (clerk, {"ip": "127.0.0.1"})


def test_an_anonymous_sign_out_writes_nothing(client: Client) -> None:
    client.post(reverse("accounts:logout"))

    assert not AuditEntry.objects.exists()


# --- Change password -----------------------------------------------------------------

PASSWORD_URL = "/accounts/password/"


def change(client: Client, old: str, new: str, repeat: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        PASSWORD_URL,
        {"old_password": old, "new_password1": new, "new_password2": repeat or new},
    )


def test_anonymous_is_sent_to_sign_in_for_the_password_page(client: Client) -> None:
    response = client.get(PASSWORD_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"


def test_a_local_user_changes_the_password_and_stays_signed_in(
    client: Client, clerk: User
) -> None:
    client.force_login(clerk)

    response = change(client, PASSWORD, "new-secret-2026")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:preferences")
    clerk.refresh_from_db()
    assert clerk.check_password("new-secret-2026") is True
    assert client.get(reverse("accounts:preferences")).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.password_change")
    assert entry.actor == clerk


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "此密码太短，至少要包含 10 个字符。"),
        ("2026112612345", "密码只包含数字。"),
        ("onlyletterspassword", "密码必须同时包含字母和数字。"),
        ("password123", "这个密码太常见了。"),
    ],
)
def test_the_password_policy_speaks_chinese(
    client: Client, clerk: User, new: str, message: str
) -> None:
    client.force_login(clerk)

    response = change(client, PASSWORD, new)

    assert response.status_code == 400
    assert message in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) is True
    assert not AuditEntry.objects.filter(action="accounts.password_change").exists()


def test_the_old_password_must_be_right(client: Client, clerk: User) -> None:
    client.force_login(clerk)

    response = change(client, "wrong", "new-secret-2026")

    assert response.status_code == 400
    assert "你的旧密码不正确。请重新输入。" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) is True


def test_the_password_policy_speaks_english_to_an_english_user(client: Client) -> None:
    user = make_user(password=PASSWORD, language="en")
    client.force_login(user)

    response = change(client, PASSWORD, "onlyletterspassword")

    assert (
        "The password must contain both letters and digits."
        in response.content.decode()
    )


def test_an_ldap_user_has_no_local_password_to_change(client: Client) -> None:
    user = make_user(is_ldap=True)
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    page = client.get(PASSWORD_URL)
    posted = change(client, "anything", "new-secret-2026")

    assert page.status_code == 403
    assert (
        "您使用企业目录（LDAP）账号登录，请在企业目录中修改密码。"
        in page.content.decode()
    )
    assert posted.status_code == 403
    user.refresh_from_db()
    assert user.has_usable_password() is False
    assert not AuditEntry.objects.filter(action="accounts.password_change").exists()


def test_the_password_page_explains_the_policy(client: Client, clerk: User) -> None:
    client.force_login(clerk)

    response = client.get(PASSWORD_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="new_password1"' in page
    assert "您的密码必须同时包含字母和数字。" in page
