"""The supervision dashboard, assessment and clock profiles endpoints."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from zhiban.supervision import analytics, policies
from zhiban.supervision.api._common import (
    _signed_in,
)
from zhiban.supervision.api.serializers import (
    SourceField,
    StateField,
)
from zhiban.supervision.assessment import DepartmentScore, department_scores
from zhiban.supervision.lights import light_rule
from zhiban.supervision.models import (
    ClockProfile,
    Source,
)

# --- the dashboard ----------------------------------------------------------------------


class ScopeQuerySerializer(serializers.Serializer[Any]):
    """The dashboard's drill-down (the dashboard page's)."""

    department = serializers.IntegerField(
        min_value=1, required=False, help_text="The lead department."
    )
    leader = serializers.IntegerField(
        min_value=1, required=False, help_text="The assigning leader."
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, required=False
    )
    issued_from = serializers.DateField(required=False)
    issued_to = serializers.DateField(required=False)

    def scope(self) -> analytics.Scope:
        """Return the validated scope."""
        data = self.validated_data
        return analytics.Scope(
            department=data.get("department"),
            leader=data.get("leader"),
            source=data.get("source", ""),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
        )


class LightCountsSerializer(serializers.Serializer[Any]):
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    none = serializers.IntegerField(help_text="Closed or archived: no clock running.")

    class Meta:
        ref_name = "SupervisionLightCounts"


class StateCountSerializer(serializers.Serializer[Any]):
    state = StateField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()

    class Meta:
        ref_name = "SupervisionStateCount"


class GroupCountsSerializer(serializers.Serializer[Any]):
    """How many items a group has, by light, and how many are finished."""

    total = serializers.IntegerField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    finished = serializers.IntegerField(help_text="Closed or archived.")


class DepartmentCountsSerializer(GroupCountsSerializer):
    id = serializers.IntegerField(source="lead_department_id")
    name = serializers.CharField(source="lead_department__name")

    class Meta:
        ref_name = "SupervisionDepartmentCounts"


class LeaderCountsSerializer(GroupCountsSerializer):
    id = serializers.IntegerField(source="leader_id")
    name = serializers.CharField()

    class Meta:
        ref_name = "SupervisionLeaderCounts"


class SourceCountsSerializer(GroupCountsSerializer):
    source = SourceField()  # type: ignore[assignment]
    label = serializers.CharField()  # type: ignore[assignment]

    class Meta:
        ref_name = "SupervisionSourceCounts"


class WeekSerializer(serializers.Serializer[Any]):
    week = serializers.DateField(help_text="The Monday of the week.")
    issued = serializers.IntegerField()
    closed = serializers.IntegerField()

    class Meta:
        ref_name = "SupervisionWeek"


class OnTimeSerializer(serializers.Serializer[Any]):
    on_time = serializers.IntegerField()
    total = serializers.IntegerField()
    rate = serializers.FloatField(
        allow_null=True, help_text="Per cent, one decimal; null when nothing was due."
    )

    class Meta:
        ref_name = "SupervisionOnTime"


class OverdueSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    next_due_on = serializers.DateField()
    days_overdue = serializers.IntegerField()

    class Meta:
        ref_name = "SupervisionOverdue"


class DashboardSerializer(serializers.Serializer[Any]):
    """The live figures of the items the user may see, in the scope."""

    total = serializers.IntegerField()
    by_light = LightCountsSerializer()
    by_state = StateCountSerializer(many=True)
    by_department = DepartmentCountsSerializer(many=True)
    by_leader = LeaderCountsSerializer(many=True)
    by_source = SourceCountsSerializer(many=True)
    weekly = WeekSerializer(many=True)
    feedback_on_time = OnTimeSerializer()
    completion_on_time = OnTimeSerializer()
    overdue = OverdueSerializer(many=True)

    class Meta:
        ref_name = "SupervisionDashboard"


def _on_time(pair: tuple[int, int]) -> dict[str, Any]:
    return {
        "on_time": pair[0],
        "total": pair[1],
        "rate": analytics.Overview.rate(pair),
    }


class DashboardViewSet(viewsets.ViewSet):
    """Live analytics of supervision (实时分析)."""

    @extend_schema(
        summary="Live figures of the items I may see, in a scope",
        description="The dashboard page's figures: drafts, items under review and "
        "cancelled items are not counted.",
        parameters=[ScopeQuerySerializer],
        responses=DashboardSerializer,
    )
    def list(self, request: Request) -> Response:
        query = ScopeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        overview = analytics.overview(
            viewer=_signed_in(request), rule=light_rule(), scope=query.scope()
        )
        leaders = [
            {**row, "name": row["leader__name"] or row["leader__username"]}
            for row in overview.by_leader
        ]
        states = [
            {"state": value, "label": label, "count": count}
            for value, label, count in overview.by_state
        ]
        return Response(
            DashboardSerializer(
                {
                    "total": overview.total,
                    "by_light": overview.by_light,
                    "by_state": states,
                    "by_department": overview.by_department,
                    "by_leader": leaders,
                    "by_source": overview.by_source,
                    "weekly": overview.weekly,
                    "feedback_on_time": _on_time(overview.feedback_on_time),
                    "completion_on_time": _on_time(overview.completion_on_time),
                    "overdue": overview.overdue,
                }
            ).data
        )


# --- the assessment ---------------------------------------------------------------------


class MonthQuerySerializer(serializers.Serializer[Any]):
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$",
        required=False,
        help_text="YYYY-MM; this month by default.",
    )

    def validate_month(self, value: str) -> str:
        year, month = (int(part) for part in value.split("-"))
        if not (2000 <= year <= timezone.localdate().year + 1 and 1 <= month <= 12):
            raise serializers.ValidationError(_("Give a month as YYYY-MM."))
        return value

    def year_month(self) -> tuple[int, int]:
        """Return the validated month, this month by default."""
        value = self.validated_data.get("month")
        if not value:
            today = timezone.localdate()
            return today.year, today.month
        year, month = value.split("-")
        return int(year), int(month)


class ScoreSerializer(serializers.Serializer[Any]):
    """One department's month."""

    rank = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id")
    name = serializers.CharField()
    items = serializers.IntegerField()
    feedback_due = serializers.IntegerField()
    feedback_on_time = serializers.IntegerField()
    feedback_rate = serializers.SerializerMethodField()
    completion_due = serializers.IntegerField()
    completion_on_time = serializers.IntegerField()
    completion_rate = serializers.SerializerMethodField()
    returned = serializers.IntegerField()
    overdue = serializers.IntegerField()
    grades = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Items closed in the month, by grade.",
    )
    score = serializers.DecimalField(max_digits=6, decimal_places=1)

    class Meta:
        ref_name = "SupervisionScore"

    @staticmethod
    def _percent(rate: Any) -> float | None:
        return None if rate is None else round(float(rate) * 100, 1)

    @extend_schema_field({"type": "number", "nullable": True})
    def get_feedback_rate(self, obj: DepartmentScore) -> float | None:
        return self._percent(obj.feedback_rate)

    @extend_schema_field({"type": "number", "nullable": True})
    def get_completion_rate(self, obj: DepartmentScore) -> float | None:
        return self._percent(obj.completion_rate)


