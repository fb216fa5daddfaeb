"""Run calls at the same instant in real threads, each with its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection

from zhiban.core.errors import DomainError


def race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run the calls in threads released together; return ("ok"|"error", value).

    A DomainError is an "error"; anything else raised is a "crash" the test sees.
    """
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except DomainError as error:
            results[index] = ("error", error)
        except BaseException as error:  # reported to the test
            results[index] = ("crash", error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
