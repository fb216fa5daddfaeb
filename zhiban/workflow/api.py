"""REST endpoints of approval flows; the same selectors, policies and services as the pages.

A refused action answers 409 when the request conflicts with the instance's
state (the task is no longer the caller's, the instance has finished, or it
changed meanwhile) and 400 for any other bad input; either way nothing changes,
because the service runs in one transaction and raises before it writes.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from zhiban.core.errors import DomainError
from zhiban.org import policies as org_policies
from zhiban.org.models import User
from zhiban.workflow import engine, policies, selectors, services
from zhiban.workflow.models import (
    FlowAction,
    FlowDefinition,
    FlowInstance,
    FlowTask,
)
from zhiban.workflow.reassignment import task_reassign

# Refusals that mean "the instance moved on": HTTP 409 Conflict.
CONFLICT_CODES = frozenset(
    {engine.NotYourTask.code, engine.InstanceFinished.code, "concurrent_change"}
)

ConflictSerializer = inline_serializer(
    name="WorkflowConflict",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)


# --- serializers ------------------------------------------------------------------


class TimelineEntrySerializer(serializers.ModelSerializer):
    """One accepted action of an instance."""

    actor_name = serializers.CharField(
        source="actor.display_name", read_only=True, default=""
    )
    on_behalf_of_name = serializers.CharField(
        source="on_behalf_of.display_name", read_only=True, default=""
    )

    class Meta:
        model = FlowAction
        fields: tuple[str, ...] = (
            "sequence",
            "kind",
            "node_id",
            "actor",
            "actor_name",
            "on_behalf_of",
            "on_behalf_of_name",
            "at",
            "comment",
        )
        read_only_fields = fields


class OpenTaskSerializer(serializers.ModelSerializer):
    """An open task of an instance: whose turn it is."""

    assignee_name = serializers.CharField(
        source="assignee.display_name", read_only=True
    )
    on_behalf_of_name = serializers.CharField(
        source="on_behalf_of.display_name", read_only=True, default=""
    )

    class Meta:
        model = FlowTask
        fields: tuple[str, ...] = (
            "id",
            "node_id",
            "node_name",
            "assignee",
            "assignee_name",
            "on_behalf_of",
            "on_behalf_of_name",
            "reason",
            "opened_at",
        )
        read_only_fields = fields


class MyTaskSerializer(serializers.ModelSerializer):
    """One of my open approval tasks, with the instance it belongs to."""

    instance_title = serializers.CharField(source="instance.title", read_only=True)
    flow_code = serializers.CharField(
        source="instance.version.definition.code", read_only=True
    )
    flow_name = serializers.CharField(
        source="instance.version.definition.name", read_only=True
    )
    initiator_name = serializers.CharField(
        source="instance.initiator.display_name", read_only=True
    )
    on_behalf_of = serializers.IntegerField(
        source="acting_for_id",
        read_only=True,
        allow_null=True,
        help_text="Whose turn I act on by delegation (null: my own turn).",
    )
    on_behalf_of_name = serializers.SerializerMethodField()

    class Meta:
        model = FlowTask
        fields: tuple[str, ...] = (
            "id",
            "instance",
            "instance_title",
            "flow_code",
            "flow_name",
            "initiator_name",
            "node_id",
            "node_name",
            "on_behalf_of",
            "on_behalf_of_name",
            "reason",
            "opened_at",
            "due_at",
        )
        read_only_fields = fields

    def get_on_behalf_of_name(self, task: FlowTask) -> str:
        """Return the name of whose turn I act on, or ""."""
        person = selectors.task_acting_for(task)
        return person.display_name if person is not None else ""


class InstanceSerializer(serializers.ModelSerializer):
    """An approval with its timeline and open tasks."""

    flow_code = serializers.CharField(source="version.definition.code", read_only=True)
    flow_name = serializers.CharField(source="version.definition.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    initiator_name = serializers.CharField(
        source="initiator.display_name", read_only=True
    )
    current_nodes = serializers.ListField(child=serializers.CharField(), read_only=True)
    timeline = TimelineEntrySerializer(many=True, read_only=True)
    open_tasks = OpenTaskSerializer(many=True, read_only=True)

    class Meta:
        model = FlowInstance
        fields: tuple[str, ...] = (
            "id",
            "title",
            "status",
            "flow_code",
            "flow_name",
            "version_number",
            "initiator",
            "initiator_name",
            "form",
            "current_nodes",
            "revokes",
            "sequence",
            "created_at",
            "updated_at",
            "finished_at",
            "timeline",
            "open_tasks",
        )
        read_only_fields = fields


class StartSerializer(serializers.Serializer):
    """Start an instance of a flow and submit it."""

    flow = serializers.SlugField(max_length=64)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    form = serializers.DictField(required=False, default=dict)
    picks = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        required=False,
        default=dict,
        help_text="Node id → the people chosen by the initiator for that node.",
    )


class StartMultipartSerializer(serializers.Serializer):
    """Start with files: the form as JSON text, one file part per attachment field."""

    flow = serializers.SlugField(max_length=64)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    form = serializers.CharField(
        required=False, help_text='The form as JSON text, e.g. {"copies": 3}.'
    )
    picks = serializers.CharField(
        required=False, help_text="The picks as JSON text (as in the JSON request)."
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Send each file as a part named after its attachment field's key "
        "(e.g. `attachment`); repeat the part for several files.",
    )


def _start_request(request: Request) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Return the start request's data and its files by field key.

    JSON as it is; multipart/form-data with ``form`` and ``picks`` as JSON text and
    each attachment field's files as parts named after the field.
    """
    body: Any = request.data
    if not str(request.content_type).startswith("multipart/"):
        return (dict(body) if isinstance(body, dict) else body), {}
    data: dict[str, Any] = {key: body[key] for key in ("flow", "title") if key in body}
    problems: dict[str, list[str]] = {}
    for key in ("form", "picks"):
        raw = body.get(key)
        if raw in (None, ""):
            continue
        try:
            data[key] = json.loads(str(raw))
        except ValueError:
            problems[key] = [_("Send this part as JSON text.")]
    if problems:
        raise serializers.ValidationError(problems)
    files = {key: request.FILES.getlist(key) for key in request.FILES}
    return data, files


