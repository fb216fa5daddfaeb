"""Changes made by signing in: LDAP user sync, passwords, API tokens, language."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.org import services as org_services
from zhiban.org.models import Department, Membership, Unit, User
from zhiban.org.validators import normalise_mobile, validate_mobile

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LdapSyncError(Exception):
    """The directory entry could not become a Zhiban user; sign-in is refused."""


@dataclass
class DirectoryPerson:
    """The usable values of one directory entry; None means "leave as it is"."""

    employee_number: str | None = None
    name: str | None = None
    mobile: str | None = None
    email: str | None = None
    department_code: str | None = None
    problems: list[dict[str, str]] = field(default_factory=list)

    def problem(self, attribute: str, kind: str, value: Any = None) -> None:
        """Note an odd attribute; it is logged and audited, never fatal."""
        entry = {"attribute": attribute, "problem": kind}
        if value is not None:
            entry["value"] = repr(value)[:120]
        self.problems.append(entry)


def _decode(raw: bytes, attribute: str, person: DirectoryPerson) -> str:
    """Decode a value the directory did not send as UTF-8."""
    # LDAPv3 says UTF-8; a value that is not is usually a legacy GBK import.
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        person.problem(attribute, "encoding_unreadable", raw)
        return raw.decode("utf-8", errors="replace")
    person.problem(attribute, "encoding_gb18030", raw)
    return text


def _single(
    attributes: Mapping[str, list[Any]], attribute: str, person: DirectoryPerson
) -> str | None:
    """Return the attribute's one cleaned value, or None when there is none."""
    if not attribute:
        return None
    values = [v for v in attributes.get(attribute.lower()) or [] if v not in ("", b"")]
    if not values:
        person.problem(attribute, "missing")
        return None
    if len(values) > 1:
        person.problem(attribute, "multi_valued", values[:3])
    value = values[0]
    if isinstance(value, bytes):
        value = _decode(value, attribute, person)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", str(value))).strip()
    return text or None


def _bounded(
    value: str | None, limit: int, attribute: str, person: DirectoryPerson
) -> str | None:
    if value is not None and len(value) > limit:
        person.problem(attribute, "too_long", value)
        return None
    return value


def directory_person_from(
    attributes: Mapping[str, list[Any]], mapping: Mapping[str, str]
) -> DirectoryPerson:
    """Turn raw directory attributes into values a User can hold."""
    attributes = {str(key).lower(): value for key, value in attributes.items()}
    person = DirectoryPerson()
    attr = dict(mapping)

    number = _single(attributes, attr.get("employee_number", ""), person)
    person.employee_number = _bounded(
        number, 32, attr.get("employee_number", ""), person
    )

    name = _single(attributes, attr.get("name", ""), person)
    if name is not None and len(name) > 50:
        # A long name is still the person's name: keep its beginning.
        person.problem(attr["name"], "too_long_truncated", name)
        name = name[:50]
    person.name = name

    mobile = _single(attributes, attr.get("mobile", ""), person)
    if mobile is not None:
        # Only separators ("-", " ") is no number at all: treat it as absent.
        mobile = normalise_mobile(mobile) or None
    if mobile is not None:
        try:
            validate_mobile(mobile)
        except ValidationError:
            person.problem(attr["mobile"], "invalid", mobile)
            mobile = None
    person.mobile = mobile

    email = _bounded(
        _single(attributes, attr.get("email", ""), person),
        254,
        attr.get("email", ""),
        person,
    )
    if email is not None:
        try:
            validate_email(email)
        except ValidationError:
            person.problem(attr["email"], "invalid", email)
            email = None
    person.email = email

    person.department_code = _bounded(
        _single(attributes, attr.get("department", ""), person),
        32,
        attr.get("department", ""),
        person,
    )
    return person


def ldap_default_unit() -> Unit | None:
    """Return the unit that receives departments the directory names but we lack.

    `LDAP_DEFAULT_UNIT_CODE` when set and known, otherwise the headquarters unit.
    """
    code = settings.LDAP_DEFAULT_UNIT_CODE
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
        logger.warning("LDAP default unit %r does not exist; using headquarters.", code)
    return (
        Unit.objects.filter(kind=Unit.Kind.HEADQUARTERS, is_active=True)
        .order_by("sort_order", "code")
        .first()
    )


