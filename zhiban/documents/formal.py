"""The formal copy (正式公文) of a document: a PDF in the layout of GB/T 9704-2012.

The copy is typeset from the document's elements and its plain-text body (one
paragraph per line) by WeasyPrint. Every measure lives in ``FormalLayout``: the
national values are the defaults, and an organisation that adopts the standard
through its own 公文处理办法 may change them (docs: standards.md §0 and §2).

The PDF reproduces the 版头 (份号, 紧急程度, the red 发文机关标志, 发文字号 and
签发人, the red rule), the 主体 (title, 主送机关, body with level-1 and level-2
headings, 附件说明, 署名 and 成文日期 for a sealed or an unsealed document, 附注),
the 版记 at the foot of the last page, and the page numbers. It never draws a
seal: the seal is stamped on paper or added by the electronic-seal system.
"""

# The layout is about Chinese typography: its comments and strings name full-width
# marks (：（）、，) on purpose.

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhiban.core.errors import DomainError
from zhiban.documents import elements
from zhiban.documents.models import Direction, Document
from zhiban.documents.services import classified_refusal

MM = 72 / 25.4  # points per millimetre

# Fonts. GB/T 9704 names 仿宋, 小标宋, 黑体 and 楷体; their usual files (仿宋_GB2312,
# 方正小标宋简体, …) are proprietary and not installed on the servers. Each family
# lists those names first, so a server that has them uses them, then the font of
# Debian's fonts-noto-cjk that stands in for it:
#   仿宋 (body)            → Noto Serif CJK SC, Regular: the nearest serif;
#   小标宋 (mark, title)   → Noto Serif CJK SC at weight 900, which falls back to its
#                            Bold, the heaviest serif installed;
#   黑体 (紧急程度, 一、)   → Noto Sans CJK SC, Regular;
#   楷体 (签发人 name, （一）) → no 楷体 is installed: Noto Serif CJK SC, Regular, so
#                            these look like the body until a 楷体 font is added.
FANGSONG = ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC")
XIAOBIAOSONG = ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC")
HEITI = ("黑体", "SimHei", "Noto Sans CJK SC")
KAITI = ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC")

_FONT_NAME_RE = re.compile(r"^[\w .\-]+$")
_HEADING_1_RE = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING_2_RE = re.compile(r"^（[一二三四五六七八九十]+）")
_NUMBERED_NAME_RE = re.compile(r"^([0-9]+\.)(.*)$")


