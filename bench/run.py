"""Benchmark the 待办 page against a trivial view of the same production server.

    python bench/run.py                 # everything: the 待办 page, the engine, the approvals
    python bench/run.py --db sqlite     # one database
    python bench/run.py --only inbox    # one benchmark: inbox, engine or approvals

For each database: migrate a fresh database, generate 2,000 users and 1,000 work items, count
the queries of the 待办 page, grow to 100,000 work items and count again, time the page
in-process (median of 200 requests), then serve with gunicorn (2 workers, DEBUG off) and load
/healthz and /inbox/ with wrk at 16 connections, alternating, twice each. Results go to
bench/results/inbox-<db>.json and the table in bench/README.md.

Then (issue 3) the engine core in-process (bench/engine.py) and the approvals over HTTP with
the 待办 page of a user holding 10,000 approval tasks (bench/approvals.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/zhiban_bench"
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
CONNECTIONS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env(db: str) -> dict[str, str]:
    data_dir = BENCH / "tmp" / db
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ZHIBAN_DEBUG": "false",
        "ZHIBAN_SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "ZHIBAN_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "ZHIBAN_DATA_DIR": str(data_dir),
        "ZHIBAN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if db == "postgres":
        env["ZHIBAN_DATABASE_URL"] = PG_URL
    else:
        env.pop("ZHIBAN_DATABASE_URL", None)
    return env


def reset_database(db: str) -> None:
    data_dir = BENCH / "tmp" / db
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS zhiban_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE zhiban_bench")


def wrk(url: str, cookie: str) -> dict[str, float]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--latency",
        "-s",
        str(BENCH / "report.lua"),
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"WRKJSON (\{.*\})", output)
    if match is None:
        raise RuntimeError(output)
    return dict(json.loads(match.group(1)))


def measure(db: str) -> dict[str, Any]:
    """Run inside a process whose environment selects the database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate import BENCH_USERNAME, ensure_users, grow_work_items
    from zhiban.org.models import User

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    user_ids = ensure_users(2000)
    user = User.objects.get(username=BENCH_USERNAME)
    client = Client()
    client.force_login(user)

    def queries() -> tuple[int, int]:
        client.get("/inbox/")  # warm the per-process caches (navigation, filter bar)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/inbox/")
        if response.status_code != 200:
            raise RuntimeError(f"/inbox/ answered {response.status_code}")
        return len(captured.captured_queries), response.content.count(b"<tr")

    grow_work_items(total=1000, user_ids=user_ids)
    queries_small, rows_small = queries()
    grow_work_items(total=100_000, user_ids=user_ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    queries_large, rows_large = queries()

    for _ in range(20):
        client.get("/inbox/")
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        client.get("/inbox/")
        timings.append((time.perf_counter() - started) * 1000)
    trivial_timings = []
    for _ in range(200):
        started = time.perf_counter()
        client.get("/healthz")
        trivial_timings.append((time.perf_counter() - started) * 1000)
    cookie = client.cookies["sessionid"].value
    connection.close()

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
        runs: dict[str, list[dict[str, float]]] = {"trivial": [], "inbox": []}
        for _ in range(2):
            runs["trivial"].append(wrk(f"{base}/healthz", ""))
            runs["inbox"].append(wrk(f"{base}/inbox/", cookie))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    def mean(kind: str, key: str) -> float:
        return statistics.mean(run[key] for run in runs[kind])

    result: dict[str, Any] = {
        "database": db,
        "work_items": 100_000,
        "users": 2000,
        "connections": CONNECTIONS,
        "wrk_seconds_per_run": WRK_SECONDS,
        "queries_at_1000": queries_small,
        "queries_at_100000": queries_large,
        "rows_at_1000": rows_small,
        "rows_at_100000": rows_large,
        "server_ms_median": round(statistics.median(timings), 2),
        "trivial_server_ms_median": round(statistics.median(trivial_timings), 2),
        "trivial_rps": round(mean("trivial", "rps"), 1),
        "inbox_rps": round(mean("inbox", "rps"), 1),
        "inbox_p50_ms": round(mean("inbox", "p50_us") / 1000, 1),
        "inbox_p95_ms": round(mean("inbox", "p95_us") / 1000, 1),
        "trivial_p50_ms": round(mean("trivial", "p50_us") / 1000, 1),
        "trivial_p95_ms": round(mean("trivial", "p95_us") / 1000, 1),
        "inbox_non_2xx": sum(run["non_2xx"] for run in runs["inbox"]),
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    result["ratio_inbox_to_trivial"] = round(
        float(result["inbox_rps"]) / float(result["trivial_rps"]),
        3,
    )
    return result


def write_table(results: list[dict[str, Any]]) -> None:
    readme = BENCH / "README.md"
    text = readme.read_text() if readme.exists() else ""
    rows = [
        "| database | trivial req/s | 待办 req/s | ratio | 待办 p50 / p95 ms | "
        "server time median ms | queries at 1k / 100k items |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rows.append(
            f"| {r['database']} | {r['trivial_rps']} | {r['inbox_rps']} | "
            f"1/{1 / float(r['ratio_inbox_to_trivial']):.1f} | "
            f"{r['inbox_p50_ms']} / {r['inbox_p95_ms']} | {r['server_ms_median']} | "
            f"{r['queries_at_1000']} / {r['queries_at_100000']} |"
        )
    table = "\n".join(rows)
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    block = f"{start}\n{table}\n{end}"
    if start in text:
        text = re.sub(f"{start}.*?{end}", block, text, flags=re.S)
    else:
        text += f"\n{block}\n"
    readme.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--only", choices=["inbox", "engine", "approvals"])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.only in {"engine", "approvals"}:
        return run_issue_3(args.only, args.db)
    if args.inner:
        result = measure(args.db)
        (RESULTS / f"inbox-{args.db}.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        )
        print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))
        return 0
    databases = [args.db] if args.db else ["sqlite", "postgres"]
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
        if (path := RESULTS / f"inbox-{name}.json").exists()
    ]
    write_table(results)
    if args.only is None:
        run_issue_3("engine", args.db)
        run_issue_3("approvals", args.db)
    return 0


def run_issue_3(which: str, db: str | None) -> int:
    """Run bench/engine.py or bench/approvals.py (for one database or both)."""
    command = [sys.executable, str(BENCH / f"{which}.py")]
    if which == "approvals" and db:
        command += ["--db", db]
    subprocess.run(command, cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
