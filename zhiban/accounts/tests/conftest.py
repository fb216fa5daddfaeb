"""A real OpenLDAP slapd for the LDAP tests, with its own configuration.

The server runs from a temporary directory on a free loopback port, as the user who
runs the tests: no root, no system slapd, no /etc/ldap/slapd.d. It is started once per
test session and stopped at the end.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

BASE_DN = "dc=zhiban,dc=test"
PEOPLE_DN = f"ou=people,{BASE_DN}"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "root-secret"
READER_DN = f"cn=reader,{BASE_DN}"
READER_PASSWORD = "reader-secret"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

# An attribute with no syntax check (octet string), so a test can store a name in a
# legacy encoding, as an old directory migrated from GBK would.
TEST_SCHEMA = """\
attributetype ( 1.3.6.1.4.1.4203.666.1.90 NAME 'zhibanLegacyName'
    DESC 'test only: a name stored in a legacy encoding'
    EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
objectclass ( 1.3.6.1.4.1.4203.666.2.90 NAME 'zhibanLegacyPerson'
    SUP top AUXILIARY MAY zhibanLegacyName )
"""

PEOPLE: dict[str, dict[str, list[str]]] = {
    "zhangsan": {
        "cn": ["张三"],
        "sn": ["张"],
        "mail": ["zhangsan@zhiban.test"],
        "mobile": ["13800000001"],
        "employeeNumber": ["L1001"],
        "departmentNumber": ["HQ-OFFICE"],
        "userPassword": ["zhangsan-pass-1"],
    },
    "lisi": {
        "cn": ["李四"],
        "sn": ["李"],
        "mail": ["lisi@zhiban.test"],
        "mobile": ["13800000002"],
        "employeeNumber": ["L1002"],
        "departmentNumber": ["MINE1-NEW"],
        "userPassword": ["lisi-pass-1"],
    },
    # Same sign-in name as a local account: LDAP must not take it over.
    "localboss": {
        "cn": ["冒名者"],
        "sn": ["冒"],
        "userPassword": ["ldap-boss-pass"],
    },
}


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _encode(values: Sequence[str | bytes]) -> list[bytes]:
    return [v if isinstance(v, bytes) else v.encode() for v in values]


@dataclass
class Directory:
    """The running test directory and helpers to change its entries."""

    uri: str
    added: list[str] = field(default_factory=list)

    def _connection(self) -> Any:
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def person_dn(self, uid: str) -> str:
        """Return the DN of a person."""
        return f"uid={uid},{PEOPLE_DN}"

    def add_person(self, uid: str, attributes: dict[str, list[Any]]) -> str:
        """Add a person (removed again after the test)."""
        import ldap.modlist

        classes = [b"inetOrgPerson"]
        if "zhibanLegacyName" in attributes:
            classes.append(b"zhibanLegacyPerson")
        entry = {"objectClass": classes, "uid": [uid.encode()]}
        entry.update({key: _encode(value) for key, value in attributes.items()})
        dn = self.person_dn(uid)
        connection = self._connection()
        try:
            connection.add_s(dn, ldap.modlist.addModlist(entry))
        finally:
            connection.unbind_s()
        self.added.append(dn)
        return dn

    def replace(self, uid: str, attributes: dict[str, list[Any]]) -> None:
        """Replace attributes of a person."""
        import ldap

        changes = [
            (ldap.MOD_REPLACE, key, _encode(value)) for key, value in attributes.items()
        ]
        connection = self._connection()
        try:
            connection.modify_s(self.person_dn(uid), changes)
        finally:
            connection.unbind_s()

    def remove_added(self) -> None:
        """Delete the people added by the test that just ran."""
        connection = self._connection()
        try:
            while self.added:
                connection.delete_s(self.added.pop())
        finally:
            connection.unbind_s()


def _write_config(root: Path, port: int) -> Path:
    (root / "data").mkdir()
    (root / "zhiban-test.schema").write_text(TEST_SCHEMA)
    schemas = [SCHEMA_DIR / f"{name}.schema" for name in ("core", "cosine")]
    schemas += [SCHEMA_DIR / "inetorgperson.schema", root / "zhiban-test.schema"]
    lines = [f"include {path}" for path in schemas]
    if (MODULE_DIR / "back_mdb.so").exists():
        lines += [f"modulepath {MODULE_DIR}", "moduleload back_mdb"]
    lines += [
        f"pidfile {root / 'slapd.pid'}",
        f"argsfile {root / 'slapd.args'}",
        "database mdb",
        "maxsize 10485760",
        f'suffix "{BASE_DN}"',
        f'rootdn "{ROOT_DN}"',
        f"rootpw {ROOT_PASSWORD}",
        f"directory {root / 'data'}",
        # Anyone may bind; only signed-in entries may read (like a real directory).
        "access to attrs=userPassword by anonymous auth by self read by * none",
        "access to * by users read by anonymous auth",
    ]
    config = root / "slapd.conf"
    config.write_text("\n".join(lines) + "\n")
    return config


def _load(uri: str) -> None:
    import ldap
    import ldap.modlist

    connection = ldap.initialize(uri)
    connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
    entries: list[tuple[str, dict[str, list[Any]]]] = [
        (
            BASE_DN,
            {
                "objectClass": ["dcObject", "organization"],
                "dc": ["zhiban"],
                "o": ["智办测试集团"],
            },
        ),
        (PEOPLE_DN, {"objectClass": ["organizationalUnit"], "ou": ["people"]}),
        (
            READER_DN,
            {
                "objectClass": ["organizationalRole", "simpleSecurityObject"],
                "cn": ["reader"],
                "userPassword": [READER_PASSWORD],
            },
        ),
    ]
    for uid, attributes in PEOPLE.items():
        entries.append(
            (
                f"uid={uid},{PEOPLE_DN}",
                {"objectClass": ["inetOrgPerson"], "uid": [uid], **attributes},
            )
        )
    for dn, attributes in entries:
        encoded = {key: _encode(value) for key, value in attributes.items()}
        connection.add_s(dn, ldap.modlist.addModlist(encoded))
    connection.unbind_s()


@pytest.fixture(scope="session")
def slapd(
    slapd_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Directory]:
    """Start slapd with the test people on a free loopback port; stop it at the end."""
    import ldap

    root = tmp_path_factory.mktemp("slapd")
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    config = _write_config(root, port)
    log = (root / "slapd.log").open("w")
    process = subprocess.Popen(
        [slapd_path, "-f", str(config), "-h", f"{uri}/", "-d", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"slapd exited with {process.returncode}: "
                    + (root / "slapd.log").read_text()[-2000:]
                )
            try:
                probe = ldap.initialize(uri)
                probe.set_option(ldap.OPT_NETWORK_TIMEOUT, 1)
                probe.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
                probe.unbind_s()
                break
            except ldap.SERVER_DOWN:
                if time.monotonic() > deadline:
                    pytest.fail("slapd did not start within 15 seconds")
                time.sleep(0.1)
        _load(uri)
        yield Directory(uri=uri)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def directory(slapd: Directory, settings: Any) -> Iterator[Directory]:
    """Point Zhiban's LDAP settings at the test directory for one test."""
    settings.LDAP_URI = slapd.uri
    settings.LDAP_BIND_DN = READER_DN
    settings.LDAP_BIND_PASSWORD = READER_PASSWORD
    settings.LDAP_USER_SEARCH_BASE = PEOPLE_DN
    settings.LDAP_USER_FILTER = "(uid=%(user)s)"
    settings.LDAP_TIMEOUT = 2
    settings.LDAP_DEFAULT_UNIT_CODE = ""
    yield slapd
    slapd.remove_added()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Start every test with no recorded LDAP outage."""
    cache.clear()
    yield
    cache.clear()
