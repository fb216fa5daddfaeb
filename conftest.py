"""Fixtures and skips shared by every test.

Tests that need Chromium, slapd, Redis or PostgreSQL skip with a one-line reason when
those are absent. CI sets ZHIBAN_TEST_REQUIRE=chromium,ldap,redis so that they fail there.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest

REQUIRED = {
    name.strip()
    for name in os.environ.get("ZHIBAN_TEST_REQUIRE", "").split(",")
    if name
}


def require(name: str, reason: str) -> None:
    """Skip the test for a missing part, or fail when CI says the part must be there."""
    if name in REQUIRED:
        pytest.fail(f"{reason} (required here by ZHIBAN_TEST_REQUIRE)")
    pytest.skip(reason)


def redis_url() -> str:
    """Return the Redis URL the Redis tests use."""
    return os.environ.get("ZHIBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    """Return whether something answers on the Redis port."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def needs_redis() -> str:
    """Give the Redis URL, or skip when no Redis server runs."""
    if not redis_available():
        require("redis", "Redis is not running on 127.0.0.1:6379")
    return redis_url()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Give the path of Debian's Chromium, or skip when it is not installed."""
    path = os.environ.get("ZHIBAN_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        require("chromium", f"Chromium is not installed at {path}")
    return path


@pytest.fixture(scope="session")
def slapd_path() -> str:
    """Give the path of OpenLDAP's slapd, or skip when it or python-ldap is missing."""
    path = shutil.which("slapd") or "/usr/sbin/slapd"
    if not os.path.exists(path):
        require("ldap", "OpenLDAP slapd is not installed")
    try:
        import ldap  # noqa: F401
    except ImportError:
        require("ldap", "python-ldap is not installed (pip install -e '.[ldap]')")
    return path


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    """Give a system administrator."""
    from zhiban.org.models import Role
    from zhiban.org.tests.factories import UserFactory

    return UserFactory(username="admin", roles=[Role.SYSTEM_ADMIN], is_staff=True)


@pytest.fixture
def employee(db):  # type: ignore[no-untyped-def]
    """Give an ordinary employee."""
    from zhiban.org.models import Role
    from zhiban.org.tests.factories import UserFactory

    return UserFactory(roles=[Role.EMPLOYEE])
