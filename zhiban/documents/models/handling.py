"""Incoming handling (收文办理): first check, proposal, instruction, handling, completion.

An incoming document walks the stages of the 条例 (Art. 24) after it is registered:
初审 (the office checks it, or returns it to the sender with reasons) → 拟办 (the office
proposes how to handle it and to which leader) → 批办 (the leader instructs, naming a
lead department, co-departments and a deadline) → 承办 (each of those departments
replies) → 办结 (the office completes it, with the reply to the sender). Each open step
is an ``IncomingStep`` with the person whose turn it is and a work item; the
document's ``stage`` says where it stands, so a step that has moved on is refused.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The kind of work item an incoming step opens (收文办理).
INCOMING_WORK_KIND = "document_incoming"


class Stage(models.TextChoices):
    """Where an incoming document stands in its handling."""

    CHECK = "check", _("First check")  # 初审
    PROPOSE = "propose", _("Proposal")  # 拟办
    INSTRUCT = "instruct", _("Leader's instruction")  # 批办
    HANDLE = "handle", _("Handling")  # 承办
    COMPLETE = "complete", _("Reply and completion")  # 答复、办结
    DONE = "done", _("Completed")  # 已办结
    RETURNED = "returned", _("Returned to the sender")  # 已退回


class IncomingStep(models.Model):
    """One step of an incoming document's handling: whose turn, and what they wrote."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting")  # 待办
        DONE = "done", _("Done")  # 已办
        CANCELLED = "cancelled", _("Cancelled")  # 已取消

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead department")  # 主办
        CO = "co", _("Co-handling department")  # 协办

    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="incoming_steps",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="incoming_steps",
    )
    # Only for handling: the department replying, as lead or co-handler.
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What was written at this step: the check's reasons, the proposal, the
    # instruction, a department's reply, the reply to the sender.
    text = models.TextField(_("opinion"), blank=True)
    # The decision a step took (passed / returned; the leader chosen; departments).
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("incoming step")
        verbose_name_plural = _("incoming steps")
        ordering: ClassVar = ["opened_at", "id"]
        constraints: ClassVar = [
            # One open step per person and stage (a department replies once).
            models.UniqueConstraint(
                fields=["document", "stage", "assignee", "department"],
                condition=Q(state="open"),
                name="incoming_step_open_once",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["document", "state"], name="incoming_step_doc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.assignee}"