class ActSerializer(serializers.Serializer):
    """An action on an instance."""

    kind = serializers.ChoiceField(
        choices=sorted(services.TASK_ACTIONS | services.INSTANCE_ACTIONS)
    )
    payload = serializers.DictField(
        required=False,
        default=dict,
        help_text="opinion/reason, to_node (return), to_user (transfer), user and "
        "before (add_approver), text (comment), message (urge), reason (revoke: "
        "required; starts a revocation request, see the action's description).",
    )
    task = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The task to act on when I hold several on this instance.",
    )

    def validate_payload(self, value: dict[str, Any]) -> dict[str, Any]:
        """Refuse payload parts of the wrong shape before the service reads them."""
        form = value.get("form", {})
        picks = value.get("picks", {})
        attachments = value.get("attachments", [])
        if not isinstance(form, dict):
            raise serializers.ValidationError(_("“form” must be an object."))
        if not isinstance(picks, dict) or not all(
            isinstance(people, list) for people in picks.values()
        ):
            raise serializers.ValidationError(
                _("“picks” must map node ids to lists of people.")
            )
        if not isinstance(attachments, list):
            raise serializers.ValidationError(_("“attachments” must be a list."))
        return value


class ReassignSerializer(serializers.Serializer):
    """Hand an open task of the approval to another person (administrators)."""

    task = serializers.IntegerField(help_text="The open task to reassign.")
    to = serializers.IntegerField(help_text="The active person who takes it over.")
    reason = serializers.CharField(max_length=500)


class DefinitionSerializer(serializers.ModelSerializer):
    """A flow type with its latest published version."""

    latest_version = serializers.IntegerField(read_only=True, allow_null=True)
    latest_published_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = FlowDefinition
        fields: tuple[str, ...] = (
            "id",
            "code",
            "name",
            "is_active",
            "latest_version",
            "latest_published_at",
        )
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    """A definition body (key = flow code, name, nodes, settings) to publish."""

    key = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=100)
    nodes = serializers.ListField(child=serializers.DictField())
    cc = serializers.DictField(required=False, allow_null=True)
    cc_timing = serializers.CharField(required=False)
    allow_withdraw_after_action = serializers.BooleanField(required=False)
    allow_revoke = serializers.BooleanField(required=False)
    urge_interval_seconds = serializers.IntegerField(required=False, min_value=0)


PublishedSerializer = inline_serializer(
    name="WorkflowPublished",
    fields={
        "code": serializers.CharField(),
        "version": serializers.IntegerField(),
        "published_at": serializers.DateTimeField(),
    },
)


# --- reads ------------------------------------------------------------------------


_AT = serializers.DateTimeField(read_only=True)


def _at(value: Any) -> Any:
    return None if value is None else _AT.to_representation(value)


