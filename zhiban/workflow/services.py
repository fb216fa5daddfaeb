"""Publish flows, start instances and act on them: the engine decides, this stores.

Each service runs in one transaction. Acting locks the instance row first
(``select_for_update``; SQLite's IMMEDIATE transactions serialise writers
anyway), reads the stored engine state, lets the engine apply the action, then
appends to the action log, stores the new state, opens and closes tasks with
their work items through ``zhiban.inbox.services``, sends the engine's
notifications, calls the flow type's outcome handler on a terminal outcome, and
writes the audit entry last.
"""

from __future__ import annotations

import datetime
import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core import rows
from zhiban.core.errors import DomainError
from zhiban.inbox import services as inbox
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import engine, policies
from zhiban.workflow.facts import APPROVAL_KIND, DjangoOrgFacts
from zhiban.workflow.kinds import flow_kind
from zhiban.workflow.models import (
    FlowAction,
    FlowDefinition,
    FlowFile,
    FlowInstance,
    FlowTask,
    FlowVersion,
)

type OutcomeHandler = Callable[[FlowInstance], None]

OUTCOME_HANDLERS: dict[str, OutcomeHandler] = {}

# Actions taken on one of the actor's tasks; the others are the initiator's.
TASK_ACTIONS = frozenset({"approve", "reject", "return", "transfer", "add_approver"})
INSTANCE_ACTIONS = frozenset({"submit", "withdraw", "urge", "comment", "revoke"})
TERMINAL = frozenset(
    {
        FlowInstance.Status.APPROVED,
        FlowInstance.Status.REJECTED,
        FlowInstance.Status.WITHDRAWN,
        FlowInstance.Status.REVOKED,
    }
)


def register_outcome_handler(flow_code: str, handler: OutcomeHandler) -> None:
    """Call ``handler(instance)`` when an instance of the flow reaches a terminal state.

    The handler runs inside the acting transaction: if it raises, nothing of the
    action is kept. Register once, from the domain app's ``AppConfig.ready()``.
    """
    OUTCOME_HANDLERS[flow_code] = handler


def unregister_outcome_handler(flow_code: str) -> None:
    """Forget the flow type's handler (tests)."""
    OUTCOME_HANDLERS.pop(flow_code, None)


# --- errors -----------------------------------------------------------------------


def _engine_messages() -> dict[str, str]:
    return {
        engine.NotYourTask.code: _(
            "You hold no open task on this approval: it is not yours, or it has "
            "already been handled."
        ),
        engine.InstanceFinished.code: _(
            "This approval has already finished and can no longer be acted on."
        ),
        engine.NotInitiator.code: _("Only the initiator may do this."),
        engine.NotDelegated.code: _(
            "You have no delegation to act on this person's behalf."
        ),
        engine.NotAllowedByFlow.code: _(
            "This flow does not allow that action at this point."
        ),
        engine.UrgeTooSoon.code: _(
            "This approval was urged a short while ago; please wait before urging "
            "again."
        ),
    }


def domain_error_from(error: engine.EngineError) -> DomainError:
    """Return the translated DomainError for an engine refusal, keeping its code."""
    message = _engine_messages().get(error.code)
    if message is None:
        language = translation.get_language() or ""
        message = error.message_zh if language.startswith("zh") else error.message
    return DomainError(message, code=error.code)


def _not_your_task() -> DomainError:
    return domain_error_from(engine.NotYourTask("", ""))


# --- definitions ------------------------------------------------------------------


def flow_create(
    *, code: str, name: str, by: User, kind: str = "general", group: str = ""
) -> FlowDefinition:
    """Create a flow type with no version yet; its draft has one approver node."""
    with transaction.atomic():
        flow = FlowDefinition(
            code=code,
            name=name,
            kind=kind,
            group=group,
            draft=default_draft(code=code, name=name, kind=kind),
            draft_updated_at=timezone.now(),
        )
        flow.full_clean()
        flow.save()
        audit_record(
            actor=by, action="workflow.flow_create", target=flow, data={"code": code}
        )
    return flow


def _parse_definition(body: Mapping[str, Any]) -> engine.Definition:
    try:
        return engine.definition_from_dict(dict(body))
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise DomainError(
            {
                "definition": _("The flow definition is malformed: %(error)s")
                % {"error": error}
            },
            code="malformed_definition",
        ) from error


def flow_publish(
    *,
    definition: FlowDefinition,
    body: Mapping[str, Any],
    by: User,
    now: datetime.datetime | None = None,
    form_schema: list[Any] | None = None,
) -> FlowVersion:
    """Validate the node tree and publish it as the flow's next version.

    Running instances keep the version they started on. A definition with
    problems is refused with one message per problem, naming its node.
    """
    parsed = _parse_definition(body)
    problems = engine.validate(parsed)
    if parsed.key != definition.code:
        problems.insert(
            0,
            engine.Problem(
                "",
                "wrong_key",
                _("The definition's key must be the flow code “%(code)s”.")
                % {"code": definition.code},
            ),
        )
    if problems:
        raise DomainError(
            {
                "definition": [
                    DomainError(
                        _("Node “%(node)s”: %(problem)s")
                        % {"node": problem.node_id, "problem": problem.message}
                        if problem.node_id
                        else problem.message,
                        code=problem.code,
                    )
                    for problem in problems
                ]
            }
        )
    with transaction.atomic():
        locked = FlowDefinition.objects.select_for_update().get(pk=definition.pk)
        last = locked.versions.aggregate(last=Max("number"))["last"] or 0
        version = FlowVersion(
            definition=locked,
            number=last + 1,
            body=engine.definition_to_dict(parsed),
            form_schema=list(form_schema or []),
            published_at=now or timezone.now(),
            published_by=by,
        )
        version.full_clean()
        version.save()
        audit_record(
            actor=by,
            action="workflow.flow_publish",
            target=locked,
            data={"version": version.number},
        )
    return version


