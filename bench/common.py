"""What the benchmark scripts share: a production-like environment and a fresh database."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
