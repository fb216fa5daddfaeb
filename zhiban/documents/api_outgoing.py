"""The documents API for drafting, approval, printing, issue and 签收.

Actions on ``/api/documents/``, mixed into ``DocumentViewSet``: the same services as
the pages. A refusal by field is a 400, a permission refusal a 403, and a refusal
because the document has moved on (submitted, printed, signed for, recalled) a 409
with its code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import selectors
from zhiban.documents.models import (
    DistributionRecipient,
    Document,
    DocumentType,
    DraftTemplate,
    DraftVersion,
    Urgency,
)
from zhiban.documents.services import distribution, drafting
from zhiban.org.models import Department, Unit

# Refusals that mean "the document moved on": HTTP 409 with the code.
OUTGOING_CONFLICT_CODES = frozenset(
    {
        "draft_submitted",
        "draft_not_yours",
        "draft_unchanged",
        "number_not_signed",
        "print_state",
        "issue_state",
        "issue_duplicate",
        "receipt_done",
        "receipt_recalled",
        "receipt_state",
        "recall_done",
        "recall_handled",
        "classified_no_content",
        "not_distributed",
    }
)
OutgoingConflictSerializer = inline_serializer(
    name="OutgoingConflict",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)


def _run[T](call: Callable[[], T]) -> T | Response:
    try:
        return call()
    except PermissionDeniedError as error:
        raise PermissionDenied(error.messages[0]) from error
    except DomainError as error:
        code = getattr(error, "code", None)
        if code in OUTGOING_CONFLICT_CODES:
            return Response(
                {"detail": error.messages[0], "code": code},
                status=status.HTTP_409_CONFLICT,
            )
        raise


class DraftVersionSerializer(serializers.ModelSerializer):
    """One saved version of a draft."""

    author = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = DraftVersion
        fields = ("number", "title", "body", "source", "note", "author", "created_at")


class RecipientSerializer(serializers.ModelSerializer):
    """One recipient of an issued document, with its status and times."""

    name = serializers.SerializerMethodField()
    incoming = serializers.IntegerField(source="incoming_id", read_only=True)
    signed_by = serializers.CharField(
        source="signed_by.display_name", read_only=True, default=""
    )

    class Meta:
        model = DistributionRecipient
        fields = (
            "id",
            "name",
            "unit",
            "department",
            "incoming",
            "status",
            "sent_at",
            "signed_at",
            "signed_by",
            "read_at",
            "handled_at",
            "recalled_at",
            "recall_reason",
        )

    def get_name(self, obj: DistributionRecipient) -> str:
        return str(obj)


class DraftCreateSerializer(serializers.Serializer[Any]):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    main_recipients = serializers.CharField(
        required=False, allow_blank=True, default=""
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, allow_blank=True, default=""
    )
    template = serializers.PrimaryKeyRelatedField(
        queryset=DraftTemplate.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    docx = serializers.FileField(required=False)


class ReviseSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    docx = serializers.FileField(required=False)


class SubmitSerializer(serializers.Serializer[Any]):
    important = serializers.BooleanField(required=False, default=False)
    countersign_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False
    )


class PrintSerializer(serializers.Serializer[Any]):
    copies = serializers.IntegerField(min_value=1, max_value=10000)
    printed_on = serializers.DateField(required=False, allow_null=True)


class IssueSerializer(serializers.Serializer[Any]):
    units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), many=True, required=False
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False
    )


class RecallSerializer(serializers.Serializer[Any]):
    recipient = serializers.IntegerField()
    reason = serializers.CharField(max_length=500)


class CompleteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


ApprovalSerializer = inline_serializer(
    name="DocumentApprovalStarted",
    fields={
        "instance": serializers.IntegerField(),
        "serial": serializers.CharField(),
        "version": serializers.IntegerField(),
    },
)


class OutgoingActions:
    """The drafting and distribution actions of the documents viewset."""

    def get_object(self) -> Document:  # provided by DocumentViewSet
        raise NotImplementedError

    def _detail(self, document: Document, code: int = 200) -> Response:
        raise NotImplementedError

    @extend_schema(
        summary="Start a draft (拟稿): typed, from a template or from a .docx",
        request={
            "application/json": DraftCreateSerializer,
            "multipart/form-data": DraftCreateSerializer,
        },
        responses={201: None},
    )
    @action(detail=False, methods=["post"])
    def drafts(self, request: Request) -> Response:
        data = DraftCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("docx", None)
        result = _run(
            lambda: drafting.draft_create(
                by=request.user,  # type: ignore[arg-type]
                docx=upload,
                docx_name=upload.name if upload else "",
                **values,
            )
        )
        if isinstance(result, Response):
            return result
        return self._detail(result, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The versions of a draft, newest first",
        responses={200: DraftVersionSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Save the next version (the drafter, or whoever holds the turn)",
        request=ReviseSerializer,
        responses={201: DraftVersionSerializer, 409: OutgoingConflictSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        if request.method == "GET":
            return Response(
                DraftVersionSerializer(
                    selectors.draft_versions(document=document), many=True
                ).data
            )
        data = ReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("docx", None)
        result = _run(
            lambda: drafting.draft_revise(
                document=document,
                by=request.user,  # type: ignore[arg-type]
                docx=upload,
                docx_name=upload.name if upload else "",
                **values,
            )
        )
        if isinstance(result, Response):
            return result
        return Response(
            DraftVersionSerializer(result).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Submit the draft to the outgoing flow (送审)",
        request=SubmitSerializer,
        responses={201: ApprovalSerializer, 409: OutgoingConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = _run(
            lambda: drafting.draft_submit(
                document=document,
                by=request.user,  # type: ignore[arg-type]
                important=data.validated_data["important"],
                countersign_departments=data.validated_data.get(
                    "countersign_departments", []
                ),
            )
        )
        if isinstance(result, Response):
            return result
        return Response(
            {
                "instance": result.instance_id,
                "serial": result.instance.serial,
                "version": result.version.number,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Record the printing of a numbered document (印制)",
        request=PrintSerializer,
        responses={200: None, 409: OutgoingConflictSerializer},
    )
    @action(detail=True, methods=["post"], url_path="print")
    def print_copies(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = PrintSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = _run(
            lambda: distribution.outgoing_print(
                document=document,
                by=request.user,  # type: ignore[arg-type]
                copies=data.validated_data["copies"],
                printed_on=data.validated_data.get("printed_on"),
            )
        )
        if isinstance(result, Response):
            return result
        return self._detail(result)

    @extend_schema(
        methods=["GET"],
        summary="The recipients of the document, live (分发情况)",
        responses={200: RecipientSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Issue the printed document to units and departments (核发)",
        request=IssueSerializer,
        responses={
            201: RecipientSerializer(many=True),
            409: OutgoingConflictSerializer,
        },
    )
    @action(detail=True, methods=["get", "post"])
    def recipients(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        if request.method == "POST":
            data = IssueSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            result = _run(
                lambda: distribution.document_issue(
                    document=document,
                    by=request.user,  # type: ignore[arg-type]
                    units=data.validated_data.get("units", []),
                    departments=data.validated_data.get("departments", []),
                )
            )
            if isinstance(result, Response):
                return result
            return Response(
                RecipientSerializer(result.recipients.all(), many=True).data,
                status=status.HTTP_201_CREATED,
            )
        return Response(
            RecipientSerializer(
                selectors.document_recipients(document=document), many=True
            ).data
        )

    @extend_schema(
        summary="Recall the document from one recipient, with the reason (撤回)",
        request=RecallSerializer,
        responses={200: RecipientSerializer, 409: OutgoingConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def recall(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = RecallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recipient = document.recipients.filter(
            pk=data.validated_data["recipient"]
        ).first()
        if recipient is None:
            raise serializers.ValidationError(
                {"recipient": [_("The document was not issued to this recipient.")]}
            )
        result = _run(
            lambda: distribution.distribution_recall(
                recipient=recipient,
                by=request.user,  # type: ignore[arg-type]
                reason=data.validated_data["reason"],
            )
        )
        if isinstance(result, Response):
            return result
        return Response(RecipientSerializer(result).data)

    @extend_schema(
        summary="Sign for a distributed document (签收)",
        request=None,
        responses={200: RecipientSerializer, 409: OutgoingConflictSerializer},
    )
    @action(detail=True, methods=["post"], url_path="sign-for")
    def sign_for(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        result = _run(
            lambda: distribution.receipt_sign(
                document=document,
                by=request.user,  # type: ignore[arg-type]
            )
        )
        if isinstance(result, Response):
            return result
        return Response(RecipientSerializer(result).data)

    @extend_schema(
        summary="A department completes its distributed copy (办结)",
        request=CompleteSerializer,
        responses={200: None, 409: OutgoingConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = _run(
            lambda: distribution.receipt_complete(
                document=document,
                by=request.user,  # type: ignore[arg-type]
                note=data.validated_data["note"],
            )
        )
        if isinstance(result, Response):
            return result
        return self._detail(result)
