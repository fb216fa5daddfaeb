"""Benchmark full-text search in the document registers at 100,000 documents.

    python bench/documents_search.py                  # SQLite, then PostgreSQL
    python bench/documents_search.py --db postgres    # one database
    python bench/documents_search.py --count 20000    # a smaller register

For each database: migrate a fresh database (SQLite in bench/tmp/documents-search-sqlite/,
PostgreSQL ``zhiban_bench_search``), create a unit with 30 departments and a clerk, and
bulk-insert ``--count`` documents (default 100,000: two thirds incoming with numbers such
as 豫政办〔2026〕15号 over three years, one third outgoing, 1 % classified without a body)
whose bodies of 500 to 1,500 characters are drawn from office phrases: each document has a
topic (safety, production, party work, finance, ...) whose phrases make most of its body,
so some words are in nearly every document and others in a tenth or fewer. Then build the
search index in one pass (``documents_reindex --clear``), and time the incoming register
page with a search (``/documents/?q=...``) in-process with Django's test client, for a
clerk, one request at a time: 50 queries (two-character words, common and rare, phrases,
document numbers, a sender, one character, words found nowhere), 2 warm-up rounds and 5
measured rounds; server time p50 / p95 over every request, and per query. Then the
ranked search (``document_search_for``: title, number or sender matches first) in-process:
the count and the first page of each query, without the template.

Results: bench/results/documents-search-<db>.json.
Target (issue 4): full-text search p95 at most 150 ms on either database.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402 - after the path is set
from bench.approvals import uptime  # noqa: E402

PG_NAME = os.environ.get("ZHIBAN_BENCH_SEARCH_DB", "zhiban_bench_search")
TARGET_P95_MS = 150
WARM_UP_ROUNDS = 2
ROUNDS = 5

# Phrases every office writes, whatever the topic.
GENERAL = (
    "为深入贯彻落实集团公司工作会议精神",
    "各单位要高度重视",
    "确保责任落实到人",
    "现将有关事项通知如下",
    "请于规定时间内反馈办理情况",
    "及时报送相关材料",
    "特此报告",
    "妥否，请批示",
    "以上意见，请结合实际认真贯彻执行",
    "请各单位于本月底前将材料报送集团公司办公室",
    "联系人及电话附后",
    "本通知自印发之日起施行",
    "由集团公司办公室负责解释",
    "经集团公司研究决定",
    "请按照有关规定抓好落实",
    "所需经费从年度预算中列支",
    "切实加强组织领导",
    "认真总结经验做法",
)
# Each topic's own phrases: most of a body comes from its topic.
TOPICS = {
    "safety": (
        "进一步加强煤矿安全生产管理",
        "切实做好岁末年初安全生产各项工作",
        "认真组织开展隐患排查治理",
        "对发现的问题要立即整改",
        "严格执行领导干部带班下井制度",
        "扎实推进瓦斯综合治理",
        "加强顶板管理和水害防治",
        "严防重特大事故发生",
        "完善应急预案并组织演练",
        "加强通风系统检查",
        "推进安全质量标准化建设",
        "落实安全生产主体责任",
        "强化承包商安全监管",
        "开展安全生产月活动",
    ),
    "production": (
        "全面推进智能化矿山建设",
        "加强机电设备运行维护管理",
        "确保年度生产经营目标顺利完成",
        "做好原煤产量和销售工作",
        "加快推进重点项目建设",
        "推广应用新技术新工艺新装备",
        "提高设备国产化水平",
        "加强科技创新和技术攻关",
        "做好矿区土地复垦工作",
        "推进节能减排和生态环境保护",
        "强化现场管理和过程控制",
    ),
    "party": (
        "加强党风廉政建设和反腐败工作",
        "严格落实中央八项规定精神",
        "持续纠治四风问题",
        "开展党史学习教育",
        "推进党建与生产经营深度融合",
        "加强基层党组织建设",
        "发挥党员先锋模范作用",
        "做好宣传思想工作",
        "加强企业文化建设",
        "讲好国企故事",
    ),
    "finance": (
        "严格控制非生产性支出",
        "加强成本管控和预算管理",
        "提高资金使用效率",
        "防范化解重大经营风险",
        "做好审计发现问题整改",
        "加强内部控制",
        "做好物资采购招标工作",
        "规范合同管理",
        "加强法律风险防控",
        "开展合规管理体系建设",
    ),
    "people": (
        "持续深化国有企业改革",
        "深化三项制度改革",
        "完善绩效考核办法",
        "加强干部队伍建设",
        "做好人才引进和培养工作",
        "提高职工教育培训质量",
        "加强工会和共青团工作",
        "关心职工生活",
        "做好职业病防治工作",
        "加强劳动保护用品发放管理",
    ),
    "office": (
        "规范公文处理流程",
        "做好档案资料的收集整理归档工作",
        "加强保密管理",
        "严格执行请示报告制度",
        "做好节假日值班值守工作",
        "加强车辆安全管理",
        "做好信访维稳工作",
        "会议时间另行通知",
        "请参会人员准时出席",
        "因故不能参加的须提前请假",
    ),
    "digital": (
        "推进数字化转型",
        "完善信息系统网络安全防护",
        "做好数据统计分析",
        "按时报送月度统计报表",
        "加快建设一体化管控平台",
        "提升数据治理能力",
    ),
    "season": (
        "做好冬季防寒防冻工作",
        "做好防汛抗旱准备工作",
        "排查整治地质灾害隐患",
        "做好冬季取暖和防火工作",
        "加强消防安全管理",
    ),
}
# Rare phrases: a few documents in a thousand.
RARE = (
    "朝阳煤矿三号井改扩建项目",
    "首席技师工作室",
    "碳达峰碳中和行动方案",
    "豫西片区供电线路改造",
)
TITLE_MATTERS = {
    "safety": (
        "做好岁末年初安全生产工作",
        "开展煤矿安全隐患排查治理",
        "开展安全生产大检查",
    ),
    "production": ("推进智能化矿山建设", "做好原煤生产组织工作"),
    "party": ("加强党风廉政建设", "开展党史学习教育"),
    "finance": ("报送年度国有资产统计报表", "加强预算管理"),
    "people": ("加强职工教育培训", "完善绩效考核办法"),
    "office": ("规范公文处理工作", "做好档案整理归档工作", "召开年度工作会议"),
    "digital": ("推进数字化转型", "加强网络安全防护"),
    "season": ("做好冬季防寒防冻工作", "做好防汛准备工作"),
}
SENDERS = (
    "河南省应急管理厅",
    "河南省人民政府国有资产监督管理委员会",
    "河南省能源局",
    "中国煤炭工业协会",
    "河南省人力资源和社会保障厅",
    "国家矿山安全监察局河南局",
)
TYPES = (("notice", "通知"), ("letter", "函"), ("report", "报告"), ("opinion", "意见"))

# The 50 queries: words common and rare, phrases, numbers, a sender, nothing.
QUERIES = (
    # two-character words
    "安全",
    "生产",
    "检查",
    "隐患",
    "整改",
    "煤矿",
    "瓦斯",
    "顶板",
    "党建",
    "审计",
    "预算",
    "合同",
    "招标",
    "培训",
    "信访",
    "保密",
    "档案",
    "消防",
    "防汛",
    "值班",
    "车辆",
    "网络",
    "数据",
    "考核",
    "工会",
    "宣传",
    "廉政",
    "通知",
    "报告",
    "技师",
    # phrases and several words
    "安全生产大检查",
    "隐患排查治理",
    "领导干部带班下井",
    "国有企业改革",
    "煤矿隐患整改",
    "防汛准备工作",
    "智能化矿山建设",
    "三项制度改革",
    "朝阳煤矿三号井",
    "瓦斯 顶板 水害",
    # numbers, a sender, one character
    "豫政办〔2026〕15号",
    "豫政办〔2025〕1234号",
    "2026",
    "豫政办",
    "〔2024〕99号",
    "河南省应急管理厅",
    "国家矿山安全监察局",
    "函",
    # found nowhere
    "航天",
    "区块链技术",
)


PLACE = common.Place(folder="documents-search", pg_name=PG_NAME)


def body_text(rng: random.Random, topic: str) -> str:
    """Return a body of 500 to 1,500 characters, mostly in the topic's phrases."""
    target = rng.randint(500, 1500)
    own = TOPICS[topic]
    paragraphs, size = [], 0
    while size < target:
        phrases = [
            rng.choice(own) if rng.random() < 0.7 else rng.choice(GENERAL)
            for _ in range(rng.randint(3, 6))
        ]
        if rng.random() < 0.002:
            phrases.append(rng.choice(RARE))
        sentence = "，".join(phrases) + "。"
        paragraphs.append(sentence)
        size += len(sentence)
    return "\n".join(paragraphs)


