"""The supervision API's serializers: what an item looks like, what a request says."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request

from zhiban.org.models import Department, User
from zhiban.supervision import policies, selectors
from zhiban.supervision.api._common import (
    LIGHT_SCHEMA,
    NODE_LIGHTS,
    THEN_CHOICES,
    State,
)
from zhiban.supervision.lights import Light, LightRule, node_light
from zhiban.supervision.models import (
    ClockProfile,
    Grade,
    ItemDepartment,
    ItemEvent,
    ItemFile,
    ItemNode,
    ItemType,
    Report,
    ReportCycle,
    Source,
    SupervisionItem,
)

# --- serializers: what an item looks like ---------------------------------------------


# The item's state, its source and the lights are named components of their own: their
# field names ("state", "source", "light") carry other choice sets in other apps. (The
# type-ignores below: the API's field names "source" and "label" shadow attributes of
# DRF's Field in the stubs; the fields behave as any other.)
@extend_schema_field(
    {"type": "string", "enum": list(State.values)}, component_name="SupervisionState"
)
class StateField(serializers.ChoiceField):
    """The state of a supervision item."""

    def __init__(self, **options: Any) -> None:
        super().__init__(choices=State.choices, **options)


@extend_schema_field(
    {"type": "string", "enum": list(Source.values)}, component_name="SupervisionSource"
)
class SourceField(serializers.ChoiceField):
    """Where a supervision item comes from."""

    def __init__(self, **options: Any) -> None:
        super().__init__(choices=Source.choices, **options)


@extend_schema_field(LIGHT_SCHEMA, component_name="SupervisionLight")
class LightField(serializers.CharField):
    """The light of an item (for the schema: the serializers compute it)."""


@extend_schema_field(
    {
        "type": "string",
        "enum": NODE_LIGHTS,
        "description": "done once fulfilled; else red (overdue), yellow (due soon) "
        "or green.",
    },
    component_name="SupervisionNodeLight",
)
class NodeLightField(serializers.CharField):
    """The light of one node (for the schema: the serializer computes it)."""


class PersonSerializer(serializers.Serializer[Any]):
    """A person: id and the name to show."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")

    class Meta:
        ref_name = "SupervisionPerson"


class ItemDepartmentSerializer(serializers.Serializer[Any]):
    """A department the item is issued to, and its 签收."""

    id = serializers.IntegerField(source="department_id")
    name = serializers.CharField(source="department.name")
    signed_at = serializers.DateTimeField(allow_null=True)
    signed_by = PersonSerializer(allow_null=True)

    class Meta:
        ref_name = "SupervisionItemDepartment"


class ItemSerializer(serializers.Serializer[Any]):
    """A supervision item as the list shows it, with its light."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="督〔year〕N号 once issued, else empty.")
    title = serializers.CharField()
    content = serializers.CharField()
    requirements = serializers.CharField()
    source = SourceField()  # type: ignore[assignment]
    source_text = serializers.CharField()
    item_type = serializers.ChoiceField(choices=ItemType.choices)
    profile = serializers.CharField(source="profile.code", help_text="The clock.")
    report_cycle = serializers.ChoiceField(choices=ReportCycle.choices)
    deadline = serializers.DateField(allow_null=True)
    leader = PersonSerializer()
    officer = PersonSerializer()
    responsible = PersonSerializer(allow_null=True)
    lead_department = serializers.SerializerMethodField()
    co_departments = serializers.SerializerMethodField()
    state = StateField()
    light = serializers.SerializerMethodField()
    issued_on = serializers.DateField(allow_null=True)
    next_due_on = serializers.DateField(allow_null=True)
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True)
    grade_reason = serializers.CharField()
    returned_count = serializers.IntegerField()

    class Meta:
        ref_name = "SupervisionItem"

    def _rows(self, obj: SupervisionItem) -> list[ItemDepartment]:
        return list(obj.departments.all())

    @extend_schema_field(ItemDepartmentSerializer)
    def get_lead_department(self, obj: SupervisionItem) -> dict[str, Any]:
        lead = next(
            (r for r in self._rows(obj) if r.role == ItemDepartment.Role.LEAD), None
        )
        if lead is None:  # never: an item is created with its lead department
            lead = ItemDepartment(item=obj, department=obj.lead_department)
        return dict(ItemDepartmentSerializer(lead).data)

    @extend_schema_field(ItemDepartmentSerializer(many=True))
    def get_co_departments(self, obj: SupervisionItem) -> list[dict[str, Any]]:
        rows = [r for r in self._rows(obj) if r.role == ItemDepartment.Role.CO]
        return list(ItemDepartmentSerializer(rows, many=True).data)

    @extend_schema_field(LightField)
    def get_light(self, obj: SupervisionItem) -> str:
        annotated = getattr(obj, "light", None)
        if annotated is not None:
            return str(annotated)
        rule: LightRule = self.context["rule"]
        return str(rule.of(obj).value)


class NodeSerializer(serializers.ModelSerializer[ItemNode]):
    """A deadline of the item, with its own light (done once fulfilled)."""

    light = serializers.SerializerMethodField()

    class Meta:
        model = ItemNode
        ref_name = "SupervisionNode"
        fields = ("id", "key", "label", "step", "due_on", "done_at", "light")
        read_only_fields = fields

    @extend_schema_field(NodeLightField)
    def get_light(self, obj: ItemNode) -> str:
        rule: LightRule = self.context["rule"]
        yellow_until = rule.yellow_until.get(self.context["profile_id"], rule.today)
        return node_light(
            due_on=obj.due_on,
            done=obj.done_at is not None,
            today=rule.today,
            yellow_until=yellow_until,
        )


class FileSerializer(serializers.ModelSerializer[ItemFile]):
    """An attachment; its type and hash come from its bytes."""

    class Meta:
        model = ItemFile
        ref_name = "SupervisionFile"
        fields = ("id", "original_name", "size", "sha256", "content_type")
        read_only_fields = fields


class DepartmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "SupervisionDepartment"


class ReportSerializer(serializers.Serializer[Any]):
    """What a department wrote: arrangement, plan, progress or completion request."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    department = DepartmentSerializer()
    by = PersonSerializer()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    on_time = serializers.BooleanField()
    node = serializers.IntegerField(
        source="node_id", allow_null=True, help_text="The node it fulfilled."
    )
    files = FileSerializer(many=True, source="files.all")

    class Meta:
        ref_name = "SupervisionReport"


