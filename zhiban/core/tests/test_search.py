"""The search backend: terms from texts and queries, and the index on either database."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiban.core import search
from zhiban.core.search import Term, query_terms, text_terms

BODY = (
    "为深入贯彻落实集团公司安全生产工作会议精神，进一步加强煤矿安全生产管理，"
    "现将有关事项通知如下：一、各单位要认真组织开展隐患排查治理，对发现的问题"
    "要立即整改。二、严格执行领导干部带班下井制度。请于2026年12月5日前报送。"
)


def found(kind: str, query: str, *, heading_only: bool = False) -> set[int]:
    match = search.search(kind, query)
    assert match is not None
    ids = match.heading_object_ids() if heading_only else match.object_ids()
    with connection.cursor() as cursor:
        cursor.execute(ids.sql, ids.params)
        return {row[0] for row in cursor.fetchall()}


def rows(kind: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM core_search_{kind}")
        return cursor.fetchone()[0]


@pytest.fixture
def note(db):
    """A second kind of object, its table made for the test (rolled back after)."""
    with connection.cursor() as cursor:
        for statement in search.create_statements("note", connection.vendor):
            cursor.execute(statement)
    return "note"


def in_text(text: str, query: str) -> bool:
    """Return whether the terms of the text hold every term of the query."""
    terms = set(text_terms(text))
    return all(
        any(t.startswith(term.text) for t in terms)
        if term.prefix
        else term.text in terms
        for term in query_terms(query)
    )


# --- terms -----------------------------------------------------------------------


def test_a_chinese_text_gives_its_bigrams_and_the_last_character_of_each_run():
    assert text_terms("安全生产，检查") == ["安全", "全生", "生产", "产", "检查", "查"]


def test_a_document_number_gives_its_parts_and_their_neighbours():
    terms = text_terms("豫政办〔2026〕5号")

    assert terms == ["豫政", "政办", "办", "2026", "5", "5号", "号"]


def test_latin_letters_and_full_width_digits_are_folded():
    full_width = "\uff19\uff17\uff10\uff14"  # 9704 in full-width digits

    assert text_terms(f"GB/T {full_width}—2012") == ["gb", "t", "9704", "2012"]


def test_jieba_cuts_a_query_into_words_and_each_word_into_bigrams():
    assert query_terms("煤矿隐患整改") == [Term("煤矿"), Term("隐患"), Term("整改")]


def test_a_character_jieba_leaves_alone_joins_the_next_word():
    # jieba: 安全 / 生产 / 大 / 检查; 大 goes with 检查.
    assert query_terms("安全生产大检查") == [
        Term("安全"),
        Term("生产"),
        Term("大检"),
        Term("检查"),
    ]


def test_one_chinese_character_looks_for_terms_that_begin_with_it():
    assert query_terms("函") == [Term("函", prefix=True)]


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "()", "〔〕", "——", "-"])
def test_a_query_without_letters_digits_or_characters_has_no_terms(query):
    assert query_terms(query) == []
    assert search.search("note", query) is None


@pytest.mark.parametrize(
    "query",
    ["安全", "生产", "排查", "隐患", "整改", "煤矿", "带班", "下井", "会议精神"],
)
def test_every_two_character_word_of_a_text_is_in_its_terms(query):
    assert in_text(BODY, query)


@pytest.mark.parametrize("query", ["航天", "生安", "隐患整治", "2027"])
def test_a_word_that_is_not_in_the_text_is_not_in_its_terms(query):
    assert not in_text(BODY, query)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="安全生产检查隐患整改煤矿的大，。 〔〕", max_size=60),
    data=st.data(),
)
def test_any_piece_of_a_text_finds_the_text(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))

    assert in_text(text, text[start:end])


# --- the index -------------------------------------------------------------------


def test_a_kind_must_be_a_plain_name():
    with pytest.raises(ValueError, match="Not a search kind"):
        search.search("document; DROP TABLE x", "隐患")


@pytest.mark.django_db
def test_an_indexed_object_is_found_by_its_heading_and_its_body():
    search.index("document", 7, heading="关于加强煤矿安全生产的通知", body=BODY)
    search.index(
        "document", 8, heading="关于召开年度工作会议的通知", body="会议时间另行通知。"
    )

    assert found("document", "煤矿") == {7}
    assert found("document", "整改") == {7}
    assert found("document", "通知") == {7, 8}
    assert found("document", "航天") == set()


@pytest.mark.django_db
def test_the_heading_ids_are_those_whose_heading_holds_every_term():
    search.index("document", 1, heading="年度工作会议", body="加强隐患排查")
    search.index("document", 2, heading="隐患排查治理", body="")

    assert found("document", "隐患", heading_only=True) == {2}
    assert found("document", "隐患 会议", heading_only=True) == set()
    assert found("document", "隐患 会议") == {1}


def test_kinds_are_searched_apart(note):
    search.index("note", 1, heading="隐患排查")
    search.index("document", 1, heading="年度报表")

    assert found("note", "隐患") == {1}
    assert found("document", "隐患") == set()


@pytest.mark.django_db
def test_indexing_again_replaces_the_terms():
    search.index("document", 1, heading="隐患排查")

    search.index("document", 1, heading="年度报表")

    assert found("document", "隐患") == set()
    assert found("document", "报表") == {1}
    assert rows("document") == 1


@pytest.mark.django_db
def test_a_removed_object_is_not_found():
    search.index("document", 1, heading="隐患排查")
    search.index("document", 2, heading="隐患治理")

    search.remove("document", 1)

    assert found("document", "隐患") == {2}


def test_clearing_a_kind_leaves_the_others(note):
    search.index("note", 1, heading="隐患排查")
    search.index("document", 1, heading="隐患排查")

    search.clear("note")

    assert found("note", "隐患") == set()
    assert found("document", "隐患") == {1}


@pytest.mark.django_db
def test_retain_keeps_only_the_ids_of_the_subquery():
    from zhiban.org.models import Unit

    kept = Unit.objects.create(code="U1", name="集团本部")
    search.index("document", kept.pk, heading="隐患排查")
    search.index("document", kept.pk + 1000, heading="隐患治理")

    search.retain("document", Unit.objects.order_by().values("pk"))

    assert found("document", "隐患") == {kept.pk}


@pytest.mark.django_db
def test_index_many_indexes_a_batch():
    count = search.index_many(
        "document",
        [search.SearchText(i, f"第{i}号通知", "隐患排查治理") for i in range(1, 301)],
    )
    search.optimize("document")

    assert count == 300
    assert len(found("document", "隐患")) == 300
    assert found("document", "第7号") == {7}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"隐患', {1}),
        ("隐患*", {1}),
        ("(隐患)", {1}),
        ("隐患 排查", {1}),
        ("隐 患", {1}),  # two one-character prefixes
        ('"隐患" OR "报表"', set()),  # OR is a word, and not in the text
        ("隐患 AND 排查", set()),
        ("NEAR(隐患 排查)", set()),
        ("heading:隐患", set()),
        ("{heading} : 隐患", set()),  # "heading" is a word like any other
        ("隐患'; DROP TABLE core_search_document; --", set()),
        ("\\'隐患", {1}),
    ],
)
def test_query_syntax_is_text_never_fts_or_sql(query, expected):
    search.index("document", 1, heading="隐患排查", body="")

    assert found("document", query) == expected
    assert rows("document") == 1
