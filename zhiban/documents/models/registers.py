"""The register entry of a document with its 18 elements, its files and its trail.

A ``Document`` is one incoming, outgoing or internal document in a unit's register.
Its elements follow the 党政机关公文处理工作条例 (2012, Art. 9); their formats are
checked by ``zhiban.documents.elements``. A classified document (any secrecy level)
is handled on paper: the system keeps its register entry, who holds the paper copy
and its handling trail, and refuses any file or body text for it.
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
from zhiban.documents.models.handling import Stage

# National secrecy levels (国家秘密), highest first; the enterprise's own levels
# (商业秘密) come from the ZHIBAN_DOCUMENT_COMMERCIAL_SECRECY_LEVELS setting.
NATIONAL_SECRECY_LEVELS = ("绝密", "机密", "秘密")


class DocumentType(models.TextChoices):
    """The 15 statutory document types (文种) of the 条例, Art. 8."""

    RESOLUTION = "resolution", _("Resolution")  # 决议
    DECISION = "decision", _("Decision")  # 决定
    ORDER = "order", _("Order")  # 命令（令）
    COMMUNIQUE = "communique", _("Communiqué")  # 公报
    ANNOUNCEMENT = "announcement", _("Announcement")  # 公告
    PUBLIC_NOTICE = "public_notice", _("Public notice")  # 通告
    OPINION = "opinion", _("Opinion")  # 意见
    NOTICE = "notice", _("Notice")  # 通知
    CIRCULAR = "circular", _("Circular")  # 通报
    REPORT = "report", _("Report")  # 报告
    REQUEST = "request", _("Request for instructions")  # 请示
    REPLY = "reply", _("Official reply")  # 批复
    MOTION = "motion", _("Motion")  # 议案
    LETTER = "letter", _("Letter")  # 函
    MINUTES = "minutes", _("Minutes")  # 纪要


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")  # 收文
    OUTGOING = "outgoing", _("Outgoing")  # 发文
    INTERNAL = "internal", _("Internal")  # 内部文件


class Urgency(models.TextChoices):
    """紧急程度 of a document; telegram-only levels are not kept."""

    NORMAL = "", pgettext_lazy("document urgency", "Normal")  # 平件
    URGENT = "加急", _("Urgent")  # 加急
    EXTRA_URGENT = "特急", _("Extra urgent")  # 特急


class Document(TimeStampedModel):
    """A document in a unit's register, with the 18 elements of the 条例."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")  # 已登记
        DRAFTING = "drafting", _("Drafting")  # 拟稿中
        REVIEWING = "reviewing", _("In approval")  # 审核中
        SIGNED = "signed", _("Signed off")  # 已签发
        NUMBERED = "numbered", _("Numbered")  # 已编号
        PRINTED = "printed", _("Printed")  # 已印制
        ISSUED = "issued", _("Issued")  # 已核发
        CLOSED = "closed", _("Closed")  # 已办结
        # A copy distributed to a recipient, before and after its 签收.
        AWAITING_RECEIPT = "awaiting_receipt", _("Awaiting sign-for")  # 待签收
        RECALLED = "recalled", _("Recalled by the sender")  # 已撤回

    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices
    )
    document_type = models.CharField(
        _("document type"), max_length=20, choices=DocumentType.choices
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.REGISTERED
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="registered_documents",
    )
    # The 18 elements (条例 Art. 9).
    copy_number = models.CharField(
        _("copy number"),
        max_length=6,
        blank=True,
        validators=[elements.validate_copy_number],
    )  # 份号
    secrecy_level = models.CharField(
        _("secrecy level"), max_length=10, blank=True
    )  # 密级 (blank: not classified)
    secrecy_term_years = models.PositiveSmallIntegerField(
        _("secrecy term (years)"), null=True, blank=True
    )  # 保密期限
    secrecy_term_months = models.PositiveSmallIntegerField(
        _("secrecy term (months)"), null=True, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=4, choices=Urgency.choices, blank=True
    )  # 紧急程度
    issuer_mark = models.CharField(
        _("issuer mark"), max_length=100, blank=True
    )  # 发文机关标志
    document_number = models.CharField(
        _("document number"),
        max_length=60,
        blank=True,
        validators=[elements.validate_document_number],
    )  # 发文字号
    signers = models.CharField(_("signed off by"), max_length=100, blank=True)  # 签发人
    title = models.CharField(
        pgettext_lazy("document", "title"), max_length=elements.TITLE_MAX_LENGTH
    )  # 标题
    main_recipients = models.TextField(_("main recipients"), blank=True)  # 主送机关
    body = models.TextField(_("body"), blank=True)  # 正文
    attachment_names = models.JSONField(
        _("attachment names"), default=list, blank=True
    )  # 附件说明
    issuer_signature = models.CharField(
        _("issuer signature"), max_length=100, blank=True
    )  # 发文机关署名
    written_on = models.DateField(_("date written"), null=True, blank=True)  # 成文日期
    needs_seal = models.BooleanField(_("sealed"), default=True)  # 印章
    notes = models.TextField(_("notes (附注)"), blank=True)  # 附注
    cc_recipients = models.TextField(_("copied to"), blank=True)  # 抄送机关
    printed_by = models.CharField(
        _("printed by"), max_length=100, blank=True
    )  # 印发机关
    printed_on = models.DateField(_("date printed"), null=True, blank=True)  # 印发日期
    page_count = models.PositiveSmallIntegerField(
        _("pages"), null=True, blank=True
    )  # 页数
    # Register fields of an incoming document (收文登记).
    sender = models.CharField(_("sender"), max_length=100, blank=True)  # 来文单位
    received_on = models.DateField(_("date received"), null=True, blank=True)
    register_year = models.PositiveSmallIntegerField(
        _("register year"), null=True, blank=True
    )
    register_sequence = models.PositiveIntegerField(
        _("register number"), null=True, blank=True
    )  # 收文编号
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)  # 份数
    deadline = models.DateField(_("deadline"), null=True, blank=True)  # 办理时限
    # Where an incoming document stands in its handling (收文办理); blank otherwise.
    stage = models.CharField(
        _("handling stage"), max_length=16, choices=Stage.choices, blank=True
    )
    # Where the paper of a classified document is (纸质件保管).
    paper_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paper copy held by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_documents",
    )
    paper_location = models.CharField(
        _("paper copy kept at"), max_length=200, blank=True
    )
    # Marked ready to file (待归档): its 正本, 定稿, handling form and trail are kept
    # together for the archives module.
    ready_to_file_at = models.DateTimeField(
        _("ready to file since"), null=True, blank=True
    )
    ready_to_file_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked ready to file by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "register_year", "register_sequence"],
                condition=Q(register_sequence__isnull=False),
                name="document_unique_register_number",
            ),
            # Content of a classified document never enters the system.
            models.CheckConstraint(
                condition=Q(secrecy_level="") | Q(body=""),
                name="document_classified_has_no_body",
            ),
        ]
        indexes: ClassVar = [
            # The registers' order (newest first, id breaking ties) within a unit's
            # register. Everyone without clearance reads secrecy_level = '': with it
            # as the third key the index gives that order directly, and the filter
            # columns at its end let a filtered count read the index alone (SQLite
            # cannot prove a partial index's condition against a bound parameter).
            models.Index(
                fields=[
                    "unit",
                    "direction",
                    "secrecy_level",
                    "-created_at",
                    "-id",
                    "document_type",
                    "urgency",
                    "state",
                    "register_year",
                ],
                name="document_register_idx",
            ),
            # The confidential clerk's register, classified entries included.
            models.Index(
                fields=["unit", "direction", "-created_at", "-id"],
                name="document_register_all_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_classified(self) -> bool:
        """Return whether the document carries a secrecy level (paper only)."""
        return bool(self.secrecy_level)

    @property
    def secrecy_marking(self) -> str:
        """Return the marking printed on the document, e.g. 机密★5年."""
        if not self.secrecy_level:
            return ""
        return elements.secrecy_marking(
            self.secrecy_level,
            term_years=self.secrecy_term_years,
            term_months=self.secrecy_term_months,
        )

    @property
    def register_number(self) -> str:
        """Return the incoming register number, e.g. 2026-0005, or ''."""
        if self.register_sequence is None:
            return ""
        return f"{self.register_year}-{self.register_sequence:04d}"

    @property
    def is_urgent(self) -> bool:
        return bool(self.urgency)


def document_file_path(instance: DocumentFile, filename: str) -> str:
    """Store files by date and hash, never under the name the uploader gave."""
    now = timezone.now()
    return f"documents/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class DocumentFile(models.Model):
    """A file of a document: the body as a file, an attachment, or the formal copy."""

    class Role(models.TextChoices):
        BODY = "body", _("Body")  # 正文
        ATTACHMENT = "attachment", _("Attachment")  # 附件
        FORMAL = "formal", _("Formal copy")  # 正本
        FINAL_DRAFT = "final_draft", _("Final draft")  # 定稿
        HANDLING_FORM = "handling_form", _("Handling form")  # 文件处理单

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    file = models.FileField(_("file"), upload_to=document_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(
        pgettext_lazy("file", "content type"), max_length=120
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering: ClassVar = ["role", "id"]

    def __str__(self) -> str:
        return self.original_name


class DocumentEvent(models.Model):
    """One step of a document's handling trail (append-only)."""

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=40)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What happened, as raw values (a number, field names, a holder's name).
    data = models.JSONField(_("data"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("handling step")
        verbose_name_plural = _("handling trail")
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary(self) -> str:
        """Return the step in words, in the active language."""
        from zhiban.documents.trail import describe

        return describe(self.kind, self.data)
