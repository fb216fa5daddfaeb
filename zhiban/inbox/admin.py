"""Administration of the to-do centre: look up items and see failed deliveries.

Work items and notifications are written only by inbox.services, so the admin
shows them read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhiban.inbox.models import ChannelPreference, Delivery, Notification, WorkItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Any | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Any | None = None
    ) -> bool:
        return False


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "assignee", "on_behalf_of", "state", "due_at")
    list_filter = ("state", "kind", "urgency", "is_cc")
    search_fields = ("title",)
    raw_id_fields = ("assignee", "on_behalf_of", "initiator", "closed_by")
    list_select_related = ("assignee", "on_behalf_of")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "recipient", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title",)
    raw_id_fields = ("recipient", "work_item")
    list_select_related = ("recipient",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("notification", "channel", "state", "attempts", "next_attempt_at")
    list_filter = ("state", "channel")
    readonly_fields = ("last_error",)
    list_select_related = ("notification",)


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "is_enabled")
    list_filter = ("channel", "is_enabled")
    list_select_related = ("user",)
