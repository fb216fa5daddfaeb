"""Run the check and, when the file is clean, write it through the services."""

from __future__ import annotations

from typing import IO, Any, cast

from django.db import transaction

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.core.files import SPREADSHEET_TYPES, inspect_upload
from zhiban.org import services
from zhiban.org.importing.checking import Checker
from zhiban.org.importing.layout import (
    ROLE_NAMES,
    SHEET_DEPARTMENTS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    UNIT_KINDS,
    YES,
    ImportResult,
    Parsed,
    Problem,
    Row,
    roles_in,
)
from zhiban.org.importing.reading import read_workbook
from zhiban.org.models import Department, Post, Unit, User
from zhiban.org.validators import normalise_mobile


def import_check(stream: IO[bytes], *, name: str) -> ImportResult:
    """Validate the whole file without writing anything; return every problem."""
    return _check(stream, name)[0]


def _check(stream: IO[bytes], name: str) -> tuple[ImportResult, Parsed | None]:
    result = ImportResult()
    try:
        allowed = cast(dict[str, tuple[str, ...]], SPREADSHEET_TYPES)
        intake = inspect_upload(stream, name=name, allowed=allowed)
    except DomainError as error:
        result.problems.extend(Problem("", None, "", m) for m in error.messages)
        return result, None
    result.sha256 = intake.sha256
    parsed = read_workbook(stream, result.problems)
    if parsed is None:
        return result, None
    checker = Checker(parsed, result.problems)
    checker.run()
    result.counts = {
        "units": len(parsed.units),
        "departments": len(parsed.departments),
        "people": len(parsed.people),
        "units_new": sum(
            1 for r in parsed.units if r.get("编码") not in checker.db_units
        ),
        "departments_new": sum(
            1 for r in parsed.departments if r.get("编码") not in checker.db_departments
        ),
        "people_new": sum(
            1 for r in parsed.people if r.get("工号") not in checker.db_people
        ),
    }
    result.problems.sort(key=_problem_order)
    return result, parsed


_SHEET_ORDER = {"": 0, SHEET_UNITS: 1, SHEET_DEPARTMENTS: 2, SHEET_PEOPLE: 3}


def _problem_order(problem: Problem) -> tuple[int, int, str]:
    return (_SHEET_ORDER.get(problem.sheet, 9), problem.row or 0, problem.column)


def _topological(codes: list[str], parent_of: dict[str, str]) -> list[str]:
    ordered: list[str] = []
    placed: set[str] = set()
    wanted = set(codes)

    def place(code: str) -> None:
        if code in placed:
            return
        parent = parent_of.get(code, "")
        if parent in wanted:
            place(parent)
        placed.add(code)
        ordered.append(code)

    for code in codes:
        place(code)
    return ordered


def import_apply(stream: IO[bytes], *, name: str, by: User | None) -> ImportResult:
    """Check the file and, only when it is clean, import it in one transaction."""
    result, parsed = _check(stream, name)
    if not result.is_clean or parsed is None:
        return result
    try:
        with transaction.atomic():
            _apply_units(parsed.units, by)
            _apply_departments(parsed.departments, by)
            _apply_people(parsed.people, by)
            _apply_leaders(parsed.departments, by)
            audit_record(
                actor=by,
                action="org.import",
                data={"file": name, "sha256": result.sha256, "counts": result.counts},
            )
    except DomainError as error:
        # The check should have caught it; if not, nothing was written.
        result.problems.extend(Problem("", None, "", m) for m in error.messages)
        return result
    result.applied = True
    return result


def _int(value: str) -> int:
    return int(value) if value else 0


def _apply_units(rows: list[Row], by: User | None) -> None:
    by_code = {row.get("编码"): row for row in rows}
    order = _topological(
        list(by_code), {c: r.get("上级单位编码") for c, r in by_code.items()}
    )
    for code in order:
        row = by_code[code]
        parent_code = row.get("上级单位编码")
        parent = Unit.objects.get(code=parent_code) if parent_code else None
        fields: dict[str, Any] = {
            "name": row.get("名称"),
            "kind": UNIT_KINDS[row.get("类型")],
            "short_name": row.get("简称"),
            "parent": parent,
            "sort_order": _int(row.get("排序")),
        }
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            services.unit_create(by=by, code=code, **fields)
        else:
            services.unit_update(by=by, unit=unit, **fields)


def _apply_departments(rows: list[Row], by: User | None) -> None:
    by_code = {row.get("编码"): row for row in rows}
    order = _topological(
        list(by_code), {c: r.get("上级部门编码") for c, r in by_code.items()}
    )
    for code in order:
        row = by_code[code]
        unit = Unit.objects.get(code=row.get("所属单位编码"))
        parent_code = row.get("上级部门编码")
        parent = Department.objects.get(code=parent_code) if parent_code else None
        department = Department.objects.filter(code=code).first()
        if department is None:
            services.department_create(
                by=by,
                unit=unit,
                code=code,
                name=row.get("名称"),
                parent=parent,
                sort_order=_int(row.get("排序")),
            )
            continue
        services.department_move(by=by, department=department, parent=parent, unit=unit)
        services.department_update(
            by=by,
            department=department,
            name=row.get("名称"),
            sort_order=_int(row.get("排序")),
        )


def _apply_people(rows: list[Row], by: User | None) -> None:
    posts = {p.code: p for p in Post.objects.all()}
    heads: list[tuple[User, Department, str]] = []
    for row in rows:
        number = row.get("工号")
        department = Department.objects.get(code=row.get("主部门编码"))
        post = posts.get(row.get("岗位编码")) if row.get("岗位编码") else None
        fields: dict[str, Any] = {
            "name": row.get("姓名"),
            "mobile": normalise_mobile(row.get("手机")),
            "email": row.get("邮箱"),
            "primary_department": department,
            "post": post,
            "title": row.get("职务"),
        }
        user = User.objects.filter(employee_number=number).first()
        if user is None:
            user = services.user_create(
                by=by,
                username=row.get("登录名") or number,
                employee_number=number,
                **fields,
            )
        else:
            if row.get("登录名"):
                fields["username"] = row.get("登录名")
            services.user_update(by=by, user=user, **fields)
        roles = roles_in(row)
        if roles:
            services.user_roles_set(
                by=by, user=user, roles=[ROLE_NAMES[r] for r in roles]
            )
        if row.get("部门负责人").upper() in YES:
            heads.append((user, department, row.get("职务")))
        else:
            # Demotions first, so that a new head never meets the old one.
            services.membership_set(
                by=by, user=user, department=department, title=row.get("职务")
            )
    for user, department, title in heads:
        services.membership_set(
            by=by, user=user, department=department, title=title, is_head=True
        )


def _apply_leaders(rows: list[Row], by: User | None) -> None:
    for row in rows:
        department = Department.objects.get(code=row.get("编码"))
        number = row.get("分管领导工号")
        leader = User.objects.get(employee_number=number) if number else None
        services.department_set_overseeing_leader(
            by=by, department=department, leader=leader
        )
