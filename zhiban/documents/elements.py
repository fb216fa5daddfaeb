"""Rules for the elements of an official document (公文), as pure functions.

Sources: 党政机关公文处理工作条例 (中办发〔2012〕14号) Art. 8–9, GB/T 9704-2012 §7
and the 保密法 terms. The rules are national defaults an SOE adopts through its own
公文处理办法. ``validate_*`` and ``parse_*`` judge what a person typed and raise ``ValidationError`` with a ``code``; when a value breaks several
rules at once, every broken rule is reported (read ``error.error_list``).
``format_*`` build the printed form of values already validated and raise
``ValueError`` only when no well-formed text can be built.
"""

# This module is about look-alike characters (〔〕 and its imitations, full-width
# digits, ★): every rule and message names them on purpose.
# ruff: noqa: RUF001, RUF002

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- document types (文种, 条例 Art. 8) ------------------------------------------

DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("resolution", "决议"),
    ("decision", "决定"),
    ("order", "命令（令）"),
    ("communique", "公报"),
    ("announcement", "公告"),
    ("public_notice", "通告"),
    ("opinion", "意见"),
    ("notice", "通知"),
    ("circular", "通报"),
    ("report", "报告"),
    ("request", "请示"),
    ("reply", "批复"),
    ("motion", "议案"),
    ("letter", "函"),
    ("minutes", "纪要"),
)
TYPE_NAMES: dict[str, str] = dict(DOCUMENT_TYPES)
# Sent to a superior by nature; 意见 may go in any direction, so the caller says.
UPWARD_TYPES: frozenset[str] = frozenset({"report", "request", "motion"})
# Published or recorded rather than addressed: they may have no 主送机关.
TYPES_WITHOUT_MAIN_RECIPIENT: frozenset[str] = frozenset(
    {"resolution", "order", "communique", "announcement", "public_notice", "minutes"}
)
# What a title may end with; "会议纪要" already ends with "纪要".
TITLE_ENDINGS: dict[str, tuple[str, ...]] = {
    **{code: (name,) for code, name in DOCUMENT_TYPES},
    "order": ("命令", "令"),
}
# Names people wrongly use as a 文种; a title ending in one is refused with the
# list of the 15 (请示报告 mixes two types, 申请报告 is a 请示, 办法 goes out by 通知).
NON_STATUTORY_TYPE_NAMES: tuple[str, ...] = (
    "请示报告", "报告请示", "申请报告", "汇报", "申请", "请求", "总结", "计划",
    "方案", "建议", "说明", "简报", "规定", "办法", "细则",
)  # fmt: skip
_TYPE_LIST = "、".join(name for _code, name in DOCUMENT_TYPES)

TITLE_MAX_LENGTH = 200
DOCUMENT_NUMBER_MAX_LENGTH = 60
MIN_YEAR, MAX_YEAR = 1900, 2099

# --- classification (密级和保密期限) and urgency (紧急程度) -------------------------

# 国家秘密 levels, highest first, with the longest term in years (保密法).
SECRECY_LEVELS: tuple[tuple[str, int], ...] = (("绝密", 30), ("机密", 20), ("秘密", 10))
SECRECY_MAX_YEARS: dict[str, int] = dict(SECRECY_LEVELS)
# The enterprise's trade-secret levels are configuration; these are the defaults.
COMMERCIAL_SECRECY_LEVELS: tuple[str, ...] = ("核心商密", "普通商密")
URGENCY_DOCUMENT: tuple[str, ...] = ("特急", "加急")
URGENCY_TELEGRAM: tuple[str, ...] = ("特提", "特急", "加急", "平急")

