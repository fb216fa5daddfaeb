"""What the benchmark scripts share: a production-like environment and a fresh database.

The documents benchmarks (``documents.py``, ``documents_search.py``) also share where
they keep their databases, the organisation they create, the fields of a generated
document and the bulk insert.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def bench_env(*, data_dir: Path, pg_name: str | None) -> dict[str, str]:
    """Return the environment of a benchmark process: DEBUG off, its own data folder.

    With ``pg_name`` the database is that PostgreSQL database, else the SQLite file in
    the data folder.
    """
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
    if pg_name:
        env["ZHIBAN_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
    else:
        env.pop("ZHIBAN_DATABASE_URL", None)
    return env


def reset_database(*, data_dir: Path, pg_name: str | None) -> None:
    """Empty the data folder and, with ``pg_name``, create that database afresh."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if pg_name:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{pg_name}"')


# --- the documents benchmarks' shared setup ------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where one benchmark keeps its databases.

    SQLite in ``bench/tmp/<folder>-sqlite/``, PostgreSQL in the database ``pg_name``.
    """

    folder: str
    pg_name: str

    def data_dir(self, db: str) -> Path:
        """Return the data folder of the benchmark on that database."""
        return BENCH / "tmp" / f"{self.folder}-{db}"

    def env(self, db: str) -> dict[str, str]:
        """Return the environment of the measuring process on that database."""
        return bench_env(
            data_dir=self.data_dir(db),
            pg_name=self.pg_name if db == "postgres" else None,
        )

    def run_fresh(self, script: Path, *, db: str, count: int) -> None:
        """Empty the database and run the script's measuring part (``--inner``) on it.

        The measuring part runs in a process of its own, with the environment of
        :meth:`env`: Django reads its settings once.
        """
        reset_database(
            data_dir=self.data_dir(db),
            pg_name=self.pg_name if db == "postgres" else None,
        )
        subprocess.run(
            [sys.executable, str(script), "--db", db, "--count", str(count), "--inner"],
            cwd=ROOT,
            env=self.env(db),
            check=True,
        )


@dataclass(frozen=True)
class Organisation:
    """The benchmark's unit, its departments and the clerk who keeps the registers."""

    unit: Any
    departments: list[Any]
    clerk: Any


def organisation_create(*, roles: Iterable[str], departments: int = 30) -> Organisation:
    """Migrate the fresh database, collect the static files and create the organisation.

    One unit (基准集团) with ``departments`` departments (部门00, 部门01, ...) and a
    clerk (``bench-clerk``, 王芳, in the first department) holding ``roles``. Call
    after ``django.setup()``.
    """
    from django.core.management import call_command

    from zhiban.org.models import Department, Unit, User, role_groups

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    unit = Unit.objects.create(code="BENCH", name="基准集团")
    created = [
        Department.objects.create(unit=unit, code=f"D{i:02d}", name=f"部门{i:02d}")
        for i in range(departments)
    ]
    clerk = User.objects.create_user(
        username="bench-clerk", password="bench-password-1", name="王芳"
    )
    clerk.primary_department = created[0]
    clerk.save()
    clerk.groups.add(*role_groups(list(roles)))
    return Organisation(unit=unit, departments=created, clerk=clerk)


def document_fields(
    index: int, *, org: Organisation, document_type: str, title: str
) -> dict[str, Any]:
    """Return the fields of the ``index``-th generated document but its body and
    its incoming particulars (sender, number, dates, register number).

    Two in three are incoming (registered), one in three outgoing (drafting); the
    urgency cycles through 特急, 加急 and five ordinary; one in a hundred is
    classified (秘密 with a copy number) and so takes no body.
    """
    incoming = index % 3 != 0
    fields: dict[str, Any] = {
        "direction": "incoming" if incoming else "outgoing",
        "document_type": document_type,
        "title": title,
        "unit": org.unit,
        "department": org.departments[index % len(org.departments)],
        "created_by": org.clerk,
        "urgency": ("特急", "加急", "", "", "", "", "")[index % 7],
        "state": "registered" if incoming else "drafting",
        "copies": 1,
    }
    if index % 100 == 0:
        fields.update(secrecy_level="秘密", copy_number=f"{index % 999999:06d}")
    return fields


def bulk_insert(rows: Iterable[Any], *, batch_size: int = 2000) -> None:
    """Insert model instances past the services, ``batch_size`` per transaction."""
    from django.db import transaction

    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == batch_size:
            with transaction.atomic():
                type(row).objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            type(batch[0]).objects.bulk_create(batch)


def result_save(name: str, result: dict[str, Any]) -> Path:
    """Write a measuring run's result to ``bench/results/<name>.json``."""
    path = BENCH / "results" / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return path
