"""Dry run: the path a form would take through a definition, without side effects."""

from __future__ import annotations

from collections.abc import Mapping

from .definitions import (
    ApproverNode,
    CcNode,
    ConditionNode,
    Definition,
    Form,
    Node,
    UserRef,
)
from .org import OrgFacts, resolve_assignees
from .state import Path, PathStep
from .validation import choose_branch, describe_condition
from .walk import active_people, apply_node_policies


def dry_run(
    definition: Definition,
    form: Form,
    initiator: UserRef,
    facts: OrgFacts,
    picks: Mapping[str, tuple[UserRef, ...]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Path:
    """Return the nodes the form would walk and who would approve each, with reasons.

    Every approver is assumed to approve; parallel branches are listed one after
    another. Nothing is created and nothing is sent.
    """
    chosen = dict(picks or {})
    labels = {**definition.field_labels, **(labels or {})}
    steps: list[PathStep] = [
        PathStep("start", "start", "发起", ((initiator, "发起人"),))
    ]
    previous: tuple[UserRef, ...] = ()

    def walk(sequence: tuple[Node, ...], note: str) -> None:
        nonlocal previous
        for node in sequence:
            if isinstance(node, ApproverNode):
                resolved = resolve_assignees(
                    node.assignees,
                    node_id=node.id,
                    initiator=initiator,
                    form=form,
                    picks=chosen,
                    facts=facts,
                    labels=labels,
                )
                people, notes = apply_node_policies(
                    node,
                    resolved,
                    initiator=initiator,
                    previous=previous,
                    facts=facts,
                )
                steps.append(
                    PathStep(
                        node.id,
                        "approver",
                        node.name,
                        tuple((p.user, p.reason) for p in people),
                        "；".join(n for n in (note, *notes) if n),
                    )
                )
                if people:
                    previous = tuple(p.user for p in people)
            elif isinstance(node, CcNode):
                people, _dropped = active_people(
                    resolve_assignees(
                        node.assignees,
                        node_id=node.id,
                        initiator=initiator,
                        form=form,
                        picks=chosen,
                        facts=facts,
                        labels=labels,
                    ),
                    facts,
                )
                steps.append(
                    PathStep(
                        node.id,
                        "cc",
                        node.name,
                        tuple((p.user, p.reason) for p in people),
                        note,
                    )
                )
            elif isinstance(node, ConditionNode):
                branch = choose_branch(node, form)
                if branch is None:
                    text = "没有满足条件的分支"
                elif branch.is_default:
                    text = f"其他条件均不满足，走默认分支“{branch.name}”"
                else:
                    conditions = "，且".join(
                        describe_condition(c, labels) for c in branch.conditions
                    )
                    text = f"满足条件 {conditions}，走分支“{branch.name}”"
                steps.append(PathStep(node.id, "condition", node.name, (), text))
                if branch is not None:
                    walk(branch.nodes, note)
            else:
                steps.append(
                    PathStep(node.id, "parallel", node.name, (), "以下分支同时进行")
                )
                for branch in node.branches:
                    walk(branch.nodes, f"并行分支“{branch.name}”")

    walk(definition.nodes, "")
    steps.append(PathStep("end", "end", "结束"))
    return Path(tuple(steps))
