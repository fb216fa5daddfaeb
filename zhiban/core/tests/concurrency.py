"""Run calls at the same instant in real threads, each with its own connection."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import close_old_connections, connection, transaction

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


@contextlib.contextmanager
def held(lock: Callable[[], Any]) -> Iterator[None]:
    """Run ``lock`` in a transaction of another thread and keep it open until exit.

    For tests that check what a lock holds up and what it lets through: the body runs
    while the other connection holds the locks ``lock`` took.
    """
    locked, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        close_old_connections()
        try:
            with transaction.atomic():
                lock()
                locked.set()
                release.wait(timeout=60)
        except BaseException as error:  # reported to the test
            failure.append(error)
            locked.set()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        if not locked.wait(timeout=30) or failure:
            raise AssertionError(f"the lock was not taken: {failure}")
        yield
    finally:
        release.set()
        holder.join(timeout=60)


def lock_timeout(milliseconds: int) -> None:
    """Give up waiting for a lock after this long, for the rest of the transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{int(milliseconds)}ms'")
