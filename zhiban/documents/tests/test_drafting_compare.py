"""Comparing two versions of a draft side by side."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from zhiban.documents.drafting_compare import (
    Row,
    Segment,
    compare_summary,
    compare_versions,
)

TITLE = "关于开展安全生产大检查的通知"
ADDRESSEE = "各二级单位："
CLOSING = "请认真贯彻落实。"


def same(text: str, left: int, right: int) -> Row:
    return Row("same", (Segment(text, False),), (Segment(text, False),), left, right)


def test_identical_texts_are_all_same_rows():
    rows = compare_versions(f"{TITLE}\n{ADDRESSEE}", f"{TITLE}\n{ADDRESSEE}")

    assert rows == [same(TITLE, 1, 1), same(ADDRESSEE, 2, 2)]
    assert compare_summary(rows) == {"changed": 0, "added": 0, "removed": 0}


def test_one_changed_character_is_marked_alone():
    rows = compare_versions(
        f"{TITLE}\n请于12月1日前报送。", f"{TITLE}\n请于12月5日前报送。"
    )

    assert rows == [
        same(TITLE, 1, 1),
        Row(
            "changed",
            (
                Segment("请于12月", False),
                Segment("1", True),
                Segment("日前报送。", False),
            ),
            (
                Segment("请于12月", False),
                Segment("5", True),
                Segment("日前报送。", False),
            ),
            2,
            2,
        ),
    ]
    assert compare_summary(rows) == {"changed": 1, "added": 0, "removed": 0}


def test_a_word_replaced_inside_a_chinese_paragraph_marks_only_its_characters():
    [row] = compare_versions(TITLE, "关于开展安全生产专项检查的通知")

    assert row.left == (
        Segment("关于开展安全生产", False),
        Segment("大", True),
        Segment("检查的通知", False),
    )
    assert row.right == (
        Segment("关于开展安全生产", False),
        Segment("专项", True),
        Segment("检查的通知", False),
    )


def test_an_inserted_paragraph_is_an_added_row():
    rows = compare_versions(f"{TITLE}\n{CLOSING}", f"{TITLE}\n{ADDRESSEE}\n{CLOSING}")

    assert rows == [
        same(TITLE, 1, 1),
        Row("added", (), (Segment(ADDRESSEE, True),), None, 2),
        same(CLOSING, 2, 3),
    ]
    assert compare_summary(rows) == {"changed": 0, "added": 1, "removed": 0}


def test_a_deleted_paragraph_is_a_removed_row():
    rows = compare_versions(f"{TITLE}\n{ADDRESSEE}\n{CLOSING}", f"{TITLE}\n{CLOSING}")

    assert rows == [
        same(TITLE, 1, 1),
        Row("removed", (Segment(ADDRESSEE, True),), (), 2, None),
        same(CLOSING, 3, 2),
    ]
    assert compare_summary(rows) == {"changed": 0, "added": 0, "removed": 1}


def test_a_paragraph_replaced_by_two_unlike_it_pairs_with_the_first():
    rows = compare_versions(
        f"{TITLE}\n甲乙丙\n{CLOSING}", f"{TITLE}\n丁戊己\n庚辛壬\n{CLOSING}"
    )

    assert rows == [
        same(TITLE, 1, 1),
        Row("changed", (Segment("甲乙丙", True),), (Segment("丁戊己", True),), 2, 2),
        Row("added", (), (Segment("庚辛壬", True),), None, 3),
        same(CLOSING, 3, 4),
    ]
    assert compare_summary(rows) == {"changed": 1, "added": 1, "removed": 0}


def test_a_paragraph_replaced_by_a_new_one_and_an_edit_of_it_pairs_with_the_edit():
    rows = compare_versions(
        f"{ADDRESSEE}\n请于12月1日前报送检查结果。",
        f"{ADDRESSEE}\n检查结束后召开总结会。\n请于12月5日前报送检查结果。",
    )

    assert [(row.kind, row.left_number, row.right_number) for row in rows] == [
        ("same", 1, 1),
        ("added", None, 2),
        ("changed", 2, 3),
    ]
    assert rows[2].right == (
        Segment("请于12月", False),
        Segment("5", True),
        Segment("日前报送检查结果。", False),
    )


def test_against_an_empty_old_text_every_paragraph_is_added():
    rows = compare_versions("", f"{TITLE}\n{ADDRESSEE}")

    assert rows == [
        Row("added", (), (Segment(TITLE, True),), None, 1),
        Row("added", (), (Segment(ADDRESSEE, True),), None, 2),
    ]
    assert compare_summary(rows) == {"changed": 0, "added": 2, "removed": 0}


def test_an_emptied_paragraph_has_no_segments_on_its_empty_side():
    rows = compare_versions(f"{TITLE}\n{CLOSING}", f"{TITLE}\n")

    assert rows == [
        same(TITLE, 1, 1),
        Row("changed", (Segment(CLOSING, True),), (), 2, 2),
    ]


def side(rows: list[Row], *, left: bool) -> str:
    skipped = "added" if left else "removed"
    return "\n".join(
        "".join(segment.text for segment in (row.left if left else row.right))
        for row in rows
        if row.kind != skipped
    )


drafts = st.text(alphabet=st.sampled_from("关于安全检查的通知一二\n a"), max_size=60)


@given(old=drafts, new=drafts)
def test_each_side_of_the_rows_reproduces_its_version(old, new):
    rows = compare_versions(old, new)

    assert side(rows, left=True) == old
    assert side(rows, left=False) == new
    old_count = len(old.split("\n")) if old else 0
    new_count = len(new.split("\n")) if new else 0
    assert [row.left_number for row in rows if row.kind != "added"] == list(
        range(1, old_count + 1)
    )
    assert [row.right_number for row in rows if row.kind != "removed"] == list(
        range(1, new_count + 1)
    )
    for row in rows:
        for segments in (row.left, row.right):
            assert all(segment.text for segment in segments)
            assert all(
                first.changed != second.changed for first, second in pairwise(segments)
            )
