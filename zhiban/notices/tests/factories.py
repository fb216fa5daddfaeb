"""Factories and helpers for the notices tests."""

from __future__ import annotations

import io

import factory

from zhiban.notices.models import Notice
from zhiban.notices.services import Upload
from zhiban.org.models import Role
from zhiban.org.tests.factories import UserFactory

# The smallest files whose bytes show what they are.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def stored_files(path: str = "") -> set[str]:
    """Return every file name in the default storage (in-memory in tests)."""
    from django.core.files.storage import default_storage

    if path and not default_storage.exists(path):
        return set()
    directories, files = default_storage.listdir(path)
    found = {f"{path}/{name}" if path else name for name in files}
    for directory in directories:
        found |= stored_files(f"{path}/{directory}" if path else directory)
    return found


def upload(name: str, data: bytes) -> Upload:
    """Return an in-memory upload."""
    return Upload(stream=io.BytesIO(data), name=name)


class NoticeFactory(factory.django.DjangoModelFactory):
    """A draft notice to everyone, written by a document clerk."""

    class Meta:
        model = Notice

    title = factory.Sequence(lambda n: f"关于第{n}项工作的通知")
    body = "各部门：\n\n请按要求落实。\n\n特此通知。"
    author = factory.SubFactory(UserFactory, roles=[Role.CLERK])
    department = factory.LazyAttribute(lambda o: o.author.primary_department)
    audience = Notice.Audience.EVERYONE