def _instance_data(instance: FlowInstance) -> dict[str, Any]:
    """Return the instance as ``InstanceSerializer`` renders it, built by hand.

    The answer of every approval: DRF's serializer took a quarter of an approval
    (bench/README.md). The serializer stays the schema; a test holds the two equal.
    """
    timeline = selectors.instance_timeline_values(instance=instance)
    open_tasks = selectors.instance_open_task_values(instance=instance)
    return {
        "id": instance.pk,
        "title": instance.title,
        "status": str(instance.status),
        "flow_code": instance.version.definition.code,
        "flow_name": instance.version.definition.name,
        "version_number": instance.version.number,
        "initiator": instance.initiator_id,
        "initiator_name": instance.initiator.display_name,
        "form": instance.form,
        "current_nodes": [str(node) for node in instance.current_nodes],
        "revokes": instance.revokes_id,
        "sequence": instance.sequence,
        "created_at": _at(instance.created_at),
        "updated_at": _at(instance.updated_at),
        "finished_at": _at(instance.finished_at),
        "timeline": [
            {
                "sequence": row["sequence"],
                "kind": row["kind"],
                "node_id": row["node_id"],
                "actor": row["actor_id"],
                "actor_name": row["actor_name"],
                "on_behalf_of": row["on_behalf_of_id"],
                "on_behalf_of_name": row["on_behalf_of_name"],
                "at": _at(row["at"]),
                "comment": row["comment"],
            }
            for row in timeline
        ],
        "open_tasks": [
            {
                "id": row["id"],
                "node_id": row["node_id"],
                "node_name": row["node_name"],
                "assignee": row["assignee_id"],
                "assignee_name": row["assignee_name"],
                "on_behalf_of": row["on_behalf_of_id"],
                "on_behalf_of_name": row["on_behalf_of_name"],
                "reason": row["reason"],
                "opened_at": _at(row["opened_at"]),
            }
            for row in open_tasks
        ],
    }


def _refusal(error: DomainError) -> Response | None:
    """Return the 409 answer for a conflicting refusal, else None (a 400 follows)."""
    code = getattr(error, "code", None)
    if code in CONFLICT_CODES:
        return Response(
            {"detail": error.messages[0], "code": code},
            status=status.HTTP_409_CONFLICT,
        )
    return None


def data_kind(data: Any) -> str:
    """Return the posted action's kind, or "" (before the serializer checks it)."""
    kind = data.get("kind") if hasattr(data, "get") else None
    return kind if isinstance(kind, str) else ""


# --- viewsets ---------------------------------------------------------------------


