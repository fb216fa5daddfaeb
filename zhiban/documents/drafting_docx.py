"""Read the text of an uploaded Word .docx that holds a draft (拟稿).

Only the standard library reads the file: a .docx is a zip archive whose body is
word/document.xml. The archive and the XML come from a user, so the reader
refuses what it cannot read safely (a zip bomb, an XML entity declaration)
with a message that tells the user what to do.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from zhiban.core.errors import DomainError

# The body of a long official document is well under 1 MB of XML; anything past
# this limit is refused before it is decompressed.
MAX_DOCUMENT_XML_BYTES = 20 * 1024 * 1024

_DOCUMENT_PART = "word/document.xml"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML file is an OLE compound file holding these streams.
_ENCRYPTION_STREAM = "EncryptionInfo"
_OLE_ENTRY_BYTES = 128
_CHUNK_BYTES = 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PARAGRAPH = f"{_W}p"
_TEXT = f"{_W}t"
_TAB = f"{_W}tab"
_BREAKS = {f"{_W}br", f"{_W}cr"}
_TEXT_BOX = f"{_W}txbxContent"
# Property elements hold no text but do hold w:tab (tab stops); a fallback
# repeats the content of the choice beside it for older readers.
_SKIPPED = {f"{_W}pPr", f"{_W}rPr", f"{_W}sectPr", f"{_MC}Fallback"}

# What zipfile and zlib raise on a truncated or corrupt archive.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def docx_text(stream: IO[bytes], *, name: str) -> str:
    """Return the body text of a .docx, one paragraph a line."""
    return "\n".join(docx_paragraphs(stream, name=name))


def docx_paragraphs(stream: IO[bytes], *, name: str) -> list[str]:
    """Return the text of the body paragraphs of a .docx, in document order.

    Raise DomainError when the file is encrypted, an old .doc, damaged, too large
    or holds no text.
    """
    display_name = PurePath(name).name
    stream.seek(0)
    try:
        if stream.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
            raise _ole_error(stream, display_name)
        stream.seek(0)
        xml = _read_document_xml(stream, display_name)
    finally:
        stream.seek(0)
    root = _parse(xml, display_name)
    try:
        paragraphs = _tidy(_body_paragraphs(root))
    except RecursionError:
        # Word nests a few tables deep; thousands of levels are a crafted file.
        raise _damaged(display_name) from None
    if not paragraphs:
        raise DomainError(
            _("“%(name)s” contains no text. Check that you chose the right file.")
            % {"name": display_name},
            code="docx_empty",
        )
    return paragraphs


def _ole_error(stream: IO[bytes], name: str) -> DomainError:
    if _ole_has_stream(stream, _ENCRYPTION_STREAM):
        return DomainError(
            _(
                "“%(name)s” is protected by a password. Remove the password in "
                "Word or WPS and upload it again."
            )
            % {"name": name},
            code="docx_encrypted",
        )
    return DomainError(
        _(
            "“%(name)s” is an old Word document (.doc). Open it in Word or WPS, "
            "save it as .docx and upload it again."
        )
        % {"name": name},
        code="docx_legacy_doc",
    )


def _ole_has_stream(stream: IO[bytes], stream_name: str) -> bool:
    """Tell whether an OLE compound file has a directory entry of this name."""
    # A directory entry is 128 bytes on a 128-byte boundary: the name in
    # UTF-16-LE with its terminating NUL, then its byte length as a 16-bit int.
    entry_name = (stream_name + "\0").encode("utf-16-le")
    entry_length = len(entry_name).to_bytes(2, "little")
    stream.seek(0)
    pending = b""
    while chunk := stream.read(_CHUNK_BYTES):
        pending += chunk
        whole = len(pending) - len(pending) % _OLE_ENTRY_BYTES
        entries, pending = pending[:whole], pending[whole:]
        found = entries.find(entry_name)
        while found != -1:
            if (
                found % _OLE_ENTRY_BYTES == 0
                and entries[found + 64 : found + 66] == entry_length
            ):
                return True
            found = entries.find(entry_name, found + 1)
    return False


def _damaged(name: str) -> DomainError:
    return DomainError(
        _(
            "“%(name)s” is damaged or is not a Word document. Open it in Word or "
            "WPS, save it again as .docx and upload it again."
        )
        % {"name": name},
        code="docx_damaged",
    )


def _too_large(name: str) -> DomainError:
    return DomainError(
        _(
            "“%(name)s” is too large to read as a draft. Remove large embedded "
            "content or split it into smaller documents and upload it again."
        )
        % {"name": name},
        code="docx_too_large",
    )


def _read_document_xml(stream: IO[bytes], name: str) -> bytes:
    try:
        with zipfile.ZipFile(stream) as archive:
            try:
                info = archive.getinfo(_DOCUMENT_PART)
            except KeyError:
                raise _damaged(name) from None
            if info.file_size > MAX_DOCUMENT_XML_BYTES:
                raise _too_large(name)
            with archive.open(info) as member:
                # The declared size may lie; never inflate past the limit.
                xml = member.read(MAX_DOCUMENT_XML_BYTES + 1)
    except _ZIP_ERRORS:
        raise _damaged(name) from None
    if len(xml) > MAX_DOCUMENT_XML_BYTES:
        raise _too_large(name)
    return xml


def _parse(xml: bytes, name: str) -> ElementTree.Element:
    # Word writes UTF-8. Parsing the decoded text makes the parser ignore any
    # declared encoding, so the check for a DOCTYPE sees exactly what it parses,
    # and without a DOCTYPE no entity can be declared or expanded.
    try:
        text = xml.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _damaged(name) from None
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise _damaged(name)
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 (no DOCTYPE, checked above)
    except ElementTree.ParseError:
        raise _damaged(name) from None
    if root.tag != f"{_W}document":
        raise _damaged(name)
    return root


def _body_paragraphs(root: ElementTree.Element) -> list[str]:
    body = root.find(f"{_W}body")
    if body is None:
        return []
    return list(_paragraphs_in(body))


def _paragraphs_in(element: ElementTree.Element) -> Iterator[str]:
    """Yield the paragraphs under an element in document order, tables included."""
    for child in element:
        if child.tag in _SKIPPED:
            continue
        if child.tag == _PARAGRAPH:
            yield from _paragraph(child)
        else:
            yield from _paragraphs_in(child)


def _paragraph(paragraph: ElementTree.Element) -> Iterator[str]:
    """Yield a paragraph's text, then the paragraphs of any text box anchored in it."""
    parts: list[str] = []
    boxes: list[ElementTree.Element] = []
    _collect(paragraph, parts, boxes)
    yield "".join(parts)
    for box in boxes:
        yield from _paragraphs_in(box)


def _collect(
    element: ElementTree.Element, parts: list[str], boxes: list[ElementTree.Element]
) -> None:
    for child in element:
        tag = child.tag
        if tag == _TEXT:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in _BREAKS:
            parts.append("\n")
        elif tag == _TEXT_BOX:
            boxes.append(child)
        elif tag not in _SKIPPED:
            _collect(child, parts, boxes)


def _tidy(paragraphs: list[str]) -> list[str]:
    """Drop blank paragraphs at both ends and keep at most one blank in a row."""
    tidy: list[str] = []
    for paragraph in paragraphs:
        if paragraph.strip():
            tidy.append(paragraph)
        elif tidy and tidy[-1]:
            tidy.append("")
    if tidy and not tidy[-1]:
        tidy.pop()
    return tidy
