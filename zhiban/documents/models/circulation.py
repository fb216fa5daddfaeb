"""Circulation (传阅): a document read in parallel by leaders and departments.

One ``Circulation`` is one round; each reader has one ``CirculationReader`` row,
unique per round, which holds the reader's status and their one opinion. A round
closes when every reader has given their opinion, or when the office closes it;
after that no opinion can be written. At most one round of a document is open.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The kind of work item a reader gets (传阅).
CIRCULATION_WORK_KIND = "document_circulation"


class Circulation(models.Model):
    """One round of circulation of a document."""

    class State(models.TextChoices):
        OPEN = "open", _("Circulating")  # 传阅中
        CLOSED = "closed", pgettext_lazy("circulation state", "Circulation closed")

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="circulations",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN
    )
    note = models.CharField(_("what to read for"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("circulation")
        verbose_name_plural = _("circulations")
        ordering: ClassVar = ["-started_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(state="open"),
                name="circulation_one_open_per_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class CirculationReader(models.Model):
    """One reader of a round, their status and their one opinion."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not read yet")  # 未阅
        READ = "read", pgettext_lazy("circulation", "Read")  # 已阅未签
        DONE = "done", _("Opinion given")  # 已签阅

    circulation = models.ForeignKey(
        Circulation,
        verbose_name=_("circulation"),
        on_delete=models.CASCADE,
        related_name="readers",
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.PROTECT,
        related_name="document_circulations",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    opinion_at = models.DateTimeField(_("opinion given at"), null=True, blank=True)
    # Who wrote it: the reader, or someone they delegated their work to.
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("circulation reader")
        verbose_name_plural = _("circulation readers")
        ordering: ClassVar = ["position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["circulation", "reader"], name="circulation_reader_once"
            ),
            models.CheckConstraint(
                condition=Q(status="done", opinion_at__isnull=False)
                | (~Q(status="done") & Q(opinion_at__isnull=True)),
                name="circulation_reader_opinion_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader} · {self.get_status_display()}"
