"""Outgoing documents (发文): draft versions, templates, the approval, distribution.

A draft (拟稿) is a ``Document`` of direction outgoing in the state *drafting*.
Every save of its text is a ``DraftVersion`` (author and time), so any two can be
compared side by side. Submitting it starts the outgoing flow on the approval
engine (部门审核 → 核稿 → 会签 → 签发 → 复核); each submission is a
``DocumentApproval``. Once signed it is numbered, printed and issued (核发): the
issue is a ``Distribution`` whose ``DistributionRecipient`` rows each carry the
incoming item created for the recipient, with its status and times.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.core.models import TimeStampedModel
from zhiban.documents import elements

# The kind of work item a recipient's "sign for this document" opens (签收).
RECEIPT_WORK_KIND = "document_receipt"
# The code of the outgoing flow a draft is submitted to, and its flow kind.
OUTGOING_FLOW_CODE = "document_outgoing"
OUTGOING_FLOW_KIND = "document"


class DraftVersion(models.Model):
    """One saved version of a draft's title and text (文稿版本)."""

    class Source(models.TextChoices):
        TYPED = "typed", _("Written on the page")  # 在线编辑
        TEMPLATE = "template", _("From a template")  # 模板
        DOCX = "docx", _("Uploaded Word file")  # 上传 Word

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(
        pgettext_lazy("document", "title"), max_length=elements.TITLE_MAX_LENGTH
    )
    body = models.TextField(_("body"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # The Word file the text was read from, kept as it was uploaded.
    file = models.ForeignKey(
        "documents.DocumentFile",
        verbose_name=_("Word file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering: ClassVar = ["document", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["document", "number"], name="draft_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class DraftTemplate(TimeStampedModel):
    """A starting text for a draft of one document type (公文模板)."""

    document_type = models.CharField(_("document type"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    # The title with a placeholder the drafter replaces, e.g. 关于××的通知.
    title = models.CharField(
        pgettext_lazy("document", "title"), max_length=elements.TITLE_MAX_LENGTH
    )
    main_recipients = models.TextField(_("main recipients"), blank=True)
    body = models.TextField(_("body"))
    # Empty: every unit uses it.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("draft template")
        verbose_name_plural = _("draft templates")
        ordering: ClassVar = ["document_type", "name", "id"]

    def __str__(self) -> str:
        return self.name


class DocumentApproval(models.Model):
    """One submission of a draft to the outgoing flow (送审)."""

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="approvals",
    )
    instance = models.OneToOneField(
        "workflow.FlowInstance",
        verbose_name=_("approval"),
        on_delete=models.PROTECT,
        related_name="document_approval",
    )
    # The version the approvers were shown when it was submitted.
    version = models.ForeignKey(
        DraftVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("document approval")
        verbose_name_plural = _("document approvals")
        ordering: ClassVar = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} · {self.instance_id}"


class Distribution(models.Model):
    """One issue of an outgoing document to its recipients (核发/分发)."""

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="distributions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class DistributionRecipient(models.Model):
    """One recipient of an issue: a subordinate unit or an internal department."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")  # 已发送
        SIGNED = "signed", _("Signed for")  # 已签收
        READ = "read", pgettext_lazy("distribution", "Read")  # 已阅
        HANDLED = "handled", _("Handled")  # 已办结
        RECALLED = "recalled", _("Recalled")  # 已撤回

    distribution = models.ForeignKey(
        Distribution,
        verbose_name=_("distribution"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    # The outgoing document (repeated from the distribution for the constraint).
    source = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set for an internal department; empty when the recipient is the unit itself.
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The recipient's own copy: an incoming item in its register.
    incoming = models.OneToOneField(
        "documents.Document",
        verbose_name=_("incoming item"),
        on_delete=models.PROTECT,
        related_name="received_from",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recalled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recall_reason = models.TextField(_("reason for the recall"), blank=True)

    class Meta:
        verbose_name = _("distribution recipient")
        verbose_name_plural = _("distribution recipients")
        ordering: ClassVar = ["distribution", "id"]
        constraints: ClassVar = [
            # A document reaches each recipient once (until it is recalled there).
            models.UniqueConstraint(
                fields=["source", "unit"],
                condition=Q(department__isnull=True) & ~Q(status="recalled"),
                name="recipient_unit_once",
            ),
            models.UniqueConstraint(
                fields=["source", "department"],
                condition=Q(department__isnull=False) & ~Q(status="recalled"),
                name="recipient_department_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.department or self.unit)

    @property
    def is_live(self) -> bool:
        """Return whether the recipient still holds the document (not recalled)."""
        return self.status != self.Status.RECALLED


# The kind of work item a follow-up after issue opens (效果跟踪).
FOLLOW_UP_WORK_KIND = "document_follow_up"


class DraftNote(models.Model):
    """One step of the drafting loop (文稿撰写闭环) around an outgoing document.

    Before drafting, a discussion (研讨: participants and conclusions); on a version,
    a collective review comment (集体审稿); the meeting where the draft was presented
    (会议审议); after issue, a follow-up on the document's effect with a due date and
    a person, which becomes their work item until they record the result (效果跟踪).
    """

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Pre-draft discussion")  # 起草前研讨
        REVIEW = "review", _("Collective review")  # 集体审稿
        MEETING = "meeting", _("Presented at a meeting")  # 会议审议
        FOLLOW_UP = "follow_up", _("Effect follow-up")  # 效果跟踪

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="draft_notes",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    version = models.ForeignKey(
        DraftVersion,
        verbose_name=_("version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notes",
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    text = models.TextField(pgettext_lazy("note", "content"))
    # A follow-up's person and due date, and the result they recorded.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("drafting note")
        verbose_name_plural = _("drafting notes")
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(kind="follow_up")
                | (Q(assignee__isnull=False) & Q(due_on__isnull=False)),
                name="draft_note_follow_up_has_person_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.document_id}"
