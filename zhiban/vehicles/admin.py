from django.contrib import admin

from zhiban.vehicles.models import VehicleRequest


@admin.register(VehicleRequest)
class VehicleRequestAdmin(admin.ModelAdmin):
    list_display = ("destination", "requester", "starts_at", "ends_at", "status")
    list_filter = ("status",)
    readonly_fields = [f.name for f in VehicleRequest._meta.fields]
