"""Seed the fictional coal group: units, departments, people, delegations, work, notices.

Every step looks for what an earlier run created (by code, sign-in name or title), so
seeding twice changes nothing. Rows are written through the organisation and inbox
services, which validate them and write the audit trail.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhiban.core.demo.data import (
    EMAIL_DOMAIN,
    PASSWORD,
    PEOPLE,
    UNITS,
    DepartmentSpec,
    employee_number,
    mobile,
)
from zhiban.inbox.models import Urgency, WorkItem
from zhiban.inbox.services import work_items_open
from zhiban.org import services as org
from zhiban.org.models import Delegation, Department, Membership, Unit, User

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class WorkSpec:
    assignees: tuple[str, ...]
    kind: str
    title: str
    reason: str
    initiator: str
    urgency: int = Urgency.NORMAL
    due_in: datetime.timedelta | None = None  # from now; negative: overdue
    is_cc: bool = False


WORK: tuple[WorkSpec, ...] = (
    WorkSpec(
        ("chenjing",),
        "document",
        "关于做好2027年元旦春节期间安全生产工作的通知（拟办）",
        "收文待拟办",
        "wangfang",
        Urgency.EXTRA_URGENT,
        -3 * HOUR,
    ),
    WorkSpec(
        ("chenjing",),
        "document",
        "集团公司2026年工作总结（核稿）",
        "发文待核稿",
        "luomin",
        Urgency.URGENT,
        5 * HOUR,
    ),
    WorkSpec(
        ("chenjing", "zhaolei"),
        "supervision",
        "督办：九里山矿主运输系统改造进度",
        "督办事项待审核办结申请",
        "lizhenhua",
        Urgency.URGENT,
        1 * DAY,
    ),
    WorkSpec(
        ("chenjing",),
        "meeting",
        "集团公司第四季度经济活动分析会会务准备",
        "会务任务清单由您牵头",
        "lizhenhua",
        Urgency.NORMAL,
        3 * DAY,
    ),
    WorkSpec(
        ("wangfang",),
        "document",
        "河南省应急管理厅《关于开展冬季煤矿安全专项检查的通知》签收",
        "来文待签收登记",
        "chenjing",
        Urgency.EXTRA_URGENT,
        2 * HOUR,
    ),
    WorkSpec(
        ("wangfang",),
        "document",
        "豫能焦煤〔2026〕118号 发文编号",
        "签发后待编号",
        "lizhenhua",
        Urgency.NORMAL,
        -1 * DAY,
    ),
    WorkSpec(
        ("wangfang", "liqiang"),
        "approval",
        "用印申请：朝阳煤矿采矿许可证延续材料",
        "用印审批待您审核",
        "zhangli",
        Urgency.URGENT,
        20 * HOUR,
    ),
    WorkSpec(
        ("lizhenhua",),
        "document",
        "关于2027年度生产经营计划的请示（签发）",
        "发文待您签发",
        "chenjing",
        Urgency.EXTRA_URGENT,
        4 * HOUR,
    ),
    WorkSpec(
        ("lizhenhua", "wangjianguo"),
        "document",
        "省国资委《关于国有企业综合办公室规范化建设的意见》（批示）",
        "领导批示",
        "chenjing",
        Urgency.URGENT,
        2 * DAY,
    ),
    WorkSpec(
        ("liuyang",),
        "approval",
        "请示：综合办公室档案库房改造",
        "分管部门请示待审批",
        "chenjing",
        Urgency.NORMAL,
        -2 * DAY,
    ),
    WorkSpec(
        ("zhaohaitao",),
        "supervision",
        "督办：赵固一矿智能化工作面建设",
        "分管领导审阅进度反馈",
        "zhaolei",
        Urgency.URGENT,
        6 * HOUR,
    ),
    WorkSpec(
        ("zhaolei",),
        "supervision",
        "督办：演马庄矿瓦斯抽采达标评判整改",
        "超期未反馈，待催办",
        "lizhenhua",
        Urgency.EXTRA_URGENT,
        -5 * HOUR,
    ),
    WorkSpec(
        ("wumin",),
        "approval",
        "费用报销：赵固一矿财务科赴郑州参加财务决算培训差旅费",
        "财务部负责人审批",
        "fengjun",
        Urgency.NORMAL,
        1 * DAY,
    ),
    WorkSpec(
        ("fengtao", "songjian", "hanlei"),
        "meeting",
        "安全生产月度例会通知（回执）",
        "会议通知待回执",
        "chenjing",
        Urgency.URGENT,
        10 * HOUR,
    ),
    WorkSpec(
        ("majun",),
        "approval",
        "用车申请：九里山矿安全检查（派车）",
        "用车申请待派车",
        "songjian",
        Urgency.URGENT,
        3 * HOUR,
    ),
    WorkSpec(
        ("huangli",),
        "document",
        "2025年度文书档案移交清单审核",
        "档案移交待接收",
        "wangfang",
        Urgency.NORMAL,
        7 * DAY,
    ),
    WorkSpec(
        ("liujianjun", "sunwei", "yangfan", "wubin", "xuliang"),
        "document",
        "关于报送2026年度综合办公室工作总结的通知",
        "集团发文待承办",
        "chenjing",
        Urgency.NORMAL,
        5 * DAY,
    ),
    WorkSpec(
        ("luomin", "zhudan", "gaofeng"),
        "document",
        "集团公司《公文处理实施细则》传阅",
        "抄送传阅",
        "chenjing",
        Urgency.NORMAL,
        None,
        True,
    ),
    WorkSpec(
        ("admin",),
        "approval",
        "新增用户审批：物资供销分公司仓储部",
        "系统账号开通申请",
        "zhuming",
        Urgency.NORMAL,
        2 * DAY,
    ),
)


@dataclass
class SeedReport:
    """What a run created (zero everywhere on a second run)."""

    created: Counter[str]
    notes: list[str]


def _seed_units(report: SeedReport) -> dict[str, Department]:
    departments: dict[str, Department] = {
        d.code: d for d in Department.objects.select_related("unit")
    }
    units = {u.code: u for u in Unit.objects.all()}
    headquarters: Unit | None = None
    for order, spec in enumerate(UNITS, start=1):
        unit = units.get(spec.code)
        if unit is None:
            unit = org.unit_create(
                by=None,
                code=spec.code,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                parent=headquarters if spec.kind != Unit.Kind.HEADQUARTERS else None,
                sort_order=order * 10,
            )
            report.created["units"] += 1
        if spec.kind == Unit.Kind.HEADQUARTERS:
            headquarters = unit

        def add(
            items: tuple[DepartmentSpec, ...], parent: Department | None, unit: Unit
        ) -> None:
            for position, item in enumerate(items, start=1):
                department = departments.get(item.code)
                if department is None:
                    department = org.department_create(
                        by=None,
                        unit=unit,
                        code=item.code,
                        name=item.name,
                        parent=parent,
                        sort_order=position * 10,
                    )
                    departments[item.code] = department
                    report.created["departments"] += 1
                add(item.children, department, unit)

        add(spec.departments, None, unit)
    return departments


def _seed_people(
    report: SeedReport, departments: dict[str, Department]
) -> dict[str, User]:
    existing = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    people: dict[str, User] = {}
    for index, spec in enumerate(PEOPLE):
        user = existing.get(spec.username)
        if user is None:
            user = org.user_create(
                by=None,
                username=spec.username,
                name=spec.name,
                employee_number=employee_number(index),
                mobile=mobile(index),
                email=f"{spec.username}@{EMAIL_DOMAIN}",
                primary_department=departments[spec.department],
                title=spec.title,
                password=PASSWORD,
                roles=[str(role) for role in spec.roles],
            )
            report.created["users"] += 1
            if spec.username == "admin":
                # The demo administrator may also open the Django admin.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        people[spec.username] = user
    heads = set(
        Membership.objects.filter(is_head=True).values_list(
            "user__username", "department__code"
        )
    )
    for spec in PEOPLE:
        if spec.is_head and (spec.username, spec.department) not in heads:
            org.membership_set(
                by=None,
                user=people[spec.username],
                department=departments[spec.department],
                title=spec.title,
                is_head=True,
            )
            report.created["heads"] += 1
        for code in spec.oversees:
            department = departments[code]
            if department.overseeing_leader_id != people[spec.username].pk:
                org.department_set_overseeing_leader(
                    by=None, department=department, leader=people[spec.username]
                )
                report.created["overseen departments"] += 1
    return people


def _usernames() -> list[str]:
    return [spec.username for spec in PEOPLE]


def _seed_delegations(
    report: SeedReport, people: dict[str, User], today: datetime.date
) -> None:
    wanted = [
        # The head of finance is away on a training course: her work goes to her
        # accountant for the week.
        ("wumin", "yangjie", (), today - DAY, today + 5 * DAY, "赴北京参加财务培训"),
        # The deputy secretary will be on a study tour: documents go to the office
        # director.
        (
            "liuyang",
            "chenjing",
            ("document",),
            today + 3 * DAY,
            today + 10 * DAY,
            "参加省委党校学习",
        ),
    ]
    for delegator, delegate, kinds, starts_on, ends_on, reason in wanted:
        if Delegation.objects.filter(
            delegator=people[delegator], delegate=people[delegate]
        ).exists():
            continue
        org.delegation_create(
            by=people["admin"],
            delegator=people[delegator],
            delegate=people[delegate],
            kinds=kinds,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            today=today,
        )
        report.created["delegations"] += 1


def _seed_work(
    report: SeedReport, people: dict[str, User], now: datetime.datetime
) -> None:
    for spec in WORK:
        assignees = [
            people[name]
            for name in spec.assignees
            if not WorkItem.objects.filter(
                Q(assignee=people[name]) | Q(on_behalf_of=people[name]),
                kind=spec.kind,
                title=spec.title,
            ).exists()
        ]
        if not assignees:
            continue
        work_items_open(
            assignees=assignees,
            kind=spec.kind,
            title=spec.title,
            reason=spec.reason,
            initiator=people[spec.initiator],
            urgency=spec.urgency,
            due_at=now + spec.due_in if spec.due_in is not None else None,
            is_cc=spec.is_cc,
            notify_assignees=False,
        )
        report.created["work items"] += len(assignees)


def _seed_notices(
    report: SeedReport, people: dict[str, User], departments: dict[str, Department]
) -> None:
    try:
        from zhiban.notices.demo import seed_demo_notices
    except ImportError:
        report.notes.append("notices: zhiban.notices.demo is missing, none seeded")
        return
    notice_model = apps.get_model("notices", "Notice")
    if notice_model.objects.exists():
        return  # seeded before (or written by hand): leave them be
    notices = seed_demo_notices(
        author=people["chenjing"],
        departments=[departments[code] for code in ("YN-ZHB", "YN-AJ", "YN-SC")],
        users=[people[name] for name in ("wangfang", "fengtao", "songjian", "luomin")],
    )
    report.created["notices"] += len(notices)


def _seed_seals_and_vehicles(
    report: SeedReport, people: dict[str, User], departments: dict[str, Department]
) -> None:
    """Demo seals, seal-use and vehicle requests (zhiban.seals / zhiban.vehicles)."""
    from zhiban.seals.demo import seed_demo_seals
    from zhiban.seals.models import Seal
    from zhiban.vehicles.demo import seed_demo_vehicles
    from zhiban.workflow.models import FlowInstance

    if not Seal.objects.exists():  # seeded before (or written by hand): leave them
        seals = seed_demo_seals(
            admin=people["admin"], people=people, departments=departments
        )
        report.created["seals"] += len(seals)
    if not FlowInstance.objects.filter(version__definition__kind="vehicle").exists():
        requests = seed_demo_vehicles(people=people)
        report.created["vehicle requests"] += len(requests)


def _seed_documents(
    report: SeedReport, people: dict[str, User], departments: dict[str, Department]
) -> None:
    """Demo number series and register entries (zhiban.documents)."""
    from zhiban.documents.demo import seed_demo_documents
    from zhiban.documents.models import NumberSeries

    if NumberSeries.objects.exists():  # seeded before (or written by hand)
        return
    documents = seed_demo_documents(people=people, departments=departments)
    report.created["documents"] += len(documents)


def _seed_supervision(
    report: SeedReport, people: dict[str, User], departments: dict[str, Department]
) -> None:
    """Demo supervision items in every state and light (zhiban.supervision)."""
    from zhiban.supervision.demo import seed_demo_supervision
    from zhiban.supervision.models import SupervisionItem

    if SupervisionItem.objects.exists():  # seeded before (or written by hand)
        return
    items = seed_demo_supervision(people=people, departments=departments)
    report.created["supervision items"] += len(items)


def _seed_meetings(report: SeedReport, people: dict[str, User]) -> None:
    """Demo meeting rooms and a week of bookings (zhiban.meetings)."""
    from zhiban.meetings.demo import seed_demo_meetings
    from zhiban.meetings.models import Room

    if Room.objects.exists():  # seeded before (or written by hand)
        return
    bookings = seed_demo_meetings(people=people)
    report.created["room bookings"] += len(bookings)


def seed_demo(*, now: datetime.datetime | None = None) -> SeedReport:
    """Create whatever of the demo organisation is missing, in one transaction."""
    now = now or timezone.now()
    report = SeedReport(created=Counter(), notes=[])
    with transaction.atomic():
        departments = _seed_units(report)
        people = _seed_people(report, departments)
        _seed_delegations(report, people, timezone.localdate(now))
        _seed_work(report, people, now)
        _seed_notices(report, people, departments)
        _seed_seals_and_vehicles(report, people, departments)
        _seed_documents(report, people, departments)
        _seed_supervision(report, people, departments)
        _seed_meetings(report, people)
    return report


def demo_accounts() -> list[dict[str, str]]:
    """Return the demo accounts with their roles and departments, for printing."""
    from zhiban.org.models import Role

    labels = dict(Role.choices)
    users = (
        User.objects.filter(username__in=_usernames())
        .select_related("primary_department__unit")
        .prefetch_related("groups")
    )
    by_name = {user.username: user for user in users}
    rows = []
    for spec in PEOPLE:
        user = by_name.get(spec.username)
        if user is None:
            continue
        department = user.primary_department
        rows.append(
            {
                "username": user.username,
                "name": user.display_name,
                "title": user.title,
                "roles": "、".join(
                    str(labels.get(group.name, group.name))
                    for group in sorted(user.groups.all(), key=lambda g: g.name)
                ),
                "department": (
                    f"{department.unit.short_name or department.unit.name} "
                    f"{department.name}"
                    if department
                    else ""
                ),
            }
        )
    return rows
