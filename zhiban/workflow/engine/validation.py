"""Evaluate branch conditions and validate definitions before they are published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .definitions import (
    ApproverNode,
    AssigneeKind,
    Assignees,
    Branch,
    CcNode,
    Condition,
    ConditionNode,
    Definition,
    EmptyPolicy,
    Form,
    FormValue,
    Mode,
    Node,
    Op,
    ParallelNode,
    TimeoutPolicy,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a definition cannot be published, pointing at a node."""

    node_id: str
    code: str
    message: str


# --- conditions -----------------------------------------------------------------


def _number(value: FormValue) -> Decimal | None:
    """Return the value as a number, or None (booleans are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


def condition_holds(condition: Condition, form: Form) -> bool:
    """Return whether ``form[field] op value`` holds; a missing field never holds."""
    if condition.field not in form:
        return False
    actual = form[condition.field]
    expected = condition.value
    op = condition.op
    if op in (Op.EQ, Op.NE):
        left, right = _number(actual), _number(expected)
        equal = (
            left == right
            if left is not None and right is not None
            else (actual == expected)
        )
        return equal if op is Op.EQ else not equal
    if op is Op.IN:
        options = expected if isinstance(expected, tuple | list) else (expected,)
        return actual in options
    if op is Op.CONTAINS:
        if isinstance(actual, str):
            return isinstance(expected, str) and expected in actual
        if isinstance(actual, list | tuple):
            return expected in actual
        return False
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        return False
    if op is Op.GT:
        return left > right
    if op is Op.GE:
        return left >= right
    if op is Op.LT:
        return left < right
    return left <= right


def choose_branch(node: ConditionNode, form: Form) -> Branch | None:
    """Return the first non-default branch whose conditions all hold, else the default."""
    default: Branch | None = None
    for branch in node.branches:
        if branch.is_default:
            default = default or branch
            continue
        if branch.conditions and all(
            condition_holds(c, form) for c in branch.conditions
        ):
            return branch
    return default


def describe_condition(
    condition: Condition, labels: Mapping[str, str] | None = None
) -> str:
    """Return a short human text of a condition, e.g. ``用印份数 > 10``.

    ``labels`` names the form fields (key → label); a field without one is named
    by its key.
    """
    name = (labels or {}).get(condition.field) or condition.field
    value = condition.value
    if isinstance(value, str):
        shown = f"“{value}”"
    elif isinstance(value, tuple | list):
        shown = "、".join(f"“{v}”" if isinstance(v, str) else str(v) for v in value)
    else:
        shown = str(value)
    return f"{name} {condition.op.value} {shown}"


# --- validation -----------------------------------------------------------------


def _assignee_problems(node_id: str, spec: Assignees, what: str) -> list[Problem]:
    kind = spec.kind
    if kind is AssigneeKind.USERS and not spec.users:
        return [Problem(node_id, "missing_approvers", f"没有指定{what}")]
    if kind is AssigneeKind.ROLE and not spec.role:
        return [Problem(node_id, "missing_approvers", f"没有选择{what}的角色")]
    if kind is AssigneeKind.FORM_FIELD and not spec.field:
        return [Problem(node_id, "missing_approvers", f"没有选择{what}所在的表单字段")]
    if kind is AssigneeKind.LEVELS_UP and spec.levels < 1:
        return [Problem(node_id, "bad_levels", "逐级主管的级数至少为 1")]
    return []


def _bounds_contradict(conditions: tuple[Condition, ...]) -> bool:
    """Return whether numeric bounds on one field leave no possible value."""
    lows: dict[str, tuple[Decimal, bool]] = {}
    highs: dict[str, tuple[Decimal, bool]] = {}
    for c in conditions:
        number = _number(c.value)
        if number is None:
            continue
        if c.op in (Op.GT, Op.GE):
            strict = c.op is Op.GT
            known_low = lows.get(c.field)
            if (
                known_low is None
                or number > known_low[0]
                or (number == known_low[0] and strict)
            ):
                lows[c.field] = (number, strict)
        elif c.op in (Op.LT, Op.LE):
            strict = c.op is Op.LT
            known_high = highs.get(c.field)
            if (
                known_high is None
                or number < known_high[0]
                or (number == known_high[0] and strict)
            ):
                highs[c.field] = (number, strict)
    for name, (low, low_strict) in lows.items():
        if name in highs:
            high, high_strict = highs[name]
            if low > high or (low == high and (low_strict or high_strict)):
                return True
    return False


def _condition_problems(node: ConditionNode) -> list[Problem]:
    problems: list[Problem] = []
    if len(node.branches) < 2:
        problems.append(
            Problem(node.id, "too_few_branches", "条件分支至少需要两个分支")
        )
    defaults = [b for b in node.branches if b.is_default]
    if not defaults:
        problems.append(Problem(node.id, "no_default_branch", "条件分支没有默认分支"))
    elif len(defaults) > 1:
        problems.append(
            Problem(node.id, "many_default_branches", "条件分支只能有一个默认分支")
        )
    seen: list[Branch] = []
    for branch in node.branches:
        if branch.is_default:
            if branch.conditions:
                problems.append(
                    Problem(
                        branch.id, "default_with_conditions", "默认分支不能设置条件"
                    )
                )
            continue
        if not branch.conditions:
            problems.append(
                Problem(
                    branch.id, "empty_condition", f"分支“{branch.name}”没有设置条件"
                )
            )
            continue
        for c in branch.conditions:
            if not c.field:
                problems.append(
                    Problem(branch.id, "empty_condition", "条件缺少表单字段")
                )
            if c.op is Op.IN and not isinstance(c.value, tuple | list):
                problems.append(
                    Problem(branch.id, "bad_condition", "“属于”条件的值必须是列表")
                )
        if _bounds_contradict(branch.conditions):
            problems.append(
                Problem(
                    branch.id,
                    "unreachable_branch",
                    f"分支“{branch.name}”的条件互相矛盾",
                )
            )
        else:
            mine = set(branch.conditions)
            for earlier in seen:
                if set(earlier.conditions) <= mine:
                    problems.append(
                        Problem(
                            branch.id,
                            "unreachable_branch",
                            f"分支“{branch.name}”永远不会被选中："
                            f"前面的分支“{earlier.name}”总是先满足",
                        )
                    )
                    break
        seen.append(branch)
    return problems


def _node_problems(node: Node) -> list[Problem]:
    if isinstance(node, ApproverNode):
        problems = _assignee_problems(node.id, node.assignees, "审批人")
        if node.mode is Mode.THRESHOLD:
            if node.threshold < 1:
                problems.append(Problem(node.id, "bad_threshold", "通过人数至少为 1"))
            elif node.assignees.kind is AssigneeKind.USERS and node.threshold > len(
                set(node.assignees.users)
            ):
                problems.append(
                    Problem(
                        node.id,
                        "threshold_too_high",
                        f"通过人数 {node.threshold} 大于审批人数 "
                        f"{len(set(node.assignees.users))}",
                    )
                )
        if node.timeout_minutes < 0:
            problems.append(Problem(node.id, "bad_timeout", "超时时间不能为负数"))
        if (
            node.timeout_minutes
            and node.on_timeout is TimeoutPolicy.ESCALATE
            and not node.escalate_to
        ):
            problems.append(
                Problem(node.id, "missing_escalation", "没有设置超时升级人员")
            )
        if node.when_empty is EmptyPolicy.FALLBACK and not node.fallback_users:
            problems.append(Problem(node.id, "missing_fallback", "没有设置兜底审批人"))
        return problems
    if isinstance(node, CcNode):
        return _assignee_problems(node.id, node.assignees, "抄送人")
    if isinstance(node, ConditionNode):
        return _condition_problems(node)
    problems = []
    if len(node.branches) < 2:
        problems.append(
            Problem(node.id, "too_few_branches", "并行分支至少需要两个分支")
        )
    for branch in node.branches:
        if not branch.nodes:
            problems.append(Problem(branch.id, "empty_branch", "并行分支中没有节点"))
        if branch.conditions or branch.is_default:
            problems.append(
                Problem(branch.id, "bad_condition", "并行分支不能设置条件或默认分支")
            )
    return problems


def validate(definition: Definition) -> list[Problem]:
    """Return every problem of the definition, each pointing at a node or branch id."""
    problems: list[Problem] = []
    seen: set[str] = set()
    if not definition.key:
        problems.append(Problem("", "missing_key", "流程缺少标识"))
    if definition.urge_interval_seconds < 0:
        problems.append(Problem("", "bad_urge_interval", "催办间隔不能为负数"))
    if definition.cc is not None:
        problems.extend(_assignee_problems("", definition.cc, "抄送人"))

    def note(ident: str) -> None:
        if not ident:
            problems.append(Problem(ident, "missing_id", "节点缺少标识"))
        elif ident in seen:
            problems.append(Problem(ident, "duplicate_id", f"标识“{ident}”重复"))
        seen.add(ident)

    def walk(sequence: tuple[Node, ...]) -> None:
        for node in sequence:
            note(node.id)
            problems.extend(_node_problems(node))
            if isinstance(node, ConditionNode | ParallelNode):
                for branch in node.branches:
                    note(branch.id)
                    walk(branch.nodes)

    walk(definition.nodes)
    return problems