_STAR = "★"  # U+2605
_BRACKET_NAMES: dict[str, Any] = {
    "[]": _("half-width square brackets [ ]"),
    "［］": _("full-width square brackets ［］"),
    "【】": _("lenticular brackets 【】"),
    "〖〗": _("white lenticular brackets 〖〗"),
    "﹝﹞": _("small tortoise-shell brackets ﹝﹞ (U+FE5D/FE5E, look-alikes of 〔〕)"),
    "()": _("half-width parentheses ( )"),
    "（）": _("full-width parentheses （）"),
}
_TRAILING_PUNCTUATION = "。．.，,、；;：:！!？?…—·"
_CHINESE_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CHINESE_NUMERAL = "".join(_CHINESE_DIGITS) + "十"

_ISSUER_CODE_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+$")
_DOCUMENT_NUMBER_RE = re.compile(
    r"^(?P<code>[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+)〔(?P<year>(19|20)[0-9]{2})〕"
    r"(?P<sequence>[1-9][0-9]*)号$"
)
# Loose enough to name each mistake in 豫政办[24]第05号 at once.
_DOCUMENT_NUMBER_SHAPE_RE = re.compile(
    r"^(?P<code>.*?)\s*(?P<open>[^\w\s]?)\s*(?P<year>\d+)\s*(?P<close>[^\w\s]?)\s*"
    r"(?P<ordinal>第?)\s*(?P<sequence>\d+)\s*(?P<suffix>号?)$"
)
_DATE_SHAPE_RE = re.compile(r"^(?P<year>\d+)年(?P<month>\d+)月(?P<day>\d+)日$")
_DATE_SEPARATED_RE = re.compile(r"^(\d+)[.\-/．－／](\d+)[.\-/．－／](\d+)$")
_DATE_CHINESE_RE = re.compile(
    rf"^([0-9{_CHINESE_NUMERAL}]+)年([0-9{_CHINESE_NUMERAL}]+)月"
    rf"([0-9{_CHINESE_NUMERAL}]+)日$"
)
_SECRECY_MARKING_RE = re.compile(r"^(绝密|机密|秘密)(★([0-9]+)(年|个月))?$")
_SECRECY_MARKING_SHAPE_RE = re.compile(
    r"^(?P<level>绝密|机密|秘密)\s*(?P<star>[^\w\s]?)\s*(?P<term>\d+)\s*(?P<unit>年|个月|月)?$"
)
_ORGANISATION_SEPARATOR_RE = re.compile(r"[、，,；;\r\n]+")
_NUMBERED_ATTACHMENT_RE = re.compile(
    r"^(附件\s*[0-9]*\s*[：:.．、]?|[0-9]{1,2}\s*[.．、])"
)