def _department_for(
    person: DirectoryPerson, *, username: str, attribute: str
) -> Department | None:
    code = person.department_code
    if not code:
        return None
    department = Department.objects.filter(code=code).first()
    if department is not None:
        return department
    unit = ldap_default_unit()
    if unit is None:
        person.problem(attribute, "department_unknown_no_unit", code)
        return None
    try:
        department = org_services.department_create(
            by=None, unit=unit, code=code, name=code
        )
    except DomainError:
        person.problem(attribute, "department_not_created", code)
        return None
    audit_record(
        actor=None,
        action="accounts.ldap_department_create",
        target=department,
        data={"code": code, "unit": unit.code, "username": username},
    )
    return department


def _sync(
    *, username: str, person: DirectoryPerson, mapping: Mapping[str, str]
) -> tuple[User, bool]:
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    if person.employee_number is not None:
        taken = User.objects.filter(employee_number=person.employee_number)
        if user is not None:
            taken = taken.exclude(pk=user.pk)
        if taken.exists():
            person.problem(
                mapping.get("employee_number", ""),
                "employee_number_taken",
                person.employee_number,
            )
            person.employee_number = None
    department = _department_for(
        person, username=username, attribute=mapping.get("department", "")
    )
    if user is None:
        user = org_services.user_create(
            by=None,
            username=username,
            name=person.name or username,
            employee_number=person.employee_number,
            mobile=person.mobile or "",
            email=person.email or "",
            primary_department=department,
            is_ldap=True,
        )
        return user, True
    changes: dict[str, Any] = {
        key: value
        for key, value in (
            ("name", person.name),
            ("employee_number", person.employee_number),
            ("mobile", person.mobile),
            ("email", person.email),
        )
        if value is not None
    }
    previous_department_id = user.primary_department_id
    if department is not None:
        changes["primary_department"] = department
    user = org_services.user_update(by=None, user=user, **changes)
    if department is not None:
        if not Membership.objects.filter(user=user, department=department).exists():
            org_services.membership_set(by=None, user=user, department=department)
        if previous_department_id not in (None, department.pk):
            # The directory moved the person: leave the old department, unless an
            # administrator made them its head or deputy there.
            old = Membership.objects.filter(
                user=user,
                department_id=previous_department_id,
                is_head=False,
                is_deputy=False,
            ).first()
            if old is not None:
                org_services.membership_remove(by=None, membership=old)
    return user, False


def ldap_user_sync(
    *, username: str, dn: str, attributes: Mapping[str, list[Any]]
) -> User:
    """Create or update the user from their directory entry, in one transaction.

    Odd attributes (missing, multi-valued, badly encoded, too long, invalid) never
    stop the sign-in: the value is left as it was and the problem is audited. Only an
    entry that cannot become a user at all raises LdapSyncError (audited too).
    """
    mapping = settings.LDAP_ATTRIBUTES
    person = directory_person_from(attributes, mapping)
    try:
        with transaction.atomic():
            user, created = _sync(username=username, person=person, mapping=mapping)
            audit_record(
                actor=user,
                action="accounts.ldap_sync",
                target=user,
                data={"dn": dn, "created": created, "problems": person.problems},
            )
    except (DomainError, ValidationError, IntegrityError) as error:
        messages = getattr(error, "messages", None) or [str(error)]
        logger.warning("LDAP entry %s could not become a user: %s", dn, messages)
        audit_record(
            actor=None,
            action="accounts.ldap_sync_failed",
            data={"username": username[:150], "dn": dn, "errors": messages},
        )
        raise LdapSyncError(dn) from error
    if person.problems:
        logger.warning("LDAP entry %s has odd attributes: %s", dn, person.problems)
    return user


@transaction.atomic
def local_password_change(*, user: User, password: str) -> User:
    """Set a local account's new password (already validated by the form)."""
    if user.is_ldap:
        raise DomainError(
            _("Your password is managed by the enterprise directory (LDAP)."),
            code="ldap_password",
        )
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="accounts.password_change", target=user)
    return user


@transaction.atomic
def api_token_regenerate(*, user: User) -> Token:
    """Replace the user's API token; the old one stops working at once."""
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    audit_record(
        actor=user,
        action="accounts.api_token_regenerate",
        target=user,
        data={"replaced": replaced},
    )
    return token


def user_language_set(*, user: User, language: str) -> User:
    """Remember the interface language the user chose."""
    if language not in settings.SUPPORTED_LANGUAGE_CODES:
        raise DomainError(
            {
                "language": _("“%(language)s” is not a language Zhiban offers.")
                % {"language": language}
            },
            code="unknown_language",
        )
    return org_services.user_update(by=user, user=user, language=language)
