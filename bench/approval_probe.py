"""Time approvals in-process on a database that bench/approvals.py left behind.

    cd <a checkout>; python <this checkout>/bench/approval_probe.py [N]

Approves N (default 100) of the benchmark user's open tasks through the test client
(token authentication, as the served benchmark does) and prints the median time, the
median time in SQL (Django's cursor wrapper down) and the statements of the last one.
It imports the code of the current directory, so two checkouts (an old commit in a
``git worktree`` and the new one) can be timed in turn on the same data, which is what
the "alternating" rows in bench/README.md are: on a machine whose speed drifts, runs of
the whole benchmark an hour apart do not compare, turns of a few seconds do.

``PROBE_DB`` is the database URL (default: the PostgreSQL database of bench/approvals.py;
for SQLite, a copy of bench/tmp/approvals-sqlite/zhiban.sqlite3 per checkout, e.g.
``sqlite:////tmp/a.sqlite3``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.getcwd())
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ZHIBAN_DEBUG": "false",
        "ZHIBAN_SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "ZHIBAN_ALLOWED_HOSTS": "testserver",
        "ZHIBAN_DATA_DIR": str(Path(os.environ.get("TMPDIR", "/tmp")) / "zb-probe"),
        "ZHIBAN_LOG_LEVEL": "WARNING",
        "ZHIBAN_DATABASE_URL": os.environ.get(
            "PROBE_DB", "postgres://postgres@127.0.0.1:5432/zhiban_benchapp"
        ),
    }
)


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from zhiban.workflow.models import FlowTask

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    token = Token.objects.order_by("created").select_related("user").first()
    if token is None:
        print("no benchmark data: run bench/approvals.py first", file=sys.stderr)
        return 1
    ids = list(
        FlowTask.objects.filter(assignee=token.user, state="open")
        .order_by("-instance_id")
        .values_list("instance_id", flat=True)[:count]
    )
    if len(ids) < count:
        print(f"only {len(ids)} open tasks left", file=sys.stderr)
        return 1
    client = Client(headers={"Authorization": f"Token {token.key}"})
    in_sql = [0.0]
    statements = [0]

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - start
            statements[0] += 1

    walls, sqls = [], []
    with connection.execute_wrapper(timed_sql):
        for pk in ids:
            in_sql[0], statements[0] = 0.0, 0
            start = time.perf_counter()
            response = client.post(
                f"/api/workflow/instances/{pk}/act/",
                {"kind": "approve"},
                content_type="application/json",
            )
            walls.append(time.perf_counter() - start)
            sqls.append(in_sql[0])
            if response.status_code != 200:
                print(f"approve {pk}: {response.status_code}", file=sys.stderr)
                return 1
    print(
        f"{connection.vendor}: {count} approvals, median {statistics.median(walls) * 1000:.2f} ms, "
        f"in SQL {statistics.median(sqls) * 1000:.2f} ms, statements {statements[0]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
