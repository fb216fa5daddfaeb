"""The formal copy (正式公文): a PDF in GB/T 9704-2012 layout, and its page.

Positions are read back from the PDF with pypdf: x from the left edge and y (the
baseline) from the bottom edge of the page, in points.
"""

# The layout is about full-width marks (：（）、，) on purpose.

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from zhiban.core.errors import DomainError
from zhiban.documents import formal, services
from zhiban.documents.models import Document
from zhiban.org.models import User

from .conftest import classified, incoming, make_series, outgoing

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
LAYOUT = formal.NATIONAL_LAYOUT
LEFT = 28 * MM  # 订口
RIGHT = (28 + 156) * MM  # the 版心's right edge
TOP = (297 - 37) * MM  # the 版心's top edge, from the bottom of the page
BOTTOM = 35 * MM  # the 版心's bottom edge
CHARACTER = 156 * MM / 28  # one character of the 28-character grid
LINE = 225 * MM / 22  # one line of the 22-line grid

PARAGRAPHS = (
    "为深入贯彻落实集团公司安全生产工作会议精神，切实做好岁末年初安全生产工作，"
    "经集团公司研究，决定开展冬季安全生产大检查。现将有关事项通知如下。",
    "一、检查范围",
    "集团公司所属各二级单位、各生产经营场所，重点是煤矿、电厂和在建工程项目。",
    "（一）隐患排查治理情况。重点检查重大事故隐患排查治理台账是否建立。",
)


@dataclass(frozen=True)
class Run:
    """A run of text drawn on a page."""

    page: int
    x: float
    y: float
    size: float
    text: str


def read(pdf: bytes) -> tuple[PdfReader, list[Run]]:
    """Return the PDF and its text runs with their page positions."""
    reader = PdfReader(io.BytesIO(pdf))
    runs: list[Run] = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(
            text: str, cm: Any, tm: Any, font: Any, size: float, number: int = number
        ) -> None:
            if text.strip():
                runs.append(
                    Run(
                        page=number,
                        x=tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                        y=tm[4] * cm[1] + tm[5] * cm[3] + cm[5],
                        size=round(abs(size * tm[3] * cm[3]), 2),
                        text=text.strip(),
                    )
                )

        page.extract_text(visitor_text=visit)
    return reader, runs


def text_of(reader: PdfReader) -> str:
    """Return every page's text without white space."""
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def run_starting(runs: list[Run], text: str) -> Run:
    found = [run for run in runs if run.text.startswith(text)]
    assert found, f"no run starts with {text!r}"
    return found[0]


def run_of(runs: list[Run], text: str) -> Run:
    found = [run for run in runs if run.text == text]
    assert found, f"no run {text!r}"
    return found[0]


def full_notice(org: dict[str, Any], **fields: Any) -> Document:
    """Register a notice with every element and give it a number of a series."""
    values: dict[str, Any] = {
        "copy_number": "000001",
        "urgency": "特急",
        "issuer_mark": "河南豫能集团有限公司文件",
        "main_recipients": "各二级单位，集团各部门",
        "body": "\n\n".join(PARAGRAPHS),
        "attachment_names": ["冬季安全生产检查表", "隐患排查治理责任清单"],
        "issuer_signature": "河南豫能集团有限公司",
        "written_on": datetime.date(2026, 12, 5),
        "notes": "联系人：王芳，电话：0371-12345678",
        "cc_recipients": "集团公司领导班子成员，集团公司纪委",
        "printed_by": "河南豫能集团有限公司综合办公室",
        "printed_on": datetime.date(2026, 12, 6),
    }
    values.update(fields)
    document = outgoing(org, **values)
    services.number_allocate(
        document=document, series=make_series(org), by=org["people"]["clerk"], year=2026
    )
    document.refresh_from_db()
    return document


# --- the elements -------------------------------------------------------------------


def test_the_copy_is_an_a4_page_with_every_element(org):
    document = full_notice(org)

    reader, runs = read(formal.formal_pdf(document))
    text = text_of(reader)

    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595.28, abs=1)
    assert float(box.height) == pytest.approx(841.89, abs=1)
    for element in (
        "000001",
        "特急",
        "河南豫能集团有限公司文件",
        "集团办〔2026〕1号",
        "关于开展安全生产大检查的通知",
        "各二级单位、集团各部门：",
        "切实做好岁末年初安全生产工作",
        "附件：1.冬季安全生产检查表",
        "2.隐患排查治理责任清单",
        "河南豫能集团有限公司2026年12月5日",
        "（联系人：王芳，电话：0371-12345678）",
        "抄送：集团公司领导班子成员，集团公司纪委。",
        "河南豫能集团有限公司综合办公室2026年12月6日印发",
    ):
        assert element in text
    numbers = [run.text for run in runs if run.text.startswith("—")]
    assert numbers == [f"— {n} —" for n in range(1, len(reader.pages) + 1)]
    assert "签发人" not in text