def _raise(errors: list[ValidationError]) -> None:
    """Raise the errors found, one alone or all together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationError(errors)


def _has_fullwidth_digits(text: str) -> bool:
    """Return whether the text has digits other than 0–9 (e.g. ２０２４)."""
    return any(ch.isdecimal() and not ch.isascii() for ch in text)


def _ends_with_punctuation(text: str) -> bool:
    """Return whether the text ends with a punctuation mark."""
    return bool(text) and text[-1] in _TRAILING_PUNCTUATION


# --- document types -----------------------------------------------------------


def validate_document_type(type_code: str) -> None:
    """Refuse a type code that is not one of the 15 statutory types."""
    if type_code not in TYPE_NAMES:
        raise ValidationError(
            _(
                "Choose one of the 15 statutory document types (%(types)s); found “%(found)s”."
            ),
            code="document_type_invalid",
            params={"types": _TYPE_LIST, "found": type_code},
        )


def is_upward(type_code: str) -> bool:
    """Return whether documents of this type always go to a superior (上行文)."""
    return type_code in UPWARD_TYPES


# --- 发文字号 (document number) ----------------------------------------------------


@dataclass(frozen=True)
class DocumentNumberParts:
    """A document number: issuer code (机关代字), year and sequence (发文顺序号)."""

    code: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return format_document_number(self.code, self.year, self.sequence)


def validate_issuer_code(code: str) -> None:
    """Refuse an issuer code (机关代字) that is empty or not letters only."""
    if not code:
        raise ValidationError(
            _(
                "Give the issuer code (机关代字) before the year, e.g. 豫政办〔2024〕5号."
            ),
            code="issuer_code_required",
        )
    if not _ISSUER_CODE_RE.match(code):
        raise ValidationError(
            _(
                "Write the issuer code (机关代字) in Chinese characters or Latin letters only, e.g. 豫政办; found “%(found)s”."
            ),
            code="issuer_code_invalid",
            params={"found": code},
        )


def format_document_number(code: str, year: int, sequence: int) -> str:
    """Return the document number, e.g. 豫政办〔2024〕5号."""
    if not _ISSUER_CODE_RE.match(code):
        raise ValueError(f"issuer code must be letters only: {code!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year must be {MIN_YEAR}–{MAX_YEAR}: {year}")
    if sequence < 1:
        raise ValueError(f"sequence must be 1 or more: {sequence}")
    return f"{code}〔{year}〕{sequence}号"


def _document_number_errors(shape: re.Match[str]) -> list[ValidationError]:
    """Return one error per rule the loosely matched document number breaks."""
    code, open_, year, close = (
        shape["code"],
        shape["open"],
        shape["year"],
        shape["close"],
    )
    sequence, found_year = shape["sequence"], f"{open_}{year}{close}"
    errors: list[ValidationError] = []
    try:
        validate_issuer_code(code)
    except ValidationError as error:
        errors.append(error)
    if (open_, close) != ("〔", "〕"):
        name = _BRACKET_NAMES.get(open_ + close)
        errors.append(
            ValidationError(
                _(
                    "Put the year in 六角括号 〔〕, e.g. 豫政办〔2024〕5号; found %(found)s, which uses %(name)s."
                )
                if name
                else _(
                    "Put the year in 六角括号 〔〕, e.g. 豫政办〔2024〕5号; found “%(found)s”."
                ),
                code="document_number_bracket",
                params={"found": found_year, "name": name},
            )
        )
    if _has_fullwidth_digits(year + sequence):
        errors.append(
            ValidationError(
                _(
                    "Write the year and sequence number in half-width digits 0–9; found “%(found)s”."
                ),
                code="document_number_fullwidth_digits",
                params={"found": shape.string},
            )
        )
    if len(year) == 2:
        errors.append(
            ValidationError(
                _(
                    "Write the year in full inside 〔〕, e.g. 豫政办〔2024〕5号; found %(found)s."
                ),
                code="document_number_year_short",
                params={"found": found_year},
            )
        )
    elif len(year) != 4 or not MIN_YEAR <= int(year) <= MAX_YEAR:
        errors.append(
            ValidationError(
                _(
                    "Write a four-digit year from %(min)s to %(max)s inside 〔〕; found %(found)s."
                ),
                code="document_number_year_range",
                params={"found": found_year, "min": MIN_YEAR, "max": MAX_YEAR},
            )
        )
    if shape["ordinal"]:
        errors.append(
            ValidationError(
                _(
                    "Leave out 第: write the sequence number straight after 〔〕, e.g. 〔2024〕5号, not 〔2024〕第5号."
                ),
                code="document_number_ordinal",
            )
        )
    if int(sequence) == 0:
        errors.append(
            ValidationError(
                _("Sequence numbers start at 1; found %(found)s号."),
                code="document_number_sequence_zero",
                params={"found": sequence},
            )
        )
    elif sequence.startswith(("0", "０")):
        errors.append(
            ValidationError(
                _(
                    "Write the sequence number without leading zeros, e.g. 5号; found %(found)s号."
                ),
                code="document_number_leading_zero",
                params={"found": sequence},
            )
        )
    if not shape["suffix"]:
        errors.append(
            ValidationError(
                _(
                    "End the document number with 号, e.g. 豫政办〔2024〕5号; found “%(found)s”."
                ),
                code="document_number_missing_hao",
                params={"found": shape.string},
            )
        )
    if not errors and re.search(r"\s", shape.string):
        errors.append(
            ValidationError(
                _(
                    "Remove the spaces inside the document number, e.g. 豫政办〔2024〕5号; found “%(found)s”."
                ),
                code="document_number_whitespace",
                params={"found": shape.string},
            )
        )
    return errors


def parse_document_number(text: str) -> DocumentNumberParts:
    """Return the parts of a document number such as 豫政办〔2024〕5号."""
    text = text.strip()
    if not text:
        raise ValidationError(
            _("Give the document number, e.g. 豫政办〔2024〕5号."),
            code="document_number_required",
        )
    if len(text) > DOCUMENT_NUMBER_MAX_LENGTH:
        # Also keeps the loose pattern below, cubic in the length, cheap.
        raise ValidationError(
            _(
                "A document number has at most %(max)s characters; this one has %(length)s."
            ),
            code="document_number_too_long",
            params={"max": DOCUMENT_NUMBER_MAX_LENGTH, "length": len(text)},
        )
    match = _DOCUMENT_NUMBER_RE.match(text)
    if match:
        return DocumentNumberParts(
            code=match["code"], year=int(match["year"]), sequence=int(match["sequence"])
        )
    shape = _DOCUMENT_NUMBER_SHAPE_RE.match(text)
    _raise(_document_number_errors(shape) if shape else [])
    raise ValidationError(
        _(
            "Write the document number as 机关代字〔year〕sequence号, e.g. 豫政办〔2024〕5号; found “%(found)s”."
        ),
        code="document_number_invalid",
        params={"found": text},
    )


def validate_document_number(text: str) -> None:
    """Refuse a document number that breaks GB/T 9704 §7.2.4."""
    parse_document_number(text)


# --- 份号 (copy number) -----------------------------------------------------------


def validate_copy_number(text: str) -> None:
    """Refuse a copy number (份号) that is not six digits from 000001."""
    if not re.fullmatch(r"[0-9]{6}", text):
        raise ValidationError(
            _(
                "Write the copy number as six digits 0–9, e.g. 000001; found “%(found)s”."
            ),
            code="copy_number_invalid",
            params={"found": text},
        )
    if text == "000000":
        raise ValidationError(
            _("Copy numbers start at 000001; found 000000."), code="copy_number_zero"
        )


def format_copy_number(n: int) -> str:
    """Return the copy number as six digits, e.g. 000001."""
    if not 1 <= n <= 999_999:
        raise ValueError(f"copy number must be 1–999999: {n}")
    return f"{n:06d}"


# --- 密级和保密期限 (classification and secrecy term) --------------------------------


def validate_secrecy_term(level: str, years: int | None, months: int | None) -> None:
    """Refuse a secrecy term the level does not allow or that is written wrongly."""
    if not level:
        if years is not None or months is not None:
            raise ValidationError(
                _("A secrecy term needs a classification level (密级)."),
                code="secrecy_term_without_level",
            )
        return
    if years is not None and months is not None:
        raise ValidationError(
            _(
                "Give the secrecy term in years or in months, not both; found %(years)s年 and %(months)s个月."
            ),
            code="secrecy_term_both",
            params={"years": years, "months": months},
        )
    term, unit = (years, "年") if years is not None else (months, "个月")
    if term is None:
        return  # A national level alone means its longest term.
    if term < 1:
        raise ValidationError(
            _("A secrecy term is at least 1; found %(term)s%(unit)s."),
            code="secrecy_term_not_positive",
            params={"term": term, "unit": unit},
        )
    if level not in SECRECY_MAX_YEARS:
        return  # The enterprise's own levels set their own terms.
    if months is not None and months >= 12:
        raise ValidationError(
            _(
                "Count a secrecy term of a year or more in whole years (年); months are for terms of 1 to 11 months; found %(months)s个月."
            ),
            code="secrecy_term_months_range",
            params={"months": months},
        )
    if years is not None and years > SECRECY_MAX_YEARS[level]:
        raise ValidationError(
            _(
                "The longest secrecy term for %(level)s is %(max)s years; found %(years)s年."
            ),
            code="secrecy_term_too_long",
            params={"level": level, "max": SECRECY_MAX_YEARS[level], "years": years},
        )


def secrecy_marking(
    level_name: str,
    term_years: int | None = None,
    term_months: int | None = None,
    term_text: str | None = None,
) -> str:
    """Return the printed marking, e.g. 机密★5年, 秘密★6个月 or 核心商密★长期."""
    terms = [t for t in (term_years, term_months, term_text) if t is not None]
    if not level_name or len(terms) > 1:
        raise ValueError("a marking has one level and at most one term")
    if term_years is not None:
        return f"{level_name}{_STAR}{term_years}年"
    if term_months is not None:
        return f"{level_name}{_STAR}{term_months}个月"
    if term_text:
        return f"{level_name}{_STAR}{term_text}"
    return level_name


def parse_secrecy_marking(text: str) -> tuple[str, int | None, int | None]:
    """Return (level, years, months) of a national marking such as 机密★5年."""
    text = text.strip()
    match = _SECRECY_MARKING_RE.match(text)
    if match:
        level, term, unit = match[1], match[3], match[4]
        years = int(term) if unit == "年" else None
        months = int(term) if unit == "个月" else None
        validate_secrecy_term(level, years, months)
        return level, years, months
    # A marking is a few characters; the cap keeps the loose pattern cheap.
    shape = _SECRECY_MARKING_SHAPE_RE.match(text) if len(text) <= 20 else None
    errors: list[ValidationError] = []
    if shape and shape["star"] != _STAR:
        errors.append(
            ValidationError(
                _(
                    "Put ★ (U+2605) between the level and the term, e.g. 机密★5年; found “%(found)s”."
                ),
                code="secrecy_marking_star",
                params={"found": text},
            )
        )
    if shape and shape["unit"] not in ("年", "个月"):
        errors.append(
            ValidationError(
                _(
                    "Write the term in 年 or 个月, e.g. 机密★5年 or 秘密★6个月; found “%(found)s”."
                ),
                code="secrecy_marking_unit",
                params={"found": text},
            )
        )
    _raise(errors)
    raise ValidationError(
        _(
            "Write the marking as 绝密, 机密 or 秘密, optionally ★ and a term, e.g. 机密★5年; found “%(found)s”."
        ),
        code="secrecy_marking_invalid",
        params={"found": text},
    )


def validate_urgency(text: str, *, telegram: bool = False) -> None:
    """Refuse an urgency (紧急程度) the document or telegram may not carry."""
    allowed = URGENCY_TELEGRAM if telegram else URGENCY_DOCUMENT
    if text in allowed:
        return
    if text in URGENCY_TELEGRAM:
        raise ValidationError(
            _("%(found)s is for telegrams only; mark a document 特急 or 加急."),
            code="urgency_telegram_only",
            params={"found": text},
        )
    raise ValidationError(
        _("Mark the urgency as one of %(allowed)s; found “%(found)s”."),
        code="urgency_invalid",
        params={"allowed": "、".join(allowed), "found": text},
    )


# --- 成文日期 / 印发日期 (official dates) --------------------------------------------


def format_official_date(d: date) -> str:
    """Return the date in full Arabic digits without leading zeros: 2024年1月5日."""
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ValueError(f"year must be {MIN_YEAR}–{MAX_YEAR}: {d.year}")
    return f"{d.year}年{d.month}月{d.day}日"


def _chinese_number(text: str) -> int | None:
    """Return 二〇二四 as 2024 and 二十五 as 25, or None if it is not a number."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        digits = [_CHINESE_DIGITS.get(ch) for ch in text]
        return None if None in digits else int("".join(map(str, digits)))
    tens, _ten, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    high = _CHINESE_DIGITS.get(tens, -1) if tens else 1
    low = _CHINESE_DIGITS.get(units, -1) if units else 0
    return None if min(high, low) < 0 else high * 10 + low