class EventSerializer(serializers.ModelSerializer[ItemEvent]):
    """One step of the item's trail."""

    by = PersonSerializer(allow_null=True)

    class Meta:
        model = ItemEvent
        ref_name = "SupervisionEvent"
        fields = ("kind", "by", "at", "note", "data")
        read_only_fields = fields


class ItemDetailSerializer(ItemSerializer):
    """One item with its nodes, reports, trail and attachments."""

    nodes = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SupervisionItemDetail"

    @extend_schema_field(NodeSerializer(many=True))
    def get_nodes(self, obj: SupervisionItem) -> list[dict[str, Any]]:
        context = {**self.context, "profile_id": obj.profile_id}
        return list(NodeSerializer(obj.nodes.all(), many=True, context=context).data)

    @extend_schema_field(ReportSerializer(many=True))
    def get_reports(self, obj: SupervisionItem) -> list[dict[str, Any]]:
        reports = obj.reports.select_related("department", "by").prefetch_related(
            "files"
        )
        return list(ReportSerializer(reports, many=True).data)

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj: SupervisionItem) -> list[dict[str, Any]]:
        return list(EventSerializer(obj.events.select_related("by"), many=True).data)

    @extend_schema_field(FileSerializer(many=True))
    def get_files(self, obj: SupervisionItem) -> list[dict[str, Any]]:
        return list(
            FileSerializer(obj.files.filter(report__isnull=True), many=True).data
        )


# --- serializers: what a request says ---------------------------------------------------


class ItemQuerySerializer(serializers.Serializer[Any]):
    """The list's filters (the list page's)."""

    state = serializers.ChoiceField(choices=State.choices, required=False)
    light = serializers.ChoiceField(choices=Light.choices, required=False)
    department = serializers.IntegerField(
        min_value=1, required=False, help_text="The lead department."
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, required=False
    )
    leader = serializers.IntegerField(
        min_value=1, required=False, help_text="The assigning leader."
    )
    issued_from = serializers.DateField(required=False)
    issued_to = serializers.DateField(required=False)
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Words in the title or content.",
    )
    scope = serializers.ChoiceField(
        choices=(("mine", "mine"), ("all", "all")),
        required=False,
        help_text="mine: the items I assigned, run, created or answer for, and my "
        "departments'; all: every item I may see. By default all for the "
        "supervision office and principal leaders, mine for anyone else.",
    )

    def filters(self, viewer: User) -> selectors.ItemFilters:
        """Return the validated filters."""
        data = self.validated_data
        scope = data.get("scope") or (
            "all" if policies.sees_everything(viewer) else "mine"
        )
        return selectors.ItemFilters(
            state=data.get("state", ""),
            light=data.get("light", ""),
            department=data.get("department"),
            source=data.get("source", ""),
            leader=data.get("leader"),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            q=data.get("q", "").strip(),
            mine=scope == "mine",
        )


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "Attachments (multipart only): photos, scans and office files.",
    }
)
class FilesField(serializers.ListField):
    """Files sent with a step (multipart); JSON requests leave them out."""

    def __init__(self, **options: Any) -> None:
        super().__init__(child=serializers.FileField(), required=False, **options)


def _person_field(**options: Any) -> serializers.PrimaryKeyRelatedField[User]:
    # Whether the person may hold the part is the service's decision, not a filter.
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), **options)


def _department_field(**options: Any) -> serializers.PrimaryKeyRelatedField[Any]:
    return serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), **options
    )


