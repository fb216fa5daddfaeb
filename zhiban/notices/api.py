"""REST endpoints of the notices; the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiban.notices import selectors, services
from zhiban.notices.models import Notice, NoticeAttachment


class NoticeAttachmentSerializer(serializers.ModelSerializer):
    """An attachment, with the link that downloads it."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = NoticeAttachment
        fields = (
            "id",
            "original_name",
            "size",
            "sha256",
            "content_type",
            "download_url",
        )

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, obj: NoticeAttachment) -> str:
        return reverse("notices:attachment", args=[obj.notice_id, obj.pk])


class NoticeSerializer(serializers.ModelSerializer):
    """A notice as it appears in a list."""

    author_name = serializers.CharField(source="author.display_name", read_only=True)
    department_name = serializers.CharField(
        source="department.name", read_only=True, default=""
    )
    is_recipient = serializers.BooleanField(read_only=True)
    read_at = serializers.DateTimeField(
        source="my_read_at", read_only=True, allow_null=True
    )
    has_attachments = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields: tuple[str, ...] = (
            "id",
            "title",
            "state",
            "audience",
            "urgency",
            "is_pinned",
            "published_at",
            "expires_at",
            "author_name",
            "department_name",
            "is_recipient",
            "read_at",
            "has_attachments",
        )
        read_only_fields: tuple[str, ...] = fields


class NoticeDetailSerializer(NoticeSerializer):
    """A notice with its text, addressed departments and attachments."""

    attachments = NoticeAttachmentSerializer(many=True, read_only=True)
    department_ids = serializers.SerializerMethodField()

    class Meta(NoticeSerializer.Meta):
        fields = (
            *NoticeSerializer.Meta.fields,
            "body",
            "department_ids",
            "attachments",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_department_ids(self, obj: Notice) -> list[int]:
        return [department.pk for department in obj.departments.all()]


ReadResultSerializer = inline_serializer(
    name="NoticeReadResult",
    fields={
        "id": serializers.IntegerField(),
        "read_at": serializers.DateTimeField(allow_null=True),
        "is_recipient": serializers.BooleanField(),
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List the notices I may see",
        description="Pinned first, then newest. Same rules as the notices page.",
        parameters=[
            OpenApiParameter("tab", str, enum=list(selectors.TABS)),
            OpenApiParameter("read", str, enum=["read", "unread"]),
            OpenApiParameter("q", str, description="Search in titles."),
        ],
    ),
    retrieve=extend_schema(summary="One notice with its text and attachments"),
)
class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Notices (通知公告) addressed to the signed-in user."""

    serializer_class = NoticeSerializer
    queryset = Notice.objects.none()

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.notice_list_for(
            user=self.request.user,  # type: ignore[arg-type]
            filters=selectors.NoticeFilters.from_query(self.request.query_params),
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return NoticeSerializer
        return NoticeDetailSerializer

    def get_object(self) -> Notice:
        return selectors.notice_get_for(
            user=self.request.user,  # type: ignore[arg-type]
            pk=int(self.kwargs["pk"]),
        )

    @extend_schema(
        summary="Confirm that I have read the notice (确认已读)",
        request=None,
        responses={200: ReadResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        receipt = services.notice_mark_read(notice=notice, user=request.user)  # type: ignore[arg-type]
        return Response(
            {
                "id": notice.pk,
                "read_at": receipt.read_at if receipt else None,
                "is_recipient": receipt is not None,
            }
        )


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("notices", NoticeViewSet, basename="notice")
