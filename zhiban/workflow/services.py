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
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.inbox import services as inbox
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.workflow import engine
from zhiban.workflow.facts import APPROVAL_KIND, DjangoOrgFacts
from zhiban.workflow.kinds import flow_kind
from zhiban.workflow.models import (
    FlowAction,
    FlowDefinition,
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


def flow_create(*, code: str, name: str, by: User) -> FlowDefinition:
    """Create a flow type with no version yet."""
    with transaction.atomic():
        flow = FlowDefinition(code=code, name=name)
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
    """Return the engine definition of a version."""
    return engine.definition_from_dict(version.body)


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
    if kind == "revoke":
        return engine.Revoke(**common, reason=text)
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
                    work_item=item,
                )
            )
    FlowTask.objects.bulk_create(rows)


def _close_tasks(
    instance: FlowInstance,
    tasks: tuple[engine.Task, ...],
    by: User,
    now: datetime.datetime,
) -> None:
    """Close the tasks' rows and their work items."""
    if not tasks:
        return
    rows = {
        row.key: row
        for row in FlowTask.objects.filter(
            instance=instance, key__in=[t.id for t in tasks]
        ).select_related("work_item")
    }
    for task in tasks:
        row = rows[task.id]
        done = task.state is engine.TaskState.DONE
        row.state = FlowTask.State.DONE if done else FlowTask.State.CANCELLED
        row.outcome = task.outcome.value
        row.closed_at = now
        row.closed_by = by if done else None
        row.save(update_fields=["state", "outcome", "closed_at", "closed_by"])
        if row.work_item is not None:
            inbox.work_item_close(
                item=row.work_item,
                by=by,
                outcome=task.outcome.value,
                state=WorkItem.State.DONE if done else WorkItem.State.CANCELLED,
            )


def _send(
    instance: FlowInstance,
    notifications: tuple[engine.Notification, ...],
    people: Mapping[str, User],
    initiator: User,
) -> None:
    """Send the engine's notifications; task ones came with their work items."""
    holders = {
        str(row.principal_id): row.assignee_id
        for row in FlowTask.objects.filter(
            instance=instance,
            state=FlowTask.State.OPEN,
            on_behalf_of__isnull=False,
        )
    }
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
    by: User,
    on_behalf_of: User | None,
    facts: DjangoOrgFacts,
    now: datetime.datetime,
) -> FlowInstance:
    """Run one action through the engine and store everything it decided."""
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
        comment=_comment_of(action),
    )
    _close_tasks(instance, outcome.closed, by, now)
    _open_tasks(instance, definition, outcome.opened, initiator, people, now)
    _send(instance, outcome.notifications, people, initiator)
    # A terminal outcome: reaching approved/rejected/withdrawn, or revoking.
    ended = state.status is not before.status and state.is_finished
    if ended:
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
    now: datetime.datetime | None = None,
) -> FlowInstance:
    """Start an instance on the flow's latest version and submit it."""
    at = now or timezone.now()
    version = _latest_version(flow_code)
    chosen = _picks(picks)
    with transaction.atomic():
        instance = FlowInstance(
            version=version,
            initiator=by,
            title=(title or f"{version.definition.name}·{by.display_name}")[:200],
            form=dict(form),
            created_at=at,
            updated_at=at,
        )
        instance.full_clean()
        instance.save()
        facts = DjangoOrgFacts()
        facts.remember(by)
        action = engine.Submit(str(by.pk), at, form=dict(form), picks=chosen)
        return _apply(
            instance=instance,
            action=action,
            by=by,
            on_behalf_of=None,
            facts=facts,
            now=at,
        )


def _choose_task(
    instance: FlowInstance,
    by: User,
    task_id: int | None,
    facts: DjangoOrgFacts,
    at: datetime.datetime,
) -> tuple[FlowTask, User | None]:
    """Return the open task the person acts on, and whose behalf they act on."""
    tasks = list(
        FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN)
        .select_related("assignee", "on_behalf_of")
        .order_by("id")
    )
    if task_id is not None:
        tasks = [t for t in tasks if t.pk == task_id]
    for task in tasks:  # my own turn first
        if task.principal_id == by.pk:
            return task, None
    for task in tasks:  # then work that reached me by delegation
        if task.assignee_id == by.pk and task.on_behalf_of is not None:
            return task, task.on_behalf_of
    for task in tasks:  # then a delegation that began after the task opened
        principal = task.on_behalf_of or task.assignee
        if facts.may_act_for(str(by.pk), str(principal.pk), at):
            return task, principal
    raise _not_your_task()


def instance_act(
    *,
    instance_id: int,
    kind: str,
    by: User,
    payload: Mapping[str, Any] | None = None,
    task_id: int | None = None,
    now: datetime.datetime | None = None,
) -> FlowInstance:
    """Act on an instance: approve, reject, return, transfer, add an approver, ...

    Task actions act on the person's open task (``task_id`` picks one when they
    hold several), or on a task delegated to them, recorded as on behalf of its
    owner. A refused action raises DomainError and changes nothing.
    """
    if kind not in TASK_ACTIONS | INSTANCE_ACTIONS:
        raise DomainError(
            {"kind": _("Unknown action “%(kind)s”.") % {"kind": kind}},
            code="unknown_action",
        )
    at = now or timezone.now()
    data = dict(payload or {})
    with transaction.atomic():
        instance = (
            FlowInstance.objects.select_for_update()
            .select_related("version__definition", "initiator")
            .filter(pk=instance_id)
            .first()
        )
        if instance is None:
            raise DomainError(_("This approval does not exist."), code="no_instance")
        facts = DjangoOrgFacts()
        facts.remember(by, instance.initiator)
        on_behalf_of: User | None = None
        task_key = ""
        if kind in TASK_ACTIONS:
            if instance.is_finished:
                raise domain_error_from(engine.InstanceFinished("", ""))
            task, on_behalf_of = _choose_task(instance, by, task_id, facts, at)
            task_key = task.key
        action = _build_action(
            kind,
            actor=str(by.pk),
            on_behalf_of=str(on_behalf_of.pk) if on_behalf_of else None,
            task_key=task_key,
            at=at,
            payload=data,
        )
        return _apply(
            instance=instance,
            action=action,
            by=by,
            on_behalf_of=on_behalf_of,
            facts=facts,
            now=at,
        )


def instance_replay(*, instance: FlowInstance) -> engine.State:
    """Return the state the stored action log replays to (a consistency check)."""
    actions = [
        engine.action_from_dict(body)
        for body in instance.actions.order_by("sequence").values_list("body", flat=True)
    ]
    return engine.replay(definition_of(instance.version), actions, DjangoOrgFacts())


__all__ = [
    "OUTCOME_HANDLERS",
    "definition_of",
    "domain_error_from",
    "flow_create",
    "flow_publish",
    "instance_act",
    "instance_replay",
    "instance_start",
    "instance_url",
    "register_outcome_handler",
    "unregister_outcome_handler",
]
