"""Notices (通知公告): published to everyone or chosen departments, with read receipts.

Audience rule: choosing a department addresses that department and every department
below it in the tree (a notice to 生产技术部 reaches its sections too). A person
belongs to a department through their primary department or any membership.

The recipient list is frozen when the notice is published: one NoticeReceipt row per
recipient, so "who has not read" stays exact when people move departments later.
People who join an addressed department afterwards may still read the notice, but
they are not on the receipt list and get no to-do item.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.core.models import TimeStampedModel
from zhiban.inbox.models import Urgency

WORK_ITEM_KIND = "notice.read"


def attachment_path(instance: NoticeAttachment, filename: str) -> str:
    """Store attachments under a path that never reuses the uploader's name."""
    now = timezone.now()
    return f"notices/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Notice(TimeStampedModel):
    """A notice (通知公告) from a department to everyone or chosen departments."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", pgettext_lazy("notice audience", "Everyone")
        DEPARTMENTS = "departments", _("Chosen departments")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(pgettext_lazy("notice", "title"), max_length=200)
    body = models.TextField(
        _("body"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="notices_written",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("publishing department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices_published",
    )
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.EVERYONE,
    )
    departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("addressed departments"),
        blank=True,
        related_name="notices_addressed",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    reminder_count = models.PositiveIntegerField(_("reminders sent"), default=0)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering: ClassVar = ["-is_pinned", "-published_at", "-id"]
        indexes: ClassVar = [
            models.Index(
                fields=["state", "-is_pinned", "-published_at"], name="notice_list"
            ),
            models.Index(fields=["author", "state"], name="notice_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        """Return whether the notice has passed its expiry time."""
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now


class NoticeAttachment(models.Model):
    """A file attached to a notice; its type and hash come from its bytes."""

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(
        pgettext_lazy("file", "content type"), max_length=120
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return self.original_name


class NoticeReceipt(models.Model):
    """One recipient of a published notice, frozen at publishing, and when they read it."""

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="receipts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notice_receipts",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department when published"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["notice", "user"], name="notice_receipt_unique"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["user", "notice"], name="notice_receipt_user")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.user_id} {self.read_at}"