def _suggest_date(year: int | None, month: int | None, day: int | None) -> str:
    """Return the official form of the date, or '' if it is no real date."""
    if year is None or month is None or day is None:
        return ""
    try:
        return format_official_date(date(year, month, day))
    except ValueError:
        return ""


def _date_shape_error(text: str) -> ValidationError | None:
    """Return the error for a date written in the wrong shape, if it is one."""
    separated = _DATE_SEPARATED_RE.match(text) or re.fullmatch(
        r"([0-9]{4})([0-9]{2})([0-9]{2})", text
    )
    if separated:
        y, m, d = (int(part) for part in separated.groups())
        suggestion = _suggest_date(y, m, d)
        return ValidationError(
            _(
                "Write the date with 年月日 and no leading zeros; found “%(found)s”, write %(date)s."
            )
            if suggestion
            else _("Write the date with 年月日, e.g. 2024年1月5日; found “%(found)s”."),
            code="date_separator",
            params={"found": text, "date": suggestion},
        )
    chinese = _DATE_CHINESE_RE.match(text)
    if chinese and set(text) & set(_CHINESE_NUMERAL):
        suggestion = _suggest_date(
            *(_chinese_number(part) for part in chinese.groups())
        )
        return ValidationError(
            _(
                "Write the date in Arabic digits, not Chinese numerals; found “%(found)s”, write %(date)s."
            )
            if suggestion
            else _(
                "Write the date in Arabic digits, e.g. 2024年1月5日, not Chinese numerals; found “%(found)s”."
            ),
            code="date_chinese_numerals",
            params={"found": text, "date": suggestion},
        )
    return None