def test_the_elements_sit_where_gb_t_9704_puts_them(org):
    document = full_notice(org)

    _reader, runs = read(formal.formal_pdf(document))

    mark = run_starting(runs, "河南豫能集团有限公司文件")
    # The mark's top edge (its em box, 0.88 em above the baseline in Noto CJK) is
    # 35 mm below the top of the 版心.
    assert mark.y + 0.88 * mark.size == pytest.approx(TOP - 35 * MM, abs=1 * MM)
    assert mark.size <= LAYOUT.issuer_mark_max_size_pt
    title = run_starting(runs, "关于开展安全生产大检查的通知")
    assert title.size == pytest.approx(22)
    assert title.x + len(title.text) * 22 / 2 == pytest.approx(
        (LEFT + RIGHT) / 2, abs=1
    )
    recipients = run_starting(runs, "各二级单位")
    assert recipients.x == pytest.approx(LEFT, abs=0.5)
    # Two lines down: the title line and one blank line (sizes differ, hence 3 pt).
    assert title.y - recipients.y == pytest.approx(2 * LINE, abs=3)
    first = run_starting(runs, "为深入贯彻")
    second = runs[runs.index(first) + 1]
    assert first.size == pytest.approx(16)
    assert first.x == pytest.approx(LEFT + 2 * CHARACTER, abs=0.5)
    assert second.x == pytest.approx(LEFT, abs=0.5)
    assert first.y - second.y == pytest.approx(LINE, abs=0.1)
    attachments = run_starting(runs, "附件：1.")
    assert attachments.x == pytest.approx(LEFT + 2 * CHARACTER, abs=0.5)
    assert run_starting(runs, "2.隐患").x == pytest.approx(
        LEFT + 5 * CHARACTER, abs=0.5
    )
    # The date ends 4 characters from the right; the 署名 is centred over it.
    name = run_of(runs, "河南豫能集团有限公司")
    date = run_of(runs, "2026年12月5日")
    date_right = RIGHT - 4 * CHARACTER
    assert name.x + len(name.text) * CHARACTER / 2 == pytest.approx(
        (date.x + date_right) / 2, abs=1
    )
    assert name.y - date.y == pytest.approx(LINE, abs=0.1)
    # The 版记 ends at the foot of the 版心, 左右各空一字 (4号).
    printing = run_starting(runs, "河南豫能集团有限公司综合办公室")
    cc = run_starting(runs, "抄送：")
    assert BOTTOM < printing.y < BOTTOM + LINE / 2
    assert printing.size == cc.size == pytest.approx(14)
    assert printing.x == cc.x == pytest.approx(LEFT + 14, abs=0.5)
    # The page number: 4号, below the 版心, its 一字线 7 mm down, 右空一字 (odd page).
    number = run_starting(runs, "— 1 —")
    assert number.size == pytest.approx(14)
    assert BOTTOM - 7 * MM - 14 < number.y < BOTTOM - 7 * MM
    assert number.x > (LEFT + RIGHT) / 2


def test_a_long_body_fills_the_grid_and_numbers_pages_on_alternate_sides(org):
    body = "\n".join(PARAGRAPHS[2] for _ in range(60))
    document = full_notice(org, body=body)

    reader, runs = read(formal.formal_pdf(document))

    pages = len(reader.pages)
    assert pages >= 3
    numbers = [run for run in runs if run.text.startswith("—")]
    assert [run.text for run in numbers] == [f"— {n} —" for n in range(1, pages + 1)]
    odd, even = numbers[0], numbers[1]
    assert even.x == pytest.approx(LEFT + 14, abs=0.5)  # 左空一字
    assert odd.x > (LEFT + RIGHT) / 2  # 右空一字
    # A page of body holds the 22 lines of the grid.
    lines = {round(run.y) for run in runs if run.page == 2 and run.size == 16}
    assert len(lines) == 22
    assert TOP - LINE < max(lines) < TOP
    assert BOTTOM < min(lines) < BOTTOM + LINE
    # The 版记 is on the last page only.
    assert [run.page for run in runs if run.text.startswith("抄送")] == [pages]
    assert [run.page for run in runs if "印发" in run.text] == [pages]


