"""Benchmark the approval engine core: transitions per second, in-process.

    python bench/engine.py [--seconds 2] [--rounds 3]

Builds a five-node flow (department head, office director by role, a 会签 pair,
a 或签 trio, the overseeing leader), then runs instances through it: one submit
and six approvals per instance, each a call to ``apply``. Imports only the engine
(no Django). Reports the median of the rounds and writes
bench/results/engine.json. Target (issue 3): 20,000 transitions per second or more.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from zhiban.workflow.engine import (  # noqa: E402 - after the path is set
    Approve,
    ApproverNode,
    AssigneeKind,
    Assignees,
    Definition,
    InMemoryOrg,
    Mode,
    State,
    Status,
    Submit,
    apply,
)

TARGET = 20_000

FLOW = Definition(
    "seal",
    "用印申请",
    (
        ApproverNode("head", "部门负责人", Assignees(AssigneeKind.DEPARTMENT_HEAD)),
        ApproverNode(
            "director", "办公室主任", Assignees(AssigneeKind.ROLE, role="director")
        ),
        ApproverNode(
            "legal",
            "法务会签",
            Assignees(AssigneeKind.USERS, users=("u3", "u4")),
            Mode.ALL,
        ),
        ApproverNode(
            "keepers",
            "印章管理员或签",
            Assignees(AssigneeKind.USERS, users=("u5", "u6", "u7")),
            Mode.ANY,
        ),
        ApproverNode("leader", "分管领导", Assignees(AssigneeKind.OVERSEEING_LEADER)),
    ),
)
ORG = InMemoryOrg(
    user_units={"u0": "hq"},
    user_departments={"u0": "prod"},
    roles={("director", "hq"): ("u2",)},
    heads={"prod": ("u1",)},
    leaders={"prod": "u8"},
)
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
APPROVALS = ("u1", "u2", "u4", "u3", "u6", "u8")


def one_instance() -> int:
    """Run one instance from submit to approved; return the number of transitions."""
    state = apply(FLOW, State(), Submit("u0", T0, form={"copies": 3}), ORG).state
    for minute, user in enumerate(APPROVALS, start=1):
        state = apply(
            FLOW, state, Approve(user, T0 + timedelta(minutes=minute)), ORG
        ).state
    if state.status is not Status.APPROVED:
        raise SystemExit(f"the flow did not finish: {state.status}")
    return 1 + len(APPROVALS)


def measure(seconds: float) -> float:
    """Return transitions per second over about ``seconds`` of work."""
    transitions = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(50):
            transitions += one_instance()
    return transitions / (time.perf_counter() - start)


def main() -> None:
    """Measure, print and write bench/results/engine.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    measure(0.3)  # warm-up
    rounds = [round(measure(args.seconds)) for _ in range(args.rounds)]
    median = round(statistics.median(rounds))
    result = {
        "benchmark": "engine core transitions per second (five-node flow)",
        "transitions_per_second": median,
        "rounds": rounds,
        "target": TARGET,
        "meets_target": median >= TARGET,
        "transitions_per_instance": 1 + len(APPROVALS),
        "python": platform.python_version(),
        # the machine is shared: the load averages (1, 5, 15 min) when it finished
        "load": ", ".join(f"{value:.2f}" for value in os.getloadavg()),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "engine.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(
        f"engine: {median:,} transitions/s (rounds {rounds}; target {TARGET:,}; "
        f"load {result['load']})"
    )


if __name__ == "__main__":
    main()