def parse_official_date(text: str) -> date:
    """Return the date written as 2024年1月5日 (GB/T 9704 §7.3.5.4)."""
    text = text.strip()
    if not text:
        raise ValidationError(
            _("Give the date, e.g. 2024年1月5日."), code="date_required"
        )
    if _has_fullwidth_digits(text):
        raise ValidationError(
            _(
                "Write the date in half-width digits 0–9, e.g. 2024年1月5日; found “%(found)s”."
            ),
            code="date_fullwidth_digits",
            params={"found": text},
        )
    if shape_error := _date_shape_error(text):
        raise shape_error
    shape = _DATE_SHAPE_RE.match(text)
    if not shape:
        raise ValidationError(
            _(
                "Write the date as 2024年1月5日 (year in full, no leading zeros); found “%(found)s”."
            ),
            code="date_invalid",
            params={"found": text},
        )
    year, month, day = shape["year"], shape["month"], shape["day"]
    errors: list[ValidationError] = []
    if len(year) == 2:
        errors.append(
            ValidationError(
                _("Write the year in full, e.g. 2024年1月5日; found %(year)s年."),
                code="date_year_short",
                params={"year": year},
            )
        )
    elif len(year) != 4 or not MIN_YEAR <= int(year) <= MAX_YEAR:
        errors.append(
            ValidationError(
                _("Write a four-digit year from %(min)s to %(max)s; found %(year)s年."),
                code="date_year_range",
                params={"year": year, "min": MIN_YEAR, "max": MAX_YEAR},
            )
        )
    if any(len(part) > 1 and part.startswith("0") for part in (month, day)):
        errors.append(
            ValidationError(
                _(
                    "Write the month and day without leading zeros, e.g. 2024年1月5日; found “%(found)s”."
                ),
                code="date_leading_zero",
                params={"found": text},
            )
        )
    _raise(errors)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("There is no such date as %(found)s."),
            code="date_nonexistent",
            params={"found": text},
        ) from None


