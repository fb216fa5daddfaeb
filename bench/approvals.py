"""Benchmark approvals end to end over HTTP, and the 待办 page of a user with 10,000 tasks.

    python bench/approvals.py                 # SQLite, then PostgreSQL
    python bench/approvals.py --db postgres   # one database

For each database: migrate a fresh database (SQLite in bench/tmp/approvals-sqlite/, PostgreSQL
``zhiban_benchapp``, or ``ZHIBAN_BENCH_APPROVALS_DB``), create 200 users and publish a two-node
flow (the benchmark user, then a second approver), then start 10,000 instances through
``services.instance_start`` from 199 different initiators, so the benchmark user holds 10,000
open approval tasks (and work items). Then:

1. the 待办 page of that user: queries at 100 and at 10,000 tasks, in-process median of 200
   requests (and of /healthz), each query's median time and plan;
2. gunicorn with 2 sync workers, DEBUG off; wrk, 2 threads, 16 connections, 10 s a run:
   /healthz, /inbox/ (session cookie), /healthz, /inbox/ while the user holds all 10,000
   tasks, then approvals, /healthz, approvals, /healthz. An approval is
   ``POST /api/workflow/instances/<id>/act/`` with token authentication; every request takes a
   different instance from a thread-indexed range (bench/approvals.lua). Every approval must
   answer 2xx: the non-2xx answers are counted, and the database is checked afterwards (no
   instance approved twice; approvals recorded = 2xx answers plus at most one request in
   flight per connection when a run stops);
3. in-process, after the server stops: one approval's queries and the code that sent each
   (middle step and last step), the median of 200 approvals, a cProfile split of 40.

Results: bench/results/approvals-<db>.json, and the approvals table in bench/README.md.
The machine's load (``uptime``) is recorded with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

from bench.run import free_port  # noqa: E402 - after the path is set

PG_NAME = os.environ.get("ZHIBAN_BENCH_APPROVALS_DB", "zhiban_benchapp")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
CONNECTIONS = 16
THREADS = 2
TASKS = int(os.environ.get("BENCH_APPROVAL_TASKS", "10000"))
FLOW_CODE = "bench_seal"
TARGET_APPROVALS_PER_SECOND = 150


def uptime() -> str:
    """Return the machine's load averages, as `uptime` prints them."""
    output = subprocess.run(["uptime"], capture_output=True, text=True).stdout
    match = re.search(r"load average: (.*)$", output.strip())
    return match.group(1) if match else output.strip()


def data_dir(db: str) -> Path:
    return BENCH / "tmp" / f"approvals-{db}"


def bench_env(db: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ZHIBAN_DEBUG": "false",
        "ZHIBAN_SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "ZHIBAN_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "ZHIBAN_DATA_DIR": str(data_dir(db)),
        "ZHIBAN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if db == "postgres":
        env["ZHIBAN_DATABASE_URL"] = PG_URL
    else:
        env.pop("ZHIBAN_DATABASE_URL", None)
    return env


def reset_database(db: str) -> None:
    shutil.rmtree(data_dir(db), ignore_errors=True)
    data_dir(db).mkdir(parents=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')


def wrk(
    url: str, *, headers: dict[str, str], script: str, args: list[str]
) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(BENCH / script), url]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"WRKJSON (\{.*\})", output)
    if match is None:
        raise RuntimeError(output)
    result = dict(json.loads(match.group(1)))
    result["load"] = uptime()
    return result


# --- in-process part (runs inside a process whose environment selects the database) ---


