"""Benchmark supervision (issue 5) at 1,000,000 items: dashboard, list, item, sweep.

    python bench/supervision.py --db postgres                 # 1,000,000 items
    python bench/supervision.py --db sqlite --items 20000     # a smaller office
    python bench/supervision.py --db postgres --reuse         # same data, measure again
    python bench/supervision.py --table                       # only rewrite the table

For each database: migrate a fresh database (SQLite in bench/tmp/supervision-sqlite/,
PostgreSQL ``zhiban_bench_supervision`` on 127.0.0.1:5432), DEBUG off, production
settings; create one unit with 60 departments (each with a head and two staff), six
overseeing leaders, a principal leader and a supervision officer; bulk-insert ``--items``
items (default 1,000,000) issued on the working days of the last three years, with their
departments, clock nodes and reports (see ``generate``). Then, in-process with Django's
test client, one request at a time:

1. the pages: the dashboard of the whole group and of one department (drill-down), the
   list (first page, and ``?light=red``), an item page, as the supervision officer; the
   dashboard and list of a department head and of an overseeing leader; and ``/healthz`` (the trivial view) for a
   ratio measured in the same run. 5 warm-up and 30 timed requests each: p50 / p95 / max
   ms, and each page's statements with the time of the slowest (plans in the JSON);
2. the urge-ladder sweep (``escalation_sweep``) over all items, twice: the first run sends
   every rung that is due, the second must send nothing.

Results: bench/results/supervision-<db>.json and the supervision table in bench/README.md.
Targets (issue 5): dashboard p95 at most 300 ms on PostgreSQL and 1 s on SQLite; list pages
within the page budget (p95 at most 100 ms, issue 4's register list budget); the sweep over
1M items within 60 s, and a second run sending nothing.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402 - after the path is set
from bench.approvals import uptime  # noqa: E402

PG_NAME = os.environ.get("ZHIBAN_BENCH_SUPERVISION_DB", "zhiban_bench_supervision")
DEPARTMENTS = 60
LEADERS = 6
BATCH = 10_000
WARMUP = 5
TIMED = 30
SLOW_MS = 2000
SLOW_WARMUP = 2
SLOW_TIMED = 10
YEARS = 3
TARGET_DASHBOARD_P95_MS = {"postgres": 300, "sqlite": 1000}
TARGET_LIST_P95_MS = 100
TARGET_SWEEP_SECONDS = 60

MATTERS = (
    "开展煤矿安全隐患排查治理",
    "做好岁末年初安全生产工作",
    "推进智能化综采工作面建设",
    "压降两金占用",
    "修订合同管理办法",
    "抓好冬季设备检修",
    "落实全面从严治党主体责任清单",
    "做好职工教育培训",
    "推进国企改革三年行动",
    "加强机电设备运行维护管理",
    "做好防汛备汛工作",
    "规范公文处理流程",
    "完成年度经营目标",
    "推进矿区生态修复",
    "加强信访稳定工作",
)
CONTENT = (
    "按照会议部署，明确责任人和完成时限，",
    "对照任务清单逐项落实，",
    "每周报送进展情况，",
    "确保按期高质量完成。",
    "发现问题立即整改，",
    "重大事项及时报告。",
)
DEPARTMENT_NAMES = (
    "综合办公室",
    "党委工作部",
    "人力资源部",
    "财务部",
    "生产技术部",
    "安全监察部",
    "机电运输部",
    "企业管理部",
    "规划发展部",
    "纪委办公室",
)


def data_dir(db: str) -> Path:
    return BENCH / "tmp" / f"supervision-{db}"


def bench_env(db: str) -> dict[str, str]:
    return common.bench_env(
        data_dir=data_dir(db), pg_name=PG_NAME if db == "postgres" else None
    )


def reset_database(db: str) -> None:
    common.reset_database(
        data_dir=data_dir(db), pg_name=PG_NAME if db == "postgres" else None
    )


def percentile(samples: list[float], share: float) -> float:
    """Return the sample at that share of the sorted samples (as the other scripts)."""
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * share) - 1)]


# --- in-process part: the organisation and the items --------------------------------


def build_organisation() -> dict[str, Any]:
    """Create the unit, 60 departments with a head and two staff, leaders, an officer."""
    from django.contrib.auth.hashers import make_password

    from zhiban.org.models import Department, Membership, Role, Unit, User, role_groups

    unit = Unit.objects.create(
        code="BENCH", name="基准集团", kind=Unit.Kind.HEADQUARTERS
    )
    departments = [
        Department.objects.create(
            unit=unit,
            code=f"BENCH-{index:02d}",
            name=f"{DEPARTMENT_NAMES[index % len(DEPARTMENT_NAMES)]}{index // len(DEPARTMENT_NAMES) + 1:02d}",
            sort_order=index,
        )
        for index in range(DEPARTMENTS)
    ]
    password = make_password("bench-password-1")
    number = iter(range(1, 10_000))

    def person(username: str, name: str, department: Any) -> Any:
        return User(
            username=username,
            name=name,
            employee_number=f"S{next(number):06d}",
            password=password,
            primary_department=department,
        )

    heads = [
        person(f"head{index:02d}", f"部长{index:02d}", department)
        for index, department in enumerate(departments)
    ]
    staff = [
        person(f"staff{index:02d}{n}", f"干事{index:02d}{n}", department)
        for index, department in enumerate(departments)
        for n in range(2)
    ]
    leaders = [
        person(f"leader{n}", f"分管领导{n}", departments[0]) for n in range(LEADERS)
    ]
    principal = person("principal", "董事长", departments[0])
    officer = person("officer", "督查专员", departments[0])
    everyone = [*heads, *staff, *leaders, principal, officer]
    User.objects.bulk_create(everyone)
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                department_id=user.primary_department_id,
                is_head=user in heads,
            )
            for user in everyone
        ]
    )
    groups = {
        role: role_groups([role])[0]
        for role in (
            Role.DEPARTMENT_HEAD,
            Role.OVERSEEING_LEADER,
            Role.PRINCIPAL_LEADER,
            Role.SUPERVISION_OFFICER,
        )
    }
    for user in heads:
        user.groups.add(groups[Role.DEPARTMENT_HEAD])
    for user in leaders:
        user.groups.add(groups[Role.OVERSEEING_LEADER])
    principal.groups.add(groups[Role.PRINCIPAL_LEADER])
    officer.groups.add(groups[Role.SUPERVISION_OFFICER])
    for index, department in enumerate(departments):
        department.overseeing_leader = leaders[index % LEADERS]
        department.save(update_fields=["overseeing_leader"])
    return {
        "unit": unit,
        "departments": departments,
        "heads": heads,
        "staff": staff,
        "leaders": leaders,
        "officer": officer,
        "users": len(everyone),
    }


def _delay(rng: random.Random) -> int:
    """Return how many calendar days late a department does its steps."""
    roll = rng.random()
    if roll < 0.62:
        return 0
    if roll < 0.87:
        return rng.randint(1, 4)
    return rng.randint(5, 30)


def _running_share(age: int) -> float:
    """Return the share of the items issued `age` days ago still running today."""
    if age <= 10:
        return 0.92
    if age <= 30:
        return 0.35
    if age <= 90:
        return 0.06
    if age <= 365:
        return 0.005
    return 0.0


def generate(
    count: int, *, org: dict[str, Any], seed: int = 20261127
) -> dict[str, Any]:
    """Bulk-insert `count` items with their departments, nodes and reports.

    Items are issued on the working days of the last three years, in order (the id
    follows the issue day, and 督〔年〕N号 counts up per year). Whether an item still runs
    depends on its age (``_running_share``): 92 % of those issued in the last 10 days,
    35 % up to 30 days, 6 % up to 90 days, 0.5 % up to a year (long major and continuing
    items), none older; about 2 % of all. Each item's nodes are the clock profile's
    (13710 for 90 %, 1-3-7-10 for 10 %) computed from the issue day with the working-day
    calendar, plus weekly report nodes for continuing items. A department is on time
    (62 %), 1 to 4 days late (25 %) or 5 to 30 days late (13 %), counted in calendar
    days: a node is done on its due day plus that delay, and the steps are taken in
    order, so the state (issued, signed, in progress, requested; 8 % of the requested
    returned with a new due day) follows from the nodes done by today, and the light
    from the earliest open node (``next_due_on``). Finished items are closed one to
    three days after their completion request, with a grade, and archived 10 to 60
    days later if closed more than 60 days ago (90 %). Every step done has its report
    (on time or not). 1 % of the last ten days' items are drafts or with the leader.
    30 % of the items have a co-department. No trail events, work items or
    notifications are written: the pages and the sweep do not read them in bulk.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from zhiban.org.workdays import WorkingCalendar
    from zhiban.supervision import clock
    from zhiban.supervision.models import (
        RUNNING_STATES,
        ClockProfile,
        Counter,
        Grade,
        ItemDepartment,
        ItemNode,
        ItemType,
        Report,
        ReportCycle,
        Source,
        Step,
        SupervisionItem,
    )

    State = SupervisionItem.State
    rng = random.Random(seed)
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate(now)
    zone = timezone.get_current_timezone()
    calendar = WorkingCalendar()
    first = today - datetime.timedelta(days=365 * YEARS)
    calendar.load(
        first - datetime.timedelta(days=30), today + datetime.timedelta(days=400)
    )
    issue_days = [
        day
        for offset in range((today - first).days + 1)
        if calendar.is_working_day(day := first + datetime.timedelta(days=offset))
    ]
    profiles = {p.code: p for p in ClockProfile.objects.all()}
    main, variant = profiles["13710"], profiles["1-3-7-10"]
    departments, heads, staff = org["departments"], org["heads"], org["staff"]
    leaders, officer, unit = org["leaders"], org["officer"], org["unit"]
    sources = list(Source.values)
    source_weights = [30 if s == Source.INSTRUCTION else 20 for s in sources]
    # Some departments carry far more items than others.
    department_weights = list(
        itertools.accumulate(1 + (index % 7) ** 2 for index in range(DEPARTMENTS))
    )
    plans: dict[tuple[int, str, datetime.date], list[Any]] = {}
    weekly: dict[datetime.date, datetime.date] = {}

    def planned(profile: Any, item_type: str, day: datetime.date) -> list[Any]:
        key = (profile.pk, item_type, day)
        if key not in plans:
            plans[key] = clock.plan_nodes(
                nodes=profile.nodes,
                basis=profile.day_basis,
                item_type=item_type,
                issued_on=day,
                deadline=None,
                calendar=calendar,
            )
        return plans[key]

    def next_report(after: datetime.date) -> datetime.date:
        if after not in weekly:
            due = clock.next_report_due(
                ReportCycle.WEEKLY, after=after, basis="working", calendar=calendar
            )
            assert due is not None
            weekly[after] = due
        return weekly[after]

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
        return min(moment, now - datetime.timedelta(minutes=5))

    sequences: dict[int, int] = {}
    ids = {"node": 0, "department": 0, "report": 0}
    tally: dict[str, Any] = {
        "items": 0,
        "item_departments": 0,
        "nodes": 0,
        "open_nodes": 0,
        "reports": 0,
        "states": {},
    }
    items: list[Any] = []
    rows: list[Any] = []
    nodes: list[Any] = []
    reports: list[Any] = []

    def flush() -> None:
        with transaction.atomic():
            SupervisionItem.objects.bulk_create(items)
            ItemDepartment.objects.bulk_create(rows)
            ItemNode.objects.bulk_create(nodes)
            Report.objects.bulk_create(reports)
        tally["items"] += len(items)
        tally["item_departments"] += len(rows)
        tally["nodes"] += len(nodes)
        tally["reports"] += len(reports)
        for batch in (items, rows, nodes, reports):
            batch.clear()

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    for index in range(count):
        pk = index + 1
        day = issue_days[index * len(issue_days) // count]
        age = (today - day).days
        lead_index = rng.choices(range(DEPARTMENTS), cum_weights=department_weights)[0]
        lead = departments[lead_index]
        head = heads[lead_index]
        co_index = (
            (lead_index + rng.randint(1, DEPARTMENTS - 1)) % DEPARTMENTS
            if rng.random() < 0.3
            else None
        )
        responsible = staff[2 * lead_index + rng.randint(0, 1)]
        has_responsible = rng.random() < 0.6
        profile = main if rng.random() < 0.9 else variant
        if age <= 10 and rng.random() < 0.01:
            state = rng.choice([State.DRAFT, State.REVIEW])
        elif rng.random() < _running_share(age):
            state = State.IN_PROGRESS  # refined from the nodes below
        else:
            state = State.CLOSED
        running = state == State.IN_PROGRESS
        if running and age > 30:
            item_type = rng.choices(
                [ItemType.CONTINUING, ItemType.MAJOR, ItemType.GENERAL],
                weights=[5, 3, 2],
            )[0]
        else:
            item_type = rng.choices(
                [ItemType.GENERAL, ItemType.MAJOR, ItemType.CONTINUING],
                weights=[70, 20, 10],
            )[0]
        matter = MATTERS[rng.randrange(len(MATTERS))]
        fields: dict[str, Any] = {
            "pk": pk,
            "unit": unit,
            "title": f"{matter}（第{pk}项）",
            "content": "".join(rng.sample(CONTENT, 3)),
            "source": rng.choices(sources, weights=source_weights)[0],
            "item_type": item_type,
            "profile": profile,
            "report_cycle": (
                ReportCycle.WEEKLY if item_type == ItemType.CONTINUING else ""
            ),
            "leader": leaders[lead_index % LEADERS],
            "officer": officer,
            "lead_department": lead,
            "responsible": responsible if has_responsible else None,
            "created_by": officer,
        }
        if state in (State.DRAFT, State.REVIEW):
            items.append(SupervisionItem(state=state, **fields))
            tally["states"][state.value] = tally["states"].get(state.value, 0) + 1
            continue
        sequences[day.year] = sequences.get(day.year, 0) + 1
        fields.update(
            year=day.year,
            sequence=sequences[day.year],
            issued_on=day,
            issued_at=at(day, 9),
        )
        plan = [
            (n.key, n.label, n.step, n.due_on, n.sort_order)
            for n in planned(profile, item_type, day)
        ]
        delay = _delay(rng)
        early = rng.randint(0, 1)
        if item_type == ItemType.CONTINUING:
            due, number = day, 0
            reports_wanted = None if running else rng.randint(2, 8)
            while True:
                due = next_report(due)
                number += 1
                plan.append(
                    (
                        f"report-{number}",
                        f"定期报告{number}",
                        Step.REPORT,
                        due,
                        100 + number,
                    )
                )
                if reports_wanted is not None and number >= reports_wanted:
                    break
                if (
                    reports_wanted is None
                    and due + datetime.timedelta(days=delay - early) >= today
                ):
                    break
            plan.sort(key=lambda node: (node[3], node[4]))
        # Which nodes are done, and when: in order, each on its due day plus the delay.
        done_on: list[datetime.date | None] = []
        open_from = False
        for _key, _label, _step, node_due, _order in plan:
            finished_on = node_due + datetime.timedelta(days=delay - early)
            if running:
                is_done = not open_from and finished_on < today
            else:
                finished_on = max(
                    day, min(finished_on, today - datetime.timedelta(days=1))
                )
                is_done = True
            open_from = open_from or not is_done
            done_on.append(finished_on if is_done else None)
        steps_done = {node[2] for node, when in zip(plan, done_on, strict=True) if when}
        returned = False
        if running:
            if Step.COMPLETE in steps_done:
                state = State.REQUESTED
                returned = rng.random() < 0.08
            elif Step.PLAN in steps_done:
                state = State.IN_PROGRESS
            elif Step.SIGN in steps_done:
                state = State.SIGNED
            else:
                state = State.ISSUED
        signed_on = done_on[0] if plan and plan[0][2] == Step.SIGN else None
        node_ids: dict[str, int] = {}
        due_open: list[datetime.date] = []
        for (key, label, step, node_due, order), when in zip(
            plan, done_on, strict=True
        ):
            node_id = next_id("node")
            node_ids[key] = node_id
            if when is not None:
                kind = {
                    Step.SIGN: Report.Kind.SIGN,
                    Step.PLAN: Report.Kind.PLAN,
                    Step.COMPLETE: Report.Kind.COMPLETION,
                }.get(step, Report.Kind.PROGRESS)
                reports.append(
                    Report(
                        pk=next_id("report"),
                        item_id=pk,
                        kind=kind,
                        department=lead,
                        text="已按要求落实，详见附件。",
                        node_id=node_id,
                        by=responsible if has_responsible else head,
                        on_time=when <= node_due,
                        created_at=at(when, 15),
                    )
                )
            if returned and step == Step.COMPLETE:
                # The officer returned the request with a new due day: open again.
                node_due = today + datetime.timedelta(days=rng.randint(-2, 5))
                when = None
            nodes.append(
                ItemNode(
                    pk=node_id,
                    item_id=pk,
                    key=key,
                    label=label,
                    step=step,
                    due_on=node_due,
                    done_at=at(when, 15) if when else None,
                    sort_order=order,
                )
            )
            if when is None:
                due_open.append(node_due)
        if returned:
            state = State.RETURNED
            fields["returned_count"] = 1
        tally["open_nodes"] += len(due_open)
        fields["next_due_on"] = min(due_open) if due_open else None
        if not running:
            last = max(when for when in done_on if when is not None)
            closed_on = min(last + datetime.timedelta(days=rng.randint(1, 3)), today)
            fields["closed_at"] = at(closed_on, 16)
            fields["grade"] = (
                rng.choices([Grade.PASS, Grade.FAIL], weights=[7, 3])[0]
                if delay > 10
                else rng.choices(
                    [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL],
                    weights=[25, 50, 22, 3],
                )[0]
            )
            fields["returned_count"] = 1 if rng.random() < 0.05 else 0
            if (today - closed_on).days > 60 and rng.random() < 0.9:
                state = State.ARCHIVED
                fields["archived_at"] = at(
                    closed_on + datetime.timedelta(days=rng.randint(10, 60)), 11
                )
        tally["states"][state.value] = tally["states"].get(state.value, 0) + 1
        items.append(SupervisionItem(state=state, **fields))
        signed_at = at(signed_on, 10) if signed_on else None
        copies = {  # the item's facts on its department rows, as the services keep
            "item_running": state in RUNNING_STATES,
            "item_issued_on": fields["issued_on"],
            "item_closed_at": fields.get("closed_at"),
        }
        rows.append(
            ItemDepartment(
                pk=next_id("department"),
                item_id=pk,
                department=lead,
                role=ItemDepartment.Role.LEAD,
                signed_at=signed_at,
                signed_by=head if signed_at else None,
                **copies,
            )
        )
        if co_index is not None:
            rows.append(
                ItemDepartment(
                    pk=next_id("department"),
                    item_id=pk,
                    department=departments[co_index],
                    role=ItemDepartment.Role.CO,
                    signed_at=signed_at,
                    signed_by=heads[co_index] if signed_at else None,
                    **copies,
                )
            )
        if len(items) >= BATCH:
            flush()
            if tally["items"] % 100_000 == 0:
                print(
                    f"  {tally['items']:,} items, {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
    flush()
    Counter.objects.bulk_create(
        [Counter(unit=unit, year=year, last=last) for year, last in sequences.items()]
    )
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        # The rows were written with their ids: move the id sequences past them.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [SupervisionItem, ItemDepartment, ItemNode, Report]
            ):
                cursor.execute(statement)
    tally["seconds"] = round(time.perf_counter() - started, 1)
    return tally


# --- in-process part: measuring ------------------------------------------------------


class QueryTally:
    """Count the statements run and the time spent in them, by statement and table."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.by_kind: dict[str, list[float]] = {}

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: Any,
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.count += 1
            self.seconds += spent
            verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
            table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
            key = f"{verb} {table.group(1) if table else ''}".strip()
            entry = self.by_kind.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += spent

    def summary(self) -> dict[str, Any]:
        return {
            "statements": self.count,
            "sql_seconds": round(self.seconds, 2),
            "by_statement": {
                key: {"count": int(n), "seconds": round(s, 2)}
                for key, (n, s) in sorted(
                    self.by_kind.items(), key=lambda kv: -kv[1][1]
                )
            },
        }


def explain(sql: str) -> list[str]:
    """Return the plan of one statement (PostgreSQL: with ANALYZE and BUFFERS)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [" ".join(str(part) for part in row) for row in cursor.fetchall()]


def measure_page(client: Any, path: str) -> dict[str, Any]:
    """Time one page: statements of one request, then warm-up and timed requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    response = client.get(path)
    first_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    # A page that takes seconds is far over any target: fewer requests say as much.
    warmup, timed = (SLOW_WARMUP, SLOW_TIMED) if first_ms > SLOW_MS else (WARMUP, TIMED)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    statements: list[dict[str, Any]] = [
        {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"]}
        for q in captured.captured_queries
    ]
    for _ in range(warmup):
        client.get(path)
    samples = []
    for _ in range(timed):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    slowest = sorted(statements, key=lambda q: -q["ms"])
    return {
        "path": path,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
        "warmup": warmup,
        "timed": timed,
        "queries": len(statements),
        "sql_ms": round(sum(q["ms"] for q in statements), 1),
        "slowest": [{"ms": q["ms"], "sql": q["sql"][:400]} for q in slowest[:4]],
        "_slowest_sql": slowest[0]["sql"] if slowest else "",
    }


def code_version() -> dict[str, Any]:
    """Return the commit measured, and whether the app's code differed from it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": git("status", "--porcelain", "zhiban", "config"),
    }


