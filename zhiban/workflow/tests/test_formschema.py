"""The form schema: schema validation, cleaning submissions, display."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import timezone

from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
from zhiban.workflow import formschema
from zhiban.workflow.kinds import KINDS, FlowKind, register_flow_kind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def f(key: str, kind: str, **rules: Any) -> dict[str, Any]:
    """Return a field dict."""
    return {"key": key, "type": kind, "label": key.upper(), **rules}


def codes(fields: Any, kind: str = "general") -> list[tuple[str, str]]:
    return [(p.key, p.code) for p in formschema.validate_schema(fields, kind=kind)]


# --- validate_schema ----------------------------------------------------------------


def test_a_sound_schema_of_every_type_has_no_problem() -> None:
    fields = [
        f("title", "text", required=True, max_length=50, pattern=r"\w+"),
        f("body", "textarea"),
        f("copies", "number", min=1, max=100, decimals=0),
        f("amount", "money", min=0),
        f("day", "date"),
        f("span", "daterange"),
        f("at", "datetime"),
        f("window", "datetimerange", not_past=True),
        f("seal", "choice", options=["公章", "合同章"]),
        f("tags", "multichoice", options=["a", "b"]),
        f("who", "person", multiple=True),
        f("dept", "department"),
        f("files", "attachment", multiple=True, max_files=3),
    ]
    assert formschema.validate_schema(fields) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("not a list", [("", "malformed")]),
        (["not a dict"], [("", "malformed")]),
        ([f("Bad", "text")], [("Bad", "bad_key")]),
        ([f("1abc", "text")], [("1abc", "bad_key")]),
        ([f("a-b", "text")], [("a-b", "bad_key")]),
        ([f("a" * 65, "text")], [("a" * 65, "bad_key")]),
        ([{"type": "text", "label": "x"}], [("", "bad_key")]),
        ([f("a", "text"), f("a", "number")], [("a", "duplicate_key")]),
        ([{"key": "a", "type": "text", "label": "  "}], [("a", "empty_label")]),
        ([{"key": "a", "type": "text"}], [("a", "empty_label")]),
        ([{"key": "a", "type": "text", "label": "x" * 101}], [("a", "long_label")]),
        ([f("a", "colour")], [("a", "unknown_type")]),
        ([f("a", "choice")], [("a", "no_options")]),
        ([f("a", "multichoice", options=[])], [("a", "no_options")]),
        ([f("a", "choice", options=["x", "x"])], [("a", "duplicate_option")]),
        ([f("a", "choice", options=["x", " "])], [("a", "empty_option")]),
        ([f("a", "number", min=5, max=1)], [("a", "min_above_max")]),
        ([f("a", "money", min="10", max="9.99")], [("a", "min_above_max")]),
        ([f("a", "number", min="lots")], [("a", "bad_min")]),
        ([f("a", "number", max=True)], [("a", "bad_max")]),
        ([f("a", "number", decimals=7)], [("a", "bad_decimals")]),
        ([f("a", "number", decimals=1.5)], [("a", "bad_decimals")]),
        ([f("a", "text", max_length=0)], [("a", "bad_max_length")]),
        ([f("a", "text", max_length=201)], [("a", "bad_max_length")]),
        ([f("a", "text", pattern="([")], [("a", "bad_pattern")]),
        ([f("a", "attachment", max_files=11)], [("a", "bad_max_files")]),
    ],
)
def test_bad_schemas_are_refused_on_the_field(
    fields: Any, expected: list[tuple[str, str]]
) -> None:
    assert codes(fields) == expected


def test_every_problem_is_reported_not_only_the_first() -> None:
    fields = [f("a", "choice"), f("a", "number", min=3, max=2), f("B", "text")]
    assert codes(fields) == [
        ("a", "no_options"),
        ("a", "duplicate_key"),
        ("a", "min_above_max"),
        ("B", "bad_key"),
    ]


def test_problem_messages_are_translated() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        [problem] = formschema.validate_schema([f("a", "choice")])
    assert problem.message == "单选字段至少需要一个选项。"


@pytest.fixture
def seal_kind() -> Any:
    register_flow_kind(
        FlowKind(
            code="test_locked",
            label="locked",
            fields=(
                {
                    "key": "copies",
                    "type": "number",
                    "label": "份数",
                    "required": True,
                    "min": 1,
                },
            ),
        )
    )
    yield "test_locked"
    KINDS.pop("test_locked", None)


def test_a_kind_refuses_a_form_without_its_locked_field(seal_kind: str) -> None:
    assert codes([f("other", "text")], kind=seal_kind) == [("copies", "missing_locked")]


@pytest.mark.parametrize(
    "changed",
    [
        {"type": "money"},
        {"required": False},
        {"min": 0},
        {"max": 3},  # a rule the kind does not set may not be added? it may: see below
    ],
)
def test_a_kind_refuses_a_changed_locked_field(
    seal_kind: str, changed: dict[str, Any]
) -> None:
    field = {
        "key": "copies",
        "type": "number",
        "label": "份数",
        "required": True,
        "min": 1,
        **changed,
    }
    result = codes([field], kind=seal_kind)
    if "max" in changed:
        assert result == []  # adding a rule the kind leaves open is allowed
    else:
        assert result == [("copies", "changed_locked")]


def test_a_locked_field_may_be_relabelled(seal_kind: str) -> None:
    field = {
        "key": "copies",
        "type": "number",
        "label": "用印份数",
        "required": True,
        "min": 1,
        "help": "按页计",
        "locked": True,
    }
    assert codes([field], kind=seal_kind) == []


# --- clean_submission ---------------------------------------------------------------


def clean(field: dict[str, Any], value: Any, **kwargs: Any) -> Any:
    result = formschema.clean_submission([field], {field["key"]: value}, **kwargs)
    return result.values.get(field["key"]), result.errors.get(field["key"])


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        (f("t", "text"), "  你好 ", "你好"),
        (f("t", "text", pattern=r"[A-Z]{2}\d+"), "AB12", "AB12"),
        (f("t", "textarea"), "多行\n文本", "多行\n文本"),
        (f("n", "number"), "12", 12),
        (f("n", "number"), 12, 12),
        (f("n", "number", decimals=2), "1.5", 1.5),
        (f("n", "number", min=1, max=10), "10", 10),
        (f("m", "money"), "1234.5", "1234.50"),
        (f("m", "money"), "1,234", "1234.00"),
        (f("m", "money"), 7, "7.00"),
        (f("d", "date"), "2026-11-26", "2026-11-26"),
        (f("c", "choice", options=["公章", "合同章"]), "公章", "公章"),
        (f("c", "multichoice", options=["a", "b", "c"]), ["c", "a", "c"], ["a", "c"]),
        (
            f("r", "daterange"),
            {"start": "2026-01-01", "end": "2026-01-01"},
            {"start": "2026-01-01", "end": "2026-01-01"},
        ),
    ],
)
def test_valid_values_are_stored_in_their_form(
    field: dict[str, Any], value: Any, stored: Any
) -> None:
    assert clean(field, value) == (stored, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (f("t", "text", required=True), "  ", "This field is required."),
        (f("t", "text", max_length=3), "abcd", "Keep it to 3 characters (it has 4)."),
        (f("t", "text"), "x" * 201, "Keep it to 200 characters (it has 201)."),
        (
            f("t", "text", pattern=r"\d+"),
            "abc",
            "The value is not in the expected format.",
        ),
        (f("t", "text", pattern=r"\d+", pattern_message="只填数字"), "abc", "只填数字"),
        (f("n", "number"), "ten", "Enter a number."),
        (f("n", "number"), "1.5", "Enter a whole number."),
        (f("n", "number", decimals=1), "1.25", "Enter at most 1 decimal places."),
        (f("n", "number", min=1), "0", "Enter 1 or more."),
        (f("n", "number", max=100), "100.0", None),
        (f("n", "number", max=100), "101", "Enter 100 or less."),
        (f("n", "number"), "NaN", "Enter a number."),
        (f("n", "number"), "1e999999999", "Enter a number with at most 15 digits."),
        (f("m", "money"), "1" * 16, "Enter a number with at most 15 digits."),
        (f("m", "money"), "1.234", "Enter at most 2 decimal places."),
        (f("m", "money", max="9.99"), "10", "Enter 9.99 or less."),
        (f("d", "date"), "2026-13-01", "Enter a date such as 2026-11-26."),
        (f("d", "date"), "tomorrow", "Enter a date such as 2026-11-26."),
        (
            f("d", "datetime"),
            "26/11",
            "Enter a date and time such as 2026-11-26 09:30.",
        ),
        (f("c", "choice", options=["a"]), "b", "“b” is not one of the options."),
        (
            f("c", "multichoice", options=["a"]),
            ["a", "z"],
            "“z” is not one of the options.",
        ),
        (
            f("c", "multichoice", options=["a"], required=True),
            [],
            "This field is required.",
        ),
        (
            f("r", "daterange"),
            {"start": "2026-02-02", "end": "2026-02-01"},
            "The end is before the start.",
        ),
        (
            f("r", "daterange"),
            {"start": "2026-02-02", "end": ""},
            "Give both the start and the end.",
        ),
        (
            f("r", "datetimerange"),
            {"start": "2026-02-02T10:00", "end": "2026-02-02T09:59"},
            "The end is before the start.",
        ),
        (f("p", "person"), "abc", "“abc” is not a valid choice."),
        (f("p", "person"), ["1", "2"], "Choose only one."),
    ],
)
def test_invalid_values_get_a_precise_message_on_the_field(
    db: Any, field: dict[str, Any], value: Any, message: str | None
) -> None:
    stored, errors = clean(field, value)
    if message is None:
        assert errors is None
    else:
        assert errors == [message]
        assert stored is None


def test_an_optional_empty_field_is_not_stored() -> None:
    fields = [
        f("t", "text"),
        f("n", "number"),
        f("r", "daterange"),
        f("c", "multichoice", options=["a"]),
    ]
    result = formschema.clean_submission(fields, {"t": "", "n": None})
    assert (result.values, result.errors) == ({}, {})


def test_keys_outside_the_schema_are_dropped() -> None:
    result = formschema.clean_submission([f("t", "text")], {"t": "a", "evil": "b"})
    assert result.values == {"t": "a"}


def test_a_datetime_is_stored_in_local_time_with_its_offset() -> None:
    stored, errors = clean(f("at", "datetime"), "2026-11-26T09:30")
    assert (stored, errors) == ("2026-11-26T09:30:00+08:00", None)
    stored, _ = clean(f("at", "datetime"), "2026-11-26T01:30:00+00:00")
    assert stored == "2026-11-26T09:30:00+08:00"


def test_not_past_refuses_yesterday_and_accepts_today() -> None:
    today = timezone.localdate()
    field = f("d", "date", not_past=True)
    assert clean(field, (today - datetime.timedelta(days=1)).isoformat()) == (
        None,
        ["The date cannot be in the past."],
    )
    assert clean(field, today.isoformat()) == (today.isoformat(), None)


def test_a_query_dict_gives_lists_and_ranges_by_suffix() -> None:
    data = QueryDict(mutable=True)
    data.setlist("tags", ["a", "b"])
    data["span_start"] = "2026-01-01"
    data["span_end"] = "2026-01-03"
    fields = [f("tags", "multichoice", options=["a", "b"]), f("span", "daterange")]
    result = formschema.clean_submission(fields, data)
    assert result.values == {
        "tags": ["a", "b"],
        "span": {"start": "2026-01-01", "end": "2026-01-03"},
    }


@pytest.mark.django_db
def test_people_must_be_active_users() -> None:
    alice = UserFactory(name="李爱丽")
    gone = UserFactory(is_active=False)
    field = f("who", "person", multiple=True)
    assert clean(field, [str(alice.pk), alice.pk]) == ([alice.pk], None)
    assert clean(field, [alice.pk, gone.pk]) == (
        None,
        [f"Person {gone.pk} is not an active user."],
    )
    assert clean(f("one", "person"), str(alice.pk)) == (alice.pk, None)


@pytest.mark.django_db
def test_departments_must_exist() -> None:
    dept = DepartmentFactory(unit=UnitFactory())
    assert clean(f("d", "department"), str(dept.pk)) == (dept.pk, None)
    assert clean(f("d", "department"), "999999") == (
        None,
        ["Department 999999 is unknown."],
    )


def pdf(name: str = "申请.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_accepted_files_are_measured_not_stored() -> None:
    field = f("files", "attachment", multiple=True, required=True)
    result = formschema.clean_submission([field], {}, {"files": [pdf(), pdf("b.pdf")]})
    assert result.errors == {}
    assert result.values == {"files": []}
    assert [intake.name for _, intake in result.uploads["files"]] == [
        "申请.pdf",
        "b.pdf",
    ]
    assert result.uploads["files"][0][1].content_type == "application/pdf"


@pytest.mark.parametrize(
    ("field", "uploads", "message"),
    [
        (f("a", "attachment", required=True), [], "This field is required."),
        (f("a", "attachment"), [pdf(), pdf()], "Attach at most 1 files (you chose 2)."),
        (
            f("a", "attachment", multiple=True, max_files=2),
            [pdf(), pdf(), pdf()],
            "Attach at most 2 files (you chose 3).",
        ),
        (
            f("a", "attachment"),
            [SimpleUploadedFile("x.html", b"<html><script>")],
            "“x.html” is not an allowed kind of file (its content is text/html). Allowed: ",
        ),
        (
            f("a", "attachment"),
            [SimpleUploadedFile("x.png", PDF)],
            "“x.png” is named .png but its content is application/pdf.",
        ),
        (f("a", "attachment"), [SimpleUploadedFile("e.pdf", b"")], "“e.pdf” is empty."),
    ],
)
def test_refused_files_get_the_intake_message(
    field: dict[str, Any], uploads: list[Any], message: str
) -> None:
    result = formschema.clean_submission([field], {}, {"a": uploads})
    assert result.errors["a"][0].startswith(message)
    assert result.uploads == {}


def test_any_error_means_no_uploads_are_handed_back() -> None:
    fields = [f("a", "attachment"), f("t", "text", required=True)]
    result = formschema.clean_submission(fields, {}, {"a": [pdf()]})
    assert result.errors == {"t": ["This field is required."]}
    assert result.uploads == {}


# --- reference types ----------------------------------------------------------------


@pytest.fixture
def colour_type() -> Any:
    def choices(user: Any) -> list[tuple[Any, str]]:
        return [(1, "红"), (2, "蓝")]

    def validator(value: Any, user: Any) -> int:
        if str(value) not in ("1", "2"):
            raise ValidationError("没有这个颜色。")
        return int(value)

    kind = formschema.register_field_type(
        "colour",
        label="颜色",
        choices=choices,
        validator=validator,
        display=lambda value: {1: "红", 2: "蓝"}[value],
    )
    yield kind
    formschema.unregister_field_type("colour")


def test_a_reference_type_validates_with_its_validator(colour_type: Any) -> None:
    assert colour_type.is_reference
    assert "colour" in formschema.field_types()
    assert formschema.validate_schema([f("c", "colour")]) == []
    assert clean(f("c", "colour"), "2") == (2, None)
    assert clean(f("c", "colour"), "9") == (None, ["没有这个颜色。"])
    assert formschema.display_rows([f("c", "colour")], {"c": 2}) == [("C", "蓝")]


def test_a_builtin_type_cannot_be_replaced() -> None:
    with pytest.raises(ValueError, match="built-in"):
        formschema.register_field_type(
            "text", label="x", choices=lambda u: [], validator=lambda v, u: v
        )


def test_an_unregistered_type_cannot_be_filled() -> None:
    assert clean(f("c", "gone"), "1") == (None, ["This field cannot be filled in."])


# --- display_rows -------------------------------------------------------------------


@pytest.mark.django_db
def test_display_rows_name_people_departments_and_ranges(
    django_assert_max_num_queries: Any,
) -> None:
    dept = DepartmentFactory(unit=UnitFactory(), name="综合办公室")
    alice = UserFactory(name="李爱丽")
    bob = UserFactory(name="王博")
    fields = [
        f("who", "person", multiple=True),
        f("boss", "person"),
        f("dept", "department"),
        f("span", "datetimerange"),
        f("tags", "multichoice", options=["a", "b"]),
        f("note", "text"),
        f("files", "attachment", multiple=True),
    ]
    values = {
        "who": [alice.pk, bob.pk],
        "boss": bob.pk,
        "dept": dept.pk,
        "span": {
            "start": "2026-11-26T09:30:00+08:00",
            "end": "2026-11-26T11:00:00+08:00",
        },
        "tags": ["a"],
    }
    with django_assert_max_num_queries(3):
        rows = formschema.display_rows(fields, values)
    assert rows == [
        ("WHO", ["李爱丽", "王博"]),
        ("BOSS", "王博"),
        ("DEPT", "综合办公室"),
        ("SPAN", "2026-11-26 09:30 — 2026-11-26 11:00"),
        ("TAGS", ["a"]),
        ("NOTE", "—"),
        ("FILES", "—"),
    ]
