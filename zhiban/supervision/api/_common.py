"""What the supervision API's modules share: the signed-in user, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from drf_spectacular.utils import (
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org.models import User
from zhiban.supervision.lights import Light
from zhiban.supervision.models import (
    SupervisionItem,
)

State = SupervisionItem.State

# Refusals that mean "the item moved on": HTTP 409 with the code.
CONFLICT_CODES = frozenset(
    {
        "wrong_state",
        "already_signed",
        "item_closed",
        "node_done",
        "urged_recently",
        "extension_pending",
    }
)
THEN_CHOICES = ("draft", "issue", "review")
NODE_LIGHTS = [*(light.value for light in Light if light != Light.NONE), "done"]

ConflictSerializer = inline_serializer(
    name="SupervisionConflict",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)
CONFLICT = OpenApiResponse(
    ConflictSerializer, description="The item has moved on; `code` says how."
)
LIGHT_SCHEMA = {
    "type": "string",
    "enum": list(Light.values),
    "description": "red: the next open node is overdue; yellow: it is due soon; "
    "green: otherwise; none: the item's clock is not running.",
}


def _signed_in(request: Request) -> User:
    # DRF's default permission (IsAuthenticated) has let only signed-in users here.
    return cast(User, request.user)


def _run[T](call: Callable[[], T]) -> T | Response:
    """Call a service; a refusal because the item moved on becomes a 409."""
    try:
        return call()
    except PermissionDeniedError as error:
        raise PermissionDenied(error.messages[0]) from error
    except DomainError as error:
        code = getattr(error, "code", None)
        if code in CONFLICT_CODES:
            return Response(
                {"detail": error.messages[0], "code": code},
                status=status.HTTP_409_CONFLICT,
            )
        raise
