"""The Excel import: a clean file applies; every bad row is reported, nothing written."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from zhiban.audit.models import AuditEntry
from zhiban.org import importing
from zhiban.org.importing import COLUMNS, SHEET_DEPARTMENTS, SHEET_PEOPLE, SHEET_UNITS
from zhiban.org.models import Department, Membership, Post, Role, Unit, User
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_UNITS = [
    ["HQ", "示例集团本部", "本部", "集团本部", "", 1],
    ["M1", "一号煤矿", "一矿", "矿", "HQ", 2],
]
GOOD_DEPARTMENTS = [
    ["HQ-BGS", "综合办公室", "HQ", "", "10001", 1],
    ["HQ-BGS-WS", "文书科", "HQ", "HQ-BGS", "", 1],
    ["M1-AQ", "安全科", "M1", "", "", 1],
]
GOOD_PEOPLE = [
    [
        "10001",
        "张三",
        "zhangsan",
        "HQ-BGS",
        "主任",
        "13800000001",
        "",
        "",
        "是",
        "办公室主任、员工",
    ],
    [
        "10002",
        "李四",
        "",
        "HQ-BGS-WS",
        "科员",
        "13800000002",
        "li@example.com",
        "",
        "否",
        "文书",
    ],
    ["10003", "王五", "", "M1-AQ", "科长", "", "", "", "", ""],
]


def workbook(
    units: list[list[Any]] | None = None,
    departments: list[list[Any]] | None = None,
    people: list[list[Any]] | None = None,
    headers: dict[str, list[str]] | None = None,
) -> io.BytesIO:
    """Build an import workbook in memory."""
    book = Workbook()
    rows = {
        SHEET_UNITS: GOOD_UNITS if units is None else units,
        SHEET_DEPARTMENTS: GOOD_DEPARTMENTS if departments is None else departments,
        SHEET_PEOPLE: GOOD_PEOPLE if people is None else people,
    }
    first = True
    for name, columns in COLUMNS.items():
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = name
        header = (headers or {}).get(name) or [column for column, _ in columns]
        sheet.append(header)
        for row in rows[name]:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def problems(stream: io.BytesIO, name: str = "org.xlsx") -> list[str]:
    return [str(p) for p in importing.import_check(stream, name=name).problems]


def snapshot() -> tuple[int, int, int, int, int]:
    return (
        Unit.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_good_file_applies_everything() -> None:
    result = importing.import_apply(workbook(), name="org.xlsx", by=None)
    assert result.problems == []
    assert result.applied is True
    assert result.counts == {
        "units": 2,
        "departments": 3,
        "people": 3,
        "units_new": 2,
        "departments_new": 3,
        "people_new": 3,
    }
    mine = Unit.objects.get(code="M1")
    assert mine.parent is not None
    assert (mine.kind, mine.parent.code) == (Unit.Kind.MINE, "HQ")
    office = Department.objects.get(code="HQ-BGS")
    assert office.overseeing_leader is not None
    assert office.overseeing_leader.employee_number == "10001"
    assert Department.objects.get(code="HQ-BGS-WS").parent_id == office.pk
    zhang = User.objects.get(employee_number="10001")
    assert (zhang.username, zhang.name, zhang.title) == ("zhangsan", "张三", "主任")
    assert sorted(zhang.groups.values_list("name", flat=True)) == [
        Role.DEPARTMENT_HEAD,
        Role.EMPLOYEE,
        Role.OFFICE_DIRECTOR,
    ]
    assert Membership.objects.get(user=zhang, department=office).is_head is True
    li = User.objects.get(employee_number="10002")
    assert (li.username, li.email, li.mobile) == (
        "10002",
        "li@example.com",
        "13800000002",
    )
    assert AuditEntry.objects.filter(action="org.import").count() == 1


def test_applying_twice_updates_instead_of_duplicating() -> None:
    importing.import_apply(workbook(), name="org.xlsx", by=None)
    people = [list(row) for row in GOOD_PEOPLE]
    people[2][4] = "副科长"
    departments = [list(row) for row in GOOD_DEPARTMENTS]
    departments[1][1] = "文书档案科"
    result = importing.import_apply(
        workbook(people=people, departments=departments), name="org.xlsx", by=None
    )
    assert result.applied is True
    assert result.counts["people_new"] == 0
    assert User.objects.get(employee_number="10003").title == "副科长"
    assert Department.objects.get(code="HQ-BGS-WS").name == "文书档案科"
    assert Unit.objects.filter(code__in=["HQ", "M1"]).count() == 2


def test_the_dry_run_writes_nothing() -> None:
    before = snapshot()
    result = importing.import_check(workbook(), name="org.xlsx")
    assert result.is_clean
    assert snapshot() == before


def test_every_bad_row_is_reported_and_nothing_is_written() -> None:
    UserFactory(employee_number="90000", username="taken")
    units = [
        ["HQ", "本部", "", "集团本部", "", "1"],
        ["HQ", "重复本部", "", "集团本部", "", ""],
        ["M1", "", "", "星球", "NOPE", "x"],
    ]
    departments = [
        ["D1", "一部", "HQ", "D2", "", ""],
        ["D2", "二部", "HQ", "D1", "", ""],
        ["D3", "三部", "ZZ", "", "77777", ""],
        ["D4", "四部", "HQ", "DX", "", ""],
    ]
    people = [
        ["1", "甲", "", "D3", "", "12345", "bad-email", "NOPOST", "也许", "皇帝"],
        ["1", "乙", "taken", "DZ", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", "", ""],
        ["3", "", "", "D4", "", "", "", "", "", ""],
    ]
    before = snapshot()
    stream = workbook(units=units, departments=departments, people=people)
    result = importing.import_apply(stream, name="org.xlsx", by=None)
    assert result.applied is False
    assert [str(p) for p in result.problems] == [
        "单位 · row 3 · 编码: “HQ” appears again (first in row 2).",
        "单位 · row 4 · 上级单位编码: Unknown unit code “NOPE”.",
        "单位 · row 4 · 名称: A value is required.",
        "单位 · row 4 · 排序: “x” is not a whole number.",
        "单位 · row 4 · 类型: Unknown unit type “星球”; use one of: 集团本部、矿、公司、其他.",
        "部门 · row 2 · 上级部门编码: Department “D1” would end up inside itself (a cycle).",
        "部门 · row 3 · 上级部门编码: Department “D2” would end up inside itself (a cycle).",
        "部门 · row 4 · 分管领导工号: No person has employee number “77777”.",
        "部门 · row 4 · 所属单位编码: Unknown unit code “ZZ”.",
        "部门 · row 5 · 上级部门编码: Unknown department code “DX”.",
        "人员 · row 2 · 岗位编码: Unknown post code “NOPOST”.",
        "人员 · row 2 · 手机: “12345” is not a valid mobile number (11 digits starting with 1).",
        "人员 · row 2 · 角色: Unknown role “皇帝”.",
        "人员 · row 2 · 邮箱: “bad-email” is not a valid email address.",
        "人员 · row 2 · 部门负责人: Write 是 or 否, not “也许”.",
        "人员 · row 3 · 主部门编码: Unknown department code “DZ”.",
        "人员 · row 3 · 工号: “1” appears again (first in row 2).",
        "人员 · row 3 · 登录名: The sign-in name “taken” already belongs to another "
        "person in the system (not employee number 1).",
        "人员 · row 5 · 姓名: A value is required.",
    ]
    assert snapshot() == before


def test_two_heads_for_one_department_in_the_file() -> None:
    people = [list(row) for row in GOOD_PEOPLE]
    people[1][3] = "HQ-BGS"
    people[1][8] = "是"
    assert problems(workbook(people=people)) == [
        "人员 · row 3 · 部门负责人: Department “HQ-BGS” already has a head in row 2; "
        "a department has one head."
    ]


def test_a_head_already_in_the_database_conflicts_unless_demoted() -> None:
    unit = UnitFactory(code="HQ")
    office = DepartmentFactory(code="HQ-BGS", name="综合办公室", unit=unit)
    current = UserFactory(
        employee_number="80000", name="老主任", primary_department=office
    )
    Membership.objects.filter(user=current).update(is_head=True)
    assert problems(workbook()) == [
        "人员 · row 2 · 部门负责人: Department “HQ-BGS” already has a head in the "
        "system: 老主任. List that person in the file as not head, or change it in "
        "the system first."
    ]
    people = [*GOOD_PEOPLE, ["80000", "老主任", "", "HQ-BGS", "", "", "", "", "否", ""]]
    result = importing.import_apply(workbook(people=people), name="o.xlsx", by=None)
    assert result.problems == []
    assert list(
        Membership.objects.filter(department=office, is_head=True).values_list(
            "user__employee_number", flat=True
        )
    ) == ["10001"]


def test_a_cycle_through_the_database_is_found() -> None:
    unit = UnitFactory(code="HQ")
    top = DepartmentFactory(code="TOP", name="上", unit=unit)
    DepartmentFactory(code="MID", name="中", unit=unit, parent=top)
    departments = [["TOP", "上", "HQ", "MID", "", ""]]
    assert problems(workbook(departments=departments, people=[])) == [
        "部门 · row 2 · 上级部门编码: Department “TOP” would end up inside itself "
        "(a cycle)."
    ]


def test_a_parent_in_another_unit_is_refused() -> None:
    departments = [
        ["HQ-BGS", "综合办公室", "HQ", "", "", ""],
        ["M1-AQ", "安全科", "M1", "HQ-BGS", "", ""],
    ]
    assert problems(workbook(departments=departments, people=[])) == [
        "部门 · row 3 · 上级部门编码: The parent department “HQ-BGS” belongs to unit "
        "“HQ”, not “M1”."
    ]


def test_wrong_headers_and_a_missing_sheet() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_UNITS
    sheet.append(["编码", "名字", "类型"])
    book.create_sheet(SHEET_PEOPLE).append([c for c, _ in COLUMNS[SHEET_PEOPLE]])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert problems(buffer) == [
        "单位 · row 1 · 上级单位编码: The column “上级单位编码” is missing from the header row.",
        "单位 · row 1 · 名字: “名字” is not a column of this sheet.",
        "单位 · row 1 · 名称: The column “名称” is missing from the header row.",
        "单位 · row 1 · 排序: The column “排序” is missing from the header row.",
        "单位 · row 1 · 简称: The column “简称” is missing from the header row.",
        "部门: The sheet “部门” is missing; use the template.",
    ]


def test_a_csv_named_xlsx_is_refused() -> None:
    stream = io.BytesIO("编码,名称\nHQ,本部\n".encode())
    assert problems(stream, "org.xlsx") == [
        "“org.xlsx” is not an allowed kind of file (its content is text/plain). "
        "Allowed: xlsx."
    ]


def test_a_workbook_with_the_wrong_extension_is_refused() -> None:
    assert problems(workbook(), "org.docx") == [
        "“org.docx” is named .docx but its content is "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."
    ]


def test_the_template_has_the_expected_sheets_and_headers() -> None:
    book = load_workbook(io.BytesIO(importing.template_workbook()))
    assert book.sheetnames == [
        SHEET_UNITS,
        SHEET_DEPARTMENTS,
        SHEET_PEOPLE,
        "Instructions",
    ]
    for name, columns in COLUMNS.items():
        header = [cell.value for cell in book[name][1]]
        assert header == [column for column, _ in columns]
    # The template's example rows themselves are a clean import.
    buffer = io.BytesIO(importing.template_workbook())
    assert problems(buffer) == []


def test_existing_posts_are_assigned() -> None:
    post = Post.objects.create(code="WS", name="文书岗")
    people = [list(row) for row in GOOD_PEOPLE]
    people[1][7] = "WS"
    importing.import_apply(workbook(people=people), name="o.xlsx", by=None)
    assert User.objects.get(employee_number="10002").post_id == post.pk


def test_the_command_checks_and_applies(tmp_path: Any) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook().getvalue())
    out = io.StringIO()
    call_command("import_org", str(path), stdout=out)
    assert "Run with --apply" in out.getvalue()
    assert not Unit.objects.filter(code="HQ").exists()
    call_command("import_org", str(path), "--apply", stdout=out)
    assert Unit.objects.filter(code="HQ").exists()


def test_the_command_reports_problems(tmp_path: Any) -> None:
    path = tmp_path / "org.xlsx"
    stream = workbook(units=[["HQ", "", "", "矿", "", ""]], departments=[], people=[])
    path.write_bytes(stream.getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_org", str(path), "--apply", stderr=err)
    assert err.getvalue() == "单位 · row 2 · 名称: A value is required.\n"
    assert not Unit.objects.filter(code="HQ").exists()
