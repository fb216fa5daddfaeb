"""What other apps add to the document page, without documents importing them.

An app registers a function in its ``AppConfig.ready()``; the page calls it with the
user and the object and shows what it returns. Today: supervision adds "turn into a
supervision item" (and the items already made) beside a leader's instruction (批办).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (user, step) -> {"items": [{"label", "title", "url"}], "create_url": str}
InstructionAction = Callable[..., dict[str, Any]]
INSTRUCTION_ACTIONS: list[InstructionAction] = []


def register_instruction_action(action: InstructionAction) -> None:
    """Add a function the page calls for each leader's instruction (once per function)."""
    if action not in INSTRUCTION_ACTIONS:
        INSTRUCTION_ACTIONS.append(action)


def instruction_actions(*, user: Any, step: Any) -> list[dict[str, Any]]:
    """Return what every registered app shows beside the instruction."""
    return [action(user=user, step=step) for action in INSTRUCTION_ACTIONS]
