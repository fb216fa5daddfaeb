from django.contrib import admin

from zhiban.seals.models import Seal, SealUse


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "keeper", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(SealUse)
class SealUseAdmin(admin.ModelAdmin):
    list_display = ("document_title", "seal", "requester", "status", "approved_at")
    list_filter = ("status",)
    search_fields = ("document_title",)
    readonly_fields = [f.name for f in SealUse._meta.fields]