def _latest_version(flow_code: str) -> FlowVersion:
    version = (
        FlowVersion.objects.select_related("definition")
        .filter(definition__code=flow_code, definition__is_active=True)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise DomainError(
            {"flow": _("There is no published flow “%(code)s”.") % {"code": flow_code}},
            code="no_flow",
        )
    return version


def definition_of(version: FlowVersion) -> engine.Definition:
    """Return the engine definition of a version, its form fields named by label."""
    from zhiban.workflow import formschema

    return engine.definition_from_dict(
        version.body,
        field_labels=formschema.field_labels(version.form_schema or []),
    )


# --- the designer: drafts, settings, validation, publishing, copies ----------------

# Form field types whose stored value is a number the engine can compare.
NUMERIC_FIELD_TYPES = frozenset({"number", "money"})
ORDERING_OPS = frozenset({engine.Op.GT, engine.Op.GE, engine.Op.LT, engine.Op.LE})


def default_draft(*, code: str, name: str, kind: str) -> dict[str, Any]:
    """Return the draft a new flow starts with: the department head approves."""
    node = engine.ApproverNode(
        id="n1",
        name=str(_("Department head")),
        assignees=engine.Assignees(kind=engine.AssigneeKind.DEPARTMENT_HEAD),
    )
    definition = engine.Definition(key=code, name=name, nodes=(node,))
    return {
        "definition": engine.definition_to_dict(definition),
        "form": [dict(field) for field in flow_kind(kind).fields],
    }


def _draft_of(definition: FlowDefinition) -> dict[str, Any]:
    """Return the flow's draft, or a draft built from its latest version."""
    draft = dict(definition.draft or {})
    if "definition" not in draft:
        latest = definition.versions.order_by("-number").first()
        if latest is not None:
            draft = {"definition": dict(latest.body), "form": list(latest.form_schema)}
        else:
            draft = default_draft(
                code=definition.code, name=definition.name, kind=definition.kind
            )
    draft.setdefault("form", [])
    return draft


def flow_draft_of(*, definition: FlowDefinition) -> dict[str, Any]:
    """Return the designer's working copy of the flow (never None)."""
    return _draft_of(definition)


def _store_draft(
    definition: FlowDefinition,
    draft: dict[str, Any],
    now: datetime.datetime,
    caller: FlowDefinition | None = None,
) -> None:
    definition.draft = draft
    definition.draft_updated_at = now
    definition.save(update_fields=["draft", "draft_updated_at", "updated_at"])
    if caller is not None:  # the caller's object reads the new draft too
        caller.draft = draft
        caller.draft_updated_at = now


def flow_settings_save(
    *,
    definition: FlowDefinition,
    by: User,
    name: str,
    group: str = "",
    description: str = "",
    startable: bool = True,
    starter_departments: Iterable[Any] = (),
    cc: Mapping[str, Any] | None = None,
    cc_timing: str = engine.CcTiming.COMPLETION.value,
    allow_withdraw_after_action: bool = False,
    allow_revoke: bool = False,
    urge_interval_seconds: int = 600,
    now: datetime.datetime | None = None,
) -> FlowDefinition:
    """Save a flow's settings; the flow-level flags go into the draft definition."""
    at = now or timezone.now()
    if urge_interval_seconds < 0:
        raise DomainError(
            {"urge_interval_seconds": _("The urge interval cannot be negative.")},
            code="bad_urge_interval",
        )
    if cc_timing not in engine.CcTiming:
        raise DomainError(
            {"cc_timing": _("Choose when the CC recipients are told.")},
            code="bad_cc_timing",
        )
    with transaction.atomic():
        locked = FlowDefinition.objects.select_for_update().get(pk=definition.pk)
        locked.name = name
        locked.group = group
        locked.description = description
        locked.startable = startable
        locked.full_clean()
        locked.save(
            update_fields=["name", "group", "description", "startable", "updated_at"]
        )
        locked.starter_departments.set(list(starter_departments))
        draft = _draft_of(locked)
        body = dict(draft["definition"])
        body.update(
            {
                "name": name,
                "cc": dict(cc) if cc and cc.get("kind") else None,
                "cc_timing": cc_timing,
                "allow_withdraw_after_action": allow_withdraw_after_action,
                "allow_revoke": allow_revoke,
                "urge_interval_seconds": urge_interval_seconds,
            }
        )
        draft["definition"] = body
        _store_draft(locked, draft, at, definition)
        audit_record(
            actor=by,
            action="workflow.flow_settings_save",
            target=locked,
            data={"code": locked.code},
        )
    return locked


def flow_draft_save(
    *,
    definition: FlowDefinition,
    body: Any,
    by: User,
    now: datetime.datetime | None = None,
) -> FlowDefinition:
    """Store the designer's node tree as the draft; problems are kept for later.

    A malformed tree (not the engine's dict format) is refused; a well-formed
    tree with problems is saved like a document being edited: publishing is what
    refuses it.
    """
    if not isinstance(body, Mapping):
        raise DomainError(
            {"definition": _("The flow definition must be a JSON object.")},
            code="malformed_definition",
        )
    data = dict(body)
    data["key"] = definition.code
    parsed = _parse_definition(data)
    at = now or timezone.now()
    with transaction.atomic():
        locked = FlowDefinition.objects.select_for_update().get(pk=definition.pk)
        draft = _draft_of(locked)
        draft["definition"] = engine.definition_to_dict(parsed)
        _store_draft(locked, draft, at, definition)
        audit_record(
            actor=by,
            action="workflow.flow_draft_save",
            target=locked,
            data={"code": locked.code},
        )
    return locked


def flow_form_save(
    *,
    definition: FlowDefinition,
    form: Any,
    by: User,
    now: datetime.datetime | None = None,
) -> FlowDefinition:
    """Store the form designer's fields as the draft's form (helper "forms").

    Refused with one message per problem, each naming its field; the draft's
    node tree is left as it is.
    """
    from zhiban.workflow import formschema

    problems = formschema.validate_schema(form, kind=definition.kind)
    if problems:
        error = DomainError(
            {
                "form": [
                    DomainError(
                        _("Form field “%(field)s”: %(problem)s")
                        % {"field": problem.key, "problem": problem.message}
                        if problem.key
                        else problem.message,
                        code=problem.code,
                    )
                    for problem in problems
                ]
            }
        )
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    locked_keys = formschema.locked_keys(definition.kind)
    fields = [
        {**dict(item), "locked": str(item.get("key")) in locked_keys} for item in form
    ]
    at = now or timezone.now()
    with transaction.atomic():
        locked = FlowDefinition.objects.select_for_update().get(pk=definition.pk)
        draft = _draft_of(locked)
        draft["form"] = fields
        _store_draft(locked, draft, at, definition)
        audit_record(
            actor=by,
            action="workflow.flow_form_save",
            target=locked,
            data={"code": locked.code, "fields": len(fields)},
        )
    return locked


def _schema_problems(fields: list[Any], kind: str) -> list[engine.Problem]:
    """Return the form schema's problems, once the form schema module exists."""
    try:
        formschema = importlib.import_module("zhiban.workflow.formschema")
    except ImportError:  # the forms helper's module is not there yet
        return []
    return [
        engine.Problem(
            "",
            str(problem.code),
            _("Form field “%(field)s”: %(problem)s")
            % {"field": problem.key, "problem": problem.message}
            if problem.key
            else str(problem.message),
        )
        for problem in formschema.validate_schema(fields, kind=kind)
    ]


def _value_fits(field: Mapping[str, Any], op: engine.Op, value: Any) -> str:
    """Return why a condition value does not fit the field, or ``""``."""
    kind = field.get("type")
    values = value if isinstance(value, list | tuple) else [value]
    if op is engine.Op.IN and not isinstance(value, list | tuple):
        return ""  # the engine reports it
    if kind in NUMERIC_FIELD_TYPES:
        for item in values:
            try:
                float(item)
            except (TypeError, ValueError):
                return _("“%(value)s” is not a number.") % {"value": item}
        return ""
    if op in ORDERING_OPS:
        return _("Greater or less than needs a number field.")
    if kind in ("choice", "multichoice") and op is not engine.Op.CONTAINS:
        options = [str(o) for o in field.get("options") or []]
        for item in values:
            if str(item) not in options:
                return _("“%(value)s” is not one of the field's options.") % {
                    "value": item
                }
    if op is engine.Op.CONTAINS and kind not in ("text", "textarea", "multichoice"):
        return _("“Contains” needs a text or multiple choice field.")
    if value in (None, "") or (isinstance(value, list | tuple) and not value):
        return _("The condition has no value.")
    return ""


def _form_problems(
    parsed: engine.Definition, fields: list[Any]
) -> list[engine.Problem]:
    """Return the problems between the node tree and the form it runs on."""
    by_key = {
        str(field.get("key")): field for field in fields if isinstance(field, Mapping)
    }
    problems: list[engine.Problem] = []

    def person_field(node_id: str, spec: engine.Assignees | None) -> None:
        if spec is None or spec.kind is not engine.AssigneeKind.FORM_FIELD:
            return
        if not spec.field:
            return  # the engine reports a missing field
        field = by_key.get(spec.field)
        if field is None:
            problems.append(
                engine.Problem(
                    node_id,
                    "unknown_field",
                    _("The form has no field “%(field)s”.") % {"field": spec.field},
                )
            )
        elif field.get("type") != "person":
            problems.append(
                engine.Problem(
                    node_id,
                    "not_a_person_field",
                    _("The field “%(field)s” is not a person field.")
                    % {"field": field.get("label") or spec.field},
                )
            )

    person_field("", parsed.cc)
    for node in parsed.nodes_by_id.values():
        if isinstance(node, engine.ApproverNode | engine.CcNode):
            person_field(node.id, node.assignees)
        if not isinstance(node, engine.ConditionNode):
            continue
        for branch in node.branches:
            for condition in branch.conditions:
                if not condition.field:
                    continue  # the engine reports an empty condition
                field = by_key.get(condition.field)
                if field is None:
                    problems.append(
                        engine.Problem(
                            branch.id,
                            "unknown_field",
                            _("The form has no field “%(field)s”.")
                            % {"field": condition.field},
                        )
                    )
                    continue
                why = _value_fits(field, condition.op, condition.value)
                if why:
                    problems.append(
                        engine.Problem(
                            branch.id,
                            "bad_condition_value",
                            _("Condition on “%(field)s”: %(problem)s")
                            % {
                                "field": field.get("label") or condition.field,
                                "problem": why,
                            },
                        )
                    )
    return problems


def flow_validate(*, definition: FlowDefinition) -> list[engine.Problem]:
    """Return every problem of the flow's draft: node tree, form, and between them.

    Each problem points at the node or branch id ("" for the flow's settings
    and its form).
    """
    draft = _draft_of(definition)
    body = dict(draft["definition"])
    body["key"] = definition.code
    parsed = _parse_definition(body)
    fields = [f for f in draft.get("form") or [] if isinstance(f, Mapping)]
    problems = list(engine.validate(parsed))
    problems.extend(_schema_problems(list(draft.get("form") or []), definition.kind))
    problems.extend(_form_problems(parsed, fields))
    return problems


def problems_error(problems: Iterable[engine.Problem]) -> DomainError:
    """Return the DomainError that lists every problem with its node."""
    return DomainError(
        {
            "definition": [
                DomainError(
                    _("Node “%(node)s”: %(problem)s")
                    % {"node": problem.node_id, "problem": problem.message}
                    if problem.node_id
                    else problem.message,
                    code=problem.code,
                )
                for problem in problems
            ]
        }
    )


def flow_publish_draft(
    *,
    definition: FlowDefinition,
    by: User,
    now: datetime.datetime | None = None,
) -> FlowVersion:
    """Publish the flow's draft (node tree and form) as its next version.

    Refused with every problem of the draft, each naming its node or field.
    """
    problems = flow_validate(definition=definition)
    if problems:
        raise problems_error(problems)
    draft = _draft_of(definition)
    body = dict(draft["definition"])
    body["key"] = definition.code
    return flow_publish(
        definition=definition,
        body=body,
        by=by,
        now=now,
        form_schema=list(draft.get("form") or []),
    )


def flow_copy(
    *, source: FlowDefinition, code: str, name: str, by: User
) -> FlowDefinition:
    """Create a new, unpublished flow from the source's draft and kind."""
    draft = _draft_of(source)
    body = dict(draft["definition"])
    body.update({"key": code, "name": name})
    with transaction.atomic():
        flow = FlowDefinition(
            code=code,
            name=name,
            kind=source.kind,
            group=source.group,
            description=source.description,
            startable=source.startable,
            copied_from=source,
            draft={"definition": body, "form": list(draft.get("form") or [])},
            draft_updated_at=timezone.now(),
        )
        flow.full_clean()
        flow.save()
        flow.starter_departments.set(list(source.starter_departments.all()))
        audit_record(
            actor=by,
            action="workflow.flow_copy",
            target=flow,
            data={"code": code, "source": source.code},
        )
    return flow


def flow_set_active(*, definition: FlowDefinition, active: bool, by: User) -> None:
    """Turn a flow on or off for new requests; running instances carry on."""
    with transaction.atomic():
        definition.is_active = active
        definition.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=by,
            action="workflow.flow_activate" if active else "workflow.flow_deactivate",
            target=definition,
            data={"code": definition.code},
        )