class AssessmentSerializer(serializers.Serializer[Any]):
    month = serializers.CharField()
    rows = ScoreSerializer(many=True)

    class Meta:
        ref_name = "SupervisionAssessment"


class AssessmentViewSet(viewsets.ViewSet):
    """The department responsibility assessment (督查责任考核)."""

    @extend_schema(
        summary="The departments' scores and ranking of a month",
        description="For the supervision office and the leaders, as the page. Rates "
        "are per cent; null when nothing was due.",
        parameters=[MonthQuerySerializer],
        responses=AssessmentSerializer,
    )
    def list(self, request: Request) -> Response:
        if not policies.can_assess(_signed_in(request)):
            raise PermissionDenied
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, month = query.year_month()
        rows = department_scores(year=year, month=month, today=timezone.localdate())
        return Response(
            AssessmentSerializer({"month": f"{year}-{month:02d}", "rows": rows}).data
        )


# --- the clock profiles -----------------------------------------------------------------


class ProfileSerializer(serializers.ModelSerializer[ClockProfile]):
    """A clock: the deadlines an item gets, counted from its issue day."""

    class Meta:
        model = ClockProfile
        ref_name = "SupervisionClockProfile"
        fields = (
            "code",
            "name",
            "description",
            "day_basis",
            "yellow_days",
            "nodes",
            "ladder",
            "is_active",
        )
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="The clock profiles (an item names one by its code)")
)
class ProfileViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[ClockProfile]):
    """Clock profiles, read only; inactive ones are listed for the items that keep them."""

    serializer_class = ProfileSerializer
    queryset = ClockProfile.objects.order_by("sort_order", "code")
    pagination_class = None
