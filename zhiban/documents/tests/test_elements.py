"""The rules of the 18 elements: exact values for good input, a code for each mistake."""

# The subject is look-alike characters (〔〕 and its imitations, full-width digits).
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from zhiban.documents import elements
from zhiban.documents.elements import DocumentNumberParts


@pytest.fixture(autouse=True)
def _messages_in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def refused(call: Any, *args: Any, **kwargs: Any) -> tuple[list[str | None], str]:
    """Call and return the codes and the joined messages of the ValidationError."""
    with pytest.raises(ValidationError) as excinfo:
        call(*args, **kwargs)
    with translation.override("en"):
        return [e.code for e in excinfo.value.error_list], " ".join(
            excinfo.value.messages
        )


def assert_refused(call: Any, value: Any, code: str, fragment: str, **kw: Any) -> None:
    codes, message = refused(call, value, **kw)
    assert codes == [code]
    assert fragment in message


# --- document types -------------------------------------------------------------


def test_the_fifteen_statutory_types_in_the_order_of_the_regulation():
    assert [name for _code, name in elements.DOCUMENT_TYPES] == [
        "决议", "决定", "命令（令）", "公报", "公告", "通告", "意见", "通知",
        "通报", "报告", "请示", "批复", "议案", "函", "纪要",
    ]  # fmt: skip
    assert [code for code, _name in elements.DOCUMENT_TYPES] == [
        "resolution", "decision", "order", "communique", "announcement",
        "public_notice", "opinion", "notice", "circular", "report", "request",
        "reply", "motion", "letter", "minutes",
    ]  # fmt: skip
    assert elements.TYPE_NAMES["request"] == "请示"
    assert sorted(elements.UPWARD_TYPES) == ["motion", "report", "request"]


@pytest.mark.parametrize(
    ("type_code", "upward"),
    [("report", True), ("request", True), ("motion", True), ("opinion", False),
     ("notice", False), ("reply", False), ("unknown", False)],
)  # fmt: skip
def test_is_upward(type_code: str, upward: bool) -> None:
    assert elements.is_upward(type_code) is upward


def test_an_unknown_type_is_refused_with_the_list_of_the_fifteen():
    assert_refused(
        elements.validate_document_type,
        "memo",
        "document_type_invalid",
        "(决议、决定、命令（令）、公报、公告、通告、意见、通知、通报、报告、请示、批复、议案、函、纪要); found “memo”",
    )


