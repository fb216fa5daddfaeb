"""File intake: every uploaded file is measured, hashed and typed from its bytes."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from zhiban.core.errors import DomainError

# What an office attaches to a notice or a document, by detected content type.
OFFICE_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "docx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "pptx",
    ),
    "application/msword": ("doc",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.ms-powerpoint": ("ppt",),
    "application/ofd": ("ofd",),
    "application/zip": ("zip",),
    "text/plain": ("txt", "csv"),
}
SPREADSHEET_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",)
}

_OOXML_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_BY_EXTENSION = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_DANGEROUS_TEXT = (b"<script", b"<html", b"<!doctype html", b"<svg", b"<?php", b"#!")
_HEAD_BYTES = 8192


@dataclass(frozen=True)
class Intake:
    """What was learnt of an uploaded file."""

    name: str
    size: int
    sha256: str
    content_type: str


def sniff(head: bytes, stream: IO[bytes], extension: str) -> str | None:
    """Return the content type the bytes show, or None when they show none we know."""
    if head.startswith(_OLE_MAGIC):
        return _OLE_BY_EXTENSION.get(extension, "application/x-ole-storage")
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(stream)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if _looks_like_text(head):
        lowered = head.lower()
        if any(marker in lowered for marker in _DANGEROUS_TEXT):
            return "text/html"
        return "text/plain"
    return None


def _sniff_zip(stream: IO[bytes]) -> str:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return "application/octet-stream"
    finally:
        stream.seek(0)
    if "[Content_Types].xml" in names:
        for prefix, content_type in _OOXML_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return content_type
    if "mimetype" in names and any(name.startswith("Doc_") for name in names):
        return "application/ofd"
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            # The head may cut a multi-byte character in two at its end.
            try:
                head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        return True
    return False


def inspect_upload(
    upload: IO[bytes],
    *,
    name: str,
    allowed: dict[str, tuple[str, ...]] | None = None,
    max_bytes: int | None = None,
) -> Intake:
    """Measure, hash and type an upload; raise DomainError if it may not be kept.

    The type is decided by the bytes; the name's extension must agree with them.
    """
    allowed = OFFICE_TYPES if allowed is None else allowed
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    display_name = PurePath(name).name
    extension = PurePath(display_name).suffix.lower().lstrip(".")
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    head = b""
    while chunk := upload.read(1024 * 1024):
        if len(head) < _HEAD_BYTES:
            head += chunk[: _HEAD_BYTES - len(head)]
        size += len(chunk)
        if size > limit:
            upload.seek(0)
            raise DomainError(
                _("“%(name)s” is larger than the %(limit)s allowed.")
                % {"name": display_name, "limit": filesizeformat(limit)},
                code="file_too_large",
            )
        digest.update(chunk)
    upload.seek(0)
    if size == 0:
        raise DomainError(
            _("“%(name)s” is empty.") % {"name": display_name}, code="file_empty"
        )
    content_type = sniff(head, upload, extension)
    if content_type is None or content_type not in allowed:
        raise DomainError(
            _(
                "“%(name)s” is not an allowed kind of file (its content is %(kind)s). "
                "Allowed: %(allowed)s."
            )
            % {
                "name": display_name,
                "kind": content_type or _("unknown"),
                "allowed": ", ".join(
                    sorted({ext for exts in allowed.values() for ext in exts})
                ),
            },
            code="file_type",
        )
    if extension not in allowed[content_type]:
        raise DomainError(
            _("“%(name)s” is named .%(extension)s but its content is %(kind)s.")
            % {
                "name": display_name,
                "extension": extension or "?",
                "kind": content_type,
            },
            code="file_type_mismatch",
        )
    return Intake(
        name=display_name,
        size=size,
        sha256=digest.hexdigest(),
        content_type=content_type,
    )
