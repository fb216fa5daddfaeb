"""Reading the text of an uploaded .docx draft, and refusing what cannot be read."""

from __future__ import annotations

import io
import zipfile

import pytest

from zhiban.core.errors import DomainError
from zhiban.documents import drafting_docx
from zhiban.documents.drafting_docx import docx_paragraphs, docx_text

W_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def document_xml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NAMESPACE}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )


def make_zip(parts: dict[str, str | bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    buffer.seek(0)
    return buffer


def make_docx(body: str = "", *, xml: str | bytes | None = None) -> io.BytesIO:
    return make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELATIONSHIPS,
            "word/document.xml": document_xml(body) if xml is None else xml,
        }
    )


def p(*runs: str, properties: str = "") -> str:
    """Build a paragraph of runs, each run given as its inner XML."""
    inner = "".join(f"<w:r>{run}</w:r>" for run in runs)
    return f"<w:p>{properties}{inner}</w:p>"


def t(text: str) -> str:
    return f'<w:t xml:space="preserve">{text}</w:t>'


def cell(*paragraphs: str) -> str:
    return f"<w:tc><w:tcPr/>{''.join(paragraphs)}</w:tc>"


DRAFT_BODY = "".join(
    [
        p(),  # a blank line before the title is dropped
        p(t("关于开展安全生产"), t("大检查的通知")),
        p(
            t("各二级单位："),
            properties='<w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>',
        ),
        p(),
        p(),
        p(
            t("一、检查时间"),
            "<w:tab/>",
            t("2026年12月1日"),
            "<w:br/>",
            t("至12月15日"),
            "<w:cr/>",
        ),
        "<w:tbl><w:tblPr/>"
        f"<w:tr>{cell(p(t('单位')))}{cell(p(t('负责人')), p(t('电话')))}</w:tr>"
        f"<w:tr>{cell(p(t('朝阳煤矿')))}{cell(p(t('王芳')))}</w:tr>"
        "</w:tbl>",
        '<w:p><w:ins w:id="1" w:author="王芳"><w:r>'
        + t("请认真落实。")
        + '</w:r></w:ins><w:del w:id="2" w:author="王芳"><w:r>'
        "<w:delText>请遵照执行。</w:delText></w:r></w:del></w:p>",
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing>"
        "<w:txbxContent>" + p(t("（此件公开发布）")) + "</w:txbxContent>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
        + p(t("（此件公开发布）"))
        + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        + "<w:r>"
        + t("附件：检查表")
        + "</w:r></w:p>",
        p(),
        p(t("  ")),
        p(),
    ]
)
DRAFT_PARAGRAPHS = [
    "关于开展安全生产大检查的通知",
    "各二级单位：",
    "",
    "一、检查时间\t2026年12月1日\n至12月15日\n",
    "单位",
    "负责人",
    "电话",
    "朝阳煤矿",
    "王芳",
    "请认真落实。",
    "附件：检查表",
    "（此件公开发布）",
]


def test_paragraphs_come_in_document_order_with_tables_tabs_and_breaks():
    paragraphs = docx_paragraphs(make_docx(DRAFT_BODY), name="通知.docx")

    assert paragraphs == DRAFT_PARAGRAPHS


def test_text_is_the_paragraphs_one_a_line():
    stream = make_docx(DRAFT_BODY)

    text = docx_text(stream, name="通知.docx")

    assert text == "\n".join(DRAFT_PARAGRAPHS)
    assert stream.tell() == 0


def test_a_password_protected_docx_is_refused():
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(make_docx(p(t("机密内容")))).encrypt("1234", encrypted)
    encrypted.seek(0)

    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(encrypted, name="uploads/请示.docx")

    assert refusal.value.code == "docx_encrypted"
    assert refusal.value.messages == [
        "“请示.docx” is protected by a password. Remove the password in Word or "
        "WPS and upload it again."
    ]