def _dry_run_value(field: Mapping[str, Any] | None, value: Any) -> Any:
    """Turn a sample value typed in the designer into its stored form."""
    kind = field.get("type") if field else None
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if kind == "multichoice" and isinstance(value, str):
        return [value]
    return value


def flow_dry_run(
    *,
    definition: FlowDefinition,
    form: Mapping[str, Any],
    initiator: User,
    picks: Mapping[str, Iterable[object]] | None = None,
) -> engine.Path:
    """Return the path the draft would take for the sample form; nothing is stored."""
    from zhiban.workflow import formschema

    draft = _draft_of(definition)
    body = dict(draft["definition"])
    body["key"] = definition.code
    parsed = _parse_definition(body)
    fields = {
        str(f.get("key")): f for f in draft.get("form") or [] if isinstance(f, Mapping)
    }
    values = {
        str(key): _dry_run_value(fields.get(str(key)), value)
        for key, value in form.items()
        if value not in (None, "", [])
    }
    facts = DjangoOrgFacts()
    facts.remember(initiator)
    labels = formschema.field_labels(fields.values())
    return engine.dry_run(
        parsed, values, str(initiator.pk), facts, _picks(picks), labels=labels
    )


# --- acting -----------------------------------------------------------------------


def _user_ref(value: object, field: str) -> str:
    """Return the id of an active user given as a User or an id, else raise."""
    pk = value.pk if isinstance(value, User) else value
    if (
        isinstance(pk, int | str)
        and str(pk).isdigit()
        and User.objects.filter(pk=pk, is_active=True).exists()
    ):
        return str(pk)
    raise DomainError({field: _("Choose an active person.")}, code="unknown_user")


