"""Document-number series and every number they gave out.

Outgoing numbers (发文字号) come from a ``NumberSeries`` (one 机关代字 of a unit);
every number ever allocated is a ``DocumentNumber`` row, unique per series and year,
so a voided number stays recorded and is never handed out again.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiban.core.models import TimeStampedModel


class NumberSeries(TimeStampedModel):
    """A document-number series (机关代字) of a unit, e.g. 豫能集团办〔2026〕5号."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="number_series",
    )
    code = models.CharField(
        _("issuer code"),
        max_length=30,
        help_text=_("The 机关代字 before the year, e.g. 豫能集团办."),
    )
    name = models.CharField(_("name"), max_length=100)
    # The document types that take their numbers here; empty means any type.
    document_types = models.JSONField(_("document types"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        ordering: ClassVar = ["unit__sort_order", "unit__code", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "code"], name="number_series_unique_code_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def accepts(self, document_type: str) -> bool:
        """Return whether a document of this type may take a number here."""
        return not self.document_types or document_type in self.document_types


class DocumentNumber(models.Model):
    """One number of a series, allocated once and kept for ever (voided or not)."""

    class Status(models.TextChoices):
        ALLOCATED = "allocated", _("Allocated")  # 已编号
        VOIDED = "voided", _("Voided")  # 已作废

    series = models.ForeignKey(
        NumberSeries,
        verbose_name=_("number series"),
        on_delete=models.PROTECT,
        related_name="numbers",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    text = models.CharField(_("document number"), max_length=60)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="numbers",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ALLOCATED
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    allocated_at = models.DateTimeField(_("allocated at"), default=timezone.now)
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        ordering: ClassVar = ["series", "-year", "-sequence"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"],
                name="document_number_unique_per_series_year",
            ),
            # A document holds at most one live number; voided ones stay beside it.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="allocated"),
                name="document_number_one_live_per_document",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="document_number_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.text
