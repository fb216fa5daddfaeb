"""The meetings API: meetings, the notice and replies, minutes, sign-in, checklists.

The same selectors and services as the pages (``meeting_views.py``). A meeting the
user may not see is a 404; a refusal a 400 by field (the API's exception handler
turns a DomainError into it); a permission refusal a 403.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiban.core.errors import PermissionDeniedError
from zhiban.meetings import policies, selectors, services
from zhiban.meetings.models import (
    AgendaItem,
    Attendee,
    Booking,
    ChecklistTask,
    ContingencyPlan,
    Decision,
    Material,
    Meeting,
    MeetingType,
    Minutes,
)
from zhiban.org.models import Department, Role, User


def _user(request: Request) -> User:
    return cast(User, request.user)


def _call(call: Any) -> Any:
    try:
        return call()
    except PermissionDeniedError as error:
        raise PermissionDenied(error.messages[0]) from error


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    presenter_name = serializers.CharField(
        source="presenter.display_name", default="", read_only=True
    )

    class Meta:
        model = AgendaItem
        fields = ("id", "position", "title", "presenter", "presenter_name")


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    where = serializers.CharField(read_only=True)
    organiser_name = serializers.CharField(
        source="organiser.display_name", read_only=True
    )
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = (
            "id",
            "meeting_type",
            "title",
            "state",
            "organiser",
            "organiser_name",
            "chair",
            "starts_at",
            "ends_at",
            "booking",
            "place",
            "where",
            "notes",
            "agenda",
            "url",
        )

    def get_url(self, meeting: Meeting) -> str:
        return reverse("meetings:meeting", args=[meeting.pk])


class AgendaInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    presenter = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class MeetingCreateSerializer(serializers.Serializer[Any]):
    meeting_type = serializers.ChoiceField(choices=MeetingType.choices)
    title = serializers.CharField(max_length=200)
    booking = serializers.PrimaryKeyRelatedField(
        queryset=Booking.objects.all(), required=False, allow_null=True
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    people = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )
    agenda = AgendaInputSerializer(many=True, required=False)


class ReplySerializer(serializers.Serializer[Any]):
    reply = serializers.ChoiceField(choices=services.meetings.REPLY_CHOICES)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    substitute = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class AttendeeSerializer(serializers.ModelSerializer[Attendee]):
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Attendee
        fields = (
            "id",
            "user",
            "name",
            "reply",
            "reason",
            "replied_at",
            "substitute_for",
        )


class RepliesSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = AttendeeSerializer(many=True)


class LeaveSerializer(serializers.Serializer[Any]):
    attendee = serializers.IntegerField()
    grant = serializers.BooleanField()


class MoveSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DecisionInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    deadline = serializers.DateField(required=False, allow_null=True)


class MinutesInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    decisions = DecisionInputSerializer(many=True, required=False)


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    class Meta:
        model = Decision
        fields = ("id", "position", "text", "lead_department", "deadline")


class MinutesSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    decisions = DecisionSerializer(many=True)


class DecisionItemSerializer(serializers.Serializer[Any]):
    decision = serializers.IntegerField()
    leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True)
    )
    officer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True)
    )
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    deadline = serializers.DateField(required=False, allow_null=True)


class ItemMadeSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    url = serializers.CharField()


class DocumentMadeSerializer(serializers.Serializer[Any]):
    document = serializers.IntegerField()
    url = serializers.CharField()


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=300)


class SignInSerializer(serializers.Serializer[Any]):
    meeting = serializers.IntegerField()
    signed_at = serializers.DateTimeField()
    method = serializers.CharField()
    created = serializers.BooleanField()


class AttendanceSerializer(serializers.Serializer[Any]):
    expected = serializers.IntegerField()
    signed = serializers.IntegerField()
    rate = serializers.IntegerField()


class TaskSerializer(serializers.ModelSerializer[ChecklistTask]):
    class Meta:
        model = ChecklistTask
        fields = ("id", "title", "assignee", "due_at", "done_at", "done_by")


class TaskDoneSerializer(serializers.Serializer[Any]):
    task = serializers.IntegerField()


class MaterialSerializer(serializers.ModelSerializer[Material]):
    class Meta:
        model = Material
        fields = (
            "id",
            "agenda_item",
            "name",
            "version",
            "size",
            "content_type",
            "uploaded_at",
        )


class MaterialUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    agenda_item = serializers.IntegerField(required=False, allow_null=True)


class ContingencyInputSerializer(serializers.Serializer[Any]):
    plan = serializers.PrimaryKeyRelatedField(
        queryset=ContingencyPlan.objects.filter(is_active=True)
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True)
    )


class ContingencySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    owner = serializers.IntegerField(source="owner_id")


class CalendarAddressInputSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["renew", "revoke"])


class CalendarAddressSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="Meetings the user organises, chairs or attends"),
    retrieve=extend_schema(summary="One meeting with its agenda"),
)
class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Meeting],
):
    """Meetings: draft, publish the notice, reply, minutes, sign-in, checklist."""

    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()  # for the schema; get_queryset filters
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list_for(user=_user(self.request)).prefetch_related(
            "agenda_items__presenter"
        )

    def get_object(self) -> Meeting:
        pk = str(self.kwargs.get("pk", ""))
        meeting = (
            selectors.meeting_get_for(user=_user(self.request), pk=int(pk))
            if pk.isdigit() and len(pk) < 10
            else None
        )
        if meeting is None:
            raise Http404
        return meeting

    def _manager(self, meeting: Meeting) -> None:
        if not policies.can_manage_meeting(_user(self.request), meeting):
            raise PermissionDenied

    @extend_schema(
        summary="Draft a meeting (in a booked room or at a place)",
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer},
    )
    def create(self, request: Request) -> Response:
        incoming = MeetingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        meeting = services.meeting_create(
            by=_user(request),
            title=data["title"],
            meeting_type=data["meeting_type"],
            booking=data.get("booking"),
            place=data.get("place", ""),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            chair=data.get("chair"),
            notes=data.get("notes", ""),
            people=data.get("people", []),
            departments=data.get("departments", []),
            roles=data.get("roles", []),
            agenda=[(a["title"], a.get("presenter")) for a in data.get("agenda", [])],
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish the notice", request=None, responses={200: MeetingSerializer}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        result = _call(
            lambda: services.meeting_publish(meeting=meeting, by=_user(request))
        )
        return Response(MeetingSerializer(result).data)

    @extend_schema(
        summary="Reply: attend, leave (a reason), or a substitute",
        request=ReplySerializer,
        responses={200: AttendeeSerializer},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = ReplySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        row = _call(
            lambda: services.attendee_reply(
                meeting=meeting,
                by=_user(request),
                reply=data["reply"],
                reason=data.get("reason", ""),
                substitute=data.get("substitute"),
            )
        )
        return Response(AttendeeSerializer(row).data)

    @extend_schema(
        summary="The replies (organiser, chair, office)",
        responses={200: RepliesSerializer},
    )
    @action(detail=True, methods=["get"])
    def replies(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        user = _user(request)
        if not (
            policies.can_manage_meeting(user, meeting) or user.pk == meeting.chair_id
        ):
            raise PermissionDenied
        replies = selectors.meeting_replies(meeting=meeting)
        return Response(
            RepliesSerializer(
                {"total": replies.total, "counts": replies.counts, "rows": replies.rows}
            ).data
        )

    @extend_schema(
        summary="Grant or refuse a request for leave",
        request=LeaveSerializer,
        responses={200: AttendeeSerializer},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = LeaveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        row = Attendee.objects.filter(
            meeting=meeting, pk=incoming.validated_data["attendee"]
        ).first()
        if row is None:
            raise serializers.ValidationError({"attendee": [_("Choose an attendee.")]})
        result = _call(
            lambda: services.leave_decide(
                attendee=row,
                by=_user(request),
                grant=incoming.validated_data["grant"],
            )
        )
        return Response(AttendeeSerializer(result).data)

    @extend_schema(
        summary="Move the meeting (its booking too); everyone affected is told",
        request=MoveSerializer,
        responses={200: MeetingSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = MoveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = _call(
            lambda: services.meeting_change(
                meeting=meeting,
                by=_user(request),
                starts_at=incoming.validated_data["starts_at"],
                ends_at=incoming.validated_data["ends_at"],
            )
        )
        return Response(MeetingSerializer(result).data)

    @extend_schema(
        summary="Cancel the meeting; the room is released, everyone told",
        request=ReasonSerializer,
        responses={200: MeetingSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = _call(
            lambda: services.meeting_cancel(
                meeting=meeting,
                by=_user(request),
                reason=incoming.validated_data.get("reason", ""),
            )
        )
        return Response(MeetingSerializer(result).data)

    @extend_schema(
        summary="Write the minutes (纪要) and add decisions",
        request=MinutesInputSerializer,
        responses={200: MinutesSerializer},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = MinutesInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        minutes = _call(
            lambda: services.minutes_save(
                meeting=meeting,
                by=_user(request),
                text=data["text"],
                decisions=[
                    services.DecisionData(
                        text=d["text"],
                        lead_department=d.get("lead_department"),
                        deadline=d.get("deadline"),
                    )
                    for d in data.get("decisions", [])
                ],
            )
        )
        return Response(
            MinutesSerializer(
                {"text": minutes.text, "decisions": list(minutes.decisions.all())}
            ).data
        )

    @extend_schema(
        summary="Draft the minutes as a 纪要 in the documents module (once)",
        request=None,
        responses={201: DocumentMadeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="minutes-document")
    def minutes_document(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        minutes = Minutes.objects.filter(meeting=meeting).first()
        if minutes is None:
            raise serializers.ValidationError(
                {"minutes": [_("Write the minutes first.")]}
            )
        document = _call(
            lambda: services.minutes_to_document(minutes=minutes, by=_user(request))
        )
        return Response(
            {
                "document": document.pk,
                "url": reverse("documents:detail", args=[document.pk]),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Turn a decision into a supervision item (a draft)",
        request=DecisionItemSerializer,
        responses={201: ItemMadeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="decision-item")
    def decision_item(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = DecisionItemSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        decision = Decision.objects.filter(
            minutes__meeting=meeting, pk=data["decision"]
        ).first()
        if decision is None:
            raise serializers.ValidationError({"decision": [_("Choose a decision.")]})
        item = _call(
            lambda: services.decision_to_item(
                decision=decision,
                by=_user(request),
                leader=data["leader"],
                officer=data["officer"],
                lead_department=data.get("lead_department"),
                deadline=data.get("deadline"),
            )
        )
        return Response(
            {"item": item.pk, "url": reverse("supervision:detail", args=[item.pk])},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Sign in by the token of the meeting's code",
        request=TokenSerializer,
        responses={200: SignInSerializer},
    )
    @action(detail=False, methods=["post"], url_path="sign-in")
    def sign_in(self, request: Request) -> Response:
        incoming = TokenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        row, created = services.sign_in_by_token(
            token=incoming.validated_data["token"], by=_user(request)
        )
        return Response(
            {
                "meeting": row.meeting_id,
                "signed_at": row.signed_at,
                "method": row.method,
                "created": created,
            }
        )

    @extend_schema(
        summary="Attendance: expected, signed in, rate",
        responses={200: AttendanceSerializer},
    )
    @action(detail=True, methods=["get"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        self._manager(meeting)
        record = services.meeting_attendance(meeting=meeting)
        return Response(
            {"expected": record.expected, "signed": record.signed, "rate": record.rate}
        )

    @extend_schema(
        summary="Make the service checklist from the type's template",
        request=None,
        responses={201: TaskSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def checklist(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        tasks = _call(
            lambda: services.checklist_apply(meeting=meeting, by=_user(request))
        )
        return Response(
            TaskSerializer(tasks, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Tick a service task off",
        request=TaskDoneSerializer,
        responses={200: TaskSerializer},
    )
    @action(detail=True, methods=["post"], url_path="task-done")
    def task_done(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = TaskDoneSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        task = ChecklistTask.objects.filter(
            meeting=meeting, pk=incoming.validated_data["task"]
        ).first()
        if task is None:
            raise serializers.ValidationError({"task": [_("Choose a task.")]})
        result = _call(lambda: services.checklist_tick(task=task, by=_user(request)))
        return Response(TaskSerializer(result).data)

    @extend_schema(
        methods=["GET"],
        summary="The meeting's materials (attendees, substitutes, organiser)",
        responses={200: MaterialSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a material (PDF or image) or its next version",
        request={"multipart/form-data": MaterialUploadSerializer},
        responses={201: MaterialSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def materials(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        user = _user(request)
        if request.method == "GET":
            if not services.may_view_materials(user, meeting):
                raise PermissionDenied
            rows = Material.objects.filter(meeting=meeting).order_by("name", "-version")
            return Response(MaterialSerializer(rows, many=True).data)
        incoming = MaterialUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        item_id = incoming.validated_data.get("agenda_item")
        item = (
            AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
            if item_id
            else None
        )
        material = _call(
            lambda: services.material_upload(
                meeting=meeting,
                by=user,
                stream=upload,
                name=upload.name or "",
                agenda_item=item,
            )
        )
        return Response(
            MaterialSerializer(material).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="A material, watermarked with the viewer's name and the time",
        parameters=[OpenApiParameter("material", OpenApiTypes.INT, required=True)],
        responses={200: OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path="material-file")
    def material_file(self, request: Request, pk: str | None = None) -> HttpResponse:
        meeting = self.get_object()
        wanted = str(request.query_params.get("material") or "")
        material = (
            Material.objects.filter(meeting=meeting, pk=int(wanted)).first()
            if wanted.isdigit() and len(wanted) < 10
            else None
        )
        if material is None:
            raise Http404
        data, content_type = _call(
            lambda: services.material_view(material=material, by=_user(request))
        )
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        summary="Attach a contingency plan with its owner",
        request=ContingencyInputSerializer,
        responses={201: ContingencySerializer},
    )
    @action(detail=True, methods=["post"])
    def contingencies(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        incoming = ContingencyInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        row = _call(
            lambda: services.contingency_attach(
                meeting=meeting,
                by=_user(request),
                plan=incoming.validated_data["plan"],
                owner=incoming.validated_data["owner"],
            )
        )
        return Response(ContingencySerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Make a new secret calendar (ICS) address, or stop it",
        request=CalendarAddressInputSerializer,
        responses={200: CalendarAddressSerializer},
    )
    @action(detail=False, methods=["post"], url_path="calendar-address")
    def calendar_address(self, request: Request) -> Response:
        incoming = CalendarAddressInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = _user(request)
        if incoming.validated_data["action"] == "revoke":
            services.calendar_feed_revoke(user=user)
            return Response({"url": ""})
        feed = services.calendar_feed_renew(user=user)
        return Response(
            {
                "url": request.build_absolute_uri(
                    reverse("meetings:calendar_feed", args=[feed.secret])
                )
            }
        )


def register(router: BaseRouter) -> None:
    """Add the meetings' endpoints to the API router."""
    router.register("meetings", MeetingViewSet, basename="meeting")