# --- in-process part ---------------------------------------------------------------


def generate(count: int, *, org: common.Organisation) -> float:
    """Bulk-insert the documents past the services; return the seconds it took."""
    from django.utils import timezone

    from zhiban.documents.models import Document

    rng = random.Random(20261127)
    topics = list(TOPICS)
    sequences: dict[int, int] = {}
    started = time.perf_counter()
    now = timezone.now()

    def documents() -> Iterator[Document]:
        for index in range(count):
            kind, name = TYPES[index % len(TYPES)]
            topic = topics[rng.randrange(len(topics))]
            matter = rng.choice(TITLE_MATTERS[topic])
            year = 2024 + rng.randrange(3)
            fields = common.document_fields(
                index, org=org, document_type=kind, title=f"关于{matter}的{name}"
            )
            if not fields.get("secrecy_level"):
                fields["body"] = body_text(rng, topic)
            if fields["direction"] == "incoming":
                sequences[year] = sequences.get(year, 0) + 1
                fields.update(
                    sender=rng.choice(SENDERS),
                    document_number=f"豫政办〔{year}〕{sequences[year]}号",
                    received_on=now.date().replace(year=year)
                    - datetime.timedelta(days=rng.randrange(300)),
                    register_year=year,
                    register_sequence=sequences[year],
                )
            else:
                fields["main_recipients"] = "各二级单位、集团各部门"
            yield Document(**fields)

    common.bulk_insert(documents())
    return time.perf_counter() - started


