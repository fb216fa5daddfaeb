"""`manage.py seed_demo`: the fictional coal group, seeded once however often it runs."""

from __future__ import annotations

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.audit.verify import verify_chain
from zhiban.core.demo.data import PEOPLE, UNITS
from zhiban.core.demo.seed import demo_accounts
from zhiban.core.tests.processes import database_url
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Delegation, Department, Membership, Role, Unit, User

MODELS = (Unit, Department, User, Membership, Delegation, WorkItem, AuditEntry)


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    if apps.is_installed("zhiban.notices"):
        counts["Notice"] = apps.get_model("notices", "Notice").objects.count()
    return counts


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    _seed()


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(seeded):
    first = _counts()

    output = _seed()

    assert _counts() == first
    assert output.strip() == "Demo data already present: nothing to do."
    assert first["Unit"] == len(UNITS) == 8
    assert first["User"] == len(PEOPLE)
    assert first["Delegation"] == 2
    assert verify_chain().intact


@pytest.mark.django_db
def test_the_group_has_headquarters_five_mines_and_companies(seeded):
    kinds = sorted(Unit.objects.values_list("kind", flat=True))
    headquarters = Unit.objects.get(kind=Unit.Kind.HEADQUARTERS)

    assert kinds.count(Unit.Kind.MINE) == 5
    assert kinds.count(Unit.Kind.HEADQUARTERS) == 1
    assert set(
        headquarters.departments.filter(parent=None).values_list("name", flat=True)
    ) >= {
        "综合办公室",
        "党委工作部",
        "人力资源部",
        "财务部",
        "生产技术部",
        "安全监察部",
        "机电运输部",
        "企业管理部",
        "纪委办公室",
    }
    assert Department.objects.get(code="YN-ZHB-WM").parent.name == "综合办公室"
    assert set(
        Unit.objects.exclude(pk=headquarters.pk).values_list("parent", flat=True)
    ) == {headquarters.pk}


@pytest.mark.django_db
def test_every_role_has_someone_and_leaders_oversee_departments(seeded):
    for role in Role:
        assert Group.objects.get(name=role).user_set.exists(), role
    overseen = dict(
        Department.objects.filter(overseeing_leader__isnull=False).values_list(
            "code", "overseeing_leader__username"
        )
    )
    assert overseen["YN-ZHB"] == "liuyang"
    assert overseen["YN-CW"] == "sunliping"
    assert Membership.objects.get(
        department__code="YN-ZHB", is_head=True
    ).user.name == ("陈静")
    assert User.objects.filter(employee_number__startswith="YN", mobile="").count() == 0


@pytest.mark.django_db
def test_work_items_are_urgent_overdue_due_soon_and_delegated(seeded):
    now = timezone.now()
    items = WorkItem.objects.filter(state=WorkItem.State.OPEN)
    chen = items.filter(assignee__username="chenjing")

    assert chen.filter(due_at__lt=now).exists()
    assert chen.filter(due_at__gt=now, due_at__lt=now + datetime.timedelta(days=1))
    assert set(items.values_list("urgency", flat=True)) == {0, 1, 2}
    assert set(items.values_list("kind", flat=True)) >= {
        "approval",
        "document",
        "meeting",
        "supervision",
    }
    # The head of finance is away: her item went to her accountant, on her behalf.
    delegated = items.get(title__startswith="费用报销：赵固一矿")
    assert (delegated.assignee.username, delegated.on_behalf_of.username) == (
        "yangjie",
        "wumin",
    )


@pytest.mark.django_db
def test_a_draft_waits_for_the_office_check(seeded):
    from zhiban.documents.models import Document
    from zhiban.workflow.models import FlowTask

    draft = Document.objects.get(state=Document.State.REVIEWING)
    assert draft.versions.count() == 2
    task = FlowTask.objects.get(
        instance__document_approval__document=draft, state=FlowTask.State.OPEN
    )
    assert (task.node_name, task.assignee.username) == ("核稿", "chenjing")


@pytest.mark.django_db
def test_seeding_refuses_with_debug_off_and_writes_nothing(db, settings):
    settings.DEBUG = False
    before = _counts()

    with pytest.raises(CommandError, match="Refusing to seed demo data with DEBUG off"):
        _seed()

    assert _counts() == before


@pytest.mark.django_db
def test_force_seeds_with_debug_off(db, settings):
    settings.DEBUG = False

    output = _seed("--force")

    assert output.startswith("Demo data seeded: 8 units")
    assert User.objects.filter(username="admin").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "chenjing", "yangjie"])
def test_demo_accounts_sign_in_with_the_demo_password(seeded, client, username):
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": "zhiban-demo"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(
        User.objects.get(username=username).pk
    )


@pytest.mark.django_db
def test_the_demo_administrator_is_staff_and_holds_the_admin_role(seeded):
    admin = User.objects.get(username="admin")

    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert admin.has_role(Role.SYSTEM_ADMIN)


@pytest.mark.django_db
def test_demo_accounts_lists_everyone_with_role_and_department(seeded):
    rows = demo_accounts()

    assert [row["username"] for row in rows] == [spec.username for spec in PEOPLE]
    assert rows[0] == {
        "username": "admin",
        "name": "系统管理员",
        "title": "信息化专责",
        "roles": "系统管理员",
        "department": "集团本部 综合办公室",
    }


def _children(pid: int) -> set[int]:
    """Return the descendants of a process (Linux /proc)."""
    found: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found |= {child} | _children(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_demo_script_serves_and_leaves_no_process_behind(
    transactional_db, settings, tmp_path
):
    # Given the seeded demo in the test database (committed, for the script's
    # processes to see). Earlier transactional tests flush the roles that a
    # migration creates: put them back.
    for role in Role:
        Group.objects.get_or_create(name=role)
    settings.DEBUG = True
    _seed()
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "ZHIBAN_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "ZHIBAN_DATABASE_URL": database_url(),
        "ZHIBAN_DATA_DIR": str(tmp_path),
        "ZHIBAN_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
    }
    log = tmp_path / "demo.log"

    # When the demo starts
    with log.open("wb") as out:
        script = subprocess.Popen(
            [sys.executable, "scripts/demo.py"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status = _wait_for_login_page(port, script, log)
        children = _children(script.pid)
        # Then the login page answers, and the worker runs beside the server
        assert status == 200
        assert len(children) >= 3  # the server, the worker, and the worker's beat

        # When Ctrl-C reaches the terminal's process group
        os.killpg(script.pid, signal.SIGINT)
        script.wait(timeout=40)
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()

    # Then everything it started has stopped, and the accounts were printed
    assert script.returncode == 0
    assert [pid for pid in children if _alive(pid)] == []
    output = log.read_text()
    assert "Demo accounts (password for all: zhiban-demo):" in output
    assert "  admin " in output
    assert f"http://127.0.0.1:{port}/" in output
    assert output.rstrip().endswith("Zhiban stopped.")


def _wait_for_login_page(port: int, script: subprocess.Popen[bytes], log: Path) -> int:
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if script.poll() is not None:
            pytest.fail(f"the demo stopped early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/accounts/login/", timeout=2
            ) as response:
                if _children(script.pid) and "ready." in log.read_text():
                    return int(response.status)
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the demo did not answer:\n{log.read_text()}")


@pytest.mark.django_db
def test_the_demo_keeps_the_supervision_figures_it_counts_from(seeded):
    # The demo back-dates its items past the services: the tallies and the copies of
    # each item's facts on its department rows must still agree with the items.
    from zhiban.supervision import tallies

    assert tallies.differences() == {}
    assert tallies.stale_copies() == 0
