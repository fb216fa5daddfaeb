"""Django admin: configuration only (rooms are kept on their own pages)."""

from django.contrib import admin

from zhiban.meetings.models import ChecklistTemplate, ContingencyPlan, Equipment


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "icon", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("meeting_type", "title", "department", "hours_before", "position")
    list_filter = ("meeting_type",)


@admin.register(ContingencyPlan)
class ContingencyPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "is_active")
