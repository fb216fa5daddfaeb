"""Users, their roles and their places in departments."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.org.models import (
    Delegation,
    Department,
    Membership,
    Post,
    Role,
    User,
    role_groups,
)
from zhiban.org.services._common import (
    UNSET,
    _apply,
    _changes,
    _columns,
    _others,
)
from zhiban.org.validators import normalise_mobile, validate_mobile


def _check_employee_number(number: str | None, *, exclude_pk: int | None) -> None:
    taken = _others(User.objects.filter(employee_number=number), exclude_pk)
    if number and taken.exists():
        raise DomainError(
            {
                "employee_number": _(
                    "Employee number “%(number)s” already belongs to another user."
                )
                % {"number": number}
            },
            code="duplicate_employee_number",
        )


def _check_username(username: str, *, exclude_pk: int | None) -> None:
    if _others(User.objects.filter(username=username), exclude_pk).exists():
        raise DomainError(
            {
                "username": _("The sign-in name “%(username)s” is already taken.")
                % {"username": username}
            },
            code="duplicate_username",
        )


def _clean_mobile(mobile: str) -> str:
    mobile = normalise_mobile(mobile)
    try:
        validate_mobile(mobile)
    except ValidationError as error:
        raise DomainError({"mobile": error.messages}, code="invalid_mobile") from error
    return mobile


def _check_roles(roles: Iterable[str]) -> list[str]:
    wanted = [str(role) for role in roles]
    unknown = sorted(set(wanted) - set(Role.values))
    if unknown:
        raise DomainError(
            {"roles": _("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown)}},
            code="unknown_role",
        )
    return sorted(set(wanted))


@transaction.atomic
def user_create(
    *,
    by: User | None,
    username: str,
    name: str,
    employee_number: str | None = None,
    mobile: str = "",
    email: str = "",
    primary_department: Department | None = None,
    post: Post | None = None,
    title: str = "",
    language: str = User.Language.SIMPLIFIED,
    password: str | None = None,
    is_ldap: bool = False,
    roles: Iterable[str] = (),
) -> User:
    """Create a user; with no password the account signs in only through LDAP/SSO."""
    username = username.strip()
    employee_number = (employee_number or "").strip() or None
    role_names = _check_roles(roles)
    _check_username(username, exclude_pk=None)
    _check_employee_number(employee_number, exclude_pk=None)
    user = User(
        username=username,
        name=name.strip(),
        employee_number=employee_number,
        mobile=_clean_mobile(mobile),
        email=email.strip(),
        primary_department=primary_department,
        post=post,
        title=title.strip(),
        language=language,
        is_ldap=is_ldap,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    if primary_department is not None:
        Membership.objects.create(
            user=user, department=primary_department, title=user.title
        )
    if role_names:
        user.groups.set(role_groups(role_names))
    audit_record(
        actor=by,
        action="org.user_create",
        target=user,
        data={"employee_number": employee_number, "roles": role_names},
    )
    return user


@transaction.atomic
def user_update(
    *,
    by: User | None,
    user: User,
    username: str = UNSET,
    name: str = UNSET,
    employee_number: str | None = UNSET,
    mobile: str = UNSET,
    email: str = UNSET,
    primary_department: Department | None = UNSET,
    post: Post | None = UNSET,
    title: str = UNSET,
    language: str = UNSET,
) -> User:
    """Change a user's directory fields; the primary department gets a membership."""
    changes = _changes(
        {
            "username": username,
            "name": name,
            "employee_number": employee_number,
            "mobile": mobile,
            "email": email,
            "primary_department": primary_department,
            "post": post,
            "title": title,
            "language": language,
        }
    )
    if "username" in changes:
        changes["username"] = changes["username"].strip()
        _check_username(changes["username"], exclude_pk=user.pk)
    if "employee_number" in changes:
        changes["employee_number"] = (changes["employee_number"] or "").strip() or None
        _check_employee_number(changes["employee_number"], exclude_pk=user.pk)
    if "mobile" in changes:
        changes["mobile"] = _clean_mobile(changes["mobile"])
    diff = _apply(user, changes)
    if not diff:
        return user
    user.full_clean(exclude=["password"])
    user.save(update_fields=_columns(diff, user))
    if "primary_department" in diff and user.primary_department_id:
        Membership.objects.get_or_create(
            user=user,
            department_id=user.primary_department_id,
            defaults={"title": user.title},
        )
    audit_record(actor=by, action="org.user_update", target=user, data=diff)
    return user