def validate_official_date(text: str) -> None:
    """Refuse a date not written as 2024年1月5日 or that does not exist."""
    parse_official_date(text)


# --- 标题 (title) ----------------------------------------------------------------


def validate_title(title: str, type_code: str) -> None:
    """Refuse a title that is empty, too long, punctuated at the end or wrongly typed."""
    validate_document_type(type_code)
    title = title.strip()
    type_name = TYPE_NAMES[type_code]
    if not title:
        raise ValidationError(_("Give the document a title."), code="title_required")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("A title has at most %(max)s characters; this one has %(length)s."),
            code="title_too_long",
            params={"max": TITLE_MAX_LENGTH, "length": len(title)},
        )
    if _ends_with_punctuation(title):
        raise ValidationError(
            _(
                "End the title with its document type (文种), with no punctuation after it; found “%(mark)s” at the end."
            ),
            code="title_trailing_punctuation",
            params={"mark": title[-1]},
        )
    wrong = next((n for n in NON_STATUTORY_TYPE_NAMES if title.endswith(n)), None)
    if wrong:
        raise ValidationError(
            _(
                "“%(found)s” is not a statutory document type; end the title with %(type)s. The 15 types are %(types)s."
            ),
            code="title_non_statutory_type",
            params={"found": wrong, "type": type_name, "types": _TYPE_LIST},
        )
    if title.endswith(TITLE_ENDINGS[type_code]):
        return
    other = max(
        (
            (ending, code)
            for code, endings in TITLE_ENDINGS.items()
            for ending in endings
            if code != type_code and title.endswith(ending)
        ),
        key=lambda pair: len(pair[0]),
        default=None,
    )
    if other:
        raise ValidationError(
            _(
                "The title ends with %(found)s but the document type is %(type)s; end the title with %(type)s or choose the type %(other)s."
            ),
            code="title_type_mismatch",
            params={
                "found": other[0],
                "type": type_name,
                "other": TYPE_NAMES[other[1]],
            },
        )
    raise ValidationError(
        _(
            "End the title with the document type (文种) %(type)s, e.g. 关于…的%(ending)s."
        ),
        code="title_missing_type",
        params={"type": type_name, "ending": TITLE_ENDINGS[type_code][0]},
    )


