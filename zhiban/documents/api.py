"""The documents API: the registers, one entry, numbering, files and number series.

Drafting, approval, printing, issue and 签收 are in ``api_outgoing``.

The same selectors and services as the pages: a register entry the user may not see
is a 404, a refusal is a 400 by field, and a refusal because the document has moved
on (numbered already, classified) is a 409 with its code.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import policies, selectors, services
from zhiban.documents.api_outgoing import OutgoingActions
from zhiban.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentNumber,
    DocumentType,
    NumberSeries,
    Urgency,
)
from zhiban.org.models import Department, Unit, User

# Refusals that mean "the document moved on or cannot take this": HTTP 409.
CONFLICT_CODES = frozenset(
    {
        "already_numbered",
        "already_voided",
        "classified_no_content",
        "number_incoming",
        "number_issued",
        "not_numbered",
    }
)

ConflictSerializer = inline_serializer(
    name="DocumentConflict",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)


def _signed_in(request: Request) -> User:
    # DRF's default permission (IsAuthenticated) has let only signed-in users here.
    return cast(User, request.user)


def _refusal(error: DomainError) -> Response | None:
    code = getattr(error, "code", None)
    if code in CONFLICT_CODES:
        return Response(
            {"detail": error.messages[0], "code": code},
            status=status.HTTP_409_CONFLICT,
        )
    return None


# --- serializers ------------------------------------------------------------------


class DocumentNumberSerializer(serializers.ModelSerializer):
    """A number a document was given (the live one, or a voided one)."""

    class Meta:
        model = DocumentNumber
        fields = (
            "id",
            "text",
            "series",
            "year",
            "sequence",
            "status",
            "allocated_at",
            "void_reason",
            "voided_at",
        )
        read_only_fields = fields


class DocumentFileSerializer(serializers.ModelSerializer):
    """A file of a document; its type and hash come from its bytes."""

    class Meta:
        model = DocumentFile
        fields = ("id", "role", "original_name", "size", "sha256", "content_type")
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    """A register entry as the registers list it."""

    secrecy_marking = serializers.CharField(read_only=True)
    register_number = serializers.CharField(read_only=True)
    department_name = serializers.CharField(
        source="department.name", read_only=True, default=""
    )

    class Meta:
        model = Document
        fields: tuple[str, ...] = (
            "id",
            "direction",
            "document_type",
            "state",
            "title",
            "document_number",
            "register_number",
            "sender",
            "received_on",
            "deadline",
            "urgency",
            "secrecy_level",
            "secrecy_marking",
            "unit",
            "department",
            "department_name",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class DocumentDetailSerializer(DocumentSerializer):
    """One register entry with all its elements, numbers and files."""

    numbers = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        # Every element a register entry is written with (one list: the services'),
        # then what the entry was given.
        fields = (
            *DocumentSerializer.Meta.fields,
            *(
                name
                for name in services.DOCUMENT_FIELDS
                if name not in DocumentSerializer.Meta.fields
            ),
            "numbers",
            "files",
        )
        read_only_fields = fields

    def get_numbers(self, obj: Document) -> list[dict[str, Any]]:
        return list(
            DocumentNumberSerializer(
                selectors.document_numbers(document=obj), many=True
            ).data
        )

    def get_files(self, obj: Document) -> list[dict[str, Any]]:
        return list(
            DocumentFileSerializer(
                selectors.document_files(document=obj), many=True
            ).data
        )


class DocumentWriteSerializer(serializers.Serializer[Any]):
    """The elements a register entry is created or changed with."""

    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), required=False
    )
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    copy_number = serializers.CharField(max_length=6, required=False, allow_blank=True)
    secrecy_level = serializers.CharField(
        max_length=10, required=False, allow_blank=True
    )
    secrecy_term_years = serializers.IntegerField(
        min_value=1, required=False, allow_null=True
    )
    secrecy_term_months = serializers.IntegerField(
        min_value=1, max_value=11, required=False, allow_null=True
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, allow_blank=True
    )
    issuer_mark = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    document_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True
    )
    signers = serializers.CharField(max_length=100, required=False, allow_blank=True)
    main_recipients = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    attachment_names = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        max_length=50,
    )
    issuer_signature = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    written_on = serializers.DateField(required=False, allow_null=True)
    needs_seal = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    cc_recipients = serializers.CharField(required=False, allow_blank=True)
    printed_by = serializers.CharField(max_length=100, required=False, allow_blank=True)
    printed_on = serializers.DateField(required=False, allow_null=True)
    page_count = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    sender = serializers.CharField(max_length=100, required=False, allow_blank=True)
    received_on = serializers.DateField(required=False, allow_null=True)
    copies = serializers.IntegerField(min_value=1, max_value=9999, required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    paper_holder = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    paper_location = serializers.CharField(
        max_length=200, required=False, allow_blank=True
    )


class NumberRequestSerializer(serializers.Serializer[Any]):
    """Which series to number from, and the year (this year by default)."""

    series = serializers.IntegerField()
    year = serializers.IntegerField(min_value=1900, max_value=2099, required=False)


class VoidRequestSerializer(serializers.Serializer[Any]):
    """Why the live number is voided."""

    reason = serializers.CharField(max_length=200)


class FileUploadSerializer(serializers.Serializer[Any]):
    """A file to attach and what it is."""

    role = serializers.ChoiceField(choices=DocumentFile.Role.choices)
    file = serializers.FileField()


class NumberSeriesSerializer(serializers.ModelSerializer):
    """A number series (机关代字) of a unit."""

    class Meta:
        model = NumberSeries
        fields = ("id", "unit", "code", "name", "document_types", "is_active")
        read_only_fields = ("id",)


# --- viewsets ---------------------------------------------------------------------


def _filters(query: Any) -> selectors.RegisterFilters:
    def pick(name: str, allowed: list[str]) -> str:
        value = query.get(name, "")
        return value if value in allowed else ""

    year = query.get("year", "")
    return selectors.RegisterFilters(
        direction=pick("direction", Direction.values),
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        document_type=pick("type", DocumentType.values),
        urgency=pick("urgency", [u for u in Urgency.values if u]),
        state=pick("state", Document.State.values),
        text=query.get("q", "")[:100],
    )


@extend_schema_view(
    list=extend_schema(
        summary="The register entries I may see",
        description="Newest first; the same rules and filters as the register pages. "
        "With q, entries whose title, number or sender hold every word come first. "
        "Classified entries appear only for the confidential clerk.",
        parameters=[
            OpenApiParameter("direction", str, enum=Direction.values),
            OpenApiParameter("year", int),
            OpenApiParameter("type", str, enum=DocumentType.values),
            OpenApiParameter("urgency", str, enum=[u for u in Urgency.values if u]),
            OpenApiParameter("state", str, enum=Document.State.values),
            OpenApiParameter(
                "q",
                str,
                description="Words (Chinese or not) in the title, number, sender, "
                "main recipients or body; every word must occur.",
            ),
        ],
    ),
    retrieve=extend_schema(summary="One register entry with its elements"),
    create=extend_schema(
        summary="Register a document",
        request=DocumentWriteSerializer,
        responses={201: DocumentDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a register entry",
        request=DocumentWriteSerializer,
        responses={200: DocumentDetailSerializer},
    ),
)
class DocumentViewSet(
    OutgoingActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Document],
):
    """Official documents (公文) in the registers."""

    serializer_class = DocumentSerializer
    queryset = Document.objects.none()
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    def get_queryset(self) -> QuerySet[Document]:
        return selectors.document_list_for(
            user=self.request.user, filters=_filters(self.request.query_params)
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return DocumentSerializer
        return DocumentDetailSerializer

    def get_object(self) -> Document:
        return selectors.document_get_for(
            user=self.request.user, pk=int(self.kwargs["pk"])
        )

    def _detail(self, document: Document, code: int = 200) -> Response:
        fresh = selectors.document_get_for(user=self.request.user, pk=document.pk)
        return Response(DocumentDetailSerializer(fresh).data, status=code)

    def create(self, request: Request) -> Response:
        data = DocumentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        direction = fields.pop("direction", None)
        unit = fields.pop("unit", None)
        if direction is None:
            raise serializers.ValidationError(
                {
                    "direction": [
                        _("Say whether the document is incoming, outgoing or internal.")
                    ]
                }
            )
        if unit is None:
            raise serializers.ValidationError(
                {"unit": [_("Say which unit's register it goes in.")]}
            )
        try:
            document = services.document_register(
                by=_signed_in(request), direction=direction, unit=unit, **fields
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.messages[0]) from error
        return self._detail(document, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = DocumentWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if changes.pop("direction", None) not in (None, document.direction):
            raise serializers.ValidationError(
                {"direction": [_("A register entry keeps its direction.")]}
            )
        changes.pop("unit", None)
        try:
            services.document_update(
                document=document, by=_signed_in(request), **changes
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.messages[0]) from error
        return self._detail(document)

    @extend_schema(
        summary="Allocate the next number of a series (登记/编号)",
        request=NumberRequestSerializer,
        responses={201: DocumentNumberSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def number(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = NumberRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        series = (
            selectors.series_list_for(user=request.user)
            .filter(pk=data.validated_data["series"])
            .first()
        )
        if series is None:
            raise serializers.ValidationError({"series": [_("No such number series.")]})
        try:
            number = services.number_allocate(
                document=document,
                series=series,
                by=_signed_in(request),
                year=data.validated_data.get("year"),
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.messages[0]) from error
        except DomainError as error:
            conflict = _refusal(error)
            if conflict is None:
                raise
            return conflict
        return Response(
            DocumentNumberSerializer(number).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Void the live number; it is never given out again",
        request=VoidRequestSerializer,
        responses={200: DocumentNumberSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"], url_path="void-number")
    def void_number(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = VoidRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        live = document.numbers.filter(status=DocumentNumber.Status.ALLOCATED).first()
        if live is None:
            return Response(
                {
                    "detail": _("The document has no number to void."),
                    "code": "not_numbered",
                },
                status=status.HTTP_409_CONFLICT,
            )
        try:
            number = services.number_void(
                number=live,
                by=_signed_in(request),
                reason=data.validated_data["reason"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.messages[0]) from error
        except DomainError as error:
            conflict = _refusal(error)
            if conflict is None:
                raise
            return conflict
        return Response(DocumentNumberSerializer(number).data)

    @extend_schema(
        summary="Attach a file (refused for a classified document)",
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: DocumentFileSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def files(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        if document.is_classified:
            return Response(
                {
                    "detail": services.classified_refusal(document),
                    "code": "classified_no_content",
                },
                status=status.HTTP_409_CONFLICT,
            )
        data = FileUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            attached = services.document_file_add(
                document=document,
                by=_signed_in(request),
                role=data.validated_data["role"],
                stream=upload,
                name=upload.name or "",
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.messages[0]) from error
        except DomainError as error:
            conflict = _refusal(error)
            if conflict is None:
                raise
            return conflict
        return Response(
            DocumentFileSerializer(attached).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(summary="Number series (office director, administrators)"),
    retrieve=extend_schema(summary="One number series"),
    create=extend_schema(summary="Add a number series"),
    partial_update=extend_schema(summary="Change a number series"),
)
class NumberSeriesViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[NumberSeries],
):
    """Number series (机关代字): for the office director and administrators."""

    serializer_class = NumberSeriesSerializer
    queryset = NumberSeries.objects.none()
    http_method_names = ("get", "post", "patch", "head", "options")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not policies.can_manage_series(request.user):
            raise PermissionDenied

    def get_queryset(self) -> QuerySet[NumberSeries]:
        return selectors.series_list_for(user=self.request.user)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.series_create(
            by=_signed_in(self.request),
            unit=data["unit"],
            code=data["code"],
            name=data["name"],
            document_types=data.get("document_types", []),
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("unit", None)
        serializer.instance = services.series_update(
            series=serializer.instance, by=_signed_in(self.request), **data
        )


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("documents", DocumentViewSet, basename="document")
    router.register("document-series", NumberSeriesViewSet, basename="document-series")