# --- 发文字号 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("豫政办〔2024〕5号", ("豫政办", 2024, 5)),
        ("  中办发〔2012〕14号 \n", ("中办发", 2012, 14)),
        ("豫能集团办〔1999〕1234号", ("豫能集团办", 1999, 1234)),
        ("HNEG办〔2000〕10号", ("HNEG办", 2000, 10)),
        ("豫政〔1900〕1号", ("豫政", 1900, 1)),
        ("豫政〔2099〕100000号", ("豫政", 2099, 100000)),
    ],
)
def test_a_document_number_is_parsed(text: str, parts: tuple[str, int, int]) -> None:
    parsed = elements.parse_document_number(text)
    assert parsed == DocumentNumberParts(*parts)
    assert str(parsed) == text.strip()
    elements.validate_document_number(text)


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("豫政办[2024]5号", "document_number_bracket",
         "Put the year in 六角括号 〔〕, e.g. 豫政办〔2024〕5号; found [2024], which uses half-width square brackets [ ]."),
        ("豫政办［2024］5号", "document_number_bracket", "uses full-width square brackets ［］"),
        ("豫政办【2024】5号", "document_number_bracket", "found 【2024】, which uses lenticular brackets 【】"),
        ("豫政办〖2024〗5号", "document_number_bracket", "white lenticular brackets 〖〗"),
        ("豫政办﹝2024﹞5号", "document_number_bracket", "﹝﹞ (U+FE5D/FE5E, look-alikes of 〔〕)"),
        ("豫政办(2024)5号", "document_number_bracket", "half-width parentheses ( )"),
        ("豫政办（2024）5号", "document_number_bracket", "full-width parentheses （）"),
        ("豫政办〔2024]5号", "document_number_bracket", "found “〔2024]”."),
        ("豫政办2024-5号", "document_number_bracket", "found “2024-”."),
        ("豫政办〔24〕5号", "document_number_year_short",
         "Write the year in full inside 〔〕, e.g. 豫政办〔2024〕5号; found 〔24〕."),
        ("豫政办〔1899〕5号", "document_number_year_range", "from 1900 to 2099 inside 〔〕; found 〔1899〕."),
        ("豫政办〔2100〕5号", "document_number_year_range", "found 〔2100〕."),
        ("豫政办〔202〕5号", "document_number_year_range", "found 〔202〕."),
        ("豫政办〔2024〕第5号", "document_number_ordinal", "not 〔2024〕第5号."),
        ("豫政办〔2024〕05号", "document_number_leading_zero", "without leading zeros, e.g. 5号; found 05号."),
        ("豫政办〔2024〕005号", "document_number_leading_zero", "found 005号."),
        ("豫政办〔2024〕0号", "document_number_sequence_zero", "start at 1; found 0号."),
        ("豫政办〔2024〕5", "document_number_missing_hao", "End the document number with 号"),
        ("〔2024〕5号", "issuer_code_required", "Give the issuer code (机关代字)"),
        ("豫政2办〔2024〕5号", "issuer_code_invalid", "letters only, e.g. 豫政办; found “豫政2办”."),
        ("豫政办·〔2024〕5号", "issuer_code_invalid", "found “豫政办·”."),
        ("豫政办 〔2024〕 5号", "document_number_whitespace", "Remove the spaces"),
        ("豫政办〔２０２４〕5号", "document_number_fullwidth_digits", "half-width digits 0–9"),
        ("", "document_number_required", "Give the document number"),
        ("   ", "document_number_required", "Give the document number"),
        ("豫政办2024年5号", "document_number_invalid",
         "as 机关代字〔year〕sequence号, e.g. 豫政办〔2024〕5号; found “豫政办2024年5号”."),
        ("豫政办〔2024〕5号文", "document_number_invalid", "found “豫政办〔2024〕5号文”."),
        ("豫政办〔二〇二四〕五号", "document_number_invalid", "e.g. 豫政办〔2024〕5号"),
        ("豫政办〔2024〕" + "1" * 51 + "号", "document_number_too_long",
         "at most 60 characters; this one has 61."),
    ],
)  # fmt: skip
def test_each_document_number_mistake_has_its_own_message(
    text: str, code: str, fragment: str
) -> None:
    assert_refused(elements.parse_document_number, text, code, fragment)
    assert_refused(elements.validate_document_number, text, code, fragment)


def test_every_mistake_in_a_document_number_is_reported_at_once():
    codes, message = refused(elements.parse_document_number, "豫政办[24]第05号")
    assert codes == [
        "document_number_bracket",
        "document_number_year_short",
        "document_number_ordinal",
        "document_number_leading_zero",
    ]
    assert "found [24], which uses half-width square brackets" in message


@pytest.mark.parametrize(
    ("code", "year", "sequence"),
    [("", 2024, 1), ("豫 政", 2024, 1), ("豫政", 24, 1), ("豫政", 2100, 1), ("豫政", 2024, 0)],
)  # fmt: skip
def test_a_document_number_is_not_formatted_from_bad_parts(
    code: str, year: int, sequence: int
) -> None:
    with pytest.raises(ValueError):
        elements.format_document_number(code, year, sequence)


ISSUER_CODES = st.text(
    alphabet="豫政办国发函电字能源集团ABCxyz", min_size=1, max_size=10
)
YEARS = st.integers(min_value=1900, max_value=2099)
SEQUENCES = st.integers(min_value=1, max_value=10**6)


@given(code=ISSUER_CODES, year=YEARS, sequence=SEQUENCES)
def test_a_formatted_document_number_parses_back(
    code: str, year: int, sequence: int
) -> None:
    text = elements.format_document_number(code, year, sequence)
    assert text == f"{code}〔{year}〕{sequence}号"
    assert elements.parse_document_number(text) == DocumentNumberParts(
        code, year, sequence
    )


