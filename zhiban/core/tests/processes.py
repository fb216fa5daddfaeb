"""Helpers for tests that start real processes (Celery workers, the demo script)."""

from __future__ import annotations

from pathlib import Path

from django.db import connection


def database_url() -> str:
    """Return a URL of the test database for the worker's ZHIBAN_DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}{port}/"
        f"{db['NAME']}"
    )
