"""Definitions: JSON round trip, validation problems, conditions, and purity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zhiban.workflow.engine import (
    ApproverNode,
    AssigneeKind,
    Assignees,
    Branch,
    CcNode,
    CcTiming,
    Condition,
    ConditionNode,
    Definition,
    EmptyPolicy,
    Mode,
    Op,
    ParallelNode,
    ReturnPolicy,
    TimeoutPolicy,
    condition_holds,
    definition_from_dict,
    definition_to_dict,
    validate,
)

from .support import approver

ENGINE = Path(__file__).resolve().parents[1]


def full_definition() -> Definition:
    return Definition(
        "seal",
        "用印申请",
        (
            ApproverNode(
                "head",
                "部门负责人",
                Assignees(AssigneeKind.LEVELS_UP, levels=2),
                Mode.THRESHOLD,
                threshold=1,
                when_empty=EmptyPolicy.FALLBACK,
                fallback_users=("erin",),
                return_policy=ReturnPolicy.STRAIGHT_BACK,
                timeout_minutes=120,
                on_timeout=TimeoutPolicy.ESCALATE,
                escalate_to=("zhao",),
            ),
            ConditionNode(
                "c",
                "份数",
                (
                    Branch(
                        "b1",
                        "多",
                        (approver("d", "dave"),),
                        (Condition("kind", Op.IN, ("公章", "党委章")),),
                    ),
                    Branch("b2", "其他", (), is_default=True),
                ),
            ),
            ParallelNode(
                "p",
                "并行",
                (
                    Branch("pa", "甲", (approver("x", "bob"),)),
                    Branch(
                        "pb",
                        "乙",
                        (CcNode("cc", "抄送", Assignees(AssigneeKind.ROLE, role="r")),),
                    ),
                ),
            ),
        ),
        cc=Assignees(AssigneeKind.FORM_FIELD, field="keeper"),
        cc_timing=CcTiming.BOTH,
        allow_withdraw_after_action=True,
        allow_revoke=True,
        urge_interval_seconds=60,
    )


def test_definition_round_trips_through_json():
    definition = full_definition()

    data = json.loads(json.dumps(definition_to_dict(definition), ensure_ascii=False))

    assert definition_from_dict(data) == definition
    assert validate(definition) == []


def test_unknown_node_type_is_refused():
    with pytest.raises(ValueError, match="unknown node type 'loop'"):
        definition_from_dict({"key": "f", "nodes": [{"type": "loop", "id": "x"}]})


def problems(definition: Definition) -> list[tuple[str, str]]:
    return [(p.node_id, p.code) for p in validate(definition)]


def condition(*branches: Branch) -> Definition:
    return Definition("f", "f", (ConditionNode("c", "条件", branches),))


def test_missing_approvers_and_fallback_and_duplicate_ids():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1"),
            ApproverNode(
                "n1",
                "x",
                Assignees(AssigneeKind.ROLE),
                when_empty=EmptyPolicy.FALLBACK,
            ),
            CcNode("cc", "抄送", Assignees(AssigneeKind.FORM_FIELD)),
        ),
    )

    assert problems(definition) == [
        ("n1", "missing_approvers"),
        ("n1", "duplicate_id"),
        ("n1", "missing_approvers"),
        ("n1", "missing_fallback"),
        ("cc", "missing_approvers"),
    ]


def test_timeout_needs_escalation_contacts_and_a_sane_duration():
    definition = Definition(
        "f",
        "f",
        (
            approver("n1", "a", timeout_minutes=30, on_timeout=TimeoutPolicy.ESCALATE),
            approver("n2", "a", timeout_minutes=-1),
        ),
    )

    assert problems(definition) == [
        ("n1", "missing_escalation"),
        ("n2", "bad_timeout"),
    ]


def test_threshold_greater_than_the_number_of_approvers():
    definition = Definition(
        "f", "f", (approver("n1", "a", "b", mode=Mode.THRESHOLD, threshold=3),)
    )

    assert problems(definition) == [("n1", "threshold_too_high")]
    assert validate(definition)[0].message == "通过人数 3 大于审批人数 2"


def test_no_default_branch_and_empty_condition():
    definition = condition(
        Branch("b1", "一", (), (Condition("x", Op.GT, 1),)),
        Branch("b2", "二", ()),
    )

    assert problems(definition) == [
        ("c", "no_default_branch"),
        ("b2", "empty_condition"),
    ]


def test_branch_shadowed_by_an_earlier_one_is_unreachable():
    definition = condition(
        Branch("b1", "大于10", (), (Condition("x", Op.GT, 10),)),
        Branch(
            "b2",
            "大于10且公章",
            (),
            (Condition("x", Op.GT, 10), Condition("k", Op.EQ, "公章")),
        ),
        Branch("b3", "其他", (), is_default=True),
    )

    assert problems(definition) == [("b2", "unreachable_branch")]


def test_branch_with_contradictory_bounds_is_unreachable():
    definition = condition(
        Branch(
            "b1", "矛盾", (), (Condition("x", Op.GT, 10), Condition("x", Op.LE, 10))
        ),
        Branch("b3", "其他", (), is_default=True),
    )

    assert problems(definition) == [("b1", "unreachable_branch")]


def test_parallel_needs_two_non_empty_branches():
    definition = Definition(
        "f", "f", (ParallelNode("p", "并行", (Branch("pa", "甲", ()),)),)
    )

    assert problems(definition) == [("p", "too_few_branches"), ("pa", "empty_branch")]


@pytest.mark.parametrize(
    ("op", "value", "actual", "holds"),
    [
        (Op.EQ, 10, "10.0", True),
        (Op.EQ, "公章", "公章", True),
        (Op.NE, "公章", "党委章", True),
        (Op.GT, 10, 11, True),
        (Op.GT, 10, "10", False),
        (Op.GE, 10, 10, True),
        (Op.LT, "5000.00", 4999.99, True),
        (Op.LE, 3, 4, False),
        (Op.GT, 10, "many", False),
        (Op.IN, ("公章", "党委章"), "党委章", True),
        (Op.IN, ("公章",), "合同章", False),
        (Op.CONTAINS, "合同", "合同专用章", True),
        (Op.CONTAINS, "bob", ["alice", "bob"], True),
        (Op.CONTAINS, 1, 12, False),
    ],
)
def test_condition_operators(op, value, actual, holds):
    assert condition_holds(Condition("f", op, value), {"f": actual}) is holds


def test_missing_field_never_holds():
    assert condition_holds(Condition("f", Op.NE, 1), {}) is False


def test_engine_source_imports_no_django():
    offenders = [
        path.name
        for path in ENGINE.rglob("*.py")
        if "tests" not in path.parts
        and any(
            line.strip().startswith(("import django", "from django"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]

    assert offenders == []


def test_engine_imports_and_runs_with_django_blocked():
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'django' or name.startswith('django.'):\n"
        "            raise ImportError('django is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import zhiban.workflow.engine as engine\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
        "print(engine.validate(engine.Definition('f', 'f', ())))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=ENGINE.parents[2],
        timeout=60,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")
