"""Items made from elsewhere in one step, linked both ways.

A leader's instruction (批办 step of an incoming document) becomes an item with its
text, leader, departments and deadline filled in; the item keeps the step as its
source, and the document page lists the items made from it (the documents app asks
``instruction_actions``, registered with it in ``SupervisionConfig.ready``). Meeting
decisions will come in the same way: a ``source_for`` branch and a registration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zhiban.documents.models import IncomingStep, Stage
from zhiban.documents.selectors import documents_visible_q
from zhiban.org.models import User
from zhiban.supervision import policies
from zhiban.supervision.models import Inspection, Source, SupervisionItem


@dataclass
class SourceDraft:
    """What an item made from a source starts with."""

    step: IncomingStep
    label: str
    url: str
    initial: dict[str, Any] = field(default_factory=dict)
    people: dict[str, list[Any]] = field(default_factory=dict)


def _instruction(step_id: Any, *, user: User) -> IncomingStep | None:
    if not str(step_id or "").isdigit():
        return None
    from zhiban.documents.models import Document

    step = (
        IncomingStep.objects.filter(
            pk=int(step_id), stage=Stage.INSTRUCT, state=IncomingStep.State.DONE
        )
        .select_related("document", "done_by")
        .first()
    )
    if step is None:
        return None
    if not Document.objects.filter(
        documents_visible_q(user), pk=step.document_id
    ).exists():
        return None
    return step


def source_for(step_id: Any, *, user: User) -> SourceDraft | None:
    """Return the draft of an item made from a leader's instruction, or None."""
    step = _instruction(step_id, user=user)
    if step is None:
        return None
    document = step.document
    handling = list(
        IncomingStep.objects.filter(document=document, stage=Stage.HANDLE)
        .exclude(state=IncomingStep.State.CANCELLED)
        .select_related("department")
        .order_by("id")
    )
    lead = [
        s.department
        for s in handling
        if s.role == IncomingStep.Role.LEAD and s.department
    ]
    co = [
        s.department
        for s in handling
        if s.role == IncomingStep.Role.CO and s.department
    ]
    title = _("Carry out the instruction on “%(title)s”") % {"title": document.title}
    return SourceDraft(
        step=step,
        label=document.title,
        url=reverse("documents:detail", args=[document.pk]),
        initial={
            "title": title[:200],
            "content": step.text,
            "source": Source.INSTRUCTION,
            "source_text": _(
                "%(leader)s, instruction on %(number)s “%(title)s”: %(text)s"
            )
            % {
                "leader": step.done_by.display_name if step.done_by else "",
                "number": document.document_number or document.register_number or "",
                "title": document.title,
                "text": step.text,
            },
            "deadline": document.deadline,
        },
        people={
            "leader": [step.done_by] if step.done_by else [],
            "lead_department": lead[:1],
            "co_departments": list(dict.fromkeys(co)),
        },
    )


# Sources kept by other apps (a meeting's decision): model -> (source id) -> link.
SOURCE_LINKS: dict[type, Callable[[str], dict[str, str] | None]] = {}


def register_source_link(
    model: type, link: Callable[[str], dict[str, str] | None]
) -> None:
    """Let another app name its objects as the source of an item (in its ready())."""
    SOURCE_LINKS[model] = link


def source_link(item: SupervisionItem) -> dict[str, str] | None:
    """Return where the item came from, as a label and a link, or None."""
    if item.source_type_id is None or not item.source_id:
        return None
    model = item.source_type.model_class() if item.source_type else None
    if model in SOURCE_LINKS:
        return SOURCE_LINKS[model](item.source_id)
    if model is Inspection:
        inspection = Inspection.objects.filter(pk=item.source_id).only("title").first()
        if inspection is not None:
            return {
                "label": inspection.title,
                "url": reverse("supervision:inspection", args=[inspection.pk]),
            }
    if model is IncomingStep:
        step = (
            IncomingStep.objects.filter(pk=item.source_id)
            .select_related("document")
            .first()
        )
        if step is not None:
            return {
                "label": step.document.title,
                "url": reverse("documents:detail", args=[step.document_id]),
            }
    return None


def instruction_actions(*, user: User, step: IncomingStep) -> dict[str, Any]:
    """What the document page shows beside a leader's instruction."""
    from zhiban.supervision.selectors import visible_items

    items = list(
        visible_items(viewer=user)
        .filter(
            source_type__app_label="documents",
            source_type__model="incomingstep",
            source_id=str(step.pk),
        )
        .exclude(state=SupervisionItem.State.CANCELLED)
        .only("id", "title", "year", "sequence", "state")
    )
    return {
        "items": [
            {
                "label": item.number or _("Draft"),
                "title": item.title,
                "url": reverse("supervision:detail", args=[item.pk]),
            }
            for item in items
        ],
        "create_url": (
            f"{reverse('supervision:create')}?step={step.pk}"
            if policies.can_create(user)
            else ""
        ),
    }
