"""The services of accounts, without a directory server."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiban.accounts.services import (
    directory_person_from,
    local_password_change,
    user_language_set,
)
from zhiban.accounts.tests.factories import (
    make_user,
)
from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError
from zhiban.org.models import User

MAPPING = {
    "employee_number": "employeeNumber",
    "name": "cn",
    "mobile": "mobile",
    "email": "mail",
    "department": "departmentNumber",
}

values = st.lists(st.one_of(st.text(max_size=80), st.binary(max_size=80)), max_size=3)


@settings(max_examples=150, deadline=None)
@given(
    attributes=st.dictionaries(
        st.sampled_from([*MAPPING.values(), "CN", "Mail", "other"]), values, max_size=7
    )
)
def test_any_attributes_give_values_a_user_can_hold(
    attributes: dict[str, list[object]],
) -> None:
    person = directory_person_from(attributes, MAPPING)  # type: ignore[arg-type]

    assert person.employee_number is None or 0 < len(person.employee_number) <= 32
    assert person.name is None or 0 < len(person.name) <= 50
    assert person.mobile is None or len(person.mobile) == 11
    assert person.email is None or "@" in person.email
    assert person.department_code is None or 0 < len(person.department_code) <= 32
    for value in (person.name, person.employee_number, person.department_code):
        assert value is None or not any(ord(c) < 32 for c in value)


def test_attribute_names_are_case_insensitive() -> None:
    person = directory_person_from(
        {"CN": ["张三"], "MAIL": ["a@example.com"], "MOBILE": ["+86 138-0000-0001"]},
        MAPPING,
    )

    assert (person.name, person.email, person.mobile) == (
        "张三",
        "a@example.com",
        "13800000001",
    )


def test_control_characters_and_spaces_are_removed() -> None:
    person = directory_person_from({"cn": ["  张\x00三\n "]}, MAPPING)

    assert person.name == "张三"


@pytest.mark.django_db
def test_an_ldap_user_cannot_get_a_local_password() -> None:
    user = make_user(is_ldap=True)
    user.set_unusable_password()
    user.save()

    with pytest.raises(DomainError, match="企业目录"):
        local_password_change(user=user, password="new-secret-2026")

    user.refresh_from_db()
    assert user.has_usable_password() is False


@pytest.mark.django_db
def test_an_unknown_language_is_refused() -> None:
    user: User = make_user()

    with pytest.raises(DomainError, match="klingon"):
        user_language_set(user=user, language="klingon")

    user.refresh_from_db()
    assert user.language == "zh-hans"
    assert not AuditEntry.objects.filter(action="org.user_update").exists()