def where_queries_go(call: Any) -> tuple[Any, list[dict[str, str]]]:
    """Run call() and return its result and, per query, the code that sent it."""
    from django.db import connection

    sites: list[dict[str, str]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        frames = traceback.extract_stack()[:-1]
        ours = [
            f
            for f in frames
            if "/zhiban/" in f.filename and "/tests/" not in f.filename
        ]
        outside = [
            f
            for f in frames
            if "site-packages" in f.filename
            and "/django/db/" not in f.filename
            and "/django/test/" not in f.filename
        ]
        site = ours[-1] if ours else (outside[-1] if outside else frames[-1])
        where = (
            site.filename.split("/zhiban/")[-1]
            if ours
            else site.filename.split("site-packages/")[-1]
        )
        chain = " > ".join(
            f.name for f in ours if f.name not in {"inner", "wrapper", "_view_wrapper"}
        )
        sites.append(
            {
                "site": f"{where}:{site.lineno} {site.name}",
                "chain": chain,
                "sql": " ".join(sql.split())[:160],
            }
        )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = call()
    return result, sites


# Where one approval's time goes: (label, file ending, function name), as a share of the
# whole request measured under cProfile (which slows Python down, not the database, so
# the shares lean towards Python; they show where to look, not exact milliseconds).
SPLIT = [
    ("the whole request (test client)", "django/test/client.py", "request"),
    ("token authentication", "rest_framework/authentication.py", "authenticate"),
    ("visibility check, twice (api._visible)", "workflow/api.py", "_visible"),
    (
        "  of which building the queryset",
        "workflow/selectors.py",
        "instance_visible_to",
    ),
    ("services.instance_act", "workflow/services.py", "instance_act"),
    ("  lock the instance (instance_lock)", "workflow/services.py", "instance_lock"),
    ("  choose the task", "workflow/services.py", "_choose_task"),
    ("  services._apply", "workflow/services.py", "_apply"),
    ("    engine.apply (the pure core)", "workflow/engine/core.py", "apply"),
    ("    definition_of (parse the version)", "workflow/services.py", "definition_of"),
    ("    close tasks and work items", "workflow/services.py", "_close_tasks"),
    ("    open tasks and work items", "workflow/services.py", "_open_tasks"),
    ("    notifications (_send)", "workflow/services.py", "_send"),
    ("    audit_record", "audit/services.py", "audit_record"),
    ("the answer (api._instance_data)", "workflow/api.py", "_instance_data"),
    ("  serializing (DRF)", "rest_framework/serializers.py", "data"),
    (
        "executing SQL (Django's cursor wrapper down)",
        "db/backends/utils.py",
        "_execute",
    ),
    ("commit", "db/backends/base/base.py", "_commit"),
]


def time_split(call: Any) -> list[dict[str, Any]]:
    """Profile call() and return, per SPLIT entry, its cumulative share of the request."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    call()
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]

    def cumulative(ending: str, name: str) -> float:
        total = 0.0
        for (filename, _line, function), row in stats.items():
            # nested functions of one name (super().data) count once: the outermost
            if function == name and filename.endswith(ending):
                total = max(total, row[3])
        return total

    whole = cumulative(SPLIT[0][1], SPLIT[0][2]) or 1.0
    rows = []
    for label, ending, name in SPLIT:
        spent = cumulative(ending, name)
        rows.append({"part": label, "share": round(spent / whole, 3)})
    return rows


def query_profile(call: Any, *, repeat: int) -> list[dict[str, Any]]:
    """Return, per query of call(), its SQL, median time over `repeat` calls and plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[list[float]] = []
    sqls: list[str] = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            call()
        sqls = [query["sql"] for query in captured.captured_queries]
        if not times:
            times = [[] for _ in sqls]
        for index, query in enumerate(captured.captured_queries[: len(times)]):
            times[index].append(float(query["time"]) * 1000)
    profile = []
    with connection.cursor() as cursor:
        for sql, spent in zip(sqls, times, strict=False):
            explain = (
                "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            )
            # the captured SQL has its values inlined; only statements are explained
            for statement in sql.split("; "):
                cursor.execute(explain + statement)
            plan = [" ".join(str(part) for part in row) for row in cursor.fetchall()]
            profile.append(
                {
                    "sql": " ".join(sql.split())[:300],
                    "median_ms": round(statistics.median(spent), 2),
                    "plan_of_the_last_statement": plan,
                }
            )
    return profile


def measure(db: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from bench.generate import BENCH_USERNAME, ensure_users
    from zhiban.inbox.models import WorkItem
    from zhiban.org.models import User
    from zhiban.workflow import services
    from zhiban.workflow.models import FlowAction, FlowInstance, FlowTask

    result: dict[str, Any] = {"database": db, "tasks": TASKS}
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    user_ids = ensure_users(200)
    approver = User.objects.get(username=BENCH_USERNAME)
    second = User.objects.get(pk=user_ids[1])
    initiators = list(User.objects.filter(pk__in=user_ids[2:]).order_by("pk"))
    admin = User.objects.get(pk=user_ids[-1])

    def node(node_id: str, name: str, person: User) -> dict[str, Any]:
        return {
            "type": "approver",
            "id": node_id,
            "name": name,
            "assignees": {"kind": "users", "users": [str(person.pk)]},
            "mode": "sequential",
        }

    flow = services.flow_create(code=FLOW_CODE, name="用印申请（基准）", by=admin)
    services.flow_publish(
        definition=flow,
        body={
            "key": FLOW_CODE,
            "name": "用印申请（基准）",
            "nodes": [
                node("head", "部门负责人审批", approver),
                node("director", "办公室主任审批", second),
            ],
        },
        by=admin,
    )

    def start(count: int) -> list[int]:
        ids: list[int] = []
        have = FlowInstance.objects.count()
        for chunk in range(have, have + count, 100):
            # one transaction per 100 starts: the services' own transactions become
            # savepoints; it spares SQLite an fsync per instance, nothing else changes
            with transaction.atomic():
                for index in range(chunk, min(chunk + 100, have + count)):
                    instance = services.instance_start(
                        flow_code=FLOW_CODE,
                        form={"copies": index % 20 + 1},
                        by=initiators[index % len(initiators)],
                        title=f"用印申请：合同盖章（{index:05d}）",
                    )
                    ids.append(instance.pk)
        return ids

    session = Client()
    session.force_login(approver)

    def inbox_queries() -> tuple[int, int]:
        session.get("/inbox/")  # fill the per-user cached fragments
        with CaptureQueriesContext(connection) as captured:
            response = session.get("/inbox/")
        if response.status_code != 200:
            raise RuntimeError(f"/inbox/ answered {response.status_code}")
        return len(captured.captured_queries), response.content.count(b"<tr")

    # 1. generate, and count the 待办 page's queries at 100 and at 10,000 tasks
    load_before = uptime()
    started = time.perf_counter()
    ids = start(100)
    result["inbox_queries_at_100"], result["inbox_rows_at_100"] = inbox_queries()
    ids += start(TASKS - 100)
    seconds = time.perf_counter() - started
    result["generate"] = {
        "instances": len(ids),
        "seconds": round(seconds, 1),
        "per_second": round(len(ids) / seconds, 1),
        "how": "services.instance_start in a loop, 100 per transaction",
        "load_before": load_before,
        "load_after": uptime(),
    }
    print(f"{db}: generated {len(ids)} instances in {seconds:.0f} s", flush=True)
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise RuntimeError("instance ids are not contiguous; the wrk ranges need them")
    open_tasks = WorkItem.objects.filter(
        assignee=approver, state=WorkItem.State.OPEN, is_cc=False
    ).count()
    if open_tasks != TASKS:
        raise RuntimeError(f"the approver holds {open_tasks} open work items")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    result["inbox_queries_at_10000"], result["inbox_rows_at_10000"] = inbox_queries()

    def timed(call: Any, repeat: int) -> float:
        timings = []
        for _ in range(repeat):
            began = time.perf_counter()
            call()
            timings.append((time.perf_counter() - began) * 1000)
        return round(statistics.median(timings), 2)

    for _ in range(20):
        session.get("/inbox/")
    result["inbox_server_ms_median"] = timed(lambda: session.get("/inbox/"), 200)
    result["trivial_server_ms_median"] = timed(lambda: session.get("/healthz"), 200)
    result["inbox_server_load"] = uptime()
    result["inbox_query_profile"] = query_profile(
        lambda: session.get("/inbox/"), repeat=50
    )

    # the approver's API token; the last ids serve the in-process approvals
    token = Token.objects.create(user=approver).key
    second_token = Token.objects.create(user=second).key
    api = Client(headers={"Authorization": f"Token {token}"})
    api_second = Client(headers={"Authorization": f"Token {second_token}"})
    body = {"kind": "approve", "payload": {"opinion": "同意"}}
    # The last ids serve the in-process part; wrk takes the pool from the first.
    in_process = ids[-300:]
    pool = ids[: -len(in_process)]

    def approve(client: Client, pk: int) -> None:
        response = client.post(
            f"/api/workflow/instances/{pk}/act/", body, content_type="application/json"
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"approve {pk}: {response.status_code} {response.content!r}"
            )

    cookie = session.cookies["sessionid"].value
    connection.close()

    # 2. gunicorn, 2 workers; wrk: trivial and 待办 alternating (while the approver still
    # holds all 10,000 tasks), then the approvals alternating with the trivial view
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    runs: dict[str, list[dict[str, Any]]] = {"trivial": [], "inbox": [], "approve": []}
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        request = urllib.request.Request(
            f"{base}/inbox/", headers={"Cookie": f"sessionid={cookie}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            if b"zb-unread-badge" not in response.read():
                raise RuntimeError("the served /inbox/ is not the signed-in page")
        trivial = {"headers": {}, "script": "report.lua", "args": []}
        inbox = {
            "headers": {"Cookie": f"sessionid={cookie}"},
            "script": "report.lua",
            "args": [],
        }
        half = len(pool) // 2
        plan: list[tuple[str, str, dict[str, Any]]] = [
            ("trivial", "/healthz", trivial),
            ("inbox", "/inbox/", inbox),
            ("trivial", "/healthz", trivial),
            ("inbox", "/inbox/", inbox),
        ]
        for round_pool in (pool[:half], pool[half:]):
            approvals = {
                "headers": {},
                "script": "approvals.lua",
                "args": [str(round_pool[0]), str(len(round_pool)), str(THREADS), token],
            }
            plan += [("approve", "", approvals), ("trivial", "/healthz", trivial)]
        for kind, path, options in plan:
            runs[kind].append(wrk(f"{base}{path}", **options))
            print(
                f"{db}: {kind} {runs[kind][-1]['rps']:.0f}/s "
                f"(non-2xx {runs[kind][-1]['non_2xx']}), "
                f"load {runs[kind][-1]['load']}",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    # 3. one approval in-process: queries, where they go, server time
    approve(api, in_process[0])  # warm up
    approve(api_second, in_process[0])
    with CaptureQueriesContext(connection) as captured:
        _, sites = where_queries_go(lambda: approve(api, in_process[1]))
    result["approve_queries"] = len(captured.captured_queries)
    result["approve_query_sites"] = sites
    with CaptureQueriesContext(connection) as captured:
        _, final_sites = where_queries_go(lambda: approve(api_second, in_process[1]))
    result["final_approve_queries"] = len(captured.captured_queries)
    result["final_approve_query_sites"] = final_sites
    queue = iter(in_process[2:])
    result["approve_server_ms_median"] = timed(lambda: approve(api, next(queue)), 200)
    result["approve_server_load"] = uptime()
    profiled = [next(queue) for _ in range(40)]

    def approve_profiled() -> None:
        for pk in profiled:
            approve(api, pk)

    result["approve_time_split"] = time_split(approve_profiled)

    # 4. check what the approvals did: one approval per 2xx answer, nothing lost
    pool_set = FlowInstance.objects.filter(pk__in=pool)
    approved_in_pool = FlowAction.objects.filter(
        instance__in=pool_set, kind="approve", actor=approver
    ).count()
    moved = FlowTask.objects.filter(
        instance__in=pool_set, node_id="director", state=FlowTask.State.OPEN
    ).count()
    ok = sum(run["ok"] for run in runs["approve"])
    in_flight_allowance = CONNECTIONS * len(runs["approve"])
    twice = (
        FlowAction.objects.filter(instance__in=pool_set, kind="approve")
        .values("instance")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    consistent = FlowTask.objects.filter(
        instance__in=pool_set, node_id="head", state=FlowTask.State.OPEN
    ).count() + approved_in_pool == len(pool)
    result["approve_check"] = {
        "approvals_recorded": approved_in_pool,
        "instances_moved_to_the_next_node": moved,
        "ok_answers": ok,
        "recorded_minus_ok": approved_in_pool - ok,
        "allowed_in_flight": in_flight_allowance,
        "instances_approved_twice": twice,
        "open_plus_approved_equals_pool": consistent,
    }
    if (
        not (0 <= approved_in_pool - ok <= in_flight_allowance)
        or twice
        or not consistent
    ):
        raise RuntimeError(f"inconsistent approvals: {result['approve_check']}")

    def mean(kind: str, key: str) -> float:
        return statistics.mean(float(run[key]) for run in runs[kind])

    for kind in runs:
        result[f"{kind}_rps"] = round(mean(kind, "rps"), 1)
        result[f"{kind}_p50_ms"] = round(mean(kind, "p50_us") / 1000, 1)
        result[f"{kind}_p95_ms"] = round(mean(kind, "p95_us") / 1000, 1)
    result["inbox_ratio"] = round(result["inbox_rps"] / result["trivial_rps"], 3)
    result["approve_ratio"] = round(result["approve_rps"] / result["trivial_rps"], 3)
    result["approve_non_2xx"] = sum(run["non_2xx"] for run in runs["approve"])
    result["approve_conflicts"] = sum(run["conflicts"] for run in runs["approve"])
    result["approve_exhausted"] = any(run["exhausted"] for run in runs["approve"])
    result["inbox_non_2xx"] = sum(run["non_2xx"] for run in runs["inbox"])
    result["approve_target"] = TARGET_APPROVALS_PER_SECOND
    result["connections"] = CONNECTIONS
    result["wrk_seconds_per_run"] = WRK_SECONDS
    result["runs"] = runs
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return result


def summary_sites(sites: list[dict[str, str]]) -> list[tuple[str, int]]:
    return Counter(site["site"] for site in sites).most_common()


def write_table(results: list[dict[str, Any]]) -> None:
    """Rewrite the approvals and 待办 tables between their markers in bench/README.md."""
    readme = BENCH / "README.md"
    text = readme.read_text()

    def load(runs: list[dict[str, Any]]) -> str:
        return " / ".join(run["load"].split(",")[0] for run in runs)

    rows = [
        "| database | trivial req/s | approvals req/s | ratio | non-2xx | "
        "approval p50 / p95 ms | server ms (in-process median) | queries per approval "
        "(last step) | 1-min load in the approval runs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rows.append(
            f"| {r['database']} | {r['trivial_rps']} | {r['approve_rps']} | "
            f"1/{1 / float(r['approve_ratio']):.1f} | {r['approve_non_2xx']} | "
            f"{r['approve_p50_ms']} / {r['approve_p95_ms']} | "
            f"{r['approve_server_ms_median']} | {r['approve_queries']} "
            f"({r['final_approve_queries']}) | {load(r['runs']['approve'])} |"
        )
    rows += [
        "",
        "| database | 待办 req/s | ratio to trivial | 待办 p50 / p95 ms | server ms "
        "(in-process median) | queries at 100 / 10,000 tasks | 1-min load in the 待办 runs |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rows.append(
            f"| {r['database']} | {r['inbox_rps']} | "
            f"1/{1 / float(r['inbox_ratio']):.1f} | "
            f"{r['inbox_p50_ms']} / {r['inbox_p95_ms']} | "
            f"{r['inbox_server_ms_median']} | "
            f"{r['inbox_queries_at_100']} / {r['inbox_queries_at_10000']} | "
            f"{load(r['runs']['inbox'])} |"
        )
    table = "\n".join(rows)
    start, end = "<!-- approvals:start -->", "<!-- approvals:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text:
        text = re.sub(f"{start}.*?{end}", lambda _: block, text, flags=re.S)
    else:
        text += f"\n{block}\n"
    readme.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--table", action="store_true", help="only rewrite the table from the results"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.inner:
        result = measure(args.db)
        (RESULTS / f"approvals-{args.db}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        )
        brief = {
            k: v
            for k, v in result.items()
            if k not in {"runs", "approve_query_sites", "final_approve_query_sites"}
        }
        print(json.dumps(brief, ensure_ascii=False, indent=2))
        for label, key in (
            ("approve", "approve_query_sites"),
            ("final approve", "final_approve_query_sites"),
        ):
            print(f"{label}: queries by site")
            for site, count in summary_sites(result[key]):
                print(f"  {count:3d}  {site}")
        return 0
    databases = [args.db] if args.db else ["sqlite", "postgres"]
    if args.table:
        databases = []
    for db in databases:
        reset_database(db)
        subprocess.run(
            [sys.executable, str(Path(__file__)), "--db", db, "--inner"],
            cwd=ROOT,
            env=bench_env(db),
            check=True,
        )
    results = [
        json.loads(path.read_text())
        for name in ("sqlite", "postgres")
        if (path := RESULTS / f"approvals-{name}.json").exists()
    ]
    write_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
