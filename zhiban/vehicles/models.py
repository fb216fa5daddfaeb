"""Approved vehicle requests (用车申请), ready for dispatch by the fleet module."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhiban.core.models import TimeStampedModel


class VehicleRequest(TimeStampedModel):
    """One approved vehicle-use request; the fleet module dispatches it later."""

    class Status(models.TextChoices):
        AWAITING_DISPATCH = "awaiting", _("Awaiting dispatch")  # 待派车
        CANCELLED = "cancelled", _("Cancelled")  # 已取消

    instance = models.OneToOneField(
        "workflow.FlowInstance",
        verbose_name=_("approval"),
        on_delete=models.PROTECT,
        related_name="vehicle_request",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="vehicle_requests",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.TextField(_("purpose"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    destination = models.CharField(_("destination"), max_length=200)
    departure = models.CharField(_("departure point"), max_length=200, blank=True)
    passengers = models.PositiveIntegerField(_("passengers"))
    passenger_names = models.CharField(_("passenger names"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.AWAITING_DISPATCH,
    )
    approved_at = models.DateTimeField(_("approved at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vehicle request")
        verbose_name_plural = _("vehicle requests")
        ordering: ClassVar = ["starts_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="vehiclerequest_ends_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(passengers__gte=1), name="vehiclerequest_passengers"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "starts_at"], name="vehiclerequest_status"),
            models.Index(
                fields=["requester", "-starts_at"], name="vehiclerequest_requester"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.starts_at:%Y-%m-%d %H:%M}"