# --- 主送机关 / 抄送机关 (main recipients / cc) ----------------------------------------


def split_organisations(text: str) -> list[str]:
    """Return the organisation names of a 主送 or 抄送 list, in order."""
    return [
        name
        for part in _ORGANISATION_SEPARATOR_RE.split(text)
        if (name := part.strip())
    ]


def _organisation_errors(names: Sequence[str]) -> list[ValidationError]:
    """Return an error for each name ending in punctuation and for each repeat."""
    errors: list[ValidationError] = []
    seen: set[str] = set()
    for name in names:
        if name[-1] in "：:":
            errors.append(
                ValidationError(
                    _(
                        "Leave the colon off “%(name)s”: the system adds ： after the main recipients."
                    ),
                    code="organisation_name_colon",
                    params={"name": name},
                )
            )
        elif _ends_with_punctuation(name):
            errors.append(
                ValidationError(
                    _(
                        "Leave the punctuation off the end of “%(name)s”: names are separated by 、 or ， and the system adds the final mark."
                    ),
                    code="organisation_name_punctuation",
                    params={"name": name},
                )
            )
        if name in seen:
            errors.append(
                ValidationError(
                    _("%(name)s is listed twice."),
                    code="organisation_duplicate",
                    params={"name": name},
                )
            )
        seen.add(name)
    return errors


def validate_main_recipients(text: str, type_code: str) -> None:
    """Refuse a 主送机关 list that is missing, badly punctuated or too long for a 请示."""
    validate_document_type(type_code)
    names = split_organisations(text)
    if not names and type_code not in TYPES_WITHOUT_MAIN_RECIPIENT:
        raise ValidationError(
            _("A %(type)s needs at least one main recipient (主送机关)."),
            code="main_recipient_required",
            params={"type": TYPE_NAMES[type_code]},
        )
    errors = _organisation_errors(names)
    if type_code == "request" and len(names) > 1:
        errors.append(
            ValidationError(
                _(
                    "A 请示 deals with one matter and goes to one main recipient (一文一事); found %(count)s: %(names)s. Put the others in 抄送."
                ),
                code="request_single_recipient",
                params={"count": len(names), "names": "、".join(names)},
            )
        )
    _raise(errors)


