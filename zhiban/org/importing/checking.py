"""Check every row against the others and against the database."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from zhiban.org.importing.layout import (
    COLUMNS,
    NO,
    ROLE_NAMES,
    SHEET_DEPARTMENTS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    UNIT_KINDS,
    YES,
    Parsed,
    Problem,
    Row,
    roles_in,
)
from zhiban.org.models import Department, Membership, Post, Unit, User
from zhiban.org.validators import normalise_mobile, validate_mobile


class Checker:
    """Validate the parsed rows against each other and the database."""

    def __init__(self, parsed: Parsed, problems: list[Problem]) -> None:
        self.parsed = parsed
        self.problems = problems
        self.db_units = {u.code: u for u in Unit.objects.all()}
        self.db_departments = {d.code: d for d in Department.objects.all()}
        self.db_people = {
            u.employee_number: u for u in User.objects.exclude(employee_number=None)
        }
        self.db_usernames = dict(User.objects.values_list("username", "id"))
        self.db_posts = {p.code: p for p in Post.objects.all()}
        # Final state of the file, filled while checking.
        self.unit_parent: dict[str, str] = {}
        self.dept_rows: dict[str, Row] = {}
        self.dept_unit: dict[str, str] = {}
        self.dept_parent: dict[str, str] = {}
        self.people_rows: dict[str, Row] = {}

    def add(self, sheet: str, row: Row | None, column: str, message: str) -> None:
        self.problems.append(
            Problem(sheet, row.number if row else None, column, message)
        )

    def required(self, sheet: str, row: Row) -> bool:
        ok = True
        for name, required in COLUMNS[sheet]:
            if required and not row.get(name):
                self.add(sheet, row, name, _("A value is required."))
                ok = False
        return ok

    def integer(self, sheet: str, row: Row, column: str) -> None:
        value = row.get(column)
        if value and not value.isdigit():
            self.add(
                sheet,
                row,
                column,
                _("“%(value)s” is not a whole number.") % {"value": value},
            )

    def duplicates(self, sheet: str, rows: Iterable[Row], column: str) -> set[str]:
        first: dict[str, int] = {}
        dupes: set[str] = set()
        for row in rows:
            value = row.get(column)
            if not value:
                continue
            if value in first:
                dupes.add(value)
                self.add(
                    sheet,
                    row,
                    column,
                    _("“%(value)s” appears again (first in row %(first)d).")
                    % {"value": value, "first": first[value]},
                )
            else:
                first[value] = row.number
        return dupes

    def run(self) -> None:
        self.check_units()
        self.check_departments()
        self.check_people()
        self.check_leaders()

    # Units
    def check_units(self) -> None:
        sheet = SHEET_UNITS
        rows = self.parsed.units
        self.duplicates(sheet, rows, "编码")
        known = set(self.db_units) | {r.get("编码") for r in rows if r.get("编码")}
        for row in rows:
            self.required(sheet, row)
            code = row.get("编码")
            kind = row.get("类型")
            if kind and kind not in UNIT_KINDS:
                self.add(
                    sheet,
                    row,
                    "类型",
                    _("Unknown unit type “%(value)s”; use one of: %(choices)s.")
                    % {"value": kind, "choices": "集团本部、矿、公司、其他"},
                )
            parent = row.get("上级单位编码")
            if parent and parent not in known:
                self.add(
                    sheet,
                    row,
                    "上级单位编码",
                    _("Unknown unit code “%(code)s”.") % {"code": parent},
                )
            self.integer(sheet, row, "排序")
            if code:
                self.unit_parent.setdefault(code, parent)
        graph = {
            code: (unit.parent.code if unit.parent is not None else "")
            for code, unit in self._db_units_with_parents().items()
        }
        graph.update(self.unit_parent)
        for row in rows:
            code = row.get("编码")
            if code and self._in_cycle(code, graph):
                self.add(
                    sheet,
                    row,
                    "上级单位编码",
                    _("Unit “%(code)s” would end up inside itself (a cycle).")
                    % {"code": code},
                )

    def _db_units_with_parents(self) -> dict[str, Unit]:
        return {u.code: u for u in Unit.objects.select_related("parent")}

    @staticmethod
    def _in_cycle(code: str, graph: dict[str, str]) -> bool:
        seen = {code}
        node = graph.get(code, "")
        while node:
            if node in seen:
                return node == code
            seen.add(node)
            node = graph.get(node, "")
        return False

    # Departments
    def check_departments(self) -> None:
        sheet = SHEET_DEPARTMENTS
        rows = self.parsed.departments
        self.duplicates(sheet, rows, "编码")
        known_units = set(self.db_units) | {
            r.get("编码") for r in self.parsed.units if r.get("编码")
        }
        file_codes = {r.get("编码") for r in rows if r.get("编码")}
        known = set(self.db_departments) | file_codes
        for row in rows:
            self.required(sheet, row)
            code, unit = row.get("编码"), row.get("所属单位编码")
            if unit and unit not in known_units:
                self.add(
                    sheet,
                    row,
                    "所属单位编码",
                    _("Unknown unit code “%(code)s”.") % {"code": unit},
                )
            parent = row.get("上级部门编码")
            if parent and parent not in known:
                self.add(
                    sheet,
                    row,
                    "上级部门编码",
                    _("Unknown department code “%(code)s”.") % {"code": parent},
                )
            self.integer(sheet, row, "排序")
            if code and code not in self.dept_rows:
                self.dept_rows[code] = row
                self.dept_unit[code] = unit
                self.dept_parent[code] = parent
        # The final tree: the database's departments, overridden by the file's.
        by_pk = {d.pk: d for d in self.db_departments.values()}
        graph: dict[str, str] = {}
        units: dict[str, str] = {}
        names: dict[str, str] = {}
        unit_codes = {u.pk: u.code for u in self.db_units.values()}
        for code, dept in self.db_departments.items():
            parent_dept = by_pk.get(dept.parent_id) if dept.parent_id else None
            graph[code] = parent_dept.code if parent_dept else ""
            units[code] = unit_codes.get(dept.unit_id, "")
            names[code] = dept.name
        graph.update(self.dept_parent)
        units.update(self.dept_unit)
        names.update({c: r.get("名称") for c, r in self.dept_rows.items()})
        siblings: dict[tuple[str, str, str], str] = {}
        for code in sorted(names, key=lambda c: (c not in self.dept_rows, c)):
            key = (units.get(code, ""), graph.get(code, ""), names[code])
            siblings.setdefault(key, code)
        for code, row in self.dept_rows.items():
            if self._in_cycle(code, graph):
                self.add(
                    sheet,
                    row,
                    "上级部门编码",
                    _("Department “%(code)s” would end up inside itself (a cycle).")
                    % {"code": code},
                )
                continue
            parent = graph.get(code, "")
            if parent and units.get(parent) and units.get(parent) != units.get(code):
                self.add(
                    sheet,
                    row,
                    "上级部门编码",
                    _(
                        "The parent department “%(parent)s” belongs to unit "
                        "“%(unit)s”, not “%(own)s”."
                    )
                    % {
                        "parent": parent,
                        "unit": units.get(parent),
                        "own": units.get(code),
                    },
                )
            key = (units.get(code, ""), parent, names[code])
            if names[code] and siblings.get(key) != code:
                self.add(
                    sheet,
                    row,
                    "名称",
                    _(
                        "Department “%(other)s” already has the name “%(name)s” at "
                        "this place of the tree."
                    )
                    % {"other": siblings[key], "name": names[code]},
                )

    # People
    def check_people(self) -> None:
        sheet = SHEET_PEOPLE
        rows = self.parsed.people
        self.duplicates(sheet, rows, "工号")
        self.duplicates(sheet, rows, "登录名")
        known_departments = set(self.db_departments) | set(self.dept_rows)
        heads: dict[str, Row] = {}
        for row in rows:
            self.required(sheet, row)
            number = row.get("工号")
            if number and number not in self.people_rows:
                self.people_rows[number] = row
            department = row.get("主部门编码")
            if department and department not in known_departments:
                self.add(
                    sheet,
                    row,
                    "主部门编码",
                    _("Unknown department code “%(code)s”.") % {"code": department},
                )
            self.check_username(row)
            mobile = normalise_mobile(row.get("手机"))
            try:
                validate_mobile(mobile)
            except ValidationError as error:
                self.add(sheet, row, "手机", error.messages[0])
            email = row.get("邮箱")
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    self.add(
                        sheet,
                        row,
                        "邮箱",
                        _("“%(value)s” is not a valid email address.")
                        % {"value": email},
                    )
            post = row.get("岗位编码")
            if post and post not in self.db_posts:
                self.add(
                    sheet,
                    row,
                    "岗位编码",
                    _("Unknown post code “%(code)s”.") % {"code": post},
                )
            for role in roles_in(row):
                if role not in ROLE_NAMES:
                    self.add(
                        sheet,
                        row,
                        "角色",
                        _("Unknown role “%(value)s”.") % {"value": role},
                    )
            head = row.get("部门负责人").upper()
            if head not in YES and head not in NO:
                self.add(
                    sheet,
                    row,
                    "部门负责人",
                    _("Write 是 or 否, not “%(value)s”.")
                    % {"value": row.get("部门负责人")},
                )
            elif head in YES and department:
                if department in heads:
                    self.add(
                        sheet,
                        row,
                        "部门负责人",
                        _(
                            "Department “%(code)s” already has a head in row "
                            "%(row)d; a department has one head."
                        )
                        % {"code": department, "row": heads[department].number},
                    )
                else:
                    heads[department] = row
        self.check_heads_against_database(heads)

    def check_username(self, row: Row) -> None:
        number = row.get("工号")
        username = row.get("登录名")
        existing = self.db_people.get(number)
        if not username:
            if existing is not None:
                return
            username = number
        owner_id = self.db_usernames.get(username)
        if owner_id is not None and (existing is None or existing.pk != owner_id):
            column = "登录名" if row.get("登录名") else "工号"
            self.add(
                SHEET_PEOPLE,
                row,
                column,
                _(
                    "The sign-in name “%(username)s” already belongs to another "
                    "person in the system (not employee number %(number)s)."
                )
                % {"username": username, "number": number},
            )

    def check_heads_against_database(self, heads: dict[str, Row]) -> None:
        # A head in the database stays head unless the file demotes them.
        current_heads = {
            membership.department.code: membership
            for membership in Membership.objects.filter(
                is_head=True, department__code__in=list(heads)
            ).select_related("user", "department")
        }
        for code, row in heads.items():
            current = current_heads.get(code)
            if current is None:
                continue
            number = current.user.employee_number or ""
            if number == row.get("工号"):
                continue
            listed = self.people_rows.get(number)
            if (
                listed is not None
                and listed.get("主部门编码") == code
                and listed.get("部门负责人").upper() in NO
            ):
                continue  # the file demotes the current head

            self.add(
                SHEET_PEOPLE,
                row,
                "部门负责人",
                _(
                    "Department “%(code)s” already has a head in the system: "
                    "%(name)s. List that person in the file as not head, or change "
                    "it in the system first."
                )
                % {"code": code, "name": current.user.display_name},
            )

    def check_leaders(self) -> None:
        for row in self.dept_rows.values():
            number = row.get("分管领导工号")
            if not number:
                continue
            if number in self.people_rows:
                continue
            person = self.db_people.get(number)
            if person is None:
                self.add(
                    SHEET_DEPARTMENTS,
                    row,
                    "分管领导工号",
                    _("No person has employee number “%(number)s”.")
                    % {"number": number},
                )
            elif not person.is_active:
                self.add(
                    SHEET_DEPARTMENTS,
                    row,
                    "分管领导工号",
                    _("“%(name)s” is deactivated and cannot oversee a department.")
                    % {"name": person.display_name},
                )
