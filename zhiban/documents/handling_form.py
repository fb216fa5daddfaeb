"""The printable handling form (文件处理单 / 发文稿纸): every opinion, signer and date.

One A4 PDF per document, for the paper file and the archive: the register elements
at the top, then each opinion in order. An incoming document lists its handling
steps (初审, 拟办, 批办 with the departments and deadline, 承办, 办结) and its
circulation opinions; an outgoing one lists every decision taken on its approvals
(部门审核, 核稿, 会签, 签发, 复核), with the person who acted for someone on leave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from zhiban.documents.models import (
    CirculationReader,
    Direction,
    Document,
    IncomingStep,
    Stage,
)
from zhiban.workflow.models import FlowAction, FlowTask

# The engine's decisions that belong on the form (not comments, urges, submits).
DECISIONS = ("approve", "reject", "return", "transfer", "add_approver", "withdraw")


@dataclass(frozen=True)
class Opinion:
    """One line of the form: where, who, what they wrote, when."""

    section: str
    who: str
    text: str
    at: datetime.datetime | None
    decision: str = ""


def _person(actor: Any, principal: Any) -> str:
    if actor is None:
        return ""
    if principal is not None and principal.pk != actor.pk:
        return _("%(actor)s for %(principal)s") % {
            "actor": actor.display_name,
            "principal": principal.display_name,
        }
    return str(actor.display_name)


def _incoming_opinions(document: Document) -> list[Opinion]:
    rows: list[Opinion] = []
    steps = document.incoming_steps.filter(
        state=IncomingStep.State.DONE
    ).select_related("assignee", "done_by", "department")
    for step in steps.order_by("done_at", "id"):
        decision = ""
        if step.stage == Stage.CHECK:
            decision = (
                _("Passed") if step.data.get("passed") else _("Returned to the sender")
            )
        elif step.stage == Stage.INSTRUCT:
            parts = [_("Lead: %(lead)s") % {"lead": step.data.get("lead", "")}]
            if step.data.get("co"):
                parts.append(_("With: %(co)s") % {"co": "、".join(step.data["co"])})
            if step.data.get("deadline"):
                parts.append(_("Due: %(day)s") % {"day": step.data["deadline"]})
            decision = "；".join(parts)
        elif step.stage == Stage.PROPOSE and step.data.get("leader_name"):
            decision = _("To %(leader)s") % {"leader": step.data["leader_name"]}
        section = str(Stage(step.stage).label)
        if step.department is not None:
            section = f"{section} · {step.department.name}"
        rows.append(
            Opinion(
                section=section,
                who=_person(step.done_by, step.assignee),
                text=step.text,
                at=step.done_at,
                decision=decision,
            )
        )
    readers = CirculationReader.objects.filter(
        circulation__document=document, status=CirculationReader.Status.DONE
    ).select_related("reader", "acted_by")
    for reader in readers.order_by("opinion_at", "id"):
        rows.append(
            Opinion(
                section=_("Circulation"),
                who=_person(reader.acted_by or reader.reader, reader.reader),
                text=reader.opinion or _("Read (圈阅)"),
                at=reader.opinion_at,
            )
        )
    return rows


def _outgoing_opinions(document: Document) -> list[Opinion]:
    rows: list[Opinion] = []
    for approval in document.approvals.select_related("instance").order_by(
        "submitted_at", "id"
    ):
        names = dict(
            FlowTask.objects.filter(instance=approval.instance).values_list(
                "node_id", "node_name"
            )
        )
        actions = (
            FlowAction.objects.filter(instance=approval.instance, kind__in=DECISIONS)
            .select_related("actor", "on_behalf_of")
            .order_by("sequence")
        )
        for action in actions:
            rows.append(
                Opinion(
                    section=names.get(action.node_id, "") or action.get_kind_display(),
                    who=_person(action.actor, action.on_behalf_of),
                    text=action.comment,
                    at=action.at,
                    decision=str(action.get_kind_display()),
                )
            )
    return rows


def handling_form_context(document: Document, *, printed_by: Any) -> dict[str, Any]:
    """Return what the form shows."""
    incoming = document.direction != Direction.OUTGOING
    return {
        "document": document,
        "heading": _("Incoming document handling form")
        if incoming
        else _("Outgoing document approval form"),
        "incoming": incoming,
        "opinions": _incoming_opinions(document)
        if incoming
        else _outgoing_opinions(document),
        "printed_at": timezone.localtime(),
        "printed_by": printed_by,
    }


def handling_form_html(document: Document, *, printed_by: Any) -> str:
    return render_to_string(
        "documents/handling_form.html",
        handling_form_context(document, printed_by=printed_by),
    )


def handling_form_pdf(document: Document, *, printed_by: Any) -> bytes:
    """Return the handling form as an A4 PDF."""
    import weasyprint  # loaded when a form is printed: it is slow to import

    stylesheet = finders.find("css/approvals-print.css")
    pdf = weasyprint.HTML(
        string=handling_form_html(document, printed_by=printed_by)
    ).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(stylesheet))] if stylesheet else []
    )
    if pdf is None:
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