def test_an_upward_document_puts_the_number_left_and_the_signer_right(org):
    document = full_notice(
        org,
        document_type="request",
        title="关于申请安全生产专项资金的请示",
        main_recipients="河南省人民政府国有资产监督管理委员会",
        signers="张伟",
    )

    reader, runs = read(formal.formal_pdf(document))

    assert "签发人：张伟" in text_of(reader)
    # pypdf joins what shares a baseline: the number and the signer share a line.
    line = run_of(runs, "集团办〔2026〕1号 签发人：张伟")
    assert line.x == pytest.approx(LEFT + CHARACTER, abs=0.5)  # 左空一字


def test_several_signers_stand_two_to_a_line_the_number_beside_the_last(org):
    document = full_notice(
        org,
        document_type="report",
        title="关于2026年度安全生产工作情况的报告",
        main_recipients="河南省人民政府国有资产监督管理委员会",
        signers="张伟、李娜、王强",
    )

    reader, runs = read(formal.formal_pdf(document))

    assert "签发人：张伟李娜王强" in text_of(reader)  # U+3000 between is white space
    first = run_of(runs, "签发人：张伟\u3000李娜")
    assert first.x + 9 * CHARACTER == pytest.approx(RIGHT - CHARACTER, abs=0.5)
    # Further names line up under the first; the number shares the last line.
    last = run_of(runs, "王强")
    number = run_of(runs, "集团办〔2026〕1号")
    assert last.x == pytest.approx(first.x + 4 * CHARACTER, abs=0.5)
    assert first.y - last.y == pytest.approx(LINE, abs=0.1)
    assert number.y == pytest.approx(last.y, abs=0.1)
    assert number.x == pytest.approx(LEFT + CHARACTER, abs=0.5)


@pytest.mark.parametrize(
    ("document_type", "title", "upward"),
    [
        ("notice", "关于开展安全生产大检查的通知", False),
        ("opinion", "关于加强安全生产工作的意见", True),
    ],
)
def test_signers_make_only_an_opinion_upward(org, document_type, title, upward):
    document = full_notice(
        org, document_type=document_type, title=title, signers="张伟"
    )

    reader, runs = read(formal.formal_pdf(document))

    assert ("签发人" in text_of(reader)) is upward
    number = run_starting(runs, "集团办〔2026〕1号")
    assert (number.x < (LEFT + RIGHT) / 2 - 100) is upward


def test_an_unsealed_document_sets_the_date_two_characters_in_from_the_name(org):
    document = full_notice(org, needs_seal=False)

    _reader, runs = read(formal.formal_pdf(document))

    name = run_of(runs, "河南豫能集团有限公司")
    date = run_of(runs, "2026年12月5日")
    assert name.x + len(name.text) * CHARACTER == pytest.approx(
        RIGHT - 2 * CHARACTER, abs=0.5
    )
    assert date.x == pytest.approx(name.x + 2 * CHARACTER, abs=0.5)


def test_the_layout_is_configurable(org):
    document = full_notice(org)
    layout = formal.FormalLayout(lines_per_page=20, margin_left_mm=30)

    _reader, runs = read(formal.formal_pdf(document, layout=layout))

    first = run_starting(runs, "为深入贯彻")
    second = runs[runs.index(first) + 1]
    assert first.y - second.y == pytest.approx(225 * MM / 20, abs=0.1)
    assert second.x == pytest.approx(30 * MM, abs=0.5)


@pytest.mark.parametrize("name", ['Noto"; } body { color: red', "</style>"])
def test_a_layout_refuses_a_font_name_that_is_not_a_name(name):
    with pytest.raises(ValueError, match="not a font family name"):
        formal.FormalLayout(fangsong=(name,))


# --- what the copy is made of -------------------------------------------------------


def test_the_html_escapes_what_people_typed(org):
    document = full_notice(org, title="关于<b>加强</b>管理的通知")

    html = formal.formal_html(document)

    assert "关于&lt;b&gt;加强&lt;/b&gt;管理的通知" in html
    assert "<b>加强" not in html


def test_body_paragraphs_mark_the_first_two_heading_levels():
    paragraphs = formal.body_paragraphs(
        "一、总体要求\n\n（一）提高认识。各单位要高度重视。\n  1.明确责任。  \n"
    )

    assert paragraphs == [
        formal.Paragraph("一、总体要求", 1, ""),
        formal.Paragraph("（一）提高认识。", 2, "各单位要高度重视。"),
        formal.Paragraph("", 0, "1.明确责任。"),
    ]