@dataclass(frozen=True)
class FormalLayout:
    """Every measure of the formal copy; the defaults are GB/T 9704-2012's."""

    # Page (§5): A4, 天头 37 mm, 订口 28 mm and a 156 × 225 mm 版心; the right
    # (26 mm) and bottom (35 mm) margins follow from these.
    page_width_mm: float = 210
    page_height_mm: float = 297
    margin_top_mm: float = 37
    margin_left_mm: float = 28
    text_width_mm: float = 156
    text_height_mm: float = 225
    # The grid: 22 lines of 28 characters fill the 版心.
    lines_per_page: int = 22
    characters_per_line: int = 28
    # Sizes in points: 三号 16 (body), 二号 22 (title), 四号 14 (版记, page number).
    body_size_pt: float = 16
    title_size_pt: float = 22
    record_size_pt: float = 14
    page_number_size_pt: float = 14
    # 发文机关标志: its top 35 mm below the top of the 版心, red; the standard leaves
    # its size to the issuer ("醒目、美观、庄重"): at most this, less for a long name
    # so that it fits on one line of the 版心.
    issuer_mark_top_mm: float = 35
    issuer_mark_max_size_pt: float = 48
    red: str = "#dd0000"
    # 发文字号 2 blank lines below the mark; the red rule 4 mm below the number. The
    # standard gives no thickness for this rule; 0.8 mm is the 2.25 pt of common
    # Word templates.
    blank_lines_after_mark: int = 2
    masthead_rule_gap_mm: float = 4
    masthead_rule_width_mm: float = 0.8
    # Title 2 blank lines below the rule; 主送机关 1 below the title; 附件说明 1 below
    # the body.
    blank_lines_after_rule: int = 2
    blank_lines_after_title: int = 1
    blank_lines_before_attachments: int = 1
    # 发文字号 and 签发人 of an upward document: 左空一字 and 右空一字.
    upward_side_characters: int = 1
    signers_per_line: int = 2
    # Body paragraphs and 附注 start 2 characters in; 附件说明 too.
    paragraph_indent_characters: int = 2
    # Sealed (§7.3.5.1): 成文日期 右空四字, the 署名 centred over it, room above for a
    # seal of 42 mm whose top stays within one line of the body.
    sealed_date_right_characters: int = 4
    sealed_blank_lines: int = 2
    # Unsealed (§7.3.5.2): 署名 1 blank line below the body, 右空二字; the date on
    # the next line, 2 characters right of where the 署名 starts.
    unsealed_signature_right_characters: int = 2
    unsealed_date_offset_characters: int = 2
    unsealed_blank_lines: int = 1
    # 版记 (§7.4): rules as wide as the 版心, the first and last 0.35 mm, the middle
    # ones 0.25 mm; 抄送 and 印发 lines 左右各空一字 (characters of the 版记 size).
    record_thick_rule_mm: float = 0.35
    record_thin_rule_mm: float = 0.25
    record_side_characters: int = 1
    # 页码 (§7.5): "— 1 —" with its 一字线 7 mm below the 版心; odd pages 右空一字,
    # even pages 左空一字 (characters of the page-number size).
    page_number_gap_mm: float = 7
    page_number_side_characters: int = 1
    # Font families, first choice first (see the note on fonts above).
    fangsong: tuple[str, ...] = field(default=FANGSONG)
    xiaobiaosong: tuple[str, ...] = field(default=XIAOBIAOSONG)
    heiti: tuple[str, ...] = field(default=HEITI)
    kaiti: tuple[str, ...] = field(default=KAITI)

    def __post_init__(self) -> None:
        # The names go into the PDF's stylesheet: refuse anything but a name.
        for families in (self.fangsong, self.xiaobiaosong, self.heiti, self.kaiti):
            for name in families:
                if not _FONT_NAME_RE.match(name):
                    raise ValueError(f"not a font family name: {name!r}")
        if not re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", self.red):
            raise ValueError(f"not a colour: {self.red!r}")
        if self.lines_per_page < 1 or self.characters_per_line < 1:
            raise ValueError("the grid needs at least one line of one character")

    @property
    def margin_right_mm(self) -> float:
        return self.page_width_mm - self.margin_left_mm - self.text_width_mm

    @property
    def margin_bottom_mm(self) -> float:
        return self.page_height_mm - self.margin_top_mm - self.text_height_mm

    @property
    def line_pt(self) -> float:
        """Return the line pitch: the 版心 height over the lines (≈ 28.99 pt)."""
        # Rounded down, so that the last line of the grid still fits on the page.
        return _floor(self.text_height_mm * MM / self.lines_per_page)

    @property
    def character_pt(self) -> float:
        """Return the width of one character of the grid (一字, ≈ 15.79 pt)."""
        return self.text_width_mm * MM / self.characters_per_line

    @property
    def letter_spacing_pt(self) -> float:
        """Return the spacing that puts the grid's characters on one line."""
        return _floor(self.character_pt - self.body_size_pt)


NATIONAL_LAYOUT = FormalLayout()


def _floor(value: float) -> float:
    return math.floor(value * 100) / 100


def _pt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "pt"


def _width_in_characters(text: str) -> float:
    """Return the width of a text in full-width characters (an estimate)."""
    return sum(
        1 if unicodedata.east_asian_width(ch) in ("F", "W") else 0.5 for ch in text
    )


def _font_family(names: tuple[str, ...], generic: str) -> SafeString:
    # The names were checked by FormalLayout; quoting them cannot break the CSS.
    return mark_safe(", ".join([*(f'"{name}"' for name in names), generic]))  # noqa: S308


# --- the refusals ----------------------------------------------------------------


def check_typesettable(document: Document) -> None:
    """Refuse a document the system may not typeset a formal copy of."""
    if document.is_classified:
        raise DomainError(classified_refusal(document), code="classified_no_content")
    if document.direction == Direction.INCOMING:
        raise DomainError(
            _(
                "An incoming document is its sender's: Zhiban keeps its register "
                "entry and files but does not typeset a formal copy of it."
            ),
            code="formal_incoming",
        )


# --- the parts of the copy -------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: an optional heading run (一、 or （一）) and the rest."""

    heading: str
    heading_level: int
    text: str


@dataclass(frozen=True)
class AttachmentLine:
    """One line of the 附件说明: '附件：' on the first, '1.' when numbered."""

    label: str
    number: str
    name: str


