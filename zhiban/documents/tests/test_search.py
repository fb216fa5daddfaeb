"""Full-text search in the registers: any word finds a document the user may see."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from zhiban.core import search
from zhiban.documents import selectors, services
from zhiban.documents.models import Direction, Document, DocumentNumber
from zhiban.documents.search import document_search_text
from zhiban.org.models import User

from .conftest import classified, incoming, make_series, outgoing

pytestmark = pytest.mark.django_db

BODY = (
    "为深入贯彻落实集团公司安全生产工作会议精神，进一步加强煤矿安全生产管理，"
    "切实做好岁末年初各项工作，现将有关事项通知如下。\n"
    "一、各单位要高度重视，认真组织开展隐患排查治理，对发现的问题要立即整改，"
    "确保责任落实到人。\n"
    "二、严格执行领导干部带班下井制度，加强瓦斯综合治理和顶板管理，严防重特大"
    "事故发生。\n"
    "三、请于2026年12月5日前将检查情况报送集团公司办公室。"
)


def indexed_ids() -> set[int]:
    column = "rowid" if connection.vendor == "sqlite" else "object_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM core_search_document")
        return {row[0] for row in cursor.fetchall()}


def found(user: User, query: str) -> list[str]:
    return list(
        selectors.document_search_for(user=user, query=query).values_list(
            "title", flat=True
        )
    )


@pytest.fixture
def notice(org):
    """An incoming notice with a realistic body, handled by production."""
    return incoming(org, body=BODY)


@pytest.mark.parametrize(
    "word",
    [
        "安全",
        "生产",
        "检查",
        "隐患",
        "整改",
        "煤矿",
        "瓦斯",
        "顶板",
        "带班",
        "下井",
        "治理",
        "事故",
        "岁末",
        "年初",
        "办公",
        "集团",
    ],
)
def test_every_two_character_word_of_the_body_finds_the_document(org, notice, word):
    assert found(org["people"]["clerk"], word) == [notice.title]


@pytest.mark.parametrize(
    "query",
    [
        "煤矿 隐患 整改",  # words apart
        "煤矿隐患整改",  # the same words run together: jieba cuts them
        "安全生产管理",
        "领导干部带班下井制度",
        "冬季安全生产",  # the title
        "河南省应急管理厅",  # the sender
        "应急管理",
        "瓦斯 河南",  # one word in the body, one in the sender
    ],
)
def test_several_words_find_the_document_that_holds_them_all(org, notice, query):
    assert found(org["people"]["clerk"], query) == [notice.title]


@pytest.mark.parametrize(
    "query", ["豫应急〔2026〕12号", "豫应急", "2026", "12号", "〔2026〕12号"]
)
def test_the_document_number_or_a_part_of_it_finds_the_document(org, notice, query):
    assert found(org["people"]["clerk"], query) == [notice.title]


@pytest.mark.parametrize(
    "query", ["航天", "豫应急〔2026〕13号", "2025", "煤矿 航天", "整改通知书"]
)
def test_a_word_not_in_the_document_finds_nothing(org, notice, query):
    assert found(org["people"]["clerk"], query) == []


def test_a_whole_phrase_finds_the_document_that_holds_it(org):
    outgoing(org)  # 关于开展安全生产大检查的通知
    outgoing(org, title="关于召开年度工作会议的通知")

    assert found(org["people"]["clerk"], "安全生产大检查") == [
        "关于开展安全生产大检查的通知"
    ]


@pytest.fixture
def hidden_words(org):
    """Four documents that all mention 隐患, each seen by other people."""
    return {
        "incoming": incoming(org, body="开展隐患排查。"),  # production
        "outgoing": outgoing(org, body="隐患整改情况。"),  # office
        "classified": classified(org, title="关于重大隐患处置方案的请示"),
        "mine": incoming(
            org,
            by="mine_clerk",
            title="关于矿井隐患整改的通知",
            department=org["mine_office"],
        ),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("clerk", {"incoming", "outgoing"}),
        ("director", {"incoming", "outgoing"}),
        ("admin", {"incoming", "outgoing", "mine"}),
        ("secret", {"incoming", "outgoing", "classified"}),
        ("engineer", {"incoming"}),  # of another department than the office
        ("stranger", {"outgoing"}),
        ("mine_clerk", {"mine"}),
    ],
)
def test_search_finds_only_what_the_person_may_see(org, hidden_words, who, expected):
    mine = hidden_words["mine"]
    Document.objects.filter(pk=mine.pk).update(unit=org["mine"])

    titles = set(found(org["people"][who], "隐患"))

    assert titles == {hidden_words[name].title for name in expected}


def test_a_classified_document_is_found_by_its_title_only_by_the_confidential_clerk(
    org, people
):
    secret = classified(org)  # 关于重大项目谈判方案的请示

    assert found(people["secret"], "谈判") == [secret.title]
    assert found(people["admin"], "谈判") == []
    assert found(people["clerk"], "谈判") == []


def test_a_classified_document_puts_no_body_into_the_index(org):
    secret = classified(org)
    secret.body = "谈判底价"  # never saved: the database refuses it

    text = document_search_text(secret)

    assert "谈判底价" not in text.body
    assert text.body == "集团公司"  # the main recipients


def test_changing_the_title_indexes_the_document_again(org, people, notice):
    services.document_update(
        document=notice, by=people["clerk"], title="关于报送年度统计报表的通知"
    )

    assert found(people["clerk"], "报表") == ["关于报送年度统计报表的通知"]
    assert found(people["clerk"], "冬季") == []
    assert found(people["clerk"], "隐患") == ["关于报送年度统计报表的通知"]


def test_an_allocated_number_finds_the_document_until_it_is_voided(org, people):
    draft = outgoing(org)
    series = make_series(org)

    number = services.number_allocate(
        document=draft, series=series, by=people["clerk"], year=2026
    )

    assert found(people["clerk"], "集团办〔2026〕1号") == [draft.title]

    services.number_void(number=number, by=people["clerk"], reason="编号有误")

    assert found(people["clerk"], "集团办〔2026〕1号") == []
    assert DocumentNumber.objects.get().status == DocumentNumber.Status.VOIDED


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ('"隐患', True),
        ("隐患*", True),
        ("(隐患 整改)", True),
        ("隐患 -整改", True),  # the minus is punctuation, not NOT
        ("隐患 AND 整改", False),  # AND is a word, not in the document
        ("NEAR(隐患 整改, 5)", False),
        ("隐患 OR 航天", False),
        ("title:隐患", False),
        ("隐患'; DELETE FROM documents_document; --", False),
    ],
)
def test_query_syntax_never_breaks_the_search(org, notice, query, finds):
    titles = found(org["people"]["clerk"], query)

    assert titles == ([notice.title] if finds else [])
    assert Document.objects.count() == 1


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "()", "——"])
def test_an_empty_query_lists_the_whole_register_newest_first(org, query):
    first = incoming(org)
    second = outgoing(org)

    titles = found(org["people"]["clerk"], query)

    assert titles == [second.title, first.title]


@pytest.fixture
def ranked(org):
    """Three matches of 隐患: in a title, in a body (newer), in a title (newest)."""
    return [
        incoming(org, title="关于开展隐患排查治理的通知"),
        incoming(org, title="关于召开年度工作会议的通知", body="隐患排查。"),
        outgoing(org, title="关于隐患整改情况的报告", document_type="report"),
    ]


def test_a_search_puts_heading_matches_first_then_newest_first(people, ranked):
    in_title, in_body, newest_in_title = ranked

    titles = found(people["clerk"], "隐患")

    assert titles == [newest_in_title.title, in_title.title, in_body.title]


def test_the_register_lists_its_matches_newest_first(people, ranked):
    documents = selectors.document_list_for(
        user=people["clerk"], filters=selectors.RegisterFilters(text="隐患")
    )

    assert [d.title for d in documents] == [d.title for d in reversed(ranked)]


def test_a_ranked_search_has_a_query_budget(people, ranked, django_assert_num_queries):
    # The page, then its departments, units and registering users: one query each.
    with django_assert_num_queries(4):
        documents = list(
            selectors.document_search_for(user=people["clerk"], query="隐患")
        )
        assert {d.department.name for d in documents} == {"生产技术部", "综合办公室"}
        assert {d.created_by.username for d in documents} == {"clerk"}


def test_the_filters_narrow_a_search(org, people, notice):
    outgoing(org, body="隐患整改。")

    documents = selectors.document_search_for(
        user=people["clerk"],
        query="隐患",
        filters=selectors.RegisterFilters(direction=Direction.INCOMING),
    )

    assert [d.title for d in documents] == [notice.title]


def test_the_page_the_export_and_the_api_find_the_same_documents(org, people, notice):
    outgoing(org, body="隐患整改。")
    incoming(org, title="关于召开年度工作会议的通知")
    query = {"direction": "incoming", "q": "隐患"}
    client = Client()
    client.force_login(people["clerk"])
    api = APIClient()
    api.force_authenticate(people["clerk"])

    page = client.get(reverse("documents:register"), query)
    export = client.get(reverse("documents:register_export"), query)
    listed = api.get("/api/documents/", query).json()

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    exported = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [d.title for d in page.context["page"].object_list] == [notice.title]
    assert exported == [notice.title]
    assert [d["title"] for d in listed["results"]] == [notice.title]


def test_reindex_indexes_documents_loaded_past_the_services(org, people, notice):
    loaded = Document.objects.create(
        direction=Direction.OUTGOING,
        document_type="notice",
        title="关于做好防汛准备工作的通知",
        unit=org["hq"],
        created_by=people["clerk"],
    )
    search.remove("document", notice.pk)  # as if lost
    assert found(people["clerk"], "防汛") == []

    call_command("documents_reindex", "--batch-size", "1", stdout=io.StringIO())

    assert found(people["clerk"], "防汛") == [loaded.title]
    assert found(people["clerk"], "隐患") == [notice.title]
    assert indexed_ids() == {notice.pk, loaded.pk}


def test_reindex_takes_out_the_entries_of_documents_that_are_gone(org, people):
    gone = outgoing(org, body="隐患整改。")
    kept = outgoing(org, title="关于隐患排查的通知")
    gone.events.all().delete()
    gone.delete()

    call_command("documents_reindex", "--clear", stdout=io.StringIO())

    assert found(people["clerk"], "隐患") == [kept.title]
    assert indexed_ids() == {kept.pk}
