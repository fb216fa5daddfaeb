"""The seal register (印章登记) and the seal-use ledger (用印台账).

A ``SealUse`` row is opened when a seal-use request is approved (the flow kind's
outcome handler, ``zhiban.seals.handlers``) and completed when the keeper
records the stamping; a revoked request marks its row revoked.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhiban.core.models import TimeStampedModel

# The kind of work item the keeper gets for an approved request (用印).
WORK_ITEM_KIND = "seal_use"


class Seal(TimeStampedModel):
    """A physical seal of a unit: who keeps it and where."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official seal")  # 公章
        CONTRACT = "contract", _("Contract seal")  # 合同专用章
        LEGAL_REPRESENTATIVE = (
            "legal_representative",
            _("Legal representative's seal"),
        )  # 法定代表人章
        PARTY_COMMITTEE = "party_committee", _("Party committee seal")  # 党委章
        DEPARTMENT = "department", _("Department seal")  # 部门章

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="seals",
    )
    # Only for department seals: the department the seal belongs to.
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seals",
    )
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("keeper"),
        on_delete=models.PROTECT,
        related_name="kept_seals",
    )
    deputy_keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy keeper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputy_kept_seals",
    )
    location = models.CharField(_("kept at"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        ordering: ClassVar = ["unit__sort_order", "unit__code", "kind", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "name"], name="seal_unique_name_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(kind="department", department__isnull=False)
                | (~Q(kind="department") & Q(department__isnull=True)),
                name="seal_department_only_for_department_seals",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_kept_by(self, user_id: int | None) -> bool:
        """Return whether the person keeps the seal (keeper or deputy)."""
        return user_id is not None and user_id in (
            self.keeper_id,
            self.deputy_keeper_id,
        )


def seal_scan_path(instance: SealUse, filename: str) -> str:
    """Store scans by date and hash, never under the name the uploader gave."""
    day = timezone.localdate()
    return f"seals/{day:%Y/%m}/{instance.scan_sha256[:2]}/{instance.scan_sha256}"


class SealUse(TimeStampedModel):
    """One approved seal-use request in the ledger, and its stamping record."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting stamping")  # 待用印
        STAMPED = "stamped", _("Stamped")  # 已用印
        REVOKED = "revoked", _("Revoked")  # 已撤销

    instance = models.OneToOneField(
        "workflow.FlowInstance",
        verbose_name=_("approval"),
        on_delete=models.PROTECT,
        related_name="seal_use",
    )
    seal = models.ForeignKey(
        Seal, verbose_name=_("seal"), on_delete=models.PROTECT, related_name="uses"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="seal_uses",
    )
    document_title = models.CharField(_("document title"), max_length=200)
    copies_approved = models.PositiveIntegerField(_("copies approved"))
    approved_at = models.DateTimeField(_("approved at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AWAITING
    )
    stamped_at = models.DateTimeField(_("stamped at"), null=True, blank=True)
    copies_stamped = models.PositiveIntegerField(
        _("copies stamped"), null=True, blank=True
    )
    stamped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stamped by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scan = models.FileField(
        _("scan or photo"), upload_to=seal_scan_path, max_length=300, blank=True
    )
    scan_name = models.CharField(_("file name"), max_length=200, blank=True)
    scan_content_type = models.CharField(_("file type"), max_length=120, blank=True)
    scan_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    work_item = models.ForeignKey(
        "inbox.WorkItem",
        verbose_name=_("work item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("seal use")
        verbose_name_plural = _("seal uses")
        ordering: ClassVar = ["-approved_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(copies_approved__gte=1),
                name="sealuse_copies_approved_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status="stamped")
                | Q(
                    stamped_at__isnull=False,
                    copies_stamped__gte=1,
                    copies_stamped__lte=models.F("copies_approved"),
                ),
                name="sealuse_stamped_has_record",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["seal", "-approved_at"], name="sealuse_seal"),
            models.Index(fields=["department", "-approved_at"], name="sealuse_dept"),
            models.Index(fields=["status", "-approved_at"], name="sealuse_status"),
        ]

    def __str__(self) -> str:
        return self.document_title
