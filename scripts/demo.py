"""Run the embedded demo: the Celery worker (with its scheduler) and the web server.

    PORT=8000 python scripts/demo.py     # `make demo` calls this after migrate + seed_demo

The worker uses the embedded broker (a SQLite file under var/, nothing to install)
unless ZHIBAN_BROKER_URL says otherwise. It runs in its own process group, so Ctrl-C
reaches the web server only; when the server stops, for whatever reason, the worker
and its scheduler are stopped too and waited for: no process is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKER_STOP_SECONDS = 15


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    env.setdefault("ZHIBAN_DEBUG", "true")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _print_accounts() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("ZHIBAN_DEBUG", "true")
    import django

    django.setup()
    from django.db import connections

    from zhiban.core.demo.data import PASSWORD
    from zhiban.core.demo.seed import demo_accounts

    rows = demo_accounts()
    connections.close_all()
    if not rows:
        print("No demo accounts yet: run `python manage.py seed_demo` first.")
        return
    widths = {key: max(_width(row[key]) for row in rows) for key in rows[0]}
    print(f"Demo accounts (password for all: {PASSWORD}):")
    for row in rows:
        cells = ("username", "name", "title", "department", "roles")
        line = "  ".join(_pad(row[key], widths[key]) for key in cells)
        print(f"  {line}".rstrip())


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-B",
        "--pool=solo",
        "--loglevel=INFO",
        "-n",
        "demo@%h",
    ]
    # A session of its own: Ctrl-C in the terminal does not reach it directly, and
    # the whole group (worker and the embedded beat) can be stopped together.
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def _die_with_parent() -> None:
    # Linux: should this script be killed outright (SIGKILL), the worker gets SIGTERM.
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _stop(process: subprocess.Popen[bytes], *, group: bool) -> None:
    if process.poll() is not None:
        return
    try:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()
    except ProcessLookupError:
        pass


def main() -> int:
    """Start the worker and the server; stop both when either ends."""
    port = os.environ.get("PORT", "8000")
    env = _environment()
    _print_accounts()
    # Ctrl-C raises KeyboardInterrupt even when started from a shell that ignores it
    # for background jobs; a plain `kill` of this script stops the children too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    worker = _start_worker(env)
    server = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runserver",
            "--noreload",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        preexec_fn=_die_with_parent,
    )
    print(f"\nZhiban is running at http://127.0.0.1:{port}/  (Ctrl-C stops it)\n")
    code = 0
    try:
        while True:
            if server.poll() is not None:
                code = server.returncode or 0
                break
            if worker.poll() is not None:
                print(f"The background worker stopped (exit {worker.returncode}).")
                code = worker.returncode or 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        code = 0
    finally:
        # A second Ctrl-C or kill must not cut the shutdown short and orphan the worker.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(server, group=False)
        _stop(worker, group=True)
        print("Zhiban stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())