def sizes() -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from zhiban.inbox.models import Notification
    from zhiban.supervision.models import (
        Escalation,
        ItemDepartment,
        ItemNode,
        Report,
        SupervisionItem,
    )

    counts: dict[str, Any] = {
        "items": SupervisionItem.objects.count(),
        "item_departments": ItemDepartment.objects.count(),
        "nodes": ItemNode.objects.count(),
        "open_nodes": ItemNode.objects.filter(done_at__isnull=True).count(),
        "reports": Report.objects.count(),
        "states": dict(
            SupervisionItem.objects.order_by()
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        ),
        "escalations": Escalation.objects.count(),
        "notifications": Notification.objects.count(),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            counts["database_mb"] = round(cursor.fetchone()[0] / 2**20)
        else:
            counts["database_mb"] = round(
                Path(connection.settings_dict["NAME"]).stat().st_size / 2**20
            )
    return counts


def measure(db: str, count: int, *, reuse: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from zhiban.inbox.models import Notification
    from zhiban.org.models import Department, User
    from zhiban.org.workdays import WorkingCalendar
    from zhiban.supervision import selectors
    from zhiban.supervision.escalation import escalation_sweep
    from zhiban.supervision.lights import light_rule
    from zhiban.supervision.models import WORK_KIND, Escalation, SupervisionItem

    result: dict[str, Any] = {
        "database": db,
        "load_before": uptime(),
        **code_version(),
    }
    # Import the pages before a generation of many minutes, not after it.
    dashboard = reverse("supervision:dashboard")
    item_list = reverse("supervision:list")
    generated = data_dir(db) / "generated.json"
    if not reuse:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        org = build_organisation()
        print(f"{db}: generating {count:,} items", flush=True)
        result["generated"] = generate(count, org=org)
        result["users"] = org["users"]
        print(f"{db}: generated in {result['generated']['seconds']} s", flush=True)
        # Each item's report counts and the tallies of finished items, as the
        # migrations that added them count what a database already holds (the
        # generator writes neither).
        import importlib

        from zhiban.supervision import tallies

        started = time.perf_counter()
        counting = importlib.import_module(
            "zhiban.supervision.migrations.0009_report_counts_weekly_indexes"
        )
        with connection.cursor() as cursor:
            cursor.execute(counting.COUNT_REPORTS)
        result["tally_rows"] = tallies.rebuild()
        result["tallies_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load on PostgreSQL (statistics and the
            # visibility map); ANALYZE on SQLite, as the other benchmarks do.
            cursor.execute("VACUUM ANALYZE" if db == "postgres" else "ANALYZE")
        result["analyze_seconds"] = round(time.perf_counter() - started, 1)
        generated.write_text(
            json.dumps(
                {
                    k: result[k]
                    for k in (
                        "generated",
                        "users",
                        "analyze_seconds",
                        "tally_rows",
                        "tallies_seconds",
                    )
                }
            )
        )
    else:
        if generated.exists():
            result.update(json.loads(generated.read_text()))
        # Data generated by an older commit: bring its schema up to date (a
        # migration that counts the tallies of finished items does so here, timed).
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        result["migrate_seconds"] = round(time.perf_counter() - started, 1)
        # A migration that rewrote every item leaves dead rows and no visibility
        # map on PostgreSQL: what autovacuum would do next, as after the bulk load.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if db == "postgres" else "ANALYZE")
        result["analyze_after_migrate_seconds"] = round(
            time.perf_counter() - started, 1
        )
        # Measure again on the same rows: forget what an earlier sweep sent.
        Notification.objects.filter(kind=WORK_KIND, dedupe_key__isnull=False).delete()
        Escalation.objects.all().delete()
    result["sizes"] = sizes()
    print(f"{db}: {result['sizes']}", flush=True)

    officer = User.objects.get(username="officer")
    # The department with the most items, for the drill-down and its head's view.
    busiest = (
        SupervisionItem.objects.order_by()
        .values("lead_department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    department = Department.objects.get(pk=busiest["lead_department_id"])
    head = User.objects.get(
        memberships__department=department, memberships__is_head=True
    )
    rule = light_rule()
    lit = SupervisionItem.objects.annotate(light=rule.expression()).order_by("-id")
    # A red item of that department (with nodes and reports) to open; any item if
    # a small run has none.
    sample = (
        lit.filter(light="red", lead_department=department).first()
        or lit.filter(light="red").first()
        or lit.first()
    )
    assert sample is not None
    # The leader who oversees that department assigned a sixth of all items.
    leader = department.overseeing_leader
    assert leader is not None
    as_officer, as_head, as_leader = Client(), Client(), Client()
    as_officer.force_login(officer)
    as_head.force_login(head)
    as_leader.force_login(leader)
    pages: dict[str, tuple[Any, str]] = {
        "/healthz (trivial view)": (as_officer, "/healthz"),
        "dashboard, whole group": (as_officer, dashboard),
        "dashboard, one department": (
            as_officer,
            f"{dashboard}?department={department.pk}",
        ),
        "list, first page": (as_officer, item_list),
        "list, red": (as_officer, f"{item_list}?light=red"),
        "item page": (as_officer, reverse("supervision:detail", args=[sample.pk])),
        "dashboard, a department head": (as_head, dashboard),
        "list, a department head": (as_head, item_list),
        "dashboard, an overseeing leader": (as_leader, dashboard),
        "list, an overseeing leader": (as_leader, item_list),
    }
    timings: dict[str, Any] = {}
    for name, (client, path) in pages.items():
        timings[name] = measure_page(client, path)
        shown = {
            k: v for k, v in timings[name].items() if not k.startswith(("_", "slowest"))
        }
        print(f"{db}: {name}: {shown}", flush=True)
    result["pages_load"] = uptime()
    trivial = timings["/healthz (trivial view)"]["p50_ms"]
    for name, timing in timings.items():
        timing["ratio_p50_to_trivial"] = round(timing["p50_ms"] / trivial, 1)
        sql = timing.pop("_slowest_sql")
        if sql and name != "/healthz (trivial view)":
            timing["slowest_plan"] = explain(sql)
    result["pages"] = timings
    result["lights"] = selectors.light_counts(viewer=officer, rule=light_rule())
    result["drill_down_department"] = department.name
    result["item_page_id"] = sample.pk

    sweeps = []
    today = timezone.localdate()
    # Runs 1 and 2 today; run 3 on the next working day, as if no department had done
    # anything overnight: the rungs that fall due in one day, what a daily sweep sends.
    next_day = WorkingCalendar().next_working_day(today)
    for run, day in ((1, today), (2, today), (3, next_day)):
        escalations = Escalation.objects.count()
        notifications = Notification.objects.count()
        tally = QueryTally()
        started = time.perf_counter()
        with connection.execute_wrapper(tally):
            sent = escalation_sweep(today=day)
        seconds = time.perf_counter() - started
        sweeps.append(
            {
                "run": run,
                "today": day.isoformat(),
                "seconds": round(seconds, 2),
                "sent_by_rung": sent,
                "sent": sum(sent.values()),
                "escalations_written": Escalation.objects.count() - escalations,
                "notifications_written": Notification.objects.count() - notifications,
                **tally.summary(),
                "load": uptime(),
            }
        )
        print(
            f"{db}: sweep {run}: {sweeps[-1]['sent']} rungs sent in {seconds:.1f} s, "
            f"{tally.count} statements ({tally.seconds:.1f} s in SQL)",
            flush=True,
        )
    # The plans of a run that sends nothing: what scanning for due rungs costs.
    with CaptureQueriesContext(connection) as captured:
        escalation_sweep(today=next_day)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    result["sweep_slowest_statement"] = {
        "ms": round(float(slowest["time"]) * 1000, 1),
        "sql": slowest["sql"][:1000],
        "plan": explain(slowest["sql"]),
    }
    result["sweeps"] = sweeps
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return result


# --- the table -----------------------------------------------------------------------

SECTION = """## Supervision (issue 5)

`python bench/supervision.py --db sqlite|postgres [--items N]` (default 1,000,000 items;
`--reuse` measures again on the database of the last run, `--table` only rewrites this table).

Targets (issue 5): the **dashboard p95 at most 300 ms on PostgreSQL and 1 s on SQLite**, one
request at a time; **list pages within the page budget**, read here as issue 4's list budget,
**p95 at most 100 ms**; the **light and escalation sweep over 1,000,000 items within 60 s**, and a
**second run sending nothing**.

Method: a fresh database (SQLite in `bench/tmp/supervision-sqlite/`, PostgreSQL
`zhiban_bench_supervision`), DEBUG off, production settings. One unit, 60 departments (each with
a head and two staff), six overseeing leaders, a principal leader, a supervision officer. The
items are written with `bulk_create` in batches of 10,000 items (with their departments, nodes
and reports), not through the services, which would take hours for 1,000,000; no trail events,
work items or notifications are written. How the data is drawn is in `generate`'s docstring:
items issued on the working days of three years, in id order; about 2 % still running
(21,845 of 1,000,000: the share of items issued in the last 10 days, 30, 90 and 365 days that
still run is 92, 35, 6 and 0.5 %); every node computed from its clock profile with the
working-day calendar, as the services do; the departments' delays (on time 62 %, 1 to 4 days
late 25 %, 5 to 30 days 13 %) in calendar days, for speed; a report for every step done.
Then `VACUUM ANALYZE` (PostgreSQL, as autovacuum would) or `ANALYZE` (SQLite). Pages are timed
in-process with Django's test client, one request at a time, 5 warm-up and 30 timed requests
each (2 and 10 when the first request takes over 2 s), as the supervision officer (who sees
every item) unless the row says a department head (of the department with the most items) or
an overseeing leader (the one overseeing that department, who assigned a sixth of all items);
`/healthz` in the same run gives the ratio. The sweep is `escalation_sweep()` run three times:
twice today (the first sends every rung due for the 21,845 running items, as on the day the
sweep first runs over imported data; the second must send nothing), then for the next working
day with nothing done overnight (what a daily run sends). The JSON keeps each page's four
slowest statements with their times and the slowest one's plan, the sweep's statements by
table, and the commit measured.
"""


def write_table(results: list[dict[str, Any]]) -> None:
    readme = BENCH / "README.md"
    text = readme.read_text()

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    pages = [
        "dashboard, whole group",
        "dashboard, one department",
        "dashboard, a department head",
        "list, first page",
        "list, red",
        "list, a department head",
        "dashboard, an overseeing leader",
        "list, an overseeing leader",
        "item page",
    ]
    rows = [
        "| database | items (running) | page | p50 / p95 / max ms | × /healthz p50 "
        "| statements (slowest ms) | target p95 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        size = r["sizes"]["items"]
        running = sum(r["lights"].get(light, 0) for light in ("red", "yellow", "green"))
        trivial = r["pages"]["/healthz (trivial view)"]
        rows.append(
            f"| {r['database']} | {size:,} ({running:,}) | /healthz | "
            f"{trivial['p50_ms']} / {trivial['p95_ms']} / {trivial['max_ms']} | 1 | "
            f"{trivial['queries']} | — |"
        )
        for name in pages:
            if name not in r["pages"]:  # a page added after that run
                continue
            p = r["pages"][name]
            target = (
                TARGET_DASHBOARD_P95_MS[r["database"]]
                if name.startswith("dashboard")
                else TARGET_LIST_P95_MS
                if name.startswith("list")
                else None
            )
            slowest = p["slowest"][0]["ms"] if p["slowest"] else 0
            verdict = (
                f"{target}: {met(p['p95_ms'] <= target)}" if target is not None else "—"
            )
            rows.append(
                f"| {r['database']} | | {name} | {p['p50_ms']:.1f} / {p['p95_ms']:.1f}"
                f" / {p['max_ms']:.1f} | {p['ratio_p50_to_trivial']} | {p['queries']} "
                f"({slowest:.0f}) | {verdict} |"
            )
    rows += [
        "",
        "| database | lights red / yellow / green | sweep 1: rungs sent (handler / head "
        "/ leader), s | statements, s in SQL | sweep 2: sent, s | sweep 3, next "
        "working day: sent, s | target 60 s, second sends nothing | measured, commit |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        first, second, *later = r["sweeps"]
        next_day = (
            f"{later[0]['sent']:,}, {later[0]['seconds']}" if later else "not measured"
        )
        lights = r["lights"]
        by_rung = first["sent_by_rung"]
        ok = (
            first["seconds"] <= TARGET_SWEEP_SECONDS
            and second["seconds"] <= TARGET_SWEEP_SECONDS
            and second["sent"] == 0
        )
        rows.append(
            f"| {r['database']} | {lights.get('red', 0):,} / {lights.get('yellow', 0):,}"
            f" / {lights.get('green', 0):,} | {first['sent']:,} "
            f"({by_rung.get('handler', 0):,} / {by_rung.get('head', 0):,} / "
            f"{by_rung.get('leader', 0):,}), {first['seconds']} | "
            f"{first['statements']:,}, {first['sql_seconds']} | {second['sent']}, "
            f"{second['seconds']} | {next_day} | {met(ok)} | {r['measured_at']}"
            f"{', ' + r['commit'] if r.get('commit') else ''} |"
        )
    start, end = "<!-- supervision:start -->", "<!-- supervision:end -->"
    block = f"{start}\n" + "\n".join(rows) + f"\n{end}"
    if start in text:
        text = re.sub(f"{start}.*?{end}", lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n{block}\n"
    readme.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the last run's data"
    )
    parser.add_argument(
        "--table", action="store_true", help="only rewrite the table from the results"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.inner:
        result = measure(args.db, args.items, reuse=args.reuse)
        (RESULTS / f"supervision-{args.db}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n"
        )
        return 0
    databases = [] if args.table else ([args.db] if args.db else ["sqlite", "postgres"])
    for db in databases:
        if not args.reuse:
            reset_database(db)
        command = [sys.executable, str(Path(__file__)), "--db", db, "--inner"]
        command += ["--items", str(args.items)]
        if args.reuse:
            command.append("--reuse")
        subprocess.run(command, cwd=ROOT, env=bench_env(db), check=True)
    results = [
        json.loads(path.read_text())
        for name in ("sqlite", "postgres")
        if (path := RESULTS / f"supervision-{name}.json").exists()
    ]
    write_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
