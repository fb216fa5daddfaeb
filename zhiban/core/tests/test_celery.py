"""A real Celery worker runs our tasks, on Redis and on the embedded SQLite broker.

The worker is a subprocess (`celery -A config worker`) pointed at the test database,
so what it writes is what the test reads. Tasks are enqueued on commit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings
from django.db import transaction

from config.celery import app as celery_app
from zhiban.audit.models import AuditEntry
from zhiban.audit.verify import verify_chain
from zhiban.core.tasks import PING_ACTION, ping, ping_enqueue
from zhiban.core.tests.processes import database_url

CELERY = Path(sys.executable).with_name("celery")
WAIT_SECONDS = 45


class Worker:
    """A Celery worker subprocess and its log."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited before {what}:\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.output()[-4000:]}")


@contextmanager
def _worker(
    *, broker_url: str, queue: str, tmp_path: Path, beat: bool = False
) -> Iterator[Worker]:
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "ZHIBAN_DEBUG": "true",
        "ZHIBAN_BROKER_URL": broker_url,
        "ZHIBAN_DATABASE_URL": database_url(),
        "ZHIBAN_CELERY_EAGER": "false",
    }
    command = [
        str(CELERY),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        command += ["-B", "-s", str(tmp_path / "celerybeat-schedule")]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Worker(process, log)
    finally:
        # Warm shutdown of the whole group (beat runs as a child process with -B).
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _forget_connections() -> None:
    # Eager calls of earlier tests already made producer pools for the default broker;
    # kombu keeps them in a global registry keyed by connection. Start afresh.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def _sending_to(broker_url: str) -> Iterator[None]:
    """Let this (eager) test process send real messages to the broker for a while."""
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "task_always_eager": celery_app.conf.task_always_eager,
    }
    _forget_connections()
    celery_app.conf.update(broker_url=broker_url, task_always_eager=False)
    try:
        yield
    finally:
        _forget_connections()
        celery_app.conf.update(saved)


def _pings(marker: str) -> int:
    return AuditEntry.objects.filter(action=PING_ACTION, data__key=marker).count()


def _enqueue(*markers: str, queue: str) -> None:
    # Enqueued on commit, as services do: nothing is sent while the transaction runs.
    with transaction.atomic():
        for marker in markers:
            ping_enqueue(marker=marker, queue=queue)


def _run_twice_has_one_effect(
    *, broker_url: str, tmp_path: Path, beat: bool = False
) -> Worker:
    queue = f"zhiban-test-{uuid.uuid4().hex[:12]}"
    marker, sentinel = f"ping-{uuid.uuid4().hex}", f"last-{uuid.uuid4().hex}"
    with (
        _worker(broker_url=broker_url, queue=queue, tmp_path=tmp_path, beat=beat) as w,
        _sending_to(broker_url),
    ):
        # Given the same task delivered twice, then another after it
        _enqueue(marker, marker, sentinel, queue=queue)

        # When the worker has run the last one (one at a time, in order)
        w.wait_for(lambda: _pings(sentinel) == 1, "the worker to run the tasks")

        # Then the repeated task had one effect, and the chain is whole
        assert _pings(marker) == 1
        assert w.output().count("core.ping") >= 3
        verdict = verify_chain()
        assert verdict.intact, verdict.message
        assert verdict.count == 2
    return w


@pytest.mark.redis
def test_a_real_worker_on_redis_runs_each_task_once(
    transactional_db, needs_redis, tmp_path
):
    _run_twice_has_one_effect(broker_url=needs_redis, tmp_path=tmp_path)


def test_a_real_worker_with_beat_on_the_embedded_sqlite_broker(
    transactional_db, tmp_path
):
    broker_url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"

    worker = _run_twice_has_one_effect(
        broker_url=broker_url, tmp_path=tmp_path, beat=True
    )

    # The scheduler started inside the worker, on the same broker, with no broker
    # server to install.
    assert "beat: Starting..." in worker.output()
    assert (tmp_path / "broker.sqlite3").exists()


def test_the_default_broker_is_the_embedded_sqlite_file():
    assert (
        settings.BROKER_URL
        or f"sqla+sqlite:///{settings.DATA_DIR / 'celery-broker.sqlite3'}"
    ) == settings.CELERY_BROKER_URL
    assert "ping" in celery_app.tasks["core.ping"].name


def _enqueue_then_fail(*, marker: str) -> None:
    with transaction.atomic():
        ping_enqueue(marker=marker)
        raise RuntimeError("undo")


@pytest.mark.django_db(transaction=True)
def test_ping_is_sent_only_when_the_transaction_commits():
    marker, rolled_back = f"m-{uuid.uuid4().hex}", f"r-{uuid.uuid4().hex}"

    with transaction.atomic():
        ping_enqueue(marker=marker)
        assert _pings(marker) == 0  # not yet: tasks are eager in tests
    with pytest.raises(RuntimeError, match="undo"):
        _enqueue_then_fail(marker=rolled_back)

    assert _pings(marker) == 1
    assert _pings(rolled_back) == 0


@pytest.mark.django_db
def test_ping_twice_records_one_entry():
    first = ping.delay("same").get()
    second = ping.delay("same").get()

    assert first == second
    assert _pings("same") == 1
