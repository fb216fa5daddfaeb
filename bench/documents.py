"""Benchmark the document registers at 100,000 documents and concurrent numbering.

    python bench/documents.py                    # SQLite, then PostgreSQL
    python bench/documents.py --db postgres      # one database
    python bench/documents.py --count 20000      # a smaller register

For each database: migrate a fresh database (SQLite in bench/tmp/documents-sqlite/,
PostgreSQL ``zhiban_benchdocs``), create a unit with 30 departments and a clerk, and bulk-insert
``--count`` documents (default 100,000: two thirds incoming with register numbers over three
years, one third outgoing, 1 % classified) with Chinese bodies of 400 to 1,500 characters. Then:

1. the register pages, in-process with Django's test client, one request at a time: the
   incoming and outgoing registers (first page, a deep page, filtered by type, by urgency, by
   year, by a title word), 20 warm-up requests and 200 measured, server time p50 / p95, and the
   queries of each page (the same at 1,000 and at ``--count`` documents);
2. numbering under load: 1,000 outgoing documents, gunicorn with 2 sync workers (DEBUG off),
   and 1,000 ``POST /api/documents/<id>/number/`` requests from 32 client threads at once,
   all on the same series; every answer must be 201, and the database must then hold the
   sequences 1 to 1,000 exactly once each, each on its own document.

Results: bench/results/documents-<db>.json and the documents table in bench/README.md.
Target (issue 4): register list p95 at most 100 ms; 1,000 concurrent allocations all unique,
no gaps.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402 - after the path is set
from bench.approvals import uptime  # noqa: E402
from bench.run import free_port  # noqa: E402

PG_NAME = os.environ.get("ZHIBAN_BENCH_DOCUMENTS_DB", "zhiban_benchdocs")
ALLOCATIONS = 1000
CLIENT_THREADS = 32
TARGET_REGISTER_P95_MS = 100

# Phrases an office writes; bodies are drawn from them (seeded, so runs are alike).
PHRASES = (
    "为深入贯彻落实集团公司安全生产工作会议精神",
    "进一步加强煤矿安全生产管理",
    "切实做好岁末年初安全生产各项工作",
    "各单位要高度重视",
    "认真组织开展隐患排查治理",
    "对发现的问题要立即整改",
    "确保责任落实到人",
    "严格执行领导干部带班下井制度",
    "加强机电设备运行维护管理",
    "做好冬季防寒防冻工作",
    "严格落实疫情防控各项措施",
    "全面推进智能化矿山建设",
    "持续深化国有企业改革",
    "严格控制非生产性支出",
    "及时报送相关材料",
    "请于规定时间内反馈办理情况",
    "现将有关事项通知如下",
    "特此报告",
    "妥否，请批示",
    "以上意见，请结合实际认真贯彻执行",
    "加强党风廉政建设和反腐败工作",
    "提高职工教育培训质量",
    "做好档案资料的收集整理归档工作",
    "规范公文处理流程",
    "落实安全生产主体责任",
)
TITLE_MATTERS = (
    "做好岁末年初安全生产工作",
    "开展煤矿安全隐患排查治理",
    "报送年度国有资产统计报表",
    "加强职工教育培训",
    "召开年度工作会议",
    "推进智能化矿山建设",
    "规范公文处理工作",
    "做好冬季防寒防冻工作",
    "开展安全生产大检查",
    "做好档案整理归档工作",
)
SENDERS = (
    "河南省应急管理厅",
    "河南省人民政府国有资产监督管理委员会",
    "河南省能源局",
    "中国煤炭工业协会",
    "河南省人力资源和社会保障厅",
    "国家矿山安全监察局河南局",
)
TYPES = (("notice", "通知"), ("letter", "函"), ("report", "报告"), ("opinion", "意见"))


PLACE = common.Place(folder="documents", pg_name=PG_NAME)


def body_text(rng: random.Random) -> str:
    """Return a body of 400 to 1,500 characters in paragraphs."""
    target = rng.randint(400, 1500)
    paragraphs, size = [], 0
    while size < target:
        sentence = "，".join(rng.sample(PHRASES, rng.randint(3, 6))) + "。"
        paragraphs.append(sentence)
        size += len(sentence)
    return "\n".join(paragraphs)


# --- in-process part ---------------------------------------------------------------


def generate(
    count: int,
    *,
    org: common.Organisation,
    sequences: dict[int, int],
    seed: int = 20261127,
) -> float:
    """Bulk-insert the documents; return the seconds it took.

    ``sequences`` holds the last register number per year, across calls.
    """
    from django.utils import timezone

    from zhiban.documents.models import Document

    rng = random.Random(seed)
    started = time.perf_counter()
    now = timezone.now()

    def documents() -> Iterator[Document]:
        for index in range(count):
            kind, name = TYPES[index % len(TYPES)]
            matter = TITLE_MATTERS[rng.randrange(len(TITLE_MATTERS))]
            year = 2024 + index % 3
            received = now.date().replace(year=year) - datetime.timedelta(
                days=rng.randrange(300)
            )
            fields = common.document_fields(
                index, org=org, document_type=kind, title=f"关于{matter}的{name}"
            )
            if not fields.get("secrecy_level"):
                fields["body"] = body_text(rng)
            if fields["direction"] == "incoming":
                sequences[year] = sequences.get(year, 0) + 1
                fields.update(
                    sender=SENDERS[index % len(SENDERS)],
                    document_number=f"豫政办〔{year}〕{sequences[year]}号",
                    received_on=received,
                    register_year=year,
                    register_sequence=sequences[year],
                )
            yield Document(**fields)

    common.bulk_insert(documents())
    return time.perf_counter() - started


def measure(db: str, count: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from zhiban.documents import services
    from zhiban.documents.models import Document, DocumentNumber
    from zhiban.org.models import Role

    result: dict[str, Any] = {"database": db, "documents": count}
    org = common.organisation_create(roles=[Role.CLERK, Role.OFFICE_DIRECTOR])
    unit, departments, clerk = org.unit, org.departments, org.clerk
    token = Token.objects.create(user=clerk).key

    client = Client()
    client.force_login(clerk)
    pages = {
        "incoming, first page": "/documents/?direction=incoming",
        "incoming, page 400": "/documents/?direction=incoming&page=400",
        "outgoing, first page": "/documents/?direction=outgoing",
        "incoming, type 函": "/documents/?direction=incoming&type=letter",
        "incoming, 特急": "/documents/?direction=incoming&urgency=%E7%89%B9%E6%80%A5",
        "incoming, year 2025": "/documents/?direction=incoming&year=2025",
        "incoming, title word": "/documents/?direction=incoming&q=%E9%9A%90%E6%82%A3",
    }

    def queries(path: str) -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        return len(captured.captured_queries)

    sequences: dict[int, int] = {}
    generate(1000, org=org, sequences=sequences)
    small = {name: queries(path) for name, path in pages.items()}
    seconds = generate(count - 1000, org=org, sequences=sequences, seed=1)
    result["generate_seconds"] = round(seconds, 1)
    if db == "postgres":
        # What autovacuum does after a bulk load: statistics, and the visibility map
        # that lets a count read the register index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    large = {name: queries(path) for name, path in pages.items()}
    result["queries"] = {name: [small[name], large[name]] for name in pages}

    timings: dict[str, Any] = {}
    for name, path in pages.items():
        for _ in range(20):
            client.get(path)
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        timings[name] = {
            "p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        }
        print(f"{db}: {name}: {timings[name]}", flush=True)
    result["register"] = timings
    result["register_worst_p95_ms"] = max(t["p95_ms"] for t in timings.values())
    result["register_load"] = uptime()

    # 2. numbering: 1,000 allocations at once over HTTP, one series
    series = services.series_create(
        by=clerk, unit=unit, code="基准办", name="基准发文", document_types=[]
    )
    targets = Document.objects.bulk_create(
        Document(
            direction="outgoing",
            document_type="notice",
            title=f"关于第{i}批项目的通知",
            unit=unit,
            department=departments[0],
            created_by=clerk,
            state="drafting",
        )
        for i in range(ALLOCATIONS)
    )
    ids = [d.pk for d in targets]
    connection.close()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
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
    base = f"http://127.0.0.1:{port}"
    year = 2026

    def allocate(pk: int) -> tuple[int, float, str]:
        body = json.dumps({"series": series.pk, "year": year}).encode()
        request = urllib.request.Request(
            f"{base}/api/documents/{pk}/number/",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
                code = response.status
        except urllib.error.HTTPError as error:
            code, answer = error.code, {"text": error.read().decode()[:200]}
        return code, (time.perf_counter() - started) * 1000, str(answer.get("text"))

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(CLIENT_THREADS) as pool:
            answers = list(pool.map(allocate, ids))
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    codes: dict[str, int] = {}
    for code, _ms, _text in answers:
        codes[str(code)] = codes.get(str(code), 0) + 1
    latencies = sorted(ms for _code, ms, _text in answers)
    allocated = sorted(
        DocumentNumber.objects.filter(series=series, year=year).values_list(
            "sequence", flat=True
        )
    )
    documents_numbered = (
        Document.objects.filter(pk__in=ids).exclude(document_number="").count()
    )
    result["numbering"] = {
        "requests": ALLOCATIONS,
        "client_threads": CLIENT_THREADS,
        "answers": codes,
        "seconds": round(elapsed, 2),
        "allocations_per_second": round(ALLOCATIONS / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "sequences_are_1_to_n": allocated == list(range(1, ALLOCATIONS + 1)),
        "distinct_texts": len({text for _c, _m, text in answers}),
        "documents_numbered": documents_numbered,
        "load": uptime(),
    }
    print(f"{db}: numbering {result['numbering']}", flush=True)
    if not (
        codes == {"201": ALLOCATIONS}
        and result["numbering"]["sequences_are_1_to_n"]
        and documents_numbered == ALLOCATIONS
    ):
        raise RuntimeError(f"numbering went wrong: {result['numbering']}")
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return result


def write_table(results: list[dict[str, Any]]) -> None:
    readme = BENCH / "README.md"
    text = readme.read_text()
    rows = [
        "| database | documents | register p95 ms (worst page) | pages p50 ms | "
        "queries at 1k / full | 1,000 numbers at once: answers | sequences 1..1,000 | "
        "numbers/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        p50s = [t["p50_ms"] for t in r["register"].values()]
        queries = {tuple(v) for v in r["queries"].values()}
        n = r["numbering"]
        rows.append(
            f"| {r['database']} | {r['documents']:,} | {r['register_worst_p95_ms']} "
            f"(target {TARGET_REGISTER_P95_MS}) | {min(p50s)} to {max(p50s)} | "
            f"{', '.join(f'{a}/{b}' for a, b in sorted(queries))} | "
            f"{', '.join(f'{k}: {v}' for k, v in n['answers'].items())} | "
            f"{'yes' if n['sequences_are_1_to_n'] else 'NO'} | "
            f"{n['allocations_per_second']} |"
        )
    start, end = "<!-- documents:start -->", "<!-- documents:end -->"
    block = f"{start}\n" + "\n".join(rows) + f"\n{end}"
    if start in text:
        text = re.sub(f"{start}.*?{end}", lambda _: block, text, flags=re.S)
    else:
        text += f"\n{block}\n"
    readme.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument(
        "--table", action="store_true", help="only rewrite the table from the results"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.inner:
        common.result_save(f"documents-{args.db}", measure(args.db, args.count))
        return 0
    databases = [] if args.table else ([args.db] if args.db else ["sqlite", "postgres"])
    for db in databases:
        PLACE.run_fresh(Path(__file__), db=db, count=args.count)
    results = [
        json.loads(path.read_text())
        for name in ("sqlite", "postgres")
        if (path := RESULTS / f"documents-{name}.json").exists()
    ]
    write_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
