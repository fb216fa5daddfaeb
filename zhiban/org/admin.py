"""The Django admin for configuration of the organisation.

Day-to-day changes go through the organisation pages (services, audit trail); the
admin is for configuration and repair by superusers.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from zhiban.org.models import Delegation, Department, Membership, Post, Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "sort_order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user", "department")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "parent", "overseeing_leader", "is_active")
    list_filter = ("unit", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "overseeing_leader")
    list_select_related = ("unit", "parent", "overseeing_leader")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "employee_number",
        "name",
        "primary_department",
        "is_active",
        "is_staff",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "is_ldap", "groups")
    search_fields = ("username", "employee_number", "name", "mobile", "email")
    list_select_related = ("primary_department",)
    autocomplete_fields = ("primary_department",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Organisation"),
            {
                "fields": (
                    "employee_number",
                    "name",
                    "mobile",
                    "primary_department",
                    "post",
                    "title",
                    "language",
                    "is_ldap",
                )
            },
        ),
    )
    inlines: ClassVar = [MembershipInline]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("delegator", "delegate", "starts_on", "ends_on", "is_active")
    list_filter = ("is_active",)
    search_fields = ("delegator__name", "delegate__name")
    autocomplete_fields = ("delegator", "delegate")
    list_select_related = ("delegator", "delegate")
