"""Django admin: configuration only (rooms are kept on their own pages)."""

from django.contrib import admin

from zhiban.meetings.models import Equipment


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "icon", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