@given(
    code=ISSUER_CODES,
    year=YEARS,
    sequence=SEQUENCES,
    brackets=st.sampled_from(["[]", "［］", "【】", "〖〗", "﹝﹞", "()", "（）"]),
    zeros=st.integers(min_value=0, max_value=3),
)
def test_look_alike_brackets_and_leading_zeros_are_always_named(
    code: str, year: int, sequence: int, brackets: str, zeros: int
) -> None:
    text = f"{code}{brackets[0]}{year}{brackets[1]}{'0' * zeros}{sequence}号"
    with pytest.raises(ValidationError) as excinfo:
        elements.parse_document_number(text)
    codes = [e.code for e in excinfo.value.error_list]
    assert codes == ["document_number_bracket"] + (
        ["document_number_leading_zero"] if zeros else []
    )


# --- 份号 ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["000001", "123456", "999999"])
def test_a_six_digit_copy_number_is_accepted(text: str) -> None:
    elements.validate_copy_number(text)


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("1", "copy_number_invalid", "six digits 0–9, e.g. 000001; found “1”."),
        ("00001", "copy_number_invalid", "found “00001”."),
        ("0000001", "copy_number_invalid", "found “0000001”."),
        ("00000a", "copy_number_invalid", "found “00000a”."),
        ("００００01", "copy_number_invalid", "found “００００01”."),
        ("000000", "copy_number_zero", "start at 000001"),
    ],
)
def test_a_copy_number_that_is_not_six_digits_is_refused(
    text: str, code: str, fragment: str
) -> None:
    assert_refused(elements.validate_copy_number, text, code, fragment)


@pytest.mark.parametrize(
    ("n", "text"), [(1, "000001"), (42, "000042"), (999999, "999999")]
)
def test_format_copy_number(n: int, text: str) -> None:
    assert elements.format_copy_number(n) == text
    elements.validate_copy_number(text)


@pytest.mark.parametrize("n", [0, -1, 1_000_000])
def test_a_copy_number_out_of_range_is_not_formatted(n: int) -> None:
    with pytest.raises(ValueError):
        elements.format_copy_number(n)


# --- 密级和保密期限 -----------------------------------------------------------------


def test_the_national_levels_and_their_longest_terms():
    assert elements.SECRECY_LEVELS == (("绝密", 30), ("机密", 20), ("秘密", 10))


@pytest.mark.parametrize(
    ("level", "years", "months"),
    [("绝密", 30, None), ("机密", 20, None), ("秘密", 10, None), ("秘密", 1, None),
     ("秘密", None, 11), ("机密", None, 1), ("机密", None, None), ("", None, None),
     ("核心商密", 50, None), ("普通商密", None, 18)],
)  # fmt: skip
def test_a_secrecy_term_within_the_rules_is_accepted(
    level: str, years: int | None, months: int | None
) -> None:
    elements.validate_secrecy_term(level, years, months)


@pytest.mark.parametrize(
    ("level", "years", "months", "code", "fragment"),
    [
        ("绝密", 31, None, "secrecy_term_too_long", "The longest secrecy term for 绝密 is 30 years; found 31年."),
        ("机密", 21, None, "secrecy_term_too_long", "for 机密 is 20 years; found 21年."),
        ("秘密", 11, None, "secrecy_term_too_long", "for 秘密 is 10 years; found 11年."),
        ("秘密", 1, 6, "secrecy_term_both", "not both; found 1年 and 6个月."),
        ("核心商密", 1, 6, "secrecy_term_both", "not both"),
        ("秘密", None, 12, "secrecy_term_months_range", "in whole years (年); months are for terms of 1 to 11 months; found 12个月."),
        ("机密", None, 30, "secrecy_term_months_range", "found 30个月."),
        ("秘密", 0, None, "secrecy_term_not_positive", "at least 1; found 0年."),
        ("普通商密", None, 0, "secrecy_term_not_positive", "found 0个月."),
        ("", 5, None, "secrecy_term_without_level", "needs a classification level (密级)"),
    ],
)  # fmt: skip
def test_a_secrecy_term_the_level_does_not_allow_is_refused(
    level: str, years: int | None, months: int | None, code: str, fragment: str
) -> None:
    codes, message = refused(elements.validate_secrecy_term, level, years, months)
    assert codes == [code]
    assert fragment in message


