"""The on-site supervision endpoint (现场督查): list, detail, record."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiban.core.errors import PermissionDeniedError
from zhiban.supervision import selectors, services
from zhiban.supervision.api._common import _signed_in
from zhiban.supervision.api.serializers import (
    InspectionCreateSerializer,
    InspectionSerializer,
)
from zhiban.supervision.models import Inspection


@extend_schema_view(
    list=extend_schema(summary="On-site supervisions the user may see"),
    retrieve=extend_schema(summary="One on-site supervision with its sub-items"),
)
class InspectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Inspection],
):
    """Joint on-site supervision; each rectification point is issued as a sub-item."""

    serializer_class = InspectionSerializer
    queryset = Inspection.objects.none()  # for the schema; get_queryset filters
    parser_classes = (JSONParser, MultiPartParser)

    def get_queryset(self) -> QuerySet[Inspection]:
        return selectors.inspection_list_for(
            viewer=_signed_in(self.request)
        ).prefetch_related("participants", "departments")

    def _with_sub_items(self, inspection: Inspection) -> Inspection:
        visible = selectors.visible_items(viewer=_signed_in(self.request))
        inspection.sub_items = list(  # type: ignore[attr-defined]
            selectors.items_from_source(source=inspection).filter(
                pk__in=visible.values("pk")
            )
        )
        return inspection

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [self._with_sub_items(i) for i in (page if page is not None else [])]
        return self.get_paginated_response(InspectionSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inspection = self._with_sub_items(self.get_object())
        return Response(InspectionSerializer(inspection).data)

    @extend_schema(
        summary="Record an on-site supervision; its points are issued at once",
        request=InspectionCreateSerializer,
        responses={201: InspectionSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        by = _signed_in(request)
        incoming = InspectionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        item = None
        if data["item"] is not None:
            item = selectors.item_get_for(viewer=by, pk=data["item"])
            if item is None:
                raise serializers.ValidationError({"item": ["Not found."]})
        try:
            inspection = services.inspection_record(
                by=by,
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                leader=data["leader"],
                participants=data["participants"],
                departments=data["departments"],
                findings=data["findings"],
                profile=data["profile"],
                points=[
                    services.RectificationPoint(
                        text=point["text"],
                        department=point["department"],
                        deadline=point["deadline"],
                    )
                    for point in data["points"]
                ],
                item=item,
                photos=request.FILES.getlist("photos"),
            )
        except PermissionDeniedError as error:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied(error.messages[0]) from error
        return Response(
            InspectionSerializer(self._with_sub_items(inspection)).data,
            status=status.HTTP_201_CREATED,
        )