def _picks(picks: Mapping[str, Iterable[object]] | None) -> dict[str, tuple[str, ...]]:
    return {
        node_id: tuple(_user_ref(person, "picks") for person in people)
        for node_id, people in (picks or {}).items()
    }


def instance_url(instance: FlowInstance) -> str:
    """Return the instance's detail page."""
    return reverse("workflow:instance_detail", args=[instance.pk])


def _build_action(
    kind: str,
    *,
    actor: str,
    on_behalf_of: str | None,
    task_key: str,
    at: datetime.datetime,
    payload: Mapping[str, Any],
) -> engine.AnyAction:
    text = str(payload.get("opinion") or payload.get("reason") or "")
    common: dict[str, Any] = {"actor": actor, "at": at, "on_behalf_of": on_behalf_of}
    if kind in TASK_ACTIONS:
        common["task_id"] = task_key
    if kind == "approve":
        return engine.Approve(**common, opinion=text)
    if kind == "reject":
        return engine.Reject(**common, reason=text)
    if kind == "return":
        return engine.Return(
            **common, to_node=str(payload.get("to_node") or ""), reason=text
        )
    if kind == "transfer":
        return engine.Transfer(
            **common, to_user=_user_ref(payload.get("to_user"), "to_user"), reason=text
        )
    if kind == "add_approver":
        return engine.AddApprover(
            **common,
            user=_user_ref(payload.get("user"), "user"),
            before=bool(payload.get("before", True)),
            opinion=text,
        )
    if kind == "withdraw":
        return engine.Withdraw(**common, reason=text)
    if kind == "urge":
        return engine.Urge(**common, message=str(payload.get("message") or ""))
    if kind == "comment":
        return engine.Comment(
            **common,
            text=str(payload.get("text") or ""),
            attachments=tuple(str(a) for a in payload.get("attachments", ())),
        )
    # "revoke" is never built here: it goes through its own approval
    # (zhiban.workflow.revocation), which alone applies the engine's Revoke.
    if kind == "submit":
        return engine.Submit(
            **common,
            form=dict(payload.get("form") or {}),
            picks=_picks(payload.get("picks")),
        )
    raise DomainError(
        {"kind": _("Unknown action “%(kind)s”.") % {"kind": kind}},
        code="unknown_action",
    )


