"""The supervision items endpoint: list, detail, create and every step."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from zhiban.core.paging import CappedPagination
from zhiban.supervision import selectors, services
from zhiban.supervision.api._common import (
    CONFLICT,
    _run,
    _signed_in,
)
from zhiban.supervision.api.serializers import (
    CloseSerializer,
    CompleteSerializer,
    ExtendSerializer,
    ExtensionSerializer,
    ItemCreateSerializer,
    ItemDetailSerializer,
    ItemQuerySerializer,
    ItemSerializer,
    PlanSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    ReturnSerializer,
    ReviewSerializer,
    SignSerializer,
    UrgeSerializer,
    _both,
    _parsed,
)
from zhiban.supervision.lights import LightRule, light_rule
from zhiban.supervision.models import (
    ItemDepartment,
    SupervisionItem,
)

# --- the items ----------------------------------------------------------------------


def _departments() -> Prefetch[Any]:
    return Prefetch(
        "departments",
        queryset=ItemDepartment.objects.select_related("department", "signed_by"),
    )


@extend_schema_view(
    list=extend_schema(
        summary="The supervision items I may see, with their lights",
        description="Newest first; the same rules and filters as the list page.",
        parameters=[ItemQuerySerializer],
    ),
    retrieve=extend_schema(
        summary="One supervision item with its nodes, reports and trail"
    ),
    create=extend_schema(
        summary="Draft an item (立项), and issue it or send it for review",
        request=_both(ItemCreateSerializer),
        responses={201: ItemDetailSerializer},
    ),
)
class SupervisionItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SupervisionItem],
):
    """Supervision items (督办事项)."""

    serializer_class = ItemSerializer
    queryset = SupervisionItem.objects.none()
    # A million items: count no further than the pages asked for (ADR 7).
    pagination_class = CappedPagination
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    @cached_property
    def rule(self) -> LightRule:
        """Return the one light rule of this request."""
        return light_rule()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return ItemSerializer
        return ItemDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "rule": self.rule}

    def get_queryset(self) -> QuerySet[SupervisionItem]:
        query = ItemQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        viewer = _signed_in(self.request)
        return selectors.item_pages_for(  # type: ignore[return-value]
            viewer=viewer,
            rule=self.rule,
            filters=query.filters(viewer),
            finish=lambda rows: rows.select_related("officer").prefetch_related(
                _departments()
            ),
        )

    def get_object(self) -> SupervisionItem:
        item = self._fetch(int(self.kwargs["pk"]))
        if item is None:
            raise NotFound
        return item

    def _fetch(self, pk: int) -> SupervisionItem | None:
        item = selectors.item_get_for(viewer=_signed_in(self.request), pk=pk)
        if item is not None:
            prefetch_related_objects([item], _departments())
        return item

    def _detail(self, item: SupervisionItem, code: int = 200) -> Response:
        fresh = self._fetch(item.pk) or item
        return Response(
            ItemDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request: Request) -> Response:
        data = dict(_parsed(ItemCreateSerializer, request))
        result = _run(
            lambda: services.item_create_and_send(by=_signed_in(request), **data)
        )
        if isinstance(result, Response):
            return result
        return self._detail(result, status.HTTP_201_CREATED)

    def _step(self, call: Callable[[SupervisionItem], SupervisionItem]) -> Response:
        result = _run(lambda: call(self.get_object()))
        if isinstance(result, Response):
            return result
        return self._detail(result)

    @extend_schema(
        summary="Issue a draft (交办): number it, compute its nodes, send it",
        request=None,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        by = _signed_in(request)
        return self._step(lambda item: services.item_issue(item=item, by=by))

    @extend_schema(
        summary="Send a draft to the assigning leader for review",
        request=None,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="submit-review")
    def submit_review(self, request: Request, pk: str | None = None) -> Response:
        by = _signed_in(request)
        return self._step(lambda item: services.item_submit_review(item=item, by=by))

    @extend_schema(
        summary="The assigning leader approves (issues) or sends back a draft",
        request=ReviewSerializer,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(ReviewSerializer, request), _signed_in(request)
        return self._step(lambda item: services.item_review(item=item, by=by, **data))

    @extend_schema(
        summary="A department signs for the item (签收) with its arrangement",
        request=SignSerializer,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(SignSerializer, request), _signed_in(request)
        return self._step(lambda item: services.item_sign(item=item, by=by, **data))

    @extend_schema(
        summary="The lead department reports its plan (计划反馈) with milestones",
        description="Multipart: milestones as milestones[0]due_on, "
        "milestones[0]label, …",
        request=_both(PlanSerializer),
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(PlanSerializer, request), _signed_in(request)
        milestones = [(row["due_on"], row["label"]) for row in data["milestones"]]
        return self._step(
            lambda item: services.item_plan(
                item=item,
                by=by,
                plan=data["plan"],
                milestones=milestones,
                files=data.get("files", []),
            )
        )

    @extend_schema(
        summary="Report progress (进度反馈), fulfilling a milestone or periodic report",
        request=_both(ReportCreateSerializer),
        responses={201: ReportSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data, by = _parsed(ReportCreateSerializer, request), _signed_in(request)
        node = None
        if data["node"] is not None:
            node = item.nodes.filter(pk=data["node"]).first()
            if node is None:
                raise serializers.ValidationError(
                    {"node": [_("Choose a milestone or periodic report of this item.")]}
                )
        result = _run(
            lambda: services.item_report(
                item=item,
                by=by,
                text=data["text"],
                node=node,
                files=data.get("files", []),
            )
        )
        if isinstance(result, Response):
            return result
        return Response(ReportSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The lead department applies for completion (申请办结)",
        request=_both(CompleteSerializer),
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(CompleteSerializer, request), _signed_in(request)
        return self._step(
            lambda item: services.item_request_completion(
                item=item, by=by, summary=data["summary"], files=data.get("files", [])
            )
        )

    @extend_schema(
        summary="The supervision officer closes the item (销号) with a grade",
        request=CloseSerializer,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(CloseSerializer, request), _signed_in(request)
        return self._step(lambda item: services.item_close(item=item, by=by, **data))

    @extend_schema(
        summary="The supervision officer returns a completion request",
        request=ReturnSerializer,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(ReturnSerializer, request), _signed_in(request)
        return self._step(lambda item: services.item_return(item=item, by=by, **data))

    @extend_schema(
        summary="Archive a closed item",
        request=None,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        by = _signed_in(request)
        return self._step(lambda item: services.item_archive(item=item, by=by))

    @extend_schema(
        summary="Urge the department by hand (催办)",
        request=UrgeSerializer,
        responses={200: ItemDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def urge(self, request: Request, pk: str | None = None) -> Response:
        data, by = _parsed(UrgeSerializer, request), _signed_in(request)

        def urge(item: SupervisionItem) -> SupervisionItem:
            services.item_urge(item=item, by=by, note=data["note"])
            return item

        return self._step(urge)

    @extend_schema(
        summary="The lead department asks for an extension (延期申请), on the engine",
        request=ExtendSerializer,
        responses={201: ExtensionSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data, by = _parsed(ExtendSerializer, request), _signed_in(request)
        result = _run(
            lambda: services.extension_request(
                item=item, by=by, new_due=data["new_due"], reason=data["reason"]
            )
        )
        if isinstance(result, Response):
            return result
        return Response(
            ExtensionSerializer(result).data, status=status.HTTP_201_CREATED
        )