class InstanceViewSet(viewsets.GenericViewSet):
    """Approvals (审批): start, read and act on them."""

    serializer_class = InstanceSerializer
    queryset = FlowInstance.objects.none()

    def _visible(self, pk: str | None) -> FlowInstance:
        if pk is None or not str(pk).isdigit():
            raise Http404
        instance = selectors.instance_get_for(
            user=self.request.user,  # type: ignore[arg-type]
            instance_id=int(pk),
        )
        if instance is None:
            raise Http404
        return instance

    @extend_schema(
        summary="Start an approval (发起审批)",
        description="JSON, or multipart/form-data when the form has attachment "
        "fields: `form` and `picks` as JSON text and the files as parts named after "
        "their fields. Files are checked by their bytes; a refused file is a 400 "
        "on its field and nothing is stored.",
        request={
            "application/json": StartSerializer,
            "multipart/form-data": StartMultipartSerializer,
        },
        responses={201: InstanceSerializer},
    )
    def create(self, request: Request) -> Response:
        raw, files = _start_request(request)
        given = StartSerializer(data=raw)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            instance = services.instance_start(
                flow_code=data["flow"],
                form=data["form"],
                by=request.user,  # type: ignore[arg-type]
                title=data.get("title", ""),
                picks=data["picks"],
                files=files or None,
            )
        except DomainError as error:
            if getattr(error, "code", None) != "invalid_form":
                raise
            # The form's field errors, by field key: {"form": {"copies": [...]}}.
            return Response(
                {"form": error.message_dict}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(_instance_data(instance), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One approval with its timeline and open tasks",
        description="Visible to the initiator, everyone involved and administrators; "
        "404 otherwise.",
        responses={200: InstanceSerializer},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(_instance_data(self._visible(pk)))

    @extend_schema(
        summary="Act on an approval (同意, 驳回, 退回, 转交, 加签, 撤回, 催办, 评论, 撤销)",
        description="409 when the task is no longer mine or the approval has "
        "finished; 400 for other bad input. A refused action changes nothing.\n\n"
        "`revoke` (撤销) goes through its own approval: with a required "
        "`payload.reason`, the initiator of an approved request whose flow allows "
        "revoking starts a revocation request, a new approval on the same flow "
        "version that the same approvers decide; the answer is that new request "
        "(its `revokes` is this approval's id). When it is approved this approval "
        "becomes `revoked`; rejected or withdrawn, it stays approved. One "
        "revocation request at a time: a second is refused with 400.",
        request=ActSerializer,
        responses={200: InstanceSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def act(self, request: Request, pk: str | None = None) -> Response:
        given = ActSerializer(data=request.data)
        if data_kind(request.data) in services.TASK_ACTIONS and str(pk).isdigit():
            # Only the holder of a task (or their delegate) can take a task action,
            # and they see the instance: check visibility only when it is refused
            # (404 for a stranger, not 409). The check costs a fifth of an approval.
            instance_id = int(str(pk))
        else:
            instance_id = self._visible(pk).pk
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            acted = services.instance_act(
                instance_id=instance_id,
                kind=data["kind"],
                by=request.user,  # type: ignore[arg-type]
                payload=data["payload"],
                task_id=data["task"],
            )
        except DomainError as error:
            self._visible(pk)  # a stranger learns nothing: 404
            conflict = _refusal(error)
            if conflict is None:
                raise
            return conflict
        # Whoever acted may see the instance (the action names them): no second
        # visibility check, which cost a third of an approval (bench/README.md),
        # and no second read: the service returns the row it locked and updated.
        return Response(_instance_data(acted))

    @extend_schema(
        summary="Reassign an open task to another person (改派, administrators)",
        description="For the tasks of someone deactivated or away without a "
        "delegation: recorded as a transfer by the administrator on behalf of "
        "the holder. 403 for anyone but a flow administrator; 409 when the task "
        "is no longer open.",
        request=ReassignSerializer,
        responses={200: InstanceSerializer, 409: ConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        if not policies.can_reassign_tasks(request.user):
            raise PermissionDenied(_("Only a flow administrator may reassign a task."))
        instance = self._visible(pk)
        given = ReassignSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        task = instance.tasks.filter(pk=data["task"]).first()
        if task is None:
            raise Http404
        to = User.objects.filter(pk=data["to"]).first()
        if to is None:
            raise serializers.ValidationError({"to": [_("Choose an active person.")]})
        try:
            task_reassign(
                task=task,
                to=to,
                by=request.user,  # type: ignore[arg-type]
                reason=data["reason"],
            )
        except DomainError as error:
            conflict = _refusal(error)
            if conflict is None:
                raise
            return conflict
        return Response(_instance_data(self._visible(pk)))


@extend_schema_view(
    list=extend_schema(
        summary="My open approval tasks",
        description="Mine and those delegated to me, newest first.",
    ),
)
class MyTaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The approval tasks waiting for the signed-in user."""

    serializer_class = MyTaskSerializer
    queryset = FlowTask.objects.none()

    def get_queryset(self) -> QuerySet[FlowTask]:
        return selectors.task_list_for(user=cast(User, self.request.user))


class IsFlowAdministrator(permissions.BasePermission):
    """System administrators only."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        self.message = _("Only system administrators may manage approval flows.")
        return org_policies.can_administer(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Approval flows with their latest version (administrators)"
    ),
)
class DefinitionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Flow definitions (流程定义), for system administrators."""

    serializer_class = DefinitionSerializer
    queryset = FlowDefinition.objects.none()
    permission_classes = (permissions.IsAuthenticated, IsFlowAdministrator)

    def get_queryset(self) -> QuerySet[FlowDefinition]:
        return selectors.definition_list_for()

    @extend_schema(
        summary="Publish a new version of a flow (administrators)",
        description="Creates the flow on its first version. An invalid definition "
        "is refused with 400 and one message per problem, naming its node.",
        request=PublishSerializer,
        responses={201: PublishedSerializer},
    )
    def create(self, request: Request) -> Response:
        given = PublishSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        body = dict(request.data)
        code = given.validated_data["key"]
        with transaction.atomic():  # a refused first version leaves no empty flow
            flow = FlowDefinition.objects.filter(
                code=code
            ).first() or services.flow_create(
                code=code,
                name=given.validated_data["name"],
                by=request.user,  # type: ignore[arg-type]
            )
            version = services.flow_publish(
                definition=flow,
                body=body,
                by=request.user,  # type: ignore[arg-type]
            )
        return Response(
            {
                "code": flow.code,
                "version": version.number,
                "published_at": version.published_at,
            },
            status=status.HTTP_201_CREATED,
        )


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("workflow/instances", InstanceViewSet, basename="workflow-instance")
    router.register("workflow/tasks", MyTaskViewSet, basename="workflow-task")
    router.register(
        "workflow/definitions", DefinitionViewSet, basename="workflow-definition"
    )