def _comment_of(action: engine.AnyAction) -> str:
    for name in ("opinion", "reason", "text", "message"):
        value = getattr(action, name, "")
        if value:
            return str(value)
    return ""


def _users(refs: Iterable[str], facts: DjangoOrgFacts) -> dict[str, User]:
    wanted = {ref for ref in refs if ref.isdigit()}
    missing = [ref for ref in wanted if facts.user(ref) is None]
    if missing:
        raise DomainError(
            _("A person of this flow no longer exists."), code="unknown_user"
        )
    found: dict[str, User] = {}
    for ref in wanted:
        person = facts.user(ref)
        assert person is not None  # noqa: S101 - checked above
        found[ref] = person
    return found


def _open_tasks(
    instance: FlowInstance,
    definition: engine.Definition,
    tasks: tuple[engine.Task, ...],
    initiator: User,
    people: Mapping[str, User],
    now: datetime.datetime,
) -> None:
    """Create the tasks' rows and open their work items, one bulk call per reason."""
    groups: dict[str, list[engine.Task]] = defaultdict(list)
    for task in tasks:
        groups[task.reason].append(task)
    rows: list[FlowTask] = []
    for reason, group in groups.items():
        items = inbox.work_items_open(
            assignees=[people[task.assignee] for task in group],
            kind=APPROVAL_KIND,
            title=instance.title,
            target=instance,
            url=instance_url(instance),
            reason=reason,
            initiator=initiator,
        )
        for task, item in zip(group, items, strict=True):
            node = definition.nodes_by_id.get(task.node_id)
            # The timeout sweep looks at open tasks past their due time.
            minutes = (
                node.timeout_minutes if isinstance(node, engine.ApproverNode) else 0
            )
            rows.append(
                FlowTask(
                    instance=instance,
                    key=task.id,
                    node_id=task.node_id,
                    node_name=node.name[:100] if node is not None else "",
                    assignee_id=item.assignee_id,
                    on_behalf_of_id=item.on_behalf_of_id,
                    reason=reason[:200],
                    opened_at=now,
                    due_at=now + datetime.timedelta(minutes=minutes)
                    if minutes
                    else None,
                    work_item=item,
                )
            )
    FlowTask.objects.bulk_create(rows)


def _close_tasks(
    instance: FlowInstance,
    tasks: tuple[engine.Task, ...],
    by: User | None,
    now: datetime.datetime,
    open_rows: Sequence[FlowTask] = (),
) -> None:
    """Close the tasks' rows and their work items: one UPDATE of each per outcome.

    ``open_rows``: the instance's open task rows the caller read under the
    instance's lock; only tasks not among them are read again.
    """
    if not tasks:
        return
    rows = {row.key: row for row in open_rows}
    missing = [t.id for t in tasks if t.id not in rows]
    if missing:
        rows.update(
            (row.key, row)
            for row in FlowTask.objects.filter(instance=instance, key__in=missing)
        )
    groups: dict[tuple[str, str], list[FlowTask]] = defaultdict(list)
    for task in tasks:
        row = rows[task.id]
        done = task.state is engine.TaskState.DONE
        row.state = FlowTask.State.DONE if done else FlowTask.State.CANCELLED
        row.outcome = task.outcome.value
        row.closed_at = now
        row.closed_by = by if done else None
        groups[(row.state, row.outcome)].append(row)
    for (state, outcome), group in groups.items():
        done = state == FlowTask.State.DONE
        FlowTask.objects.filter(pk__in=[row.pk for row in group]).update(
            state=state, outcome=outcome, closed_at=now, closed_by=by if done else None
        )
        inbox.work_items_close(
            ids=[row.work_item_id for row in group if row.work_item_id is not None],
            by=by,
            outcome=outcome,
            state=WorkItem.State.DONE if done else WorkItem.State.CANCELLED,
        )


def _send(
    instance: FlowInstance,
    notifications: tuple[engine.Notification, ...],
    people: Mapping[str, User],
    initiator: User,
) -> None:
    """Send the engine's notifications; task ones came with their work items."""
    # Who holds a delegated task now matters to urges only: no query otherwise.
    holders = (
        {
            str(row.principal_id): row.assignee_id
            for row in FlowTask.objects.filter(
                instance=instance,
                state=FlowTask.State.OPEN,
                on_behalf_of__isnull=False,
            )
        }
        if any(note.kind == "urge" for note in notifications)
        else {}
    )
    cc: dict[str, list[User]] = defaultdict(list)
    other: dict[tuple[str, str], list[User]] = defaultdict(list)
    for note in notifications:
        person = people.get(note.recipient)
        if note.kind == "task" or person is None:
            continue
        if note.kind == "cc":
            cc[note.text].append(person)
            continue
        if note.kind == "urge" and note.recipient in holders:
            # An urge reaches whoever holds the work item now.
            person = User.objects.get(pk=holders[note.recipient])
        other[(note.kind, note.text)].append(person)
    url = instance_url(instance)
    for text, recipients in cc.items():
        inbox.work_items_open(
            assignees=list(dict.fromkeys(recipients)),
            kind=APPROVAL_KIND,
            title=instance.title,
            target=instance,
            url=url,
            reason=text,
            initiator=initiator,
            is_cc=True,
        )
    for (kind, text), recipients in other.items():
        inbox.notify_many(
            recipients=list(dict.fromkeys(recipients)),
            kind=f"workflow.{kind}",
            title=instance.title,
            body=text,
            url=url,
        )


