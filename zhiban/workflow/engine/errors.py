"""Typed errors the engine raises when an action is not allowed."""

from __future__ import annotations


class EngineError(Exception):
    """Refuse an action; carry a stable code and an English and a Chinese message."""

    code = "engine_error"

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh

    def __str__(self) -> str:
        return f"{self.message} / {self.message_zh}"


class InvalidDefinition(EngineError):
    """Refuse to run a definition that does not validate."""

    code = "invalid_definition"


class InvalidAction(EngineError):
    """Refuse an action that does not fit the instance's state or lacks a field."""

    code = "invalid_action"


class NotYourTask(EngineError):
    """Refuse an action on a task the actor (or principal) does not hold."""

    code = "not_your_task"


class NotInitiator(EngineError):
    """Refuse an initiator-only action by someone else."""

    code = "not_initiator"


class NotDelegated(EngineError):
    """Refuse acting on behalf of someone without an active delegation."""

    code = "not_delegated"


class InstanceFinished(EngineError):
    """Refuse an action on an instance that has reached its terminal state."""

    code = "instance_finished"


class NotAllowedByFlow(EngineError):
    """Refuse an action the flow's settings do not allow (late withdraw, revoke)."""

    code = "not_allowed_by_flow"


class UrgeTooSoon(EngineError):
    """Refuse an urge sent before the flow's minimum interval has passed."""

    code = "urge_too_soon"
