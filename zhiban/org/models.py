"""The organisation: units, departments, posts, users, memberships, delegation.

Also the administrators' overrides of the working-day calendar (org.workdays).
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import gettext_lazy as _

from zhiban.core.models import TimeStampedModel


class Role(models.TextChoices):
    """The roles of the platform, stored as auth groups named by their value."""

    SYSTEM_ADMIN = "system_admin", _("System administrator")  # 系统管理员
    OFFICE_DIRECTOR = "office_director", _("Office director")  # 办公室主任
    CLERK = "clerk", _("Document clerk")  # 文书
    # 机要员: the only role that sees classified documents' register entries.
    CONFIDENTIAL_CLERK = "confidential_clerk", _("Confidential clerk")  # 机要员
    SUPERVISION_OFFICER = "supervision_officer", _("Supervision officer")  # 督查专员
    ARCHIVIST = "archivist", _("Archivist")  # 档案管理员
    FLEET_MANAGER = "fleet_manager", _("Fleet manager")  # 车辆管理员
    DRIVER = "driver", _("Driver")  # 驾驶员
    DEPARTMENT_HEAD = "department_head", _("Department head")  # 部门负责人
    OVERSEEING_LEADER = "overseeing_leader", _("Overseeing leader")  # 分管领导
    PRINCIPAL_LEADER = "principal_leader", _("Principal leader")  # 主要领导
    EMPLOYEE = "employee", _("Employee")  # 员工


def role_groups(names: list[str] | tuple[str, ...]) -> list[Group]:
    """Return the auth groups of the named roles, creating any that are missing.

    Migration org/0002 creates them; a flushed or hand-edited database may have lost them.
    """
    valid = {str(role) for role in Role}
    return [
        Group.objects.get_or_create(name=str(name))[0]
        for name in names
        if str(name) in valid
    ]


class Unit(TimeStampedModel):
    """A unit of the group: the headquarters or a subordinate mine or company."""

    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Group headquarters")  # 集团本部
        MINE = "mine", _("Mine")  # 矿
        COMPANY = "company", _("Company")  # 公司
        OTHER = "other", _("Other unit")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering: ClassVar = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    """A department of a unit; departments form a tree inside their unit."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    overseeing_leader = models.ForeignKey(
        "org.User",
        verbose_name=_("overseeing leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="overseen_departments",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering: ClassVar = ["unit__sort_order", "sort_order", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "name", "parent"], name="dept_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Department]:
        """Return the parents of this department, nearest first."""
        chain: list[Department] = []
        node = self.parent
        seen = {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class Post(TimeStampedModel):
    """A post (岗位), e.g. 文书岗, 驾驶员岗."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.name


def display_name_of(name: str, first_name: str, last_name: str, username: str) -> str:
    """Return a person's display name from their columns (``User.display_name``).

    For reads that fetch the columns as values instead of whole users.
    """
    return name or f"{first_name} {last_name}".strip() or username


DISPLAY_NAME_COLUMNS = ("name", "first_name", "last_name", "username")


def display_name_expression(relation: str) -> Coalesce:
    """Return ``display_name_of`` as a database expression of the related person."""
    name, first, last, username = (
        F(f"{relation}__{column}") for column in DISPLAY_NAME_COLUMNS
    )
    full = Trim(Concat(first, Value(" "), last))
    return Coalesce(NullIf(name, Value("")), NullIf(full, Value("")), username)


class User(AbstractUser):
    """A person who signs in. The username is the sign-in name."""

    class Language(models.TextChoices):
        SIMPLIFIED = "zh-hans", "简体中文"
        TRADITIONAL = "zh-hant", "繁體中文"
        ENGLISH = "en", "English"

    employee_number = models.CharField(
        _("employee number"), max_length=32, unique=True, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    primary_department = models.ForeignKey(
        Department,
        verbose_name=_("primary department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_members",
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField(_("title"), max_length=50, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=Language.choices,
        default=Language.SIMPLIFIED,
    )
    is_ldap = models.BooleanField(_("signs in through LDAP"), default=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering: ClassVar = ["employee_number", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Return the person's name, or the sign-in name when there is none."""
        return display_name_of(
            self.name, self.first_name, self.last_name, self.username
        )

    def has_role(self, role: Role | str) -> bool:
        """Return whether the user holds the role (memoised per instance)."""
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self._role_cache = cache
        return str(role) in cache or (
            self.is_superuser and str(role) == Role.SYSTEM_ADMIN
        )


class Membership(TimeStampedModel):
    """A user's place in a department: the primary one and any further ones."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    title = models.CharField(_("title"), max_length=50, blank=True)
    is_head = models.BooleanField(_("head of department"), default=False)
    is_deputy = models.BooleanField(_("deputy head"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "department"], name="membership_unique_user_department"
            ),
            models.CheckConstraint(
                condition=~(Q(is_head=True) & Q(is_deputy=True)),
                name="membership_head_or_deputy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class Delegation(TimeStampedModel):
    """While A is away, A's work items of the chosen kinds go to B (委托)."""

    delegator = models.ForeignKey(
        User,
        verbose_name=_("delegator"),
        on_delete=models.CASCADE,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        User,
        verbose_name=_("delegate"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    kinds = models.JSONField(
        _("kinds of work"),
        default=list,
        blank=True,
        help_text=_("Empty means every kind of work item."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering: ClassVar = ["-starts_on"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="delegation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")),
                name="delegation_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate}"

    def covers(self, kind: str) -> bool:
        """Return whether this delegation covers work items of the kind."""
        from zhiban.org.work_kinds import is_delegable

        return is_delegable(kind) and (not self.kinds or kind in self.kinds)


class WorkingDayOverride(TimeStampedModel):
    """An administrator's ruling that a day is a working day or a rest day (调休).

    It always wins over the official calendar (see zhiban.org.workdays).
    """

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(
        _("note"), max_length=100, help_text=_("For example 2027年国庆调休.")
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering: ClassVar = ["day"]

    def __str__(self) -> str:
        return self.day.isoformat()

    @property
    def is_officially_working_day(self) -> bool:
        """Return what the official calendar says of the day, without overrides."""
        from zhiban.org.workdays import official_is_working_day

        return official_is_working_day(self.day)


__all__ = [
    "Delegation",
    "Department",
    "Group",
    "Membership",
    "Post",
    "Role",
    "Unit",
    "User",
    "WorkingDayOverride",
]