@transaction.atomic
def user_deactivate(*, by: User | None, user: User) -> User:
    """Deactivate an account: it can no longer sign in; its delegations end."""
    if by is not None and by.pk == user.pk:
        raise DomainError(
            _("You cannot deactivate your own account."), code="deactivate_self"
        )
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = Delegation.objects.filter(is_active=True).filter(
        delegator=user
    ) | Delegation.objects.filter(is_active=True, delegate=user)
    ended_ids = list(ended.values_list("id", flat=True))
    Delegation.objects.filter(pk__in=ended_ids).update(is_active=False)
    audit_record(
        actor=by,
        action="org.user_deactivate",
        target=user,
        data={"ended_delegations": ended_ids},
    )
    return user


@transaction.atomic
def user_reactivate(*, by: User | None, user: User) -> User:
    """Let a deactivated account sign in again."""
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=by, action="org.user_reactivate", target=user)
    return user


@transaction.atomic
def user_roles_set(*, by: User | None, user: User, roles: Iterable[str]) -> User:
    """Give the user exactly these roles (auth groups named by Role values)."""
    role_names = _check_roles(roles)
    if (
        by is not None
        and by.pk == user.pk
        and Role.SYSTEM_ADMIN not in role_names
        and not user.is_superuser
        and user.groups.filter(name=Role.SYSTEM_ADMIN).exists()
    ):
        raise DomainError(
            {"roles": _("You cannot remove your own system administrator role.")},
            code="lockout",
        )
    before = sorted(user.groups.values_list("name", flat=True))
    if before == role_names:
        return user
    user.groups.set(role_groups(role_names))
    if hasattr(user, "_role_cache"):
        del user._role_cache
    audit_record(
        actor=by,
        action="org.user_roles_set",
        target=user,
        data={"roles": [before, role_names]},
    )
    return user


# --- Memberships ---------------------------------------------------------------------


@transaction.atomic
def membership_set(
    *,
    by: User | None,
    user: User,
    department: Department,
    title: str = "",
    is_head: bool = False,
    is_deputy: bool = False,
) -> Membership:
    """Add the user to a department or change their place in it.

    A department has at most one head (负责人) and any number of deputies; making a
    second head is refused, naming the current one, so that a head is never replaced
    by accident. Becoming head also grants the department-head role.
    """
    if is_head and is_deputy:
        raise DomainError(
            {"is_deputy": _("A person is either the head or a deputy, not both.")},
            code="head_and_deputy",
        )
    if is_head:
        current = (
            Membership.objects.filter(department=department, is_head=True)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        if current is not None:
            raise DomainError(
                {
                    "is_head": _(
                        "%(department)s already has a head: %(name)s. Remove that "
                        "role first."
                    )
                    % {"department": department.name, "name": current.user.display_name}
                },
                code="second_head",
            )
    membership = Membership.objects.filter(user=user, department=department).first()
    created = membership is None
    if membership is None:
        membership = Membership(user=user, department=department)
    diff = _apply(
        membership,
        {"title": title.strip(), "is_head": is_head, "is_deputy": is_deputy},
    )
    if not created and not diff:
        return membership
    membership.full_clean()
    membership.save()
    if is_head:
        user.groups.add(*role_groups([Role.DEPARTMENT_HEAD]))
        if hasattr(user, "_role_cache"):
            del user._role_cache
    audit_record(
        actor=by,
        action="org.membership_set",
        target=membership,
        data={"department": department.pk, "created": created, **diff},
    )
    return membership


@transaction.atomic
def membership_remove(*, by: User | None, membership: Membership) -> None:
    """Remove a user from a further department (not from the primary one)."""
    user = membership.user
    if user.primary_department_id == membership.department_id:
        raise DomainError(
            _(
                "This is the user's primary department; choose another primary "
                "department first."
            ),
            code="primary",
        )
    audit_record(
        actor=by,
        action="org.membership_remove",
        target=user,
        data={"department": membership.department_id},
    )
    membership.delete()
