"""What the document pages share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext as _

from zhiban.documents import extensions, policies, selectors, services
from zhiban.documents.forms import (
    CheckForm,
    InstructForm,
    OpinionForm,
    ProposeForm,
    ReplyForm,
)
from zhiban.documents.models import (
    CirculationReader,
    Direction,
    Document,
    IncomingStep,
    Stage,
)
from zhiban.documents.services.handling import step_due

PAGE_SIZE = 25


def user_of(request: HttpRequest) -> Any:
    return request.user


def partial_for(request: HttpRequest, template: str, name: str) -> str:
    return f"{template}#{name}" if getattr(request, "htmx", False) else template


def show_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors on the form's fields (or above it)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


def circulation_context(
    *,
    user: Any,
    document: Document,
    opinion_form: OpinionForm | None = None,
    start_errors: list[str] | None = None,
    chosen: list[Any] | None = None,
) -> dict[str, Any]:
    """Return what the document page shows of its circulation, for this user."""
    rounds = selectors.document_circulations(document=document)
    current = next((r for r in rounds if r.is_open), None)
    mine = (
        selectors.circulation_reader_for(circulation=current, user=user)
        if current is not None
        else None
    )
    if mine is not None and mine.status == CirculationReader.Status.PENDING:
        services.circulation_mark_read(circulation=current, by=user)  # type: ignore[arg-type]
        mine.status = CirculationReader.Status.READ
    return {
        "circulations": rounds,
        "open_circulation": current,
        "my_reading": mine,
        "opinion_form": opinion_form or OpinionForm(),
        "can_circulate": policies.can_keep_register(user)
        and not document.is_classified
        and current is None,
        "can_close_circulation": policies.can_keep_register(user)
        and current is not None,
        "circulation_errors": start_errors or [],
        "circulation_chosen": chosen or [],
    }


HANDLING_STAGES = (
    Stage.CHECK,
    Stage.PROPOSE,
    Stage.INSTRUCT,
    Stage.HANDLE,
    Stage.COMPLETE,
)


def handling_context(
    *, user: Any, document: Document, form: Any = None, errors: list[str] | None = None
) -> dict[str, Any]:
    """Return what the page shows of an incoming document's handling, for this user."""
    if document.direction != Direction.INCOMING or document.is_classified:
        return {"handling": None}
    steps = selectors.incoming_steps(document=document)
    open_steps = [s for s in steps if s.state == IncomingStep.State.OPEN]
    mine = selectors.incoming_step_for(document=document, user=user, steps=open_steps)
    reached = {s.stage for s in steps}
    pipeline = []
    for stage in HANDLING_STAGES:
        if document.stage == stage:
            status = "current"
        elif stage in reached or document.stage == Stage.DONE:
            status = "done"
        else:
            status = "todo"
        pipeline.append({"stage": stage, "label": Stage(stage).label, "status": status})
    forms_by_stage = {
        Stage.CHECK: CheckForm,
        Stage.PROPOSE: ProposeForm,
        Stage.INSTRUCT: InstructForm,
        Stage.HANDLE: ReplyForm,
        Stage.COMPLETE: ReplyForm,
    }
    action_form = form
    if mine is not None and action_form is None:
        form_class = forms_by_stage[Stage(mine.stage)]
        if form_class is InstructForm:
            # The leader sees the deadline the handling will get if they name none.
            default = document.deadline or step_due(document, Stage.HANDLE)
            action_form = InstructForm(
                unit_id=document.unit_id, initial={"deadline": default}
            )
        else:
            action_form = form_class()
    if isinstance(action_form, ReplyForm) and mine and mine.stage == Stage.COMPLETE:
        action_form.fields["reply"].required = False
        action_form.fields["reply"].label = _("reply to the sender")
    done = [s for s in steps if s.state == IncomingStep.State.DONE]
    for step in done:
        step.extensions = (  # type: ignore[attr-defined]
            extensions.instruction_actions(user=user, step=step)
            if step.stage == Stage.INSTRUCT
            else []
        )
    return {
        "handling": {
            "pipeline": pipeline,
            "steps": done,
            "open_steps": open_steps,
            "mine": mine,
            "form": action_form,
            "errors": errors or [],
            "can_urge": policies.can_keep_register(user) and bool(open_steps),
            "needs_picker": mine is not None
            and mine.stage in (Stage.PROPOSE, Stage.INSTRUCT),
        }
    }
