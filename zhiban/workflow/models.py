"""Stored flows: versioned definitions, instances, tasks and the append-only action log.

The engine (``zhiban.workflow.engine``) decides; these rows only remember. An
instance stores the engine state as JSON beside the log of the actions that made
it, so a page reads the state directly and a check can replay the log.
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


class FlowDefinition(TimeStampedModel):
    """A flow type (e.g. seal use) whose published versions instances run on."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The flow kind (``zhiban.workflow.kinds``): which module owns the outcome and
    # which form fields every flow of the kind must carry (e.g. seal use).
    kind = models.CharField(_("kind"), max_length=32, default="general")
    group = models.CharField(_("group on the apply page"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Shown on the apply page; flows that other modules start (documents, ...) are not.
    startable = models.BooleanField(
        _("people start it on the apply page"), default=True
    )
    # Empty: everyone may start it; else only members of these departments (and below).
    starter_departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("who may start it"),
        blank=True,
        related_name="+",
    )
    # The designer's working copy: {"definition": {...}, "form": [...]}, published
    # as the next FlowVersion. Editing it never touches a published version.
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    draft_updated_at = models.DateTimeField(_("draft saved at"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.name


class FlowVersion(models.Model):
    """One published, never edited version of a flow's node tree."""

    definition = models.ForeignKey(
        FlowDefinition,
        verbose_name=_("flow"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.JSONField(_("definition"))
    # The form a requester fills (``zhiban.workflow.formschema``): a list of fields.
    form_schema = models.JSONField(_("form"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("flow version")
        verbose_name_plural = _("flow versions")
        ordering: ClassVar = ["definition", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["definition", "number"], name="flowversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="flowversion_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.number}"


class FlowInstance(models.Model):
    """One request running on one flow version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # 草稿
        RUNNING = "running", _("In approval")  # 审批中
        RETURNED = "returned", _("Returned")  # 已退回
        APPROVED = "approved", _("Approved")  # 已通过
        REJECTED = "rejected", _("Rejected")  # 已驳回
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回
        REVOKED = "revoked", _("Revoked")  # 已撤销

    version = models.ForeignKey(
        FlowVersion,
        verbose_name=_("flow version"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiator"),
        on_delete=models.PROTECT,
        related_name="flow_instances",
    )
    title = models.CharField(pgettext_lazy("approval", "title"), max_length=200)
    form = models.JSONField(_("form data"), default=dict, blank=True)
    state = models.JSONField(_("engine state"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    current_nodes = models.JSONField(_("current nodes"), default=list, blank=True)
    # A revocation request (撤销申请) runs as its own instance that points at the
    # approved instance it would revoke; approving it revokes that instance.
    revokes = models.ForeignKey(
        "self",
        verbose_name=_("revokes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revocations",
    )
    # The sequence number of the last action: every action bumps it under the row
    # lock, and the log's unique (instance, sequence) refuses a lost update.
    sequence = models.PositiveIntegerField(_("actions"), default=0)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["initiator", "-created_at"], name="flowinstance_mine"),
            models.Index(fields=["status", "-created_at"], name="flowinstance_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def serial(self) -> str:
        """Return the serial number: the local creation date and the padded id."""
        day = timezone.localtime(self.created_at).strftime("%Y%m%d")
        return f"{day}{self.pk or 0:06d}"

    @property
    def is_finished(self) -> bool:
        """Return whether the instance reached a terminal status."""
        return self.status in (
            self.Status.APPROVED,
            self.Status.REJECTED,
            self.Status.WITHDRAWN,
            self.Status.REVOKED,
        )


class FlowTask(models.Model):
    """One person's turn at one node, mirroring an engine task and its work item.

    ``assignee``/``on_behalf_of`` follow the work item: with a delegation in force
    the task reaches the delegate on behalf of the engine's assignee.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    instance = models.ForeignKey(
        FlowInstance,
        verbose_name=_("approval"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    key = models.CharField(_("engine task"), max_length=20)
    node_id = models.CharField(_("node"), max_length=64)
    node_name = models.CharField(_("node name"), max_length=100, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="flow_tasks",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegated_flow_tasks",
    )
    reason = models.CharField(_("why this is yours"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    # When the node's timeout falls due (opened + the node's timeout), if it has one:
    # the timeout sweep looks only at open tasks past it.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    work_item = models.ForeignKey(
        "inbox.WorkItem",
        verbose_name=_("work item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering: ClassVar = ["instance", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["instance", "key"], name="flowtask_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True)
                | (~Q(state="open") & Q(closed_at__isnull=False)),
                name="flowtask_closed_when_not_open",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["assignee", "state"], name="flowtask_assignee"),
            models.Index(fields=["on_behalf_of", "state"], name="flowtask_principal"),
            models.Index(fields=["state", "due_at"], name="flowtask_due"),
        ]

    def __str__(self) -> str:
        return f"{self.instance_id}/{self.key}"

    @property
    def principal_id(self) -> int:
        """Return the id of the person whose turn it is in the engine."""
        return self.on_behalf_of_id or self.assignee_id


class FlowAction(models.Model):
    """One accepted action, in order: the log the engine state is replayed from."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")  # 提交
        APPROVE = "approve", _("Approved")  # 同意
        REJECT = "reject", _("Rejected")  # 驳回
        RETURN = "return", _("Returned")  # 退回
        TRANSFER = "transfer", _("Transferred")  # 转交
        ADD_APPROVER = "add_approver", _("Added an approver")  # 加签
        WITHDRAW = "withdraw", _("Withdrawn")  # 撤回
        URGE = "urge", _("Urged")  # 催办
        COMMENT = "comment", _("Commented")  # 评论
        REVOKE = "revoke", _("Revoked")  # 撤销
        TIMEOUT = "timeout", _("Timed out")  # 超时

    instance = models.ForeignKey(
        FlowInstance,
        verbose_name=_("approval"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    sequence = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    body = models.JSONField(_("action"))
    events = models.JSONField(_("events"), default=list, blank=True)
    node_id = models.CharField(_("node"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("opinion"), blank=True)

    class Meta:
        verbose_name = _("approval action")
        verbose_name_plural = _("approval actions")
        ordering: ClassVar = ["instance", "sequence"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["instance", "sequence"], name="flowaction_unique_sequence"
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="flowaction_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instance_id}#{self.sequence} {self.kind}"


def flow_file_path(instance: FlowFile, filename: str) -> str:
    """Store files by date and hash, never under the name the uploader gave."""
    day = timezone.localdate()
    return f"workflow/{day:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class FlowFile(models.Model):
    """A file attached to an approval: to a form field, or to an action's opinion.

    Kept in the same transaction as the submission or action it belongs to; its
    type and hash come from its bytes (``zhiban.core.files.inspect_upload``).
    """

    instance = models.ForeignKey(
        FlowInstance,
        verbose_name=_("approval"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    action = models.ForeignKey(
        FlowAction,
        verbose_name=_("approval action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    field = models.CharField(_("form field"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to=flow_file_path, max_length=300)
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering: ClassVar = ["instance", "id"]

    def __str__(self) -> str:
        return self.original_name
