"""Electronic supervision (电子督查): items, their clocks, reports, reminders.

A supervision item (督办事项) is issued (交办) to a lead department and co-departments,
signed for (签收), planned (计划反馈), reported on (进度反馈), applied for completion
(办结申请), and verified by the supervision officer: closed (销号) with a grade, or
returned. Its deadlines come from a ``ClockProfile`` (data, not code: "13710" and a
1-3-7-10-day variant ship as defaults) and are stored as ``ItemNode`` rows when the item
is issued. The light (红黄绿灯) is never stored: ``lights.py`` derives it from the next
open node's date, the state and the profile's threshold, in Python and in SQL alike.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhiban.core.models import TimeStampedModel

# The kind of work item and notification of every supervision step.
WORK_KIND = "supervision"


class DayBasis(models.TextChoices):
    """How a clock counts its days."""

    WORKING = "working", _("Working days")  # 工作日
    CALENDAR = "calendar", _("Calendar days")  # 自然日


class ItemType(models.TextChoices):
    """The kind of matter an item is; the clock's nodes may differ by type."""

    GENERAL = "general", _("General")  # 一般
    MAJOR = "major", _("Major or complex")  # 重大复杂
    CONTINUING = "continuing", _("Continuing")  # 持续推进


class Step(models.TextChoices):
    """Which step of the lifecycle fulfils a node."""

    SIGN = "sign", _("Sign for and arrange")  # 签收部署
    PLAN = "plan", _("Plan and first progress")  # 反馈方案和进展
    COMPLETE = "complete", _("Completion request")  # 申请办结
    MILESTONE = "milestone", _("Milestone")  # 计划节点
    REPORT = "report", _("Periodic report")  # 定期报告