@pytest.mark.parametrize(
    ("arguments", "marking"),
    [
        ({"level_name": "机密", "term_years": 5}, "机密★5年"),
        ({"level_name": "秘密", "term_months": 6}, "秘密★6个月"),
        ({"level_name": "核心商密", "term_text": "长期"}, "核心商密★长期"),
        ({"level_name": "普通商密", "term_text": "公布前"}, "普通商密★公布前"),
        ({"level_name": "绝密"}, "绝密"),
    ],
)
def test_secrecy_marking(arguments: dict[str, Any], marking: str) -> None:
    assert elements.secrecy_marking(**arguments) == marking


@pytest.mark.parametrize(
    "arguments",
    [{"level_name": ""}, {"level_name": "机密", "term_years": 1, "term_months": 6},
     {"level_name": "核心商密", "term_years": 1, "term_text": "长期"}],
)  # fmt: skip
def test_a_marking_with_no_level_or_two_terms_is_not_built(
    arguments: dict[str, Any],
) -> None:
    with pytest.raises(ValueError):
        elements.secrecy_marking(**arguments)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("机密★5年", ("机密", 5, None)), ("秘密★6个月", ("秘密", None, 6)),
     ("绝密", ("绝密", None, None)), (" 秘密★10年 ", ("秘密", 10, None)),
     ("绝密★30年", ("绝密", 30, None))],
)  # fmt: skip
def test_a_national_marking_is_parsed(
    text: str, parsed: tuple[str, int | None, int | None]
) -> None:
    assert elements.parse_secrecy_marking(text) == parsed


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("机密☆5年", "secrecy_marking_star", "Put ★ (U+2605) between the level and the term, e.g. 机密★5年; found “机密☆5年”."),
        ("机密*5年", "secrecy_marking_star", "found “机密*5年”."),
        ("机密5年", "secrecy_marking_star", "found “机密5年”."),
        ("秘密★6月", "secrecy_marking_unit", "in 年 or 个月, e.g. 机密★5年 or 秘密★6个月; found “秘密★6月”."),
        ("机密★5", "secrecy_marking_unit", "found “机密★5”."),
        ("机密★25年", "secrecy_term_too_long", "for 机密 is 20 years; found 25年."),
        ("秘密★12个月", "secrecy_term_months_range", "found 12个月."),
        ("核心商密★长期", "secrecy_marking_invalid", "as 绝密, 机密 or 秘密"),
        ("内部", "secrecy_marking_invalid", "found “内部”."),
        ("", "secrecy_marking_invalid", "e.g. 机密★5年"),
    ],
)  # fmt: skip
def test_each_marking_mistake_has_its_own_message(
    text: str, code: str, fragment: str
) -> None:
    assert_refused(elements.parse_secrecy_marking, text, code, fragment)


def test_a_marking_with_the_wrong_star_and_unit_reports_both():
    codes, _message = refused(elements.parse_secrecy_marking, "机密☆5月")
    assert codes == ["secrecy_marking_star", "secrecy_marking_unit"]


# --- 紧急程度 ------------------------------------------------------------------------


def test_urgency_values():
    assert elements.URGENCY_DOCUMENT == ("特急", "加急")
    assert elements.URGENCY_TELEGRAM == ("特提", "特急", "加急", "平急")


@pytest.mark.parametrize(
    ("text", "telegram"),
    [("特急", False), ("加急", False), ("特提", True), ("平急", True), ("特急", True)],
)
def test_an_allowed_urgency_is_accepted(text: str, telegram: bool) -> None:
    elements.validate_urgency(text, telegram=telegram)


@pytest.mark.parametrize(
    ("text", "telegram", "code", "fragment"),
    [
        ("平急", False, "urgency_telegram_only", "平急 is for telegrams only; mark a document 特急 or 加急."),
        ("特提", False, "urgency_telegram_only", "特提 is for telegrams only"),
        ("紧急", False, "urgency_invalid", "one of 特急、加急; found “紧急”."),
        ("紧急", True, "urgency_invalid", "one of 特提、特急、加急、平急; found “紧急”."),
    ],
)  # fmt: skip
def test_an_urgency_the_document_may_not_carry_is_refused(
    text: str, telegram: bool, code: str, fragment: str
) -> None:
    assert_refused(elements.validate_urgency, text, code, fragment, telegram=telegram)


