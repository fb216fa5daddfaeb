"""REST endpoints of the to-do centre; the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiban.inbox import display, selectors, services
from zhiban.inbox.models import Notification, Urgency, WorkItem
from zhiban.org.models import User

DUE_CHOICES = [selectors.DUE_OVERDUE, selectors.DUE_SOON, selectors.DUE_NONE]
SORT_CHOICES = [selectors.SORT_URGENCY, selectors.SORT_DUE, selectors.SORT_RECENT]


class WorkItemQuerySerializer(serializers.Serializer):
    """The tab, filters, sort and page of a work item list."""

    tab = serializers.ChoiceField(choices=selectors.TABS, default=selectors.TODO)
    kind = serializers.RegexField(
        r"^[\w.:-]*$", max_length=50, required=False, allow_blank=True
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    due = serializers.ChoiceField(choices=DUE_CHOICES, required=False)
    hours = serializers.IntegerField(min_value=1, max_value=720, required=False)
    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False)
    page = serializers.IntegerField(min_value=1, default=1)

    def filters(self) -> selectors.WorkItemFilters:
        """Return the validated filters."""
        data = self.validated_data
        return selectors.WorkItemFilters(
            kind=data.get("kind", ""),
            urgency=data.get("urgency"),
            due=data.get("due", ""),
            within_hours=data.get("hours"),
            search=data.get("q", ""),
            sort=data.get("sort", ""),
        )


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WorkItemRowSerializer(serializers.Serializer):
    """One row of a work item list."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField()
    url = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=WorkItem.State.choices)
    is_cc = serializers.BooleanField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    is_due_soon = serializers.BooleanField()
    on_behalf_of = serializers.CharField(
        allow_blank=True, help_text="Whose work this is, when it came by delegation."
    )
    counterpart = serializers.CharField(
        allow_blank=True,
        help_text="Who sent it (or, on the initiated tab, whom it was sent to).",
    )


class WorkItemCountsSerializer(serializers.Serializer):
    todo = serializers.IntegerField()
    done = serializers.IntegerField()
    initiated = serializers.IntegerField()
    cc = serializers.IntegerField()
    overdue = serializers.IntegerField()
    cc_unread = serializers.IntegerField()


class WorkItemPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    count_cap = serializers.IntegerField(
        help_text="Counts (and `count`) stop at this value: a count equal to it "
        "means at least as many."
    )
    counts = WorkItemCountsSerializer()
    results = WorkItemRowSerializer(many=True)


class WorkItemDetailSerializer(serializers.ModelSerializer):
    """One work item in full."""

    assignee = PersonSerializer(source="assignee_person")
    on_behalf_of = PersonSerializer(source="on_behalf_of_person", allow_null=True)
    initiator = PersonSerializer(source="initiator_person", allow_null=True)

    class Meta:
        model = WorkItem
        fields = (
            "id",
            "kind",
            "title",
            "reason",
            "url",
            "urgency",
            "due_at",
            "state",
            "is_cc",
            "opened_at",
            "closed_at",
            "outcome",
            "assignee",
            "on_behalf_of",
            "initiator",
        )


def _user(request: Request) -> User:
    # Every endpoint here requires authentication (the default permission).
    return cast(User, request.user)


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


def _api_row(row: dict[str, Any]) -> dict[str, Any]:
    row["is_overdue"] = row["row_class"] == "table-danger"
    row["is_due_soon"] = row["row_class"] == "table-warning"
    if row["on_behalf_of_id"]:
        row["on_behalf_of"] = row["on_behalf_of_name"]
    else:
        row["on_behalf_of"] = ""
    row["counterpart"] = row["who"]
    return row


class WorkItemViewSet(viewsets.ViewSet):
    """The signed-in user's work items: 待办 / 已办 / 我发起的 / 抄送我的."""

    @extend_schema(
        parameters=[WorkItemQuerySerializer], responses=WorkItemPageSerializer
    )
    def list(self, request: Request) -> Response:
        query = WorkItemQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tab, filters = query.validated_data["tab"], query.filters()
        now = timezone.now()
        counts, rows, number = selectors.work_item_counts_and_page_for(
            user=_user(request),
            tab=tab,
            filters=filters,
            now=now,
            page_number=query.validated_data["page"],
            per_page=display.PAGE_SIZE,
        )
        page = display.page_info(count=counts["matching"], number=number)
        results = [
            _api_row(row)
            for row in display.work_item_rows(rows, tab=tab, now=now, open_prefix="")
        ]
        return Response(
            WorkItemPageSerializer(
                {
                    "count": page.count,
                    "page": page.number,
                    "num_pages": page.num_pages,
                    "count_cap": selectors.COUNT_CAP,
                    "counts": counts,
                    "results": results,
                }
            ).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=WorkItemDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        try:
            item = selectors.work_item_get_for(
                user=_user(request), item_id=int(pk or 0)
            )
        except (WorkItem.DoesNotExist, ValueError) as error:
            raise NotFound from error
        item.assignee_person = _person(item.assignee)  # type: ignore[attr-defined]
        item.on_behalf_of_person = _person(item.on_behalf_of)  # type: ignore[attr-defined]
        item.initiator_person = _person(item.initiator)  # type: ignore[attr-defined]
        return Response(WorkItemDetailSerializer(item).data)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationPagination(PageNumberPagination):
    page_size = display.PAGE_SIZE


class NotificationViewSet(viewsets.GenericViewSet):
    """The signed-in user's notifications."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    def get_queryset(self) -> Any:
        unread = self.request.query_params.get("unread") in ("1", "true")
        return selectors.notification_list_for(
            user=_user(self.request), unread_only=unread
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description="Only unread notifications."
            )
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=MarkedSerializer,
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one notification read."""
        try:
            changed = services.notification_mark_read(
                user=_user(request), notification_id=int(pk or 0)
            )
        except (Notification.DoesNotExist, ValueError) as error:
            raise NotFound from error
        return Response({"marked": int(changed)})

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every notification of the user read."""
        return Response(
            {"marked": services.notifications_mark_all_read(user=_user(request))}
        )

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        """Return how many notifications are unread."""
        return Response(
            {"unread": selectors.notification_unread_count_for(user=_user(request))}
        )


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("work-items", WorkItemViewSet, basename="work-item")
    router.register("notifications", NotificationViewSet, basename="notification")