def validate_cc_recipients(text: str) -> None:
    """Refuse a 抄送机关 list with badly punctuated or repeated names (empty is fine)."""
    _raise(_organisation_errors(split_organisations(text)))


def format_cc_line(names: Iterable[str]) -> str:
    """Return the 版记 cc line, e.g. 抄送：省委办公厅，省政府办公厅。 ('' for none)."""
    kept = [name.strip() for name in names if name.strip()]
    return f"抄送：{'，'.join(kept)}。" if kept else ""


def format_printing_line(organ: str, d: date) -> tuple[str, str]:
    """Return the 印发机关 and the 印发日期 text, e.g. ('…办公室', '2024年1月5日印发')."""
    if not organ.strip():
        raise ValueError("the printing organ is required")
    return organ.strip(), f"{format_official_date(d)}印发"


# --- 附件说明 (attachment note) ------------------------------------------------------


def validate_attachment_names(names: Sequence[str]) -> None:
    """Refuse attachment names that are blank, numbered by hand or end in punctuation."""
    errors: list[ValidationError] = []
    for position, raw in enumerate(names, start=1):
        name = raw.strip()
        if not name:
            errors.append(
                ValidationError(
                    _("Attachment %(position)s has no name."),
                    code="attachment_name_blank",
                    params={"position": position},
                )
            )
        elif _ends_with_punctuation(name):
            errors.append(
                ValidationError(
                    _(
                        "Leave the punctuation off the end of attachment %(position)s “%(name)s” (GB/T 9704 §7.3.4)."
                    ),
                    code="attachment_name_punctuation",
                    params={"position": position, "name": name},
                )
            )
        elif _NUMBERED_ATTACHMENT_RE.match(name):
            errors.append(
                ValidationError(
                    _(
                        "Give attachment %(position)s its name only: “%(name)s” starts with a number or 附件, and the system numbers attachments itself."
                    ),
                    code="attachment_name_numbered",
                    params={"position": position, "name": name},
                )
            )
    _raise(errors)


def format_attachment_note(names: Sequence[str]) -> list[str]:
    """Return the lines of the 附件说明: ['附件：1.甲', '2.乙'], ['附件：甲'] or []."""
    kept = [name.strip() for name in names]
    if len(kept) == 1:
        return [f"附件：{kept[0]}"]
    lines = [f"{number}.{name}" for number, name in enumerate(kept, start=1)]
    if lines:
        lines[0] = f"附件：{lines[0]}"
    return lines


# --- 签发人 (signers) and 页码 (pages) ----------------------------------------------


def validate_signers(
    *, type_code: str, signers: Sequence[str], upward: bool = False
) -> None:
    """Refuse an upward document (上行文) without a signer, or blank or repeated names."""
    validate_document_type(type_code)
    names = [name.strip() for name in signers]
    if any(not name for name in names):
        raise ValidationError(_("A signer's name is blank."), code="signer_blank")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(
            _("%(names)s is listed more than once as signer."),
            code="signer_duplicate",
            params={"names": "、".join(repeated)},
        )
    if not names and (upward or is_upward(type_code)):
        raise ValidationError(
            _(
                "A document sent to a superior (上行文, such as a 请示, 报告 or 议案) names its signer (签发人); this %(type)s has none."
            ),
            code="signer_required",
            params={"type": TYPE_NAMES[type_code]},
        )


def validate_page_count(n: int) -> None:
    """Refuse a page count below 1."""
    if n < 1:
        raise ValidationError(
            _("A document has at least 1 page; found %(count)s."),
            code="page_count_invalid",
            params={"count": n},
        )
