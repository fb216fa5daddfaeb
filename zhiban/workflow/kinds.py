"""Flow kinds: which module owns a flow's outcome, and the form fields it relies on.

Every FlowDefinition has a kind. ``general`` (请示 / 一般事项) belongs to no module:
administrators copy it to make new approval types without code. A domain module
(seal use, vehicle use, ...) registers its kind from its ``AppConfig.ready()``
with the fields every flow of the kind must carry (the designer shows them as
locked, publishing refuses a form without them) and the handler that reacts to
an outcome. Copies of a domain flow keep its kind, so they feed the same module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import Q

    from zhiban.workflow.models import FlowInstance

type OutcomeHandler = Callable[["FlowInstance"], None]


@dataclass(frozen=True)
class FlowKind:
    """One kind of flow.

    ``fields`` are form-schema field dicts (see ``zhiban.workflow.formschema``)
    that every flow of the kind carries, locked in the designer. ``on_outcome``
    runs inside the acting transaction when an instance reaches a terminal state.
    ``detail_template`` is included on the instance page below the form (e.g. the
    seal keeper's stamping record), with ``instance`` in its context.
    ``viewers`` returns a filter on ``FlowInstance`` naming more instances of the
    kind the user may read (e.g. the seal keeper sees the requests for the seal).
    """

    code: str
    label: str | Promise
    fields: tuple[Mapping[str, Any], ...] = ()
    on_outcome: OutcomeHandler | None = None
    detail_template: str = ""
    viewers: Callable[[Any], Q] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


KINDS: dict[str, FlowKind] = {}


def register_flow_kind(kind: FlowKind) -> None:
    """Register (or replace) a flow kind; call from ``AppConfig.ready()``."""
    KINDS[kind.code] = kind


def flow_kind(code: str) -> FlowKind:
    """Return the registered kind, or the general kind for an unknown code."""
    return KINDS.get(code) or KINDS["general"]


def kind_choices() -> list[tuple[str, str | Promise]]:
    """Return (code, label) for every registered kind, general first."""
    return sorted(
        ((k.code, k.label) for k in KINDS.values()),
        key=lambda item: (item[0] != "general", item[0]),
    )


register_flow_kind(FlowKind(code="general", label=_("Request or general matter")))