def ole_file(*entry_names: str) -> io.BytesIO:
    """Build the header and one directory sector of an OLE compound file."""
    directory = b""
    for entry_name in ("Root Entry", *entry_names):
        name = (entry_name + "\0").encode("utf-16-le")
        entry = name.ljust(64, b"\0") + len(name).to_bytes(2, "little")
        directory += entry.ljust(128, b"\0")
    return io.BytesIO(OLE_MAGIC.ljust(512, b"\0") + directory.ljust(512, b"\0"))


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(ole_file("WordDocument", "1Table"), id="word-97"),
        pytest.param(
            io.BytesIO(
                OLE_MAGIC.ljust(515, b"\0")
                + "EncryptionInfo\0 in the text".encode("utf-16-le")
            ),
            id="name-in-the-text-not-a-directory-entry",
        ),
    ],
)
def test_an_old_doc_is_refused_with_advice_to_save_as_docx(stream):
    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(stream, name="旧稿.doc")

    assert refusal.value.code == "docx_legacy_doc"
    assert refusal.value.messages == [
        "“旧稿.doc” is an old Word document (.doc). Open it in Word or WPS, save "
        "it as .docx and upload it again."
    ]


def test_an_ole_file_with_an_encryption_info_entry_is_encrypted():
    stream = ole_file("EncryptionInfo", "EncryptedPackage")

    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(stream, name="请示.docx")

    assert refusal.value.code == "docx_encrypted"


def billion_laughs() -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        f'<w:document xmlns:w="{W_NAMESPACE}"><w:body><w:p><w:r><w:t>&lol9;'
        "</w:t></w:r></w:p></w:body></w:document>"
    )


def truncated_docx() -> io.BytesIO:
    whole = make_docx(DRAFT_BODY).getvalue()
    return io.BytesIO(whole[: len(whole) // 2])


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(io.BytesIO("关于开展安全生产大检查的通知".encode()), id="text"),
        pytest.param(io.BytesIO(b""), id="no-bytes"),
        pytest.param(truncated_docx(), id="truncated-zip"),
        pytest.param(
            make_zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": "<x/>"}),
            id="no-document-xml",
        ),
        pytest.param(make_docx(xml=billion_laughs()), id="billion-laughs"),
        pytest.param(
            make_docx(
                xml='<?xml version="1.0"?><!DOCTYPE w:document SYSTEM '
                '"file:///etc/passwd">' + document_xml(p(t("正文"))).split("?>", 1)[1]
            ),
            id="external-doctype",
        ),
        pytest.param(make_docx(xml=document_xml(p(t("正文")))[:-20]), id="bad-xml"),
        pytest.param(
            make_docx(xml=document_xml(p(t("正文"))).encode("gb18030")),
            id="not-utf-8",
        ),
        pytest.param(make_docx(xml="<html><body>正文</body></html>"), id="not-word"),
        pytest.param(
            make_docx("<w:sdt>" * 5000 + p(t("正文")) + "</w:sdt>" * 5000),
            id="nested-too-deep",
        ),
    ],
)
def test_a_damaged_file_or_one_that_is_not_word_is_refused(stream):
    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(stream, name="通知.docx")

    assert refusal.value.code == "docx_damaged"
    assert refusal.value.messages == [
        "“通知.docx” is damaged or is not a Word document. Open it in Word or WPS, "
        "save it again as .docx and upload it again."
    ]


def test_a_document_larger_than_the_limit_is_refused_before_inflating(monkeypatch):
    stream = make_docx(p(t("安全" * 500)))
    monkeypatch.setattr(drafting_docx, "MAX_DOCUMENT_XML_BYTES", 1000)

    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(stream, name="通知.docx")

    assert refusal.value.code == "docx_too_large"
    assert refusal.value.messages == [
        "“通知.docx” is too large to read as a draft. Remove large embedded content "
        "or split it into smaller documents and upload it again."
    ]


def test_a_document_whose_declared_size_lies_is_damaged():
    buffer = make_docx(p(t("安全" * 500))).getvalue()
    with zipfile.ZipFile(io.BytesIO(buffer)) as archive:
        real_size = archive.getinfo("word/document.xml").file_size
    # Shrink the uncompressed size the local and central headers declare.
    lying = buffer.replace(real_size.to_bytes(4, "little"), (10).to_bytes(4, "little"))

    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(io.BytesIO(lying), name="通知.docx")

    assert refusal.value.code == "docx_damaged"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="no-paragraphs"),
        pytest.param(p() + p(t(" \u3000")) + p("<w:tab/>"), id="blank-paragraphs"),
    ],
)
def test_a_document_without_text_is_refused(body):
    with pytest.raises(DomainError) as refusal:
        docx_paragraphs(make_docx(body), name="空白.docx")

    assert refusal.value.code == "docx_empty"
    assert refusal.value.messages == [
        "“空白.docx” contains no text. Check that you chose the right file."
    ]
