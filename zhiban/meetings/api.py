"""The meeting rooms API: rooms, availability, bookings, series.

The same selectors and services as the pages. A booking the user may not see is a
404; a refusal is a 400 by field, an overlap a 400 with ``code`` "overlap" and the
conflicting times; a permission refusal a 403.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from zhiban.core.errors import PermissionDeniedError
from zhiban.meetings import policies, selectors, services
from zhiban.meetings.models import Booking, BookingSeries, Room
from zhiban.org.models import User
from zhiban.org.workdays import WorkingCalendar

MAX_DAYS = selectors.MAX_API_DAYS


def _user(request: Request) -> User:
    # DRF's default permission (IsAuthenticated) has let only signed-in users here.
    return cast(User, request.user)


class RoomSerializer(serializers.ModelSerializer[Room]):
    equipment = serializers.ListField(
        child=serializers.CharField(),
        source="equipment_codes",
        read_only=True,
        help_text="Equipment codes",
    )
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = (
            "id",
            "unit",
            "building",
            "floor",
            "name",
            "capacity",
            "equipment",
            "opens_at",
            "closes_at",
            "open_days",
            "needs_approval",
            "manager",
            "notes",
            "is_active",
            "photo_url",
        )
        read_only_fields = fields

    def get_photo_url(self, room: Room) -> str | None:
        from django.urls import reverse

        return reverse("meetings:room_photo", args=[room.pk]) if room.photo else None


class BookingSerializer(serializers.ModelSerializer[Booking]):
    organiser_name = serializers.CharField(source="organiser.display_name")

    class Meta:
        model = Booking
        fields = (
            "id",
            "room",
            "title",
            "organiser",
            "organiser_name",
            "department",
            "attendees",
            "starts_at",
            "ends_at",
            "state",
            "series",
            "instance",
            "cancelled_at",
            "cancel_reason",
        )
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer[Any]):
    room = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    attendees = serializers.IntegerField(min_value=1, max_value=10000)


class SeriesCreateSerializer(BookingCreateSerializer):
    frequency = serializers.ChoiceField(choices=BookingSeries.Frequency.choices)
    until = serializers.DateField(required=False, allow_null=True, default=None)
    count = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=2, max_value=100
    )


class BookingChangeSerializer(serializers.Serializer[Any]):
    room = serializers.IntegerField(min_value=1, required=False)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    attendees = serializers.IntegerField(min_value=1, max_value=10000, required=False)


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SeriesSerializer(serializers.ModelSerializer[BookingSeries]):
    bookings = BookingSerializer(many=True, read_only=True)

    class Meta:
        model = BookingSeries
        fields = (
            "id",
            "title",
            "organiser",
            "frequency",
            "first_starts_at",
            "until",
            "count",
            "bookings",
        )
        read_only_fields = fields


ConflictSerializer = inline_serializer(
    name="MeetingBookingConflict",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "conflicts": inline_serializer(
            name="MeetingBookingConflictTime",
            fields={
                "starts_at": serializers.DateTimeField(),
                "ends_at": serializers.DateTimeField(),
            },
            many=True,
        ),
    },
)
REFUSED = OpenApiResponse(
    ConflictSerializer,
    description="Refused: by field (`{field: [messages]}`), or an overlap "
    '(`code` "overlap" with the times that clash).',
)


class MeetingAvailabilityBookingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=Booking.State.choices)
    title = serializers.CharField(
        allow_null=True, help_text="null when the user may not read it"
    )
    department = serializers.CharField()
    mine = serializers.BooleanField()


class MeetingAvailabilityRoomSerializer(serializers.Serializer[Any]):
    room = RoomSerializer()
    open_on = serializers.ListField(child=serializers.DateField())
    bookings = MeetingAvailabilityBookingSerializer(many=True)


class MeetingAvailabilitySerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    days = serializers.IntegerField()
    rooms = MeetingAvailabilityRoomSerializer(many=True)


def _run[T](call: Any) -> T | Response:
    """Call a service: an overlap is a 400 naming the times, no permission a 403."""
    try:
        return cast(T, call())
    except services.BookingConflictError as error:
        return Response(
            {
                "detail": error.messages[0],
                "code": "overlap",
                "conflicts": [
                    {
                        "starts_at": slot.starts_at.isoformat(),
                        "ends_at": slot.ends_at.isoformat(),
                    }
                    for slot in error.conflicts
                ],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(error.messages[0]) from error


def _room(user: User, pk: int) -> Room:
    room = selectors.room_get_for(user=user, pk=pk)
    if room is None:
        raise serializers.ValidationError({"room": [_("Choose a room.")]})
    return room


ROOM_FILTERS = [
    OpenApiParameter("capacity", OpenApiTypes.INT, description="Seats at least"),
    OpenApiParameter(
        "equipment", OpenApiTypes.STR, many=True, description="Equipment codes, all"
    ),
    OpenApiParameter("building", OpenApiTypes.STR),
]


@extend_schema_view(
    list=extend_schema(summary="Meeting rooms in use", parameters=ROOM_FILTERS),
    retrieve=extend_schema(summary="One meeting room"),
)
class RoomViewSet(viewsets.ReadOnlyModelViewSet[Room]):
    """Meeting rooms, filtered by seats, equipment and building."""

    serializer_class = RoomSerializer
    queryset = Room.objects.none()  # for the schema; get_queryset filters

    def get_queryset(self) -> QuerySet[Room]:
        user = _user(self.request)
        if self.action == "retrieve":
            return selectors.room_list_for(user=user, include_inactive=True)
        return selectors.room_list_for(
            user=user,
            filters=selectors.RoomFilters.from_query(self.request.query_params),
        )


class AvailabilityViewSet(viewsets.ViewSet):
    """The availability of rooms over days: what the board shows."""

    @extend_schema(
        summary="Rooms and their bookings over a range of days",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Default today"),
            OpenApiParameter(
                "days", OpenApiTypes.INT, description=f"1 to {MAX_DAYS}, default 7"
            ),
            *ROOM_FILTERS,
        ],
        responses={200: MeetingAvailabilitySerializer},
    )
    def list(self, request: Request) -> Response:
        from django.utils.dateparse import parse_date

        user = _user(request)
        params = request.query_params
        errors: dict[str, list[str]] = {}
        raw_start = str(params.get("start") or "").strip()
        start: datetime.date | None = timezone.localdate()
        if raw_start:
            try:
                start = parse_date(raw_start)
            except ValueError:
                start = None
            if start is None:
                errors["start"] = [_("Give a date as YYYY-MM-DD.")]
        raw_days = str(params.get("days") or "7")
        days = int(raw_days) if raw_days.isdigit() else 0
        if not 1 <= days <= MAX_DAYS:
            errors["days"] = [f"Give 1 to {MAX_DAYS} days."]
        if errors or start is None:
            raise serializers.ValidationError(errors)
        rooms = list(
            selectors.room_list_for(
                user=user, filters=selectors.RoomFilters.from_query(params)
            )
        )
        tz = timezone.get_current_timezone()
        begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        end = begin + datetime.timedelta(days=days)
        office = policies.is_office(user)
        by_room: dict[int, list[dict[str, Any]]] = {room.pk: [] for room in rooms}
        rooms_by_id = {room.pk: room for room in rooms}
        if rooms:
            for booking in selectors.bookings_in_range(
                room_ids=list(by_room), start=begin, end=end
            ):
                booking.room = rooms_by_id[booking.room_id]
                visible = policies.sees_title(user, booking, office=office)
                by_room[booking.room_id].append(
                    {
                        "id": booking.pk,
                        "starts_at": booking.starts_at,
                        "ends_at": booking.ends_at,
                        "state": booking.state,
                        "title": booking.title if visible else None,
                        "department": booking.department.name
                        if booking.department
                        else "",
                        "mine": booking.organiser_id == user.pk,
                    }
                )
        calendar = WorkingCalendar()
        calendar.load(start, start + datetime.timedelta(days=days - 1))
        all_days = [start + datetime.timedelta(days=n) for n in range(days)]
        payload = {
            "start": start,
            "days": days,
            "rooms": [
                {
                    "room": room,
                    "open_on": [
                        day
                        for day in all_days
                        if services.room_is_open_on(room, day, calendar)
                    ],
                    "bookings": by_room[room.pk],
                }
                for room in rooms
            ],
        }
        return Response(MeetingAvailabilitySerializer(payload).data)


@extend_schema_view(
    list=extend_schema(
        summary="Bookings the user may see (own, own rooms'; the office: all)",
        parameters=[
            OpenApiParameter("scope", OpenApiTypes.STR, enum=["mine", "all"]),
            OpenApiParameter("when", OpenApiTypes.STR, enum=["upcoming", "past"]),
            OpenApiParameter("state", OpenApiTypes.STR, enum=Booking.State.values),
            OpenApiParameter("room", OpenApiTypes.INT),
        ],
    ),
    retrieve=extend_schema(summary="One booking"),
)
class BookingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Booking],
):
    """Room bookings: book, move, cancel."""

    serializer_class = BookingSerializer
    queryset = Booking.objects.none()  # for the schema; get_queryset filters

    def get_queryset(self) -> QuerySet[Booking]:
        return selectors.booking_list_for(
            user=_user(self.request),
            filters=selectors.BookingFilters.from_query(self.request.query_params),
        )

    def get_object(self) -> Booking:
        from django.http import Http404

        booking = selectors.booking_get_for(
            user=_user(self.request), pk=int(self.kwargs["pk"])
        )
        if booking is None:
            raise Http404
        return booking

    @extend_schema(
        summary="Book a room",
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, 400: REFUSED},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        incoming = BookingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        room = _room(user, data["room"])
        result = _run(
            lambda: services.booking_create(
                room=room,
                by=user,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                attendees=data["attendees"],
            )
        )
        if isinstance(result, Response):
            return result
        return Response(BookingSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a booking (one occurrence of a series) to another time or room",
        request=BookingChangeSerializer,
        responses={200: BookingSerializer, 400: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def change(self, request: Request, pk: str | None = None) -> Response:
        user = _user(request)
        booking = self.get_object()
        incoming = BookingChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        room = _room(user, data["room"]) if data.get("room") else None
        result = _run(
            lambda: services.booking_change(
                booking=booking,
                by=user,
                room=room,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                attendees=data.get("attendees"),
            )
        )
        if isinstance(result, Response):
            return result
        return Response(BookingSerializer(result).data)

    @extend_schema(
        summary="Cancel a booking; the room is free again",
        request=CancelSerializer,
        responses={200: BookingSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        booking = self.get_object()
        incoming = CancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = _run(
            lambda: services.booking_cancel(
                booking=booking,
                by=_user(request),
                reason=incoming.validated_data.get("reason", ""),
            )
        )
        if isinstance(result, Response):
            return result
        return Response(BookingSerializer(result).data)


class SeriesViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[BookingSeries]):
    """Recurring bookings (weekly meetings): all occurrences or none."""

    serializer_class = SeriesSerializer
    queryset = BookingSeries.objects.none()

    def get_object(self) -> BookingSeries:
        from django.http import Http404

        series = selectors.series_get_for(
            user=_user(self.request), pk=int(self.kwargs["pk"])
        )
        if series is None:
            raise Http404
        return series

    @extend_schema(summary="One series with its occurrences")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(SeriesSerializer(self.get_object()).data)

    @extend_schema(
        summary="Book a recurring meeting (every occurrence or none)",
        request=SeriesCreateSerializer,
        responses={201: SeriesSerializer, 400: REFUSED},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        incoming = SeriesCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        room = _room(user, data["room"])
        result = _run(
            lambda: services.series_create(
                room=room,
                by=user,
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                attendees=data["attendees"],
                frequency=data["frequency"],
                until=data.get("until"),
                count=data.get("count"),
            )
        )
        if isinstance(result, Response):
            return result
        return Response(SeriesSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel every occurrence still to come",
        request=CancelSerializer,
        responses={
            200: inline_serializer(
                name="MeetingSeriesCancelled",
                fields={"cancelled": serializers.IntegerField()},
            )
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        series = self.get_object()
        incoming = CancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = _run(
            lambda: services.series_cancel(
                series=series,
                by=_user(request),
                reason=incoming.validated_data.get("reason", ""),
            )
        )
        if isinstance(result, Response):
            return result
        return Response({"cancelled": result})


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("meeting-rooms", RoomViewSet, basename="meeting-room")
    router.register(
        "meeting-availability", AvailabilityViewSet, basename="meeting-availability"
    )
    router.register("meeting-bookings", BookingViewSet, basename="meeting-booking")
    router.register("meeting-series", SeriesViewSet, basename="meeting-series")
    from zhiban.meetings import meeting_api

    meeting_api.register(router)