def body_paragraphs(body: str) -> list[Paragraph]:
    """Return the paragraphs of a plain-text body, one per non-blank line."""
    paragraphs = []
    for line in body.splitlines():
        text = line.strip()
        if not text:
            continue
        level = (
            1 if _HEADING_1_RE.match(text) else 2 if _HEADING_2_RE.match(text) else 0
        )
        if level:
            # A heading runs to its first full stop; a heading line is all heading.
            heading, stop, rest = text.partition("。")
            paragraphs.append(Paragraph(heading + stop, level, rest))
        else:
            paragraphs.append(Paragraph("", 0, text))
    return paragraphs


def attachment_lines(names: list[str]) -> list[AttachmentLine]:
    """Return the 附件说明 of elements.format_attachment_note, split for alignment."""
    lines = elements.format_attachment_note(names)
    parts = []
    for position, line in enumerate(lines):
        label = "附件：" if position == 0 else ""
        rest = line.removeprefix(label)
        match = _NUMBERED_NAME_RE.match(rest) if len(names) > 1 else None
        number, name = (match[1], match[2]) if match else ("", rest)
        parts.append(AttachmentLine(label, number, name))
    return parts


def signer_lines(signers: str, per_line: int) -> list[str]:
    """Return the signers' names, two to a line (GB/T 9704 §7.2.6)."""
    names = elements.split_organisations(signers)
    return [
        "\u3000".join(names[start : start + per_line])
        for start in range(0, len(names), per_line)
    ]


def goes_upward(document: Document) -> bool:
    """Return whether the copy is laid out as an upward document (上行文).

    请示, 报告 and 议案 always go up; an 意见 may go in any direction, so one with
    signers (签发人, printed only on an upward document) is taken to go up.
    """
    return elements.is_upward(document.document_type) or (
        document.document_type == "opinion" and bool(document.signers.strip())
    )


def _issuer_mark_size(mark: str, layout: FormalLayout) -> float:
    width = _width_in_characters(mark) or 1
    return _floor(
        min(layout.issuer_mark_max_size_pt, layout.text_width_mm * MM / width)
    )


def _measures(layout: FormalLayout, top_lines: int) -> dict[str, str]:
    """Return the stylesheet's measures, each a CSS length."""
    line, character = layout.line_pt, layout.character_pt
    record_character = layout.record_size_pt
    # A line's glyphs sit in the middle of its pitch: half the leading below them.
    half_leading = (line - layout.body_size_pt) / 2
    return {
        "page_width": _pt(layout.page_width_mm * MM),
        "page_height": _pt(layout.page_height_mm * MM),
        "margin_top": _pt(layout.margin_top_mm * MM),
        "margin_right": _pt(layout.margin_right_mm * MM),
        "margin_bottom": _pt(layout.margin_bottom_mm * MM),
        "margin_left": _pt(layout.margin_left_mm * MM),
        "line": _pt(line),
        "body_size": _pt(layout.body_size_pt),
        "title_size": _pt(layout.title_size_pt),
        "record_size": _pt(layout.record_size_pt),
        "letter_spacing": _pt(layout.letter_spacing_pt),
        "indent": _pt(layout.paragraph_indent_characters * character),
        # The 份号 and 紧急程度 lines come first; the mark's top is then placed.
        "mark_top": _pt(max(0, layout.issuer_mark_top_mm * MM - top_lines * line)),
        "number_top": _pt(layout.blank_lines_after_mark * line),
        "rule_top": _pt(max(0, layout.masthead_rule_gap_mm * MM - half_leading)),
        "rule_width": _pt(layout.masthead_rule_width_mm * MM),
        "upward_side": _pt(layout.upward_side_characters * character),
        "title_top": _pt(layout.blank_lines_after_rule * line),
        "recipients_top": _pt(layout.blank_lines_after_title * line),
        "attachments_top": _pt(layout.blank_lines_before_attachments * line),
        "attachment_label": _pt(3 * character),  # 附件：
        "attachments_width": _pt(
            layout.text_width_mm * MM - layout.paragraph_indent_characters * character
        ),
        "sealed_top": _pt(layout.sealed_blank_lines * line),
        "sealed_right": _pt(layout.sealed_date_right_characters * character),
        "unsealed_top": _pt(layout.unsealed_blank_lines * line),
        "unsealed_right": _pt(layout.unsealed_signature_right_characters * character),
        "unsealed_offset": _pt(layout.unsealed_date_offset_characters * character),
        "thick_rule": _pt(layout.record_thick_rule_mm * MM),
        "thin_rule": _pt(layout.record_thin_rule_mm * MM),
        "record_side": _pt(layout.record_side_characters * record_character),
        "cc_label": _pt(3 * record_character),  # 抄送：
        "page_number_size": _pt(layout.page_number_size_pt),
        # The 一字线 sits mid-line: the line starts half a line above the gap.
        "page_number_top": _pt(
            layout.page_number_gap_mm * MM - layout.page_number_size_pt / 2
        ),
        "page_number_side": _pt(
            layout.page_number_side_characters * layout.page_number_size_pt
        ),
    }