class ItemCreateSerializer(serializers.Serializer[Any]):
    """A new item; people and departments by id, the clock by its code."""

    title = serializers.CharField()
    content = serializers.CharField()
    requirements = serializers.CharField(required=False, allow_blank=True, default="")
    source = SourceField(default=Source.OTHER)  # type: ignore[assignment]
    source_text = serializers.CharField(required=False, allow_blank=True, default="")
    item_type = serializers.ChoiceField(
        choices=ItemType.choices, default=ItemType.GENERAL
    )
    profile = serializers.SlugRelatedField(
        slug_field="code", queryset=ClockProfile.objects.all(), help_text="The clock."
    )
    report_cycle = serializers.ChoiceField(
        choices=ReportCycle.choices, required=False, allow_blank=True, default=""
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    leader = _person_field(help_text="The assigning leader.")
    officer = _person_field(help_text="The supervision officer.")
    responsible = _person_field(required=False, allow_null=True, default=None)
    lead_department = _department_field()
    co_departments = _department_field(many=True, required=False, default=list)
    then = serializers.ChoiceField(
        choices=[(value, value) for value in THEN_CHOICES],
        default="draft",
        help_text="draft: keep it as a draft; issue: issue it at once; review: send "
        "it to the assigning leader for review.",
    )
    files = FilesField()

    class Meta:
        ref_name = "SupervisionItemCreate"


class ReviewSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField(
        help_text="true issues the item at once; false sends it back to its author."
    )
    opinion = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to send it back.",
    )

    class Meta:
        ref_name = "SupervisionReview"


class SignSerializer(serializers.Serializer[Any]):
    arrangement = serializers.CharField(allow_blank=True)
    department = _department_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Which of my departments signs (by default the lead, if mine).",
    )
    responsible = _person_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="The lead department names who carries the item out.",
    )

    class Meta:
        ref_name = "SupervisionSign"


class MilestoneSerializer(serializers.Serializer[Any]):
    due_on = serializers.DateField()
    label = serializers.CharField(  # type: ignore[assignment]
        allow_blank=True, help_text="What is done by then."
    )

    class Meta:
        ref_name = "SupervisionMilestone"


class PlanSerializer(serializers.Serializer[Any]):
    plan = serializers.CharField(allow_blank=True)
    milestones = MilestoneSerializer(many=True, required=False, default=list)
    files = FilesField()

    class Meta:
        ref_name = "SupervisionPlan"


class ReportCreateSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True)
    node = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The milestone or periodic report this report fulfils.",
    )
    files = FilesField()

    class Meta:
        ref_name = "SupervisionReportCreate"


class CompleteSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField(allow_blank=True)
    files = FilesField()

    class Meta:
        ref_name = "SupervisionComplete"


class CloseSerializer(serializers.Serializer[Any]):
    grade = serializers.ChoiceField(choices=Grade.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for the grade fail.",
    )

    class Meta:
        ref_name = "SupervisionClose"


class ReturnSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True)
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A new completion date; empty keeps the current one.",
    )

    class Meta:
        ref_name = "SupervisionReturn"


class UrgeSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "SupervisionUrge"


def _both(serializer: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    return {"application/json": serializer, "multipart/form-data": serializer}


def _parsed(serializer: type[serializers.Serializer[Any]], request: Request) -> Any:
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class ExtendSerializer(serializers.Serializer[Any]):
    new_due = serializers.DateField()
    reason = serializers.CharField(max_length=2000)

    class Meta:
        ref_name = "SupervisionExtend"


class ExtensionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = serializers.CharField()
    old_due = serializers.DateField()
    new_due = serializers.DateField()
    reason = serializers.CharField()
    approval = serializers.IntegerField(source="instance_id")
    requested_at = serializers.DateTimeField()

    class Meta:
        ref_name = "SupervisionExtension"


class PointSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=1000)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True)
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "SupervisionPoint"


class InspectionCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True)
    )
    participants = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True
    )
    findings = serializers.CharField(max_length=5000)
    profile = serializers.SlugRelatedField(
        slug_field="code", queryset=ClockProfile.objects.filter(is_active=True)
    )
    item = serializers.IntegerField(required=False, allow_null=True, default=None)
    points = PointSerializer(many=True, required=False, default=list)

    class Meta:
        ref_name = "SupervisionInspectionCreate"


class InspectionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    held_on = serializers.DateField()
    place = serializers.CharField()
    leader = PersonSerializer()
    participants = PersonSerializer(many=True, source="participants.all")
    departments = DepartmentSerializer(many=True, source="departments.all")
    findings = serializers.CharField()
    item = serializers.IntegerField(source="item_id", allow_null=True)
    sub_items = serializers.SerializerMethodField()

    class Meta:
        ref_name = "SupervisionInspection"

    def get_sub_items(self, obj: Any) -> list[int]:
        return [item.pk for item in obj.sub_items]