def _apply(
    *,
    instance: FlowInstance,
    action: engine.AnyAction,
    by: User | None,
    on_behalf_of: User | None,
    facts: DjangoOrgFacts,
    now: datetime.datetime,
    comment: str | None = None,
    open_rows: Sequence[FlowTask] = (),
) -> FlowInstance:
    """Run one action through the engine and store everything it decided.

    ``by`` is None for the system (the timeout sweep); ``comment`` replaces the
    opinion taken from the action (a revocation request's reason); ``open_rows``
    are the open task rows the caller read under the instance's lock, if any.
    """
    definition = definition_of(instance.version)
    before = (
        engine.state_from_dict(instance.state) if instance.state else engine.State()
    )
    try:
        outcome = engine.apply(definition, before, action, facts)
    except engine.EngineError as error:
        raise domain_error_from(error) from error
    state = outcome.state
    refs = {t.assignee for t in outcome.opened}
    refs |= {n.recipient for n in outcome.notifications if n.kind != "task"}
    people = _users(refs, facts)
    initiator = instance.initiator

    previous = instance.sequence
    instance.sequence = previous + 1
    instance.state = engine.state_to_dict(state)
    instance.status = FlowInstance.Status(state.status.value)
    instance.current_nodes = [run.node_id for run in state.runs]
    instance.form = dict(state.form)
    instance.updated_at = now
    if state.status.value in TERMINAL:
        instance.finished_at = now
    elif state.status is engine.Status.RUNNING:
        instance.finished_at = None
    # The row is locked; the sequence check still refuses a lost update outright.
    changed = FlowInstance.objects.filter(pk=instance.pk, sequence=previous).update(
        sequence=instance.sequence,
        state=instance.state,
        status=instance.status,
        current_nodes=instance.current_nodes,
        form=instance.form,
        updated_at=now,
        finished_at=instance.finished_at,
    )
    if changed != 1:
        raise DomainError(
            _("This approval changed meanwhile; reload the page and try again."),
            code="concurrent_change",
        )
    kind = _action_kind(action)
    task_node = next(
        (t.node_id for t in before.tasks if action.task_id and t.id == action.task_id),
        "",
    )
    FlowAction.objects.create(
        instance=instance,
        sequence=instance.sequence,
        kind=kind,
        body=engine.action_to_dict(action),
        events=[
            {
                "kind": e.kind,
                "node_id": e.node_id,
                "text": e.text,
                "users": list(e.users),
            }
            for e in outcome.events
        ],
        node_id=task_node,
        actor=by,
        on_behalf_of=on_behalf_of,
        at=now,
        comment=_comment_of(action) if comment is None else comment,
    )
    _close_tasks(instance, outcome.closed, by, now, open_rows)
    _open_tasks(instance, definition, outcome.opened, initiator, people, now)
    _send(instance, outcome.notifications, people, initiator)
    # A terminal outcome: reaching approved/rejected/withdrawn, or revoking.
    ended = state.status is not before.status and state.is_finished
    if ended and instance.revokes_id is not None:
        # A revocation request's outcome is the original's business, never the
        # flow type's handler (a seal module would book a second stamping).
        from zhiban.workflow.revocation import revocation_finished

        revocation_finished(revocation=instance, now=now)
    elif ended:
        flow = instance.version.definition
        handler = OUTCOME_HANDLERS.get(flow.code) or flow_kind(flow.kind).on_outcome
        if handler is not None:
            handler(instance)
    audit_record(
        actor=by,
        action=f"workflow.instance_{kind}",
        target=instance,
        on_behalf_of=on_behalf_of,
        data={
            "sequence": instance.sequence,
            "status": instance.status,
            "task": action.task_id,
        },
    )
    return instance


def _action_kind(action: engine.AnyAction) -> str:
    name = type(action).__name__.lower()
    return "add_approver" if name == "addapprover" else name