# --- 成文日期 / 印发日期 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2024, 1, 5), "2024年1月5日"), (date(2024, 12, 31), "2024年12月31日"),
     (date(1900, 1, 1), "1900年1月1日"), (date(2099, 10, 10), "2099年10月10日")],
)  # fmt: skip
def test_an_official_date_is_written_without_leading_zeros(
    day: date, text: str
) -> None:
    assert elements.format_official_date(day) == text
    assert elements.parse_official_date(text) == day


@pytest.mark.parametrize("day", [date(1899, 12, 31), date(2100, 1, 1)])
def test_a_date_outside_the_years_is_not_formatted(day: date) -> None:
    with pytest.raises(ValueError):
        elements.format_official_date(day)


@pytest.mark.parametrize(
    ("text", "day"),
    [(" 2024年2月29日 ", date(2024, 2, 29)), ("2000年2月29日", date(2000, 2, 29))],
)
def test_an_official_date_is_parsed(text: str, day: date) -> None:
    assert elements.parse_official_date(text) == day
    elements.validate_official_date(text)


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("2024年01月05日", "date_leading_zero",
         "without leading zeros, e.g. 2024年1月5日; found “2024年01月05日”."),
        ("2024年1月05日", "date_leading_zero", "found “2024年1月05日”."),
        ("二〇二四年一月五日", "date_chinese_numerals",
         "in Arabic digits, not Chinese numerals; found “二〇二四年一月五日”, write 2024年1月5日."),
        ("二〇二四年十二月三十一日", "date_chinese_numerals", "write 2024年12月31日."),
        ("2024年十月二十日", "date_chinese_numerals", "write 2024年10月20日."),
        ("二〇二四年二月三十日", "date_chinese_numerals", "e.g. 2024年1月5日, not Chinese numerals"),
        ("2024.1.5", "date_separator", "with 年月日 and no leading zeros; found “2024.1.5”, write 2024年1月5日."),
        ("2024-1-5", "date_separator", "found “2024-1-5”, write 2024年1月5日."),
        ("2024/1/5", "date_separator", "found “2024/1/5”, write 2024年1月5日."),
        ("2024-01-05", "date_separator", "write 2024年1月5日."),
        ("20240105", "date_separator", "write 2024年1月5日."),
        ("24-1-5", "date_separator", "with 年月日, e.g. 2024年1月5日; found “24-1-5”."),
        ("24年1月5日", "date_year_short", "Write the year in full, e.g. 2024年1月5日; found 24年."),
        ("1899年1月1日", "date_year_range", "from 1900 to 2099; found 1899年."),
        ("2024年2月30日", "date_nonexistent", "There is no such date as 2024年2月30日."),
        ("2023年2月29日", "date_nonexistent", "2023年2月29日"),
        ("2024年13月1日", "date_nonexistent", "2024年13月1日"),
        ("2024年4月31日", "date_nonexistent", "2024年4月31日"),
        ("２０２４年1月5日", "date_fullwidth_digits", "half-width digits 0–9"),
        ("", "date_required", "Give the date"),
        ("2024年1月5号", "date_invalid", "as 2024年1月5日 (year in full, no leading zeros); found “2024年1月5号”."),
        ("2024年1月", "date_invalid", "found “2024年1月”."),
    ],
)  # fmt: skip
def test_each_date_mistake_has_its_own_message(
    text: str, code: str, fragment: str
) -> None:
    assert_refused(elements.parse_official_date, text, code, fragment)
    assert_refused(elements.validate_official_date, text, code, fragment)


def test_a_short_year_and_leading_zeros_are_reported_together():
    codes, _message = refused(elements.parse_official_date, "24年01月05日")
    assert codes == ["date_year_short", "date_leading_zero"]


DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@given(day=DAYS)
def test_a_formatted_date_parses_back(day: date) -> None:
    text = elements.format_official_date(day)
    assert "年0" not in text
    assert "月0" not in text
    assert elements.parse_official_date(text) == day


@given(day=DAYS.filter(lambda d: d.month < 10 or d.day < 10))
def test_a_zero_padded_date_is_always_refused(day: date) -> None:
    codes, _message = refused(
        elements.parse_official_date, f"{day.year}年{day.month:02d}月{day.day:02d}日"
    )
    assert codes == ["date_leading_zero"]


@given(day=DAYS, separator=st.sampled_from([".", "-", "/"]))
def test_a_date_with_separators_is_refused_with_the_right_form(
    day: date, separator: str
) -> None:
    text = separator.join(str(part) for part in (day.year, day.month, day.day))
    codes, message = refused(elements.parse_official_date, text)
    assert codes == ["date_separator"]
    assert message.endswith(f"write {elements.format_official_date(day)}.")


# --- 标题 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "type_code"),
    [
        ("关于加强安全生产工作的通知", "notice"),
        ("河南能源集团关于2024年度预算调整的请示", "request"),
        ("关于印发《安全生产责任制规定》的通知", "notice"),
        ("关于转发省国资委《关于做好“十五五”规划编制工作的通知》的通知", "notice"),
        ("中华人民共和国国务院令", "order"),
        ("关于授予张三同志荣誉称号的命令", "order"),
        ("2024年第3次总经理办公会会议纪要", "minutes"),
        ("党委会纪要", "minutes"),
        ("关于同意设立研发中心的批复", "reply"),
        ("关于商请支持煤矿安全检查的函", "letter"),
        ("关于2024年安全生产情况的报告", "report"),
        ("关于进一步深化改革的实施意见", "opinion"),
        ("  关于加强安全生产工作的通知  ", "notice"),
        ("关于" + "安" * 195 + "的通知", "notice"),
    ],
)
def test_a_title_ending_with_its_type_is_accepted(title: str, type_code: str) -> None:
    elements.validate_title(title, type_code)


@pytest.mark.parametrize(("type_code", "endings"), elements.TITLE_ENDINGS.items())
def test_every_type_accepts_its_own_endings(
    type_code: str, endings: tuple[str, ...]
) -> None:
    for ending in endings:
        elements.validate_title(f"关于测试事项的{ending}", type_code)


@pytest.mark.parametrize(
    ("title", "type_code", "code", "fragment"),
    [
        ("", "notice", "title_required", "Give the document a title."),
        ("   ", "notice", "title_required", "Give the document a title."),
        ("关于" + "安" * 196 + "的通知", "notice", "title_too_long",
         "at most 200 characters; this one has 201."),
        ("关于加强安全生产工作的通知。", "notice", "title_trailing_punctuation",
         "no punctuation after it; found “。” at the end."),
        ("关于加强安全生产工作的通知！", "notice", "title_trailing_punctuation", "found “！”"),
        ("关于召开会议的通知,", "notice", "title_trailing_punctuation", "found “,”"),
        ("关于购置设备的请示报告", "request", "title_non_statutory_type",
         "“请示报告” is not a statutory document type; end the title with 请示. The 15 types are 决议、决定、命令（令）、公报、公告、通告、意见、通知、通报、报告、请示、批复、议案、函、纪要."),
        ("关于购置设备的请示报告", "report", "title_non_statutory_type", "end the title with 报告"),
        ("关于购置设备的申请报告", "request", "title_non_statutory_type", "“申请报告” is not"),
        ("关于上半年工作的汇报", "report", "title_non_statutory_type", "“汇报” is not"),
        ("关于购置车辆的申请", "request", "title_non_statutory_type", "“申请” is not"),
        ("安全生产管理办法", "notice", "title_non_statutory_type", "“办法” is not"),
        ("关于购置设备的报告", "request", "title_type_mismatch",
         "ends with 报告 but the document type is 请示; end the title with 请示 or choose the type 报告."),
        ("关于安全检查情况的通知", "circular", "title_type_mismatch", "choose the type 通知"),
        ("关于表彰先进的决定", "resolution", "title_type_mismatch", "ends with 决定"),
        ("国务院令", "notice", "title_type_mismatch", "choose the type 命令（令）"),
        ("关于加强安全生产工作", "notice", "title_missing_type",
         "End the title with the document type (文种) 通知, e.g. 关于…的通知."),
        ("关于购置设备", "order", "title_missing_type", "命令（令）, e.g. 关于…的命令."),
        ("关于加强安全生产工作的通知", "memo", "document_type_invalid", "found “memo”"),
    ],
)  # fmt: skip
def test_each_title_mistake_has_its_own_message(
    title: str, type_code: str, code: str, fragment: str
) -> None:
    codes, message = refused(elements.validate_title, title, type_code)
    assert codes == [code]
    assert fragment in message


