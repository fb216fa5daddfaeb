"""The to-do centre: one WorkItem model for every module, and notifications."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Urgency(models.IntegerChoices):
    """紧急程度 of a work item; higher sorts first."""

    NORMAL = 0, _("Normal")  # 普通
    URGENT = 1, _("Urgent")  # 加急
    EXTRA_URGENT = 2, _("Extra urgent")  # 特急


def due_missing() -> models.ExpressionWrapper:
    """Return ``due_at IS NULL``: false sorts first, so items with a due time lead."""
    return models.ExpressionWrapper(
        models.Q(due_at__isnull=True), output_field=models.BooleanField()
    )


class WorkItem(models.Model):
    """Something one person has to do, or has been copied on, in any module."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.CASCADE,
        related_name="work_items",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="delegated_work_items",
        help_text=_("Whose work this is when it reached the assignee by delegation."),
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiated_work_items",
    )
    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    is_cc = models.BooleanField(_("copied for information"), default=False)
    title = models.CharField(pgettext_lazy("inbox", "title"), max_length=200)
    reason = models.CharField(_("why this is yours"), max_length=200, blank=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=100, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        indexes: ClassVar = [
            # The 待办 order (selectors._ordering) column for column, so that both
            # databases read the first page from the index instead of sorting every
            # open item of the user; "due_at IS NULL" puts items without a due time
            # last in a form SQLite can index (it cannot index NULLS LAST).
            models.Index(
                models.F("assignee"),
                models.F("is_cc"),
                models.F("state"),
                models.F("urgency").desc(),
                due_missing(),
                models.F("due_at"),
                models.F("id").desc(),
                name="workitem_tab",
            ),
            models.Index(fields=["initiator", "-opened_at"], name="workitem_initiated"),
            models.Index(fields=["target_type", "target_id"], name="workitem_target"),
            models.Index(fields=["state", "due_at"], name="workitem_due"),
        ]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A message to one person; shown in the app and sent on their chosen channels."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(pgettext_lazy("inbox", "title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    work_item = models.ForeignKey(
        WorkItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread")
        ]

    def __str__(self) -> str:
        return self.title


class ChannelPreference(models.Model):
    """A person's choice of whether a channel delivers their notifications."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Enterprise chat (webhook)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="channel_preferences",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "channel"], name="preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.channel} {self.is_enabled}"


class Delivery(models.Model):
    """One attempt-tracked sending of a notification on an outside channel."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        # Claimed by one worker; no other worker sends it while the lease runs.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_unique"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due")
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.state}"