class ReportCycle(models.TextChoices):
    """How often a long-running item reports (定期报告)."""

    NONE = "", _("No periodic report")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class ClockProfile(TimeStampedModel):
    """The deadlines of an item, counted from the day it is issued.

    ``nodes`` is a list of ``{"key", "label", "step", "days" | "months", "types"}``:
    the node is due ``days`` working (or calendar) days after the issue day, or
    ``months`` calendar months after it; ``types`` lists the item types it applies to
    (empty: every type). ``ladder`` lists the escalation rungs as
    ``{"rung", "light", "after_days"}``: at that light (and, for red, that many days
    overdue) the rung's people are told once per node.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    day_basis = models.CharField(
        _("days counted"),
        max_length=10,
        choices=DayBasis.choices,
        default=DayBasis.WORKING,
    )
    yellow_days = models.PositiveSmallIntegerField(
        _("yellow before a node (days)"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_("The light turns yellow this many days before a node is due."),
    )
    nodes = models.JSONField(_("nodes"), default=list)
    ladder = models.JSONField(_("escalation ladder"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("clock profile")
        verbose_name_plural = _("clock profiles")
        ordering: ClassVar = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    """Where a supervision item comes from."""

    INSTRUCTION = "instruction", _("Leader's instruction on a document")  # 批示
    MEETING = "meeting", _("Meeting decision")  # 会议决定
    KEY_WORK = "key_work", _("Annual key work")  # 年度重点工作
    SUPERIOR = "superior", _("Assignment from a superior body")  # 上级交办
    ON_SITE = "on_site", _("On-site supervision")  # 现场督查整改
    OTHER = "other", _("Other")  # 其他


class Grade(models.TextChoices):
    """The grade an item is closed with (办结评价)."""

    EXCELLENT = "excellent", _("Excellent")  # 优秀
    GOOD = "good", _("Good")  # 良好
    PASS = "pass", _("Pass")  # 合格
    FAIL = "fail", _("Fail")  # 不合格


class SupervisionItem(TimeStampedModel):
    """One supervision item (督办事项), from its draft to its archive."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("supervision state", "Draft")  # 立项
        REVIEW = (
            "review",
            pgettext_lazy("supervision state", "Awaiting the leader's review"),
        )  # 领导审核
        ISSUED = "issued", pgettext_lazy("supervision state", "Issued")  # 已交办
        SIGNED = "signed", pgettext_lazy("supervision state", "Signed for")  # 已签收
        IN_PROGRESS = (
            "in_progress",
            pgettext_lazy("supervision state", "In progress"),
        )  # 办理中
        REQUESTED = (
            "requested",
            pgettext_lazy("supervision state", "Completion requested"),
        )  # 申请办结
        RETURNED = "returned", pgettext_lazy("supervision state", "Returned")  # 已退回
        CLOSED = "closed", pgettext_lazy("supervision state", "Closed")  # 已销号
        ARCHIVED = "archived", pgettext_lazy("supervision state", "Archived")  # 已归档
        CANCELLED = (
            "cancelled",
            pgettext_lazy("supervision state", "Cancelled"),
        )  # 已撤销

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        pgettext_lazy("supervision", "number"), null=True, blank=True
    )
    title = models.CharField(pgettext_lazy("supervision", "title"), max_length=200)
    content = models.TextField(pgettext_lazy("supervision", "content"))
    requirements = models.TextField(_("requirements"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.OTHER
    )
    # The object the item came from (a 批办 step, a meeting decision), linked back.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source_text = models.TextField(_("source"), blank=True)
    item_type = models.CharField(
        _("type"), max_length=12, choices=ItemType.choices, default=ItemType.GENERAL
    )
    profile = models.ForeignKey(
        ClockProfile,
        verbose_name=_("clock"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    report_cycle = models.CharField(
        _("periodic report"),
        max_length=10,
        choices=ReportCycle.choices,
        default=ReportCycle.NONE,
        blank=True,
    )
    # A custom final deadline replaces the clock's completion node.
    deadline = models.DateField(_("custom deadline"), null=True, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigning leader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervision officer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_at = models.DateTimeField(
        pgettext_lazy("supervision", "issued at"), null=True, blank=True
    )
    # The due date of the earliest open node, kept by every service that opens or
    # fulfils a node (services._refresh_next_due), so that the light and the
    # dashboard read one indexed column; the light itself is never stored.
    next_due_on = models.DateField(_("next due"), null=True, blank=True)
    closed_at = models.DateTimeField(
        pgettext_lazy("supervision", "closed at"), null=True, blank=True
    )
    grade = models.CharField(
        _("grade"), max_length=10, choices=Grade.choices, blank=True
    )
    grade_reason = models.TextField(_("grade reason"), blank=True)
    returned_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # Its reports, counted by the services that write them (the dashboard's rates):
    # progress feedback that fulfils a node, and completion requests; each on time.
    feedback_reports = models.PositiveIntegerField(default=0, editable=False)
    feedback_on_time = models.PositiveIntegerField(default=0, editable=False)
    completion_reports = models.PositiveIntegerField(default=0, editable=False)
    completion_on_time = models.PositiveIntegerField(default=0, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        ordering: ClassVar = ["-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "year", "sequence"], name="supervision_number_unique"
            ),
        ]
        indexes: ClassVar = [
            # The lights of running items (the light rule reads the first three),
            # and who they involve personally: a viewer's own running items are
            # counted from this index alone, not from the rows (an overseeing
            # leader's light counts: 53 → 15 ms at 1,000,000 items on PostgreSQL).
            models.Index(
                fields=[
                    "state",
                    "next_due_on",
                    "profile",
                    "leader",
                    "officer",
                    "created_by",
                    "responsible",
                ],
                name="supervision_lights_people",
            ),
            models.Index(
                fields=["lead_department", "state"], name="supervision_department"
            ),
            # The dashboard's weekly counts, read from the index alone (with the
            # drill-down's columns) for a viewer who sees every item.
            models.Index(
                fields=["issued_on", "state", "lead_department", "leader", "source"],
                name="supervision_issued_week",
            ),
            models.Index(
                fields=["closed_at", "state", "lead_department", "leader", "source"],
                name="supervision_closed_week",
                condition=Q(closed_at__isnull=False),
            ),
            models.Index(fields=["source_type", "source_id"], name="supervision_src"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        """Return the item's number, 督〔2026〕12号, once issued."""
        if self.sequence is None:
            return ""
        return f"督〔{self.year}〕{self.sequence}号"

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_STATES


# The states in which an item's clock runs (and its light shows).
RUNNING_STATES = (
    SupervisionItem.State.ISSUED,
    SupervisionItem.State.SIGNED,
    SupervisionItem.State.IN_PROGRESS,
    SupervisionItem.State.REQUESTED,
    SupervisionItem.State.RETURNED,
)
# Closed (销号) or archived: never changes light again (counted from tallies).
FINISHED_STATES = (SupervisionItem.State.CLOSED, SupervisionItem.State.ARCHIVED)
# Never issued: not counted by the dashboard or the assessment.
COUNTED_OUT_STATES = (
    SupervisionItem.State.DRAFT,
    SupervisionItem.State.REVIEW,
    SupervisionItem.State.CANCELLED,
)


class ItemDepartment(models.Model):
    """A department an item is issued to, as lead or co-department, and its 签收."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead department")  # 牵头
        CO = "co", _("Co-department")  # 配合

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="departments"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(
        pgettext_lazy("supervision", "role"), max_length=4, choices=Role.choices
    )
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copies of three facts of the item, written by the services that change them
    # (issue, close) in the same transaction. A department head sees their
    # departments' items: about 50,000 rows of one department at 1,000,000 items,
    # which the database would gather for every statement of a page. With these, a
    # page asking for running items (the lights) or for those issued or closed since
    # a date (the weekly trend) gathers only those: about a thousand (ADR 11).
    item_running = models.BooleanField(default=False, editable=False)
    item_issued_on = models.DateField(null=True, blank=True, editable=False)
    item_closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("item department")
        verbose_name_plural = _("item departments")
        ordering: ClassVar = ["role", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["item", "department"], name="supervision_department_once"
            ),
        ]
        indexes: ClassVar = [
            # A department head's items ("id IN" their departments' item ids), read
            # from the index alone.
            models.Index(fields=["department", "item"], name="supervision_dept_items"),
            models.Index(
                fields=["department", "item"],
                condition=models.Q(item_running=True),
                name="supervision_dept_running",
            ),
            models.Index(
                fields=["department", "item_issued_on", "item"],
                name="supervision_dept_issued",
            ),
            models.Index(
                fields=["department", "item_closed_at", "item"],
                name="supervision_dept_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} ({self.get_role_display()})"


class ItemNode(models.Model):
    """One deadline of an item: from the clock, a plan's milestone or a report."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="nodes"
    )
    key = models.CharField(_("key"), max_length=40)
    label = models.CharField(_("node"), max_length=100)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering: ClassVar = ["due_on", "sort_order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["item", "key"], name="supervision_node_key_once"
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["due_on"],
                condition=Q(done_at__isnull=True),
                name="supervision_node_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.due_on}"


class Report(models.Model):
    """What a department wrote: a plan, a progress report, a completion request."""

    class Kind(models.TextChoices):
        SIGN = "sign", _("Arrangement")  # 部署安排
        PLAN = "plan", _("Plan")  # 计划反馈
        PROGRESS = "progress", _("Progress report")  # 进度反馈
        COMPLETION = "completion", _("Completion request")  # 办结申请

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"))
    node = models.ForeignKey(
        ItemNode,
        verbose_name=_("node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_time = models.BooleanField(_("on time"), default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.department}"


def item_file_path(instance: ItemFile, filename: str) -> str:
    return f"supervision/{instance.item_id}/{instance.sha256[:16]}-{filename}"


class ItemFile(models.Model):
    """An attachment of an item or of a report (photos of the work included)."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="files"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=item_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("type"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering: ClassVar = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ItemEvent(models.Model):
    """The item's trail: every step, who took it and when (worded at display time)."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return self.kind


class Escalation(models.Model):
    """One rung of the urge ladder, sent for one node: never twice (the constraint)."""

    class Rung(models.TextChoices):
        HANDLER = "handler", _("Reminder to the handler")  # 提醒承办人
        HEAD = "head", _("Urge the department head")  # 催办部门负责人
        LEADER = "leader", _("Notice to the assigning leader")  # 报告交办领导
        MANUAL = "manual", _("Urged by hand")  # 人工催办

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="escalations"
    )
    node = models.ForeignKey(
        ItemNode,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalations",
    )
    rung = models.CharField(_("rung"), max_length=10, choices=Rung.choices)
    light = models.CharField(_("light"), max_length=8, blank=True)
    sent_to = models.JSONField(_("sent to"), default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering: ClassVar = ["at", "id"]
        constraints: ClassVar = [
            # An automatic rung goes out once per node, however often the sweep runs.
            models.UniqueConstraint(
                fields=["node", "rung"],
                condition=~Q(rung="manual"),
                name="supervision_rung_once",
            ),
        ]

    def __str__(self) -> str:
        return self.get_rung_display()


class Counter(models.Model):
    """The last number given to a unit's items in a year (督〔年〕N号)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["unit", "year"], name="supervision_counter_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def default_grade_points() -> dict[str, int]:
    return {"excellent": 100, "good": 85, "pass": 70, "fail": 0}


class AssessmentRule(TimeStampedModel):
    """The weights of the department responsibility assessment (one row, editable)."""

    feedback_weight = models.DecimalField(
        _("feedback on time (points)"), max_digits=5, decimal_places=1, default=30
    )
    completion_weight = models.DecimalField(
        _("completion on time (points)"), max_digits=5, decimal_places=1, default=40
    )
    quality_weight = models.DecimalField(
        _("grades (points)"), max_digits=5, decimal_places=1, default=30
    )
    return_penalty = models.DecimalField(
        _("per return (points off)"), max_digits=5, decimal_places=1, default=2
    )
    overdue_penalty = models.DecimalField(
        _("per overdue node (points off)"), max_digits=5, decimal_places=1, default=1
    )
    grade_points = models.JSONField(_("points per grade"), default=default_grade_points)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment rule")
        verbose_name_plural = _("assessment rules")

    def __str__(self) -> str:
        return str(_("assessment rule"))

    @classmethod
    def current(cls) -> AssessmentRule:
        """Return the rule in force (the defaults until the office changes them)."""
        rule = cls.objects.order_by("-id").first()
        return rule if rule is not None else cls()


# The flow kind and default flow of extension requests (延期申请) on the engine.
EXTENSION_FLOW_KIND = "supervision_extension"
EXTENSION_FLOW_CODE = "supervision_extension"


class Extension(models.Model):
    """One extension request (延期申请): the completion date moves if it is approved."""

    class State(models.TextChoices):
        PENDING = "pending", _("In approval")  # 审批中
        APPROVED = "approved", _("Approved")  # 已批准
        REJECTED = "rejected", _("Not approved")  # 未批准
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="extensions"
    )
    instance = models.OneToOneField(
        "workflow.FlowInstance",
        verbose_name=_("approval"),
        on_delete=models.PROTECT,
        related_name="supervision_extension",
    )
    old_due = models.DateField(_("due before"))
    new_due = models.DateField(_("due if approved"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering: ClassVar = ["requested_at", "id"]
        constraints: ClassVar = [
            # One pending request per item at a time.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="pending"),
                name="supervision_extension_pending_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.old_due} → {self.new_due}"


class Inspection(TimeStampedModel):
    """A joint on-site supervision (现场督查): who went, what they found.

    Each rectification point becomes a sub-item (``SupervisionItem`` with source
    "on_site" and this inspection as its source object) with its own owner and clock.
    """

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(pgettext_lazy("supervision", "title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("led by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="+"
    )
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("departments taking part"), related_name="+"
    )
    findings = models.TextField(_("findings"))
    item = models.ForeignKey(
        SupervisionItem,
        verbose_name=_("supervision item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("on-site supervision")
        verbose_name_plural = _("on-site supervisions")
        ordering: ClassVar = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


def inspection_file_path(instance: InspectionPhoto, filename: str) -> str:
    return f"supervision/inspections/{instance.inspection_id}/{instance.sha256[:16]}-{filename}"


class InspectionPhoto(models.Model):
    """A photo (or scan) taken on site."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=inspection_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("type"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("on-site photo")
        verbose_name_plural = _("on-site photos")
        ordering: ClassVar = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# What a tally counts by (the unique key of ``FinishedTally``).
TALLY_KEY = (
    "department_id",
    "role",
    "lead_department_id",
    "leader_id",
    "source",
    "state",
)


class FinishedTally(models.Model):
    """How many finished (closed, archived) items there are, per group the dashboard shows.

    A finished item never changes light again, so the dashboard need not read the
    98 % of a million items that are finished (bench/README.md, supervision): the
    services that close and archive an item add it here, in the same transaction.
    Each item is counted once under ``role = "all"`` (the department is then its lead
    department), and once more under each of its departments' roles (lead, co) for
    a department head's view. ``leader`` and the departments are plain ids so that
    the unique key holds no NULL. ``tallies.rebuild()`` recounts everything.
    """

    ALL = "all"

    department_id = models.IntegerField()
    role = models.CharField(max_length=4)
    lead_department_id = models.IntegerField()
    leader_id = models.IntegerField()
    source = models.CharField(max_length=20)
    state = models.CharField(max_length=20)
    items = models.IntegerField(default=0)
    feedback = models.IntegerField(default=0)
    feedback_on_time = models.IntegerField(default=0)
    completion = models.IntegerField(default=0)
    completion_on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("finished items tally")
        verbose_name_plural = _("finished items tallies")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=list(TALLY_KEY), name="supervision_tally_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.department_id} {self.state}: {self.items}"
