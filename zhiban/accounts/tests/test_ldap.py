"""LDAP sign-in against a real slapd, through the real login view."""

from __future__ import annotations

import importlib
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiban.accounts import ldap as accounts_ldap
from zhiban.accounts.ldap import ResilientLDAPBackend, outage_recent
from zhiban.accounts.tests.conftest import Directory, free_port
from zhiban.accounts.tests.factories import (
    make_department,
    make_unit,
    make_user,
)
from zhiban.audit.models import AuditEntry
from zhiban.org.models import Department, Membership, Unit, User

pytestmark = [pytest.mark.ldap, pytest.mark.django_db]

LOGIN = "/accounts/login/"
NOTICE = "企业目录（LDAP）暂时无法连接，请使用本地账号登录"


@pytest.fixture
def headquarters() -> Unit:
    return make_unit(code="HQ", name="集团本部", kind=Unit.Kind.HEADQUARTERS)


@pytest.fixture
def office(headquarters: Unit) -> Department:
    return make_department(unit=headquarters, code="HQ-OFFICE", name="综合办公室")


def sign_in(username: str, password: str) -> tuple[Client, Any]:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def actions(**filters: object) -> list[str]:
    return list(
        AuditEntry.objects.filter(**filters)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_first_sign_in_creates_the_user_and_links_the_department(
    directory: Directory, office: Department
) -> None:
    client, response = sign_in("zhangsan", "zhangsan-pass-1")

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    user = User.objects.get(username="zhangsan")
    assert signed_in_user_id(client) == user.pk
    assert user.is_ldap is True
    assert user.has_usable_password() is False
    assert (user.name, user.email, user.mobile, user.employee_number) == (
        "张三",
        "zhangsan@zhiban.test",
        "13800000001",
        "L1001",
    )
    assert user.primary_department == office
    assert list(
        Membership.objects.filter(user=user).values_list("department", flat=True)
    ) == [office.pk]
    sync = AuditEntry.objects.get(action="accounts.ldap_sync")
    assert sync.data == {
        "dn": "uid=zhangsan,ou=people,dc=zhiban,dc=test",
        "created": True,
        "problems": [],
    }
    assert actions(actor=user) == ["accounts.ldap_sync", "accounts.sign_in"]
    # The session stays signed in on the next request.
    assert client.get(reverse("accounts:preferences")).status_code == 200
    assert AuditEntry.objects.get(action="accounts.sign_in").data["method"] == "ldap"


def test_second_sign_in_updates_changed_attributes(
    directory: Directory, office: Department
) -> None:
    planning = make_department(unit=office.unit, code="HQ-PLAN", name="企业管理部")
    directory.add_person(
        "zhaoliu",
        {
            "cn": ["赵六"],
            "sn": ["赵"],
            "mail": ["zhaoliu@zhiban.test"],
            "mobile": ["13800000006"],
            "employeeNumber": ["L1006"],
            "departmentNumber": ["HQ-OFFICE"],
            "userPassword": ["zhaoliu-pass-1"],
        },
    )
    sign_in("zhaoliu", "zhaoliu-pass-1")
    directory.replace(
        "zhaoliu",
        {
            "cn": ["赵六六"],
            "mobile": ["13900000006"],
            "mail": ["liu.zhao@zhiban.test"],
            "departmentNumber": ["HQ-PLAN"],
        },
    )

    client, response = sign_in("zhaoliu", "zhaoliu-pass-1")

    assert response.status_code == 302
    user = User.objects.get(username="zhaoliu")
    assert signed_in_user_id(client) == user.pk
    assert (user.name, user.mobile, user.email, user.employee_number) == (
        "赵六六",
        "13900000006",
        "liu.zhao@zhiban.test",
        "L1006",
    )
    assert user.primary_department == planning
    # Moved by the directory: the old department's plain membership is gone.
    assert list(
        Membership.objects.filter(user=user).values_list("department", flat=True)
    ) == [planning.pk]
    assert User.objects.filter(username__iexact="zhaoliu").count() == 1


def test_a_move_keeps_a_head_membership_set_by_an_administrator(
    directory: Directory, office: Department
) -> None:
    make_department(unit=office.unit, code="HQ-PLAN", name="企业管理部")
    directory.add_person(
        "qianqi",
        {
            "cn": ["钱七"],
            "sn": ["钱"],
            "departmentNumber": ["HQ-OFFICE"],
            "userPassword": ["qianqi-pass-1"],
        },
    )
    sign_in("qianqi", "qianqi-pass-1")
    Membership.objects.filter(user__username="qianqi").update(is_head=True)
    directory.replace("qianqi", {"departmentNumber": ["HQ-PLAN"]})

    sign_in("qianqi", "qianqi-pass-1")

    memberships = Membership.objects.filter(user__username="qianqi").order_by(
        "department__code"
    )
    assert [(m.department.code, m.is_head) for m in memberships] == [
        ("HQ-OFFICE", True),
        ("HQ-PLAN", False),
    ]


def test_an_unknown_department_is_created_under_headquarters(
    directory: Directory, headquarters: Unit
) -> None:
    make_unit(code="MINE1", name="一号矿", kind=Unit.Kind.MINE)

    _client, response = sign_in("lisi", "lisi-pass-1")

    assert response.status_code == 302
    department = Department.objects.get(code="MINE1-NEW")
    assert (department.unit, department.name, department.parent) == (
        headquarters,
        "MINE1-NEW",
        None,
    )
    user = User.objects.get(username="lisi")
    assert user.primary_department == department
    created = AuditEntry.objects.get(action="accounts.ldap_department_create")
    assert created.data == {"code": "MINE1-NEW", "unit": "HQ", "username": "lisi"}


def test_the_default_unit_setting_places_unknown_departments(
    directory: Directory, headquarters: Unit, settings: object
) -> None:
    mine = make_unit(code="MINE1", name="一号矿", kind=Unit.Kind.MINE)
    settings.LDAP_DEFAULT_UNIT_CODE = "MINE1"  # type: ignore[attr-defined]

    sign_in("lisi", "lisi-pass-1")

    assert Department.objects.get(code="MINE1-NEW").unit == mine


def test_with_no_unit_at_all_the_user_signs_in_without_a_department(
    directory: Directory,
) -> None:
    _client, response = sign_in("lisi", "lisi-pass-1")

    assert response.status_code == 302
    user = User.objects.get(username="lisi")
    assert user.primary_department is None
    assert not Department.objects.exists()
    assert AuditEntry.objects.get(action="accounts.ldap_sync").data["problems"] == [
        {
            "attribute": "departmentNumber",
            "problem": "department_unknown_no_unit",
            "value": "'MINE1-NEW'",
        }
    ]


def test_a_wrong_password_is_refused(directory: Directory, office: Department) -> None:
    client, response = sign_in("zhangsan", "not-the-password")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(username="zhangsan").exists()
    failed = AuditEntry.objects.get(action="accounts.sign_in_failed")
    assert (failed.actor, failed.data["username"]) == (None, "zhangsan")
    assert outage_recent() is False


def test_ldap_cannot_take_over_a_local_account(directory: Directory) -> None:
    local = make_user(username="localboss", name="本地主任", password="local-pass-123")

    _client, refused = sign_in("localboss", "ldap-boss-pass")
    client, accepted = sign_in("localboss", "local-pass-123")

    assert refused.status_code == 200
    assert accepted.status_code == 302
    local.refresh_from_db()
    assert (local.is_ldap, local.name, signed_in_user_id(client)) == (
        False,
        "本地主任",
        local.pk,
    )
    assert not AuditEntry.objects.filter(action="accounts.ldap_sync").exists()


def test_a_deactivated_ldap_user_stays_out(
    directory: Directory, office: Department
) -> None:
    sign_in("zhangsan", "zhangsan-pass-1")
    User.objects.filter(username="zhangsan").update(is_active=False)

    client, response = sign_in("zhangsan", "zhangsan-pass-1")

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_odd_attributes_are_handled_and_audited(
    directory: Directory, office: Department
) -> None:
    directory.add_person(
        "wangwu",
        {
            "cn": ["王五", "Wang Wu"],
            "sn": ["王"],
            "mail": ["wangwu@zhiban.test", "wu.wang@zhiban.test"],
            "mobile": ["call me maybe"],
            "employeeNumber": ["E" * 40],
            "userPassword": ["wangwu-pass-1"],
        },
    )

    client, response = sign_in("wangwu", "wangwu-pass-1")

    assert response.status_code == 302
    user = User.objects.get(username="wangwu")
    assert signed_in_user_id(client) == user.pk
    assert (user.name, user.email, user.mobile, user.employee_number) == (
        "王五",
        "wangwu@zhiban.test",
        "",
        None,
    )
    assert user.primary_department is None
    problems = AuditEntry.objects.get(action="accounts.ldap_sync").data["problems"]
    assert [(p["attribute"], p["problem"]) for p in problems] == [
        ("employeeNumber", "too_long"),
        ("cn", "multi_valued"),
        ("mobile", "invalid"),
        ("mail", "multi_valued"),
        ("departmentNumber", "missing"),
    ]


def test_a_name_that_is_too_long_is_shortened(
    directory: Directory, office: Department
) -> None:
    directory.add_person(
        "longname",
        {"cn": ["长" * 80], "sn": ["长"], "userPassword": ["longname-pass-1"]},
    )

    sign_in("longname", "longname-pass-1")

    assert User.objects.get(username="longname").name == "长" * 50


@pytest.mark.parametrize(
    ("raw", "expected_name", "problem"),
    [
        ("赵六".encode("gbk"), "赵六", "encoding_gb18030"),
        (b"\xff\xfe\xff", "\ufffd\ufffd\ufffd", "encoding_unreadable"),
    ],
)
def test_a_name_in_a_legacy_encoding_does_not_break_sign_in(
    directory: Directory,
    settings: object,
    raw: bytes,
    expected_name: str,
    problem: str,
) -> None:
    settings.LDAP_ATTRIBUTES = {  # type: ignore[attr-defined]
        **settings.LDAP_ATTRIBUTES,  # type: ignore[attr-defined]
        "name": "zhibanLegacyName",
    }
    directory.add_person(
        "legacy",
        {
            "cn": ["legacy"],
            "sn": ["L"],
            "zhibanLegacyName": [raw],
            "userPassword": ["legacy-pass-1"],
        },
    )

    _client, response = sign_in("legacy", "legacy-pass-1")

    assert response.status_code == 302
    assert User.objects.get(username="legacy").name == expected_name
    problems = AuditEntry.objects.get(action="accounts.ldap_sync").data["problems"]
    assert ("zhibanLegacyName", problem) in [
        (p["attribute"], p["problem"]) for p in problems
    ]


def test_an_employee_number_already_taken_is_left_out(
    directory: Directory, office: Department
) -> None:
    make_user(username="other", employee_number="L1001")

    _client, response = sign_in("zhangsan", "zhangsan-pass-1")

    assert response.status_code == 302
    assert User.objects.get(username="zhangsan").employee_number is None
    problems = AuditEntry.objects.get(action="accounts.ldap_sync").data["problems"]
    assert problems == [
        {
            "attribute": "employeeNumber",
            "problem": "employee_number_taken",
            "value": "'L1001'",
        }
    ]


def test_an_entry_that_cannot_become_a_user_is_refused_and_audited(
    directory: Directory,
) -> None:
    directory.add_person(
        "bad name", {"cn": ["空格"], "sn": ["空"], "userPassword": ["space-pass-1"]}
    )

    client, response = sign_in("bad name", "space-pass-1")

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(username__iexact="bad name").exists()
    failed = AuditEntry.objects.get(action="accounts.ldap_sync_failed")
    assert failed.data["username"] == "bad name"


def test_an_ldap_user_locked_out_by_axes_stays_locked(
    directory: Directory, office: Department
) -> None:
    for _attempt in range(5):
        sign_in("zhangsan", "wrong-password")

    client, response = sign_in("zhangsan", "zhangsan-pass-1")

    assert response.status_code == 429
    assert "此账号已被锁定 15 分钟" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(username="zhangsan").exists()


@pytest.fixture
def ldap_down(settings: object, slapd_path: str) -> str:
    """Point LDAP at a loopback port where nothing listens (needs python-ldap)."""
    uri = f"ldap://127.0.0.1:{free_port()}"
    settings.LDAP_URI = uri  # type: ignore[attr-defined]
    settings.LDAP_BIND_DN = "cn=reader,dc=zhiban,dc=test"  # type: ignore[attr-defined]
    settings.LDAP_BIND_PASSWORD = "x"  # type: ignore[attr-defined]
    settings.LDAP_USER_SEARCH_BASE = "ou=people,dc=zhiban,dc=test"  # type: ignore[attr-defined]
    settings.LDAP_TIMEOUT = 1  # type: ignore[attr-defined]
    return uri


def test_with_ldap_down_local_accounts_sign_in_and_the_page_says_so(
    ldap_down: str,
) -> None:
    local = make_user(username="clerk", password="clerk-pass-123")
    assert NOTICE not in Client().get(LOGIN).content.decode()

    started = time.monotonic()
    _client, refused = sign_in("zhangsan", "zhangsan-pass-1")
    elapsed = time.monotonic() - started
    client, accepted = sign_in("clerk", "clerk-pass-123")

    assert elapsed < 3
    assert refused.status_code == 200
    assert NOTICE in refused.content.decode()
    assert accepted.status_code == 302
    assert signed_in_user_id(client) == local.pk
    assert NOTICE in Client().get(LOGIN).content.decode()


def test_the_notice_goes_once_ldap_answers_again(
    directory: Directory, office: Department
) -> None:
    accounts_ldap.outage_record(reason="SERVER_DOWN")
    assert NOTICE in Client().get(LOGIN).content.decode()

    sign_in("zhangsan", "zhangsan-pass-1")

    assert outage_recent() is False
    assert NOTICE not in Client().get(LOGIN).content.decode()


def test_no_notice_when_ldap_is_not_configured(settings: object) -> None:
    settings.LDAP_URI = ""  # type: ignore[attr-defined]
    accounts_ldap.outage_record(reason="SERVER_DOWN")

    assert NOTICE not in Client().get(LOGIN).content.decode()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Listen on a loopback port and never answer (a hung directory)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


def test_a_directory_that_does_not_answer_times_out_quickly(
    ldap_down: str, silent_server: int, settings: object, rf: object
) -> None:
    settings.LDAP_URI = f"ldap://127.0.0.1:{silent_server}"  # type: ignore[attr-defined]
    request = rf.post(LOGIN)  # type: ignore[attr-defined]

    started = time.monotonic()
    user = ResilientLDAPBackend().authenticate(
        request, username="zhangsan", password="x"
    )
    elapsed = time.monotonic() - started

    assert user is None
    assert elapsed < 4
    assert outage_recent() is True


def test_the_backend_declines_without_python_ldap(
    monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    settings.LDAP_URI = "ldap://127.0.0.1:1"  # type: ignore[attr-defined]
    for name in [
        n
        for n in sys.modules
        if n == "ldap" or n.startswith(("ldap.", "django_auth_ldap"))
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ldap", None)
    module = importlib.reload(accounts_ldap)

    assert module.ldap_installed() is False
    assert (
        module.ResilientLDAPBackend().authenticate(None, username="a", password="b")
        is None
    )


@pytest.mark.parametrize("username", ["*", "zhang*", "zhangsan)(uid=*"])
def test_filter_characters_in_the_username_match_nobody(
    directory: Directory, office: Department, username: str
) -> None:
    client, response = sign_in(username, "zhangsan-pass-1")

    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert not User.objects.exists()