@pytest.mark.parametrize(
    ("names", "lines"),
    [
        ([], []),
        (["检查表"], [formal.AttachmentLine("附件：", "", "检查表")]),
        (
            ["检查表", "清单"],
            [
                formal.AttachmentLine("附件：", "1.", "检查表"),
                formal.AttachmentLine("", "2.", "清单"),
            ],
        ),
    ],
)
def test_the_attachment_note_is_split_for_alignment(names, lines):
    assert formal.attachment_lines(names) == lines


# --- refusals -----------------------------------------------------------------------


def test_a_classified_document_has_no_formal_copy(org):
    document = classified(org)

    with pytest.raises(DomainError) as caught:
        formal.formal_pdf(document)

    assert caught.value.code == "classified_no_content"
    assert caught.value.messages == [services.classified_refusal(document)]
    with pytest.raises(DomainError, match="classified"):
        formal.formal_html(document)


def test_an_incoming_document_has_no_formal_copy(org):
    with pytest.raises(DomainError, match="sender") as caught:
        formal.formal_pdf(incoming(org))

    assert caught.value.code == "formal_incoming"


# --- the page -----------------------------------------------------------------------


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        User.objects.filter(pk=user.pk).update(language="en")
        client.force_login(user)
    return client


def test_a_clerk_gets_the_formal_copy_inline_named_by_its_title(org, people):
    document = outgoing(org, body="现将有关事项通知如下。")

    response = client_for(people["clerk"]).get(
        reverse("documents:formal_pdf", args=[document.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # 关于开展安全生产大检查的通知.pdf, percent-encoded (RFC 6266).
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''%E5%85%B3%E4%BA%8E%E5%BC%80%E5%B1%95%E5%AE%89"
        "%E5%85%A8%E7%94%9F%E4%BA%A7%E5%A4%A7%E6%A3%80%E6%9F%A5%E7%9A%84%E9%80"
        "%9A%E7%9F%A5.pdf"
    )
    reader = PdfReader(io.BytesIO(response.content))
    assert "现将有关事项通知如下。" in text_of(reader)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),
        ("director", 200),
        ("stranger", 200),  # in the office, the document's department
        ("engineer", 404),  # production: not theirs
        ("mine_clerk", 404),  # another unit's register
    ],
)
def test_the_formal_copy_is_for_whoever_sees_the_document(org, people, who, status):
    document = outgoing(org, body="现将有关事项通知如下。")

    response = client_for(people[who]).get(
        reverse("documents:formal_pdf", args=[document.pk])
    )

    assert response.status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(org):
    document = outgoing(org, body="现将有关事项通知如下。")

    response = client_for(None).get(reverse("documents:formal_pdf", args=[document.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(("who", "status"), [("secret", 409), ("clerk", 404)])
def test_a_classified_document_answers_with_the_reason_or_not_at_all(
    org, people, who, status
):
    document = classified(org)

    response = client_for(people[who]).get(
        reverse("documents:formal_pdf", args=[document.pk])
    )

    assert response.status_code == status
    if status == 409:
        assert response.content.decode() == services.classified_refusal(document)


def test_an_incoming_document_answers_409(org, people):
    document = incoming(org)

    response = client_for(people["clerk"]).get(
        reverse("documents:formal_pdf", args=[document.pk])
    )

    assert response.status_code == 409
    assert "sender" in response.content.decode()


def test_the_formal_copy_is_refused_to_a_post(org, people):
    document = outgoing(org, body="现将有关事项通知如下。")

    response = client_for(people["clerk"]).post(
        reverse("documents:formal_pdf", args=[document.pk])
    )

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("make", "who", "shown"),
    [
        (lambda org: outgoing(org, body="现将有关事项通知如下。"), "clerk", True),
        (lambda org: outgoing(org, body="现将有关事项通知如下。"), "stranger", True),
        (lambda org: outgoing(org), "clerk", False),  # no body
        (lambda org: incoming(org), "clerk", False),
        (lambda org: classified(org), "secret", False),
    ],
)
def test_the_detail_page_offers_the_formal_copy_only_when_there_is_one(
    org, people, make, who, shown
):
    document = make(org)

    response = client_for(people[who]).get(
        reverse("documents:detail", args=[document.pk])
    )

    assert response.status_code == 200
    assert ('data-testid="formal-pdf"' in response.content.decode()) is shown