# --- 主送机关 / 抄送机关 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("省委办公厅、省政府办公厅，省发展改革委；\n 省财政厅,省国资委;  ",
         ["省委办公厅", "省政府办公厅", "省发展改革委", "省财政厅", "省国资委"]),
        ("集团各部门", ["集团各部门"]),
        ("  ", []),
        ("", []),
        ("、，甲\r\n\n乙、", ["甲", "乙"]),
    ],
)  # fmt: skip
def test_split_organisations(text: str, names: list[str]) -> None:
    assert elements.split_organisations(text) == names


@pytest.mark.parametrize(
    ("text", "type_code"),
    [("集团各部门", "notice"), ("省国资委", "request"), ("各二级单位、集团各部门", "notice"),
     ("省国资委", "report"), ("", "announcement"), ("", "minutes"), ("", "order")],
)  # fmt: skip
def test_main_recipients_within_the_rules_are_accepted(
    text: str, type_code: str
) -> None:
    elements.validate_main_recipients(text, type_code)


@pytest.mark.parametrize(
    ("text", "type_code", "code", "fragment"),
    [
        ("", "notice", "main_recipient_required", "A 通知 needs at least one main recipient (主送机关)."),
        (" 、 ", "request", "main_recipient_required", "A 请示 needs"),
        ("省国资委、省发展改革委", "request", "request_single_recipient",
         "goes to one main recipient (一文一事); found 2: 省国资委、省发展改革委. Put the others in 抄送."),
        ("集团各部门：", "notice", "organisation_name_colon",
         "Leave the colon off “集团各部门：”: the system adds ："),
        ("集团各部门:", "notice", "organisation_name_colon", "“集团各部门:”"),
        ("集团各部门。", "notice", "organisation_name_punctuation", "off the end of “集团各部门。”"),
        ("集团各部门、集团各部门", "notice", "organisation_duplicate", "集团各部门 is listed twice."),
        ("集团各部门", "memo", "document_type_invalid", "found “memo”"),
    ],
)  # fmt: skip
def test_each_main_recipient_mistake_has_its_own_message(
    text: str, type_code: str, code: str, fragment: str
) -> None:
    codes, message = refused(elements.validate_main_recipients, text, type_code)
    assert codes == [code]
    assert fragment in message


def test_a_request_to_two_bodies_with_a_colon_reports_both():
    codes, _message = refused(
        elements.validate_main_recipients, "省国资委：、省发展改革委", "request"
    )
    assert codes == ["organisation_name_colon", "request_single_recipient"]


@pytest.mark.parametrize("text", ["", "省委办公厅，省政府办公厅", "各二级单位"])
def test_cc_recipients_within_the_rules_are_accepted(text: str) -> None:
    elements.validate_cc_recipients(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [("省委办公厅。", "organisation_name_punctuation"),
     ("省委办公厅，省委办公厅", "organisation_duplicate")],
)  # fmt: skip
def test_cc_recipient_mistakes_are_refused(text: str, code: str) -> None:
    codes, _message = refused(elements.validate_cc_recipients, text)
    assert codes == [code]


@pytest.mark.parametrize(
    ("names", "line"),
    [(["省委办公厅", "省政府办公厅"], "抄送：省委办公厅，省政府办公厅。"),
     ([" 省国资委 ", ""], "抄送：省国资委。"), ([], "")],
)  # fmt: skip
def test_format_cc_line(names: list[str], line: str) -> None:
    assert elements.format_cc_line(names) == line