def sizes(db: str) -> dict[str, float]:
    """Return the megabytes of the documents table and of the search index."""
    from django.db import connection

    mb = 1024 * 1024
    with connection.cursor() as cursor:
        if db == "postgres":
            cursor.execute(
                "SELECT pg_total_relation_size('documents_document'), "
                "pg_total_relation_size('core_search_document')"
            )
            documents, index = cursor.fetchone()
        else:
            # dbstat may be missing from a SQLite build: then the pages are counted
            # from the file before and after the index (see measure()).
            try:
                cursor.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat "
                    "WHERE name LIKE 'documents_document%' "
                    "OR name LIKE 'core_search_document%' GROUP BY name"
                )
            except Exception:
                return {}
            rows = dict(cursor.fetchall())
            documents = sum(v for k, v in rows.items() if k.startswith("documents_"))
            index = sum(v for k, v in rows.items() if not k.startswith("documents_"))
    return {"documents_mb": round(documents / mb, 1), "index_mb": round(index / mb, 1)}


def measure(db: str, count: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhiban.documents import selectors
    from zhiban.documents.search import documents_reindex
    from zhiban.org.models import Role

    result: dict[str, Any] = {"database": db, "documents": count}
    org = common.organisation_create(roles=[Role.CLERK])
    clerk = org.clerk

    result["generate_seconds"] = round(generate(count, org=org), 1)
    print(f"{db}: generated in {result['generate_seconds']} s", flush=True)
    database_file = Path(settings.DATABASES["default"]["NAME"])
    before = database_file.stat().st_size if db == "sqlite" else 0
    started = time.perf_counter()
    for _done in documents_reindex(batch_size=2000, clear=True):
        pass
    result["index_seconds"] = round(time.perf_counter() - started, 1)
    if db == "postgres":
        # What autovacuum does after a bulk load: visibility map and statistics.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    result.update(sizes(db))
    if db == "sqlite":
        result["database_mb"] = round(database_file.stat().st_size / 1024 / 1024, 1)
        if "index_mb" not in result:
            grown = database_file.stat().st_size - before
            result["index_mb"] = round(grown / 1024 / 1024, 1)
    print(f"{db}: indexed in {result['index_seconds']} s, {result}", flush=True)

    client = Client()
    client.force_login(clerk)

    def path(query: str) -> str:
        return "/documents/?" + urlencode({"direction": "incoming", "q": query})

    def timed(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        return elapsed

    matches: dict[str, int] = {}
    query_counts: set[int] = set()
    for query in QUERIES:
        with CaptureQueriesContext(connection) as captured:
            client.get(path(query))
        filters = selectors.RegisterFilters(direction="incoming", text=query)
        matches[query] = selectors.document_list_for(
            user=clerk, filters=filters
        ).count()
        query_counts.add(len(captured.captured_queries))
    for _ in range(WARM_UP_ROUNDS):
        for query in QUERIES:
            timed(path(query))
    samples: dict[str, list[float]] = {query: [] for query in QUERIES}
    for _ in range(ROUNDS):
        for query in QUERIES:
            samples[query].append(timed(path(query)))
    every = sorted(ms for values in samples.values() for ms in values)
    per_query = {
        query: {
            "matches": matches[query],
            "p50_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1),
        }
        for query, values in samples.items()
    }
    for query, figures in per_query.items():
        print(f"{db}: {query}: {figures}", flush=True)
    baseline = sorted(timed("/documents/?direction=incoming") for _ in range(50))

    # Ranked (document_search_for: heading matches first), in-process: the count
    # and the first page of 20 with their related rows, no template.
    def ranked(query: str) -> float:
        started = time.perf_counter()
        documents = selectors.document_search_for(
            user=clerk,
            query=query,
            filters=selectors.RegisterFilters(direction="incoming"),
        )
        if documents.count():
            for document in documents[:20]:
                assert document.department is not None
        return (time.perf_counter() - started) * 1000

    for query in QUERIES:
        ranked(query)
    ranked_samples = sorted(ranked(q) for _ in range(ROUNDS) for q in QUERIES)
    result["search"] = {
        "queries": len(QUERIES),
        "requests": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(every[int(len(every) * 0.95) - 1], 1),
        "max_ms": round(every[-1], 1),
        "target_p95_ms": TARGET_P95_MS,
        "queries_per_page": sorted(query_counts),
        "register_without_search_p50_ms": round(statistics.median(baseline), 1),
    }
    result["ranked_search_selector"] = {
        "p50_ms": round(statistics.median(ranked_samples), 1),
        "p95_ms": round(ranked_samples[int(len(ranked_samples) * 0.95) - 1], 1),
        "max_ms": round(ranked_samples[-1], 1),
    }
    result["per_query"] = per_query
    result["load"] = uptime()
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(f"{db}: {result['search']}", flush=True)
    print(f"{db}: ranked {result['ranked_search_selector']}", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.inner:
        common.result_save(f"documents-search-{args.db}", measure(args.db, args.count))
        return 0
    for db in [args.db] if args.db else ["sqlite", "postgres"]:
        PLACE.run_fresh(Path(__file__), db=db, count=args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