def instance_start(
    *,
    flow_code: str,
    form: Mapping[str, Any],
    by: User,
    title: str = "",
    picks: Mapping[str, Iterable[object]] | None = None,
    files: Mapping[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> FlowInstance:
    """Start an instance on the flow's latest version and submit it.

    With a form schema on the version, the form is cleaned by it (helper
    "forms"): a refusal is DomainError({key: [messages]}, code="invalid_form")
    and writes nothing. Uploads (``files``: field key → files) are stored as
    FlowFile rows in the same transaction, their ids put in the form values;
    if the transaction fails, the files written are deleted again.
    """
    from zhiban.workflow import formschema

    at = now or timezone.now()
    version = _latest_version(flow_code)
    chosen = _picks(picks)
    values = dict(form)
    uploads: dict[str, list[Any]] = {}
    if version.form_schema:
        cleaned = formschema.clean_submission(
            formschema.schema_fields(version.form_schema), form, files, user=by
        )
        if cleaned.errors:
            error = DomainError(cleaned.errors)
            error.code = "invalid_form"
            raise error
        values, uploads = cleaned.values, dict(cleaned.uploads)
    written: list[FlowFile] = []
    try:
        with transaction.atomic():
            instance = FlowInstance(
                version=version,
                initiator=by,
                title=(title or f"{version.definition.name}·{by.display_name}")[:200],
                form=values,
                created_at=at,
                updated_at=at,
            )
            instance.full_clean()
            instance.save()
            values.update(_store_form_uploads(instance, uploads, by, at, written))
            facts = DjangoOrgFacts()
            facts.remember(by)
            action = engine.Submit(str(by.pk), at, form=dict(values), picks=chosen)
            return _apply(
                instance=instance,
                action=action,
                by=by,
                on_behalf_of=None,
                facts=facts,
                now=at,
            )
    except BaseException:
        for row in written:  # nothing of a refused submission stays on disk
            row.file.delete(save=False)
        raise


def _store_form_uploads(
    instance: FlowInstance,
    uploads: Mapping[str, list[Any]],
    by: User,
    at: datetime.datetime,
    written: list[FlowFile],
) -> dict[str, list[int]]:
    """Store a form's checked uploads as FlowFile rows; return their ids by field.

    Each row written is added to ``written``, so that the caller can delete the
    files again if its transaction fails.
    """
    return {
        key: [row.pk for row in _store_uploads(instance, items, by, at, written, key)]
        for key, items in uploads.items()
    }


def instance_resubmit(
    *,
    instance_id: int,
    form: Mapping[str, Any],
    by: User,
    picks: Mapping[str, Iterable[object]] | None = None,
    files: Mapping[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> FlowInstance:
    """Resubmit a request returned to its initiator, with the form as edited.

    The form is cleaned by the instance's own version (not a newer one). An
    attachment field without new uploads keeps the files it had; new uploads
    replace them. A refusal raises DomainError and changes nothing.
    """
    from zhiban.workflow import formschema

    at = now or timezone.now()
    written: list[FlowFile] = []
    try:
        with transaction.atomic():
            instance = instance_lock(instance_id=instance_id)
            if instance is None:
                raise DomainError(
                    _("This approval does not exist."), code="no_instance"
                )
            if instance.initiator_id != by.pk:
                raise _not_your_task()
            if not policies.can_resubmit(by, instance):
                raise DomainError(
                    _("Only a request returned to you can be edited and resubmitted."),
                    code="concurrent_change",
                )
            values = dict(form)
            kept: dict[str, Any] = {}
            schema = formschema.schema_fields(instance.version.form_schema)
            if schema:
                fields = []
                for field in schema:
                    key = str(field.get("key"))
                    had = instance.form.get(key)
                    new = files.get(key) if files is not None else None
                    if field.get("type") == "attachment" and had and not new:
                        kept[key] = had  # keep the files it had
                        field = {**field, "required": False}
                    fields.append(field)
                cleaned = formschema.clean_submission(fields, form, files, user=by)
                if cleaned.errors:
                    error = DomainError(cleaned.errors)
                    error.code = "invalid_form"
                    raise error
                values = {**cleaned.values, **kept}
                values.update(
                    _store_form_uploads(instance, cleaned.uploads, by, at, written)
                )
            facts = DjangoOrgFacts()
            facts.remember(by)
            action = engine.Submit(
                str(by.pk), at, form=dict(values), picks=_picks(picks)
            )
            return _apply(
                instance=instance,
                action=action,
                by=by,
                on_behalf_of=None,
                facts=facts,
                now=at,
            )
    except BaseException:
        for row in written:
            row.file.delete(save=False)
        raise


def instance_lock(
    *, instance_id: int, running_only: bool = False
) -> FlowInstance | None:
    """Lock and return the instance with its version, flow and initiator, or None.

    Every change of an instance starts here. Only the instance's row is locked
    (``FOR UPDATE OF``): locking the joined rows as well, as ``select_for_update``
    does by default, made every approval of a flow wait for every other one on the
    version's row. Written out once (``zhiban.core.rows``): compiling the ORM's
    two-level ``select_related`` cost more than running it (bench/README.md).
    """
    instances, versions, flows = "i", "v", "d"
    sql = (
        f"SELECT {rows.select_list(FlowInstance, instances)},"  # noqa: S608 - every value is a parameter
        f" {rows.select_list(FlowVersion, versions)},"
        f" {rows.select_list(FlowDefinition, flows)},"
        f" {rows.select_list(User, 'u')}"
        f" FROM {rows.table(FlowInstance)} {instances}"
        f" JOIN {rows.table(FlowVersion)} {versions} ON {versions}.id = {instances}.version_id"
        f" JOIN {rows.table(FlowDefinition)} {flows} ON {flows}.id = {versions}.definition_id"
        f" JOIN {rows.table(User)} u ON u.id = {instances}.initiator_id"
        f" WHERE {instances}.id = %s"
    )
    params: list[Any] = [instance_id]
    if running_only:
        sql += f" AND {instances}.status = %s"
        params.append(FlowInstance.Status.RUNNING.value)
    if connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {instances}"
    found = rows.fetch(sql, params, (FlowInstance, FlowVersion, FlowDefinition, User))
    if not found:
        return None
    instance, version, flow, initiator = found[0]
    FlowVersion.definition.field.set_cached_value(version, flow)
    FlowInstance.version.field.set_cached_value(instance, version)
    FlowInstance.initiator.field.set_cached_value(instance, initiator)
    return instance


def _choose_task(
    instance: FlowInstance,
    by: User,
    task_id: int | None,
    facts: DjangoOrgFacts,
    at: datetime.datetime,
    open_rows: list[FlowTask],
) -> tuple[FlowTask, User | None]:
    """Return the open task the person acts on, and whose behalf they act on.

    ``open_rows``: the instance's open task rows, read by the caller.
    """
    tasks = open_rows
    if task_id is not None:
        tasks = [t for t in tasks if t.pk == task_id]
    for task in tasks:  # my own turn first
        if task.principal_id == by.pk:
            return task, None
    for task in tasks:  # then work that reached me by delegation
        if task.assignee_id == by.pk and task.on_behalf_of_id is not None:
            return task, _principal(task, facts)
    # Then a delegation that began after the task opened; as in the inbox's
    # routing, never on the delegate's own request.
    for task in tasks if instance.initiator_id != by.pk else ():
        if facts.may_act_for(str(by.pk), str(task.principal_id), at):
            return task, _principal(task, facts)
    raise _not_your_task()


def _principal(task: FlowTask, facts: DjangoOrgFacts) -> User:
    """Return the person whose turn the task is (read only on a delegate's action)."""
    principal = facts.user(str(task.principal_id))
    assert principal is not None  # noqa: S101 - a task's people are foreign keys
    return principal


def instance_act(
    *,
    instance_id: int,
    kind: str,
    by: User,
    payload: Mapping[str, Any] | None = None,
    task_id: int | None = None,
    now: datetime.datetime | None = None,
    files: Iterable[Any] | None = None,
) -> FlowInstance:
    """Act on an instance: approve, reject, return, transfer, add an approver, ...

    Task actions act on the person's open task (``task_id`` picks one when they
    hold several), or on a task delegated to them, recorded as on behalf of its
    owner. A refused action raises DomainError and changes nothing.

    ``revoke`` (撤销) does not revoke at once: it starts a revocation request
    through the flow's own approval and returns that new instance
    (``zhiban.workflow.revocation``).

    ``files`` (uploads) go with a comment, approval, rejection or return: each
    is checked by ``inspect_upload`` first (a refused file writes nothing) and
    kept as a FlowFile of the action, in the same transaction.
    """
    if kind not in TASK_ACTIONS | INSTANCE_ACTIONS:
        raise DomainError(
            {"kind": _("Unknown action “%(kind)s”.") % {"kind": kind}},
            code="unknown_action",
        )
    at = now or timezone.now()
    data = dict(payload or {})
    if kind == "revoke":
        # Revoking goes through its own approval: this starts the request.
        from zhiban.workflow.revocation import instance_revoke_request

        original = FlowInstance.objects.filter(pk=instance_id).first()
        if original is None:
            raise DomainError(_("This approval does not exist."), code="no_instance")
        return instance_revoke_request(
            instance=original,
            by=by,
            reason=str(data.get("reason") or data.get("opinion") or ""),
            now=at,
        )
    uploads = _action_uploads(kind, files)
    written: list[FlowFile] = []
    try:
        with transaction.atomic():
            instance = instance_lock(instance_id=instance_id)
            if instance is None:
                raise DomainError(
                    _("This approval does not exist."), code="no_instance"
                )
            facts = DjangoOrgFacts()
            facts.remember(by, instance.initiator)
            on_behalf_of: User | None = None
            task_key = ""
            open_rows: list[FlowTask] = []
            if kind in TASK_ACTIONS:
                if instance.is_finished:
                    raise domain_error_from(engine.InstanceFinished("", ""))
                open_rows = list(
                    FlowTask.objects.filter(
                        instance=instance, state=FlowTask.State.OPEN
                    ).order_by("id")
                )
                task, on_behalf_of = _choose_task(
                    instance, by, task_id, facts, at, open_rows
                )
                task_key = task.key
            _store_uploads(instance, uploads, by, at, written)
            if kind == "comment" and written:
                data["attachments"] = [
                    *data.get("attachments", ()),
                    *(str(row.pk) for row in written),
                ]
            action = _build_action(
                kind,
                actor=str(by.pk),
                on_behalf_of=str(on_behalf_of.pk) if on_behalf_of else None,
                task_key=task_key,
                at=at,
                payload=data,
            )
            acted = _apply(
                instance=instance,
                action=action,
                by=by,
                on_behalf_of=on_behalf_of,
                facts=facts,
                now=at,
                open_rows=open_rows,
            )
            if written:
                FlowFile.objects.filter(pk__in=[row.pk for row in written]).update(
                    action=FlowAction.objects.get(
                        instance=acted, sequence=acted.sequence
                    )
                )
            return acted
    except BaseException:
        for row in written:  # nothing of a refused action stays on disk
            row.file.delete(save=False)
        raise


# Actions that may carry files (a comment's attachments, an opinion's evidence).
FILE_ACTIONS = frozenset({"comment", "approve", "reject", "return"})


def _action_uploads(kind: str, files: Iterable[Any] | None) -> list[tuple[Any, Any]]:
    """Return (upload, intake) for each file; refuse before anything is written."""
    from zhiban.core.files import inspect_upload

    uploads = [f for f in files or () if f is not None]
    if uploads and kind not in FILE_ACTIONS:
        raise DomainError(
            _("Files cannot be attached to this action."), code="files_not_allowed"
        )
    return [(f, inspect_upload(f, name=str(f.name))) for f in uploads]


def _store_uploads(
    instance: FlowInstance,
    uploads: list[tuple[Any, Any]],
    by: User,
    at: datetime.datetime,
    rows: list[FlowFile],
    field: str = "",
) -> list[FlowFile]:
    """Keep checked uploads as the instance's files: a form field's, or (no field)
    an action's, bound to the action later; return the rows written.

    Each row is added to ``rows`` as soon as its bytes are on disk, so that a
    failure later removes them again.
    """
    stored = []
    for upload, intake in uploads:
        row = FlowFile(
            instance=instance,
            field=field,
            original_name=intake.name[:200],
            size=intake.size,
            sha256=intake.sha256,
            content_type=intake.content_type,
            uploaded_by=by,
            uploaded_at=at,
        )
        row.file.save(intake.name, upload, save=False)
        rows.append(row)
        row.save()
        stored.append(row)
    return stored


def instance_replay(*, instance: FlowInstance) -> engine.State:
    """Return the state the stored action log replays to (a consistency check)."""
    actions = [
        engine.action_from_dict(body)
        for body in instance.actions.order_by("sequence").values_list("body", flat=True)
    ]
    return engine.replay(definition_of(instance.version), actions, DjangoOrgFacts())


__all__ = [
    "OUTCOME_HANDLERS",
    "default_draft",
    "definition_of",
    "domain_error_from",
    "flow_copy",
    "flow_create",
    "flow_draft_of",
    "flow_draft_save",
    "flow_dry_run",
    "flow_form_save",
    "flow_publish",
    "flow_publish_draft",
    "flow_set_active",
    "flow_settings_save",
    "flow_validate",
    "instance_act",
    "instance_replay",
    "instance_start",
    "instance_url",
    "problems_error",
    "register_outcome_handler",
    "unregister_outcome_handler",
]