def test_format_printing_line():
    assert elements.format_printing_line(" 集团办公室 ", date(2024, 1, 5)) == (
        "集团办公室",
        "2024年1月5日印发",
    )
    with pytest.raises(ValueError):
        elements.format_printing_line("  ", date(2024, 1, 5))


# --- 附件说明 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        [],
        ["2024年度预算表"],
        ["安全检查情况表", "整改清单（2024年）"],
        ["《安全生产法》解读"],
    ],
)
def test_attachment_names_within_the_rules_are_accepted(names: list[str]) -> None:
    elements.validate_attachment_names(names)


@pytest.mark.parametrize(
    ("names", "code", "fragment"),
    [
        (["预算表。"], "attachment_name_punctuation",
         "Leave the punctuation off the end of attachment 1 “预算表。”"),
        (["甲", "名单；"], "attachment_name_punctuation", "attachment 2 “名单；”"),
        (["名单:"], "attachment_name_punctuation", "“名单:”"),
        (["名单,"], "attachment_name_punctuation", "“名单,”"),
        (["名单、"], "attachment_name_punctuation", "“名单、”"),
        (["甲", "  "], "attachment_name_blank", "Attachment 2 has no name."),
        (["1.预算表"], "attachment_name_numbered", "its name only: “1.预算表” starts with a number or 附件, and the system numbers attachments itself."),
        (["附件1：预算表"], "attachment_name_numbered", "“附件1：预算表”"),
        (["附件：预算表"], "attachment_name_numbered", "“附件：预算表”"),
    ],
)  # fmt: skip
def test_each_attachment_name_mistake_names_the_attachment(
    names: list[str], code: str, fragment: str
) -> None:
    codes, message = refused(elements.validate_attachment_names, names)
    assert codes == [code]
    assert fragment in message


def test_every_bad_attachment_name_is_reported():
    codes, _message = refused(elements.validate_attachment_names, ["甲。", "", "2.乙"])
    assert codes == [
        "attachment_name_punctuation",
        "attachment_name_blank",
        "attachment_name_numbered",
    ]


@pytest.mark.parametrize(
    ("names", "lines"),
    [([], []), (["预算表"], ["附件：预算表"]),
     (["甲", "乙", "丙"], ["附件：1.甲", "2.乙", "3.丙"])],
)  # fmt: skip
def test_format_attachment_note(names: list[str], lines: list[str]) -> None:
    assert elements.format_attachment_note(names) == lines


# --- 签发人 and 页码 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_code", "signers", "upward"),
    [("request", ["张三"], False), ("report", ["张三", "李四"], False),
     ("notice", [], False), ("opinion", [], False), ("opinion", ["王五"], True)],
)  # fmt: skip
def test_signers_within_the_rules_are_accepted(
    type_code: str, signers: list[str], upward: bool
) -> None:
    elements.validate_signers(type_code=type_code, signers=signers, upward=upward)


@pytest.mark.parametrize(
    ("type_code", "signers", "upward", "code", "fragment"),
    [
        ("request", [], False, "signer_required", "names its signer (签发人); this 请示 has none."),
        ("report", [], False, "signer_required", "this 报告 has none."),
        ("motion", [], False, "signer_required", "this 议案 has none."),
        ("opinion", [], True, "signer_required", "this 意见 has none."),
        ("request", ["张三", " "], False, "signer_blank", "A signer's name is blank."),
        ("request", ["张三", "张三"], False, "signer_duplicate", "张三 is listed more than once"),
        ("memo", ["张三"], False, "document_type_invalid", "found “memo”"),
    ],
)  # fmt: skip
def test_each_signer_mistake_has_its_own_message(
    type_code: str, signers: list[str], upward: bool, code: str, fragment: str
) -> None:
    codes, message = refused(
        elements.validate_signers, type_code=type_code, signers=signers, upward=upward
    )
    assert codes == [code]
    assert fragment in message


def test_page_count():
    elements.validate_page_count(1)
    for n in (0, -3):
        assert_refused(
            elements.validate_page_count, n, "page_count_invalid", f"found {n}."
        )