def formal_context(
    document: Document, *, layout: FormalLayout = NATIONAL_LAYOUT
) -> dict[str, Any]:
    """Return what the formal copy's template shows, every element formatted."""
    check_typesettable(document)
    top_lines = [
        (text, css)
        for text, css in (
            (document.copy_number, "copy-number"),
            (document.urgency, "urgency"),
        )
        if text
    ]
    upward = goes_upward(document)
    recipients = elements.split_organisations(document.main_recipients)
    cc_names = elements.split_organisations(document.cc_recipients)
    printing_organ = document.printed_by.strip()
    printing_date = (
        elements.format_official_date(document.printed_on) + "印发"
        if document.printed_on
        else ""
    )
    if printing_organ and document.printed_on:
        printing_organ, printing_date = elements.format_printing_line(
            printing_organ, document.printed_on
        )
    issuer_mark = document.issuer_mark.strip()
    signature = document.issuer_signature.strip()
    written = (
        elements.format_official_date(document.written_on)
        if document.written_on
        else ""
    )
    notes = " ".join(document.notes.split())
    if notes and not (notes.startswith("（") and notes.endswith("）")):
        notes = f"（{notes}）"
    # Centred over the date, a long 署名 would cross the 版心's right edge: it is
    # then set flush right instead.
    signature_overflows = (
        _width_in_characters(signature) - _width_in_characters(written)
    ) / 2 > layout.sealed_date_right_characters
    return {
        "document": document,
        "layout": layout,
        "m": _measures(layout, len(top_lines)),
        "fonts": {
            "fangsong": _font_family(layout.fangsong, "serif"),
            "xiaobiaosong": _font_family(layout.xiaobiaosong, "serif"),
            "heiti": _font_family(layout.heiti, "sans-serif"),
            "kaiti": _font_family(layout.kaiti, "serif"),
        },
        "top_lines": top_lines,
        "issuer_mark": issuer_mark,
        "issuer_mark_size": _pt(_issuer_mark_size(issuer_mark, layout)),
        "upward": upward,
        "signer_lines": signer_lines(document.signers, layout.signers_per_line)
        if upward
        else [],
        "main_recipients": "、".join(recipients) + "：" if recipients else "",
        "paragraphs": body_paragraphs(document.body),
        "attachments": attachment_lines(list(document.attachment_names)),
        "signature": signature,
        "written": written,
        "sealed": document.needs_seal,
        "signature_overflows": signature_overflows,
        "notes": notes,
        "cc_line": elements.format_cc_line(cc_names),
        "printing_organ": printing_organ,
        "printing_date": printing_date,
    }


def formal_html(document: Document, *, layout: FormalLayout = NATIONAL_LAYOUT) -> str:
    """Return the formal copy as the HTML WeasyPrint typesets."""
    return render_to_string(
        "documents/formal.html", formal_context(document, layout=layout)
    )


def formal_css(document: Document, *, layout: FormalLayout = NATIONAL_LAYOUT) -> str:
    """Return the stylesheet of the formal copy (a file of its own: no inline style)."""
    return render_to_string(
        "documents/formal.css", formal_context(document, layout=layout)
    )


def formal_pdf(document: Document, *, layout: FormalLayout = NATIONAL_LAYOUT) -> bytes:
    """Return the formal copy (正式公文) of a document as a PDF."""
    import weasyprint  # loaded when a copy is made: it is slow to import

    html = formal_html(document, layout=layout)
    css = weasyprint.CSS(string=formal_css(document, layout=layout))
    pdf = weasyprint.HTML(string=html).write_pdf(stylesheets=[css])
    if pdf is None:  # only without a target; typed as optional by WeasyPrint
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
