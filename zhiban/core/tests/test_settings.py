import subprocess
import sys

import pytest

from config import env


def test_env_bool_reads_common_spellings():
    assert env.env_bool("ZHIBAN_X", environ={"ZHIBAN_X": "Yes"}) is True
    assert env.env_bool("ZHIBAN_X", environ={"ZHIBAN_X": "off"}) is False
    assert env.env_bool("ZHIBAN_X", default=True, environ={}) is True


def test_env_bool_rejects_nonsense():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="is not a boolean"):
        env.env_bool("ZHIBAN_X", environ={"ZHIBAN_X": "maybe"})


def test_env_int_and_list():
    assert env.env_int("ZHIBAN_N", 3, environ={"ZHIBAN_N": "7"}) == 7
    assert env.env_list("ZHIBAN_L", environ={"ZHIBAN_L": "a, b,,c"}) == ["a", "b", "c"]


def test_env_reader_refuses_unprefixed_names():
    with pytest.raises(ValueError, match="must start with ZHIBAN_"):
        env.env_str("DEBUG")


def _import_settings(
    extra_env: dict[str, str], show: str = "s.DEBUG"
) -> subprocess.CompletedProcess[str]:
    """Import the settings in a clean process; print ``show`` (``s`` is the module)."""
    clean = {
        "PATH": "/usr/bin:/bin",
        "ZHIBAN_DATA_DIR": "/tmp/zhiban-settings-test",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings.base as s; print({show})"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_off_without_secret_key_is_improperly_configured():
    result = _import_settings({"ZHIBAN_DEBUG": "false"})
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert "ZHIBAN_SECRET_KEY, ZHIBAN_ALLOWED_HOSTS" in result.stderr


def test_debug_off_with_secret_key_and_hosts_loads():
    result = _import_settings(
        {
            "ZHIBAN_DEBUG": "false",
            "ZHIBAN_SECRET_KEY": "x" * 50,
            "ZHIBAN_ALLOWED_HOSTS": "oa.example.com",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_every_variable_the_settings_read_is_listed_in_env_example():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    read = set()
    for path in (root / "config").rglob("*.py"):
        read |= set(re.findall(r'env_\w+\(\s*"(ZHIBAN_\w+)"', path.read_text()))
    listed = set(
        re.findall(r"^(ZHIBAN_\w+)=", (root / ".env.example").read_text(), re.M)
    )

    assert read, "no variables found: the pattern is wrong"
    assert read - listed == set()


@pytest.mark.parametrize("entry", ["config.wsgi", "config.asgi"])
def test_a_served_process_freezes_what_it_loaded_at_start(entry):
    code = (
        "import gc; before = gc.get_freeze_count(); "
        f"import {entry}; print(gc.get_freeze_count() - before)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "ZHIBAN_DATA_DIR": "/tmp/zhiban-settings-test",
            "ZHIBAN_DEBUG": "true",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    # Django's modules, the apps and their URL patterns: tens of thousands of objects.
    assert int(result.stdout) > 50_000


def _database_options(extra_env: dict[str, str]) -> str:
    result = _import_settings(
        {"ZHIBAN_DEBUG": "true", **extra_env},
        show="sorted(s.DATABASES['default']['OPTIONS'].items())",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_prepares_statements_unless_turned_off():
    url = {"ZHIBAN_DATABASE_URL": "postgres://u@127.0.0.1:5432/zhiban"}
    assert _database_options(url) == (
        "[('prepare_threshold', 5), ('server_side_binding', True)]"
    )
    assert _database_options({**url, "ZHIBAN_DB_PREPARED_STATEMENTS": "false"}) == "[]"
    # SQLite has its own options, untouched by the switch.
    assert "prepare_threshold" not in _database_options({})


@pytest.mark.django_db
def test_a_statement_sent_again_and_again_is_prepared_on_postgresql():
    """The setting reaches the connection: psycopg prepares a statement once it
    has sent it five times (with client-side binding, Django's default, nothing
    ever is)."""
    from django.db import connection

    from zhiban.org.models import User

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(6):
        list(User.objects.filter(username="nobody-here"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"org_user"."username" = $1%'],
        )
        prepared = cursor.fetchall()
    assert len(prepared) == 1, prepared
