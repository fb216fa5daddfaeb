"""Generate benchmark data: users in departments, and work items spread over them.

Rows are written with bulk_create, not through the services: the benchmark measures reading
the to-do list, and a realistic table is what matters, not how it was filled.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from zhiban.inbox.models import Urgency, WorkItem
from zhiban.org.models import Department, Membership, Unit, User

BENCH_USERNAME = "bench"
KINDS = [
    "notice.read",
    "document.incoming",
    "document.outgoing",
    "approval.seal",
    "meeting.reply",
]
TITLES = [
    "关于做好冬季安全生产工作的通知",
    "关于报送2026年度重点工作完成情况的请示",
    "集团公司党委会会议纪要",
    "关于印发《公文处理实施细则》的通知",
    "用印申请：合同盖章",
    "用车申请：赴朝阳煤矿检查",
]


def ensure_users(count: int) -> list[int]:
    """Create the bench organisation and `count` users (idempotent); return user ids."""
    existing = list(User.objects.order_by("id").values_list("id", flat=True))
    if len(existing) >= count:
        return existing[:count]
    unit, _ = Unit.objects.get_or_create(
        code="BENCH", defaults={"name": "基准测试单位", "kind": Unit.Kind.HEADQUARTERS}
    )
    departments = []
    for index in range(20):
        department, _ = Department.objects.get_or_create(
            code=f"BENCH-D{index:02d}",
            defaults={"unit": unit, "name": f"基准部门{index:02d}"},
        )
        departments.append(department)
    password = make_password(None)  # unusable: the bench signs in by session
    users = []
    start = len(existing)
    for index in range(start, count):
        username = BENCH_USERNAME if index == 0 else f"bench{index:05d}"
        users.append(
            User(
                username=username,
                name=f"测试用户{index:05d}",
                employee_number=f"B{index:06d}",
                password=password,
                primary_department=departments[index % len(departments)],
            )
        )
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        created = User.objects.filter(username__startswith=BENCH_USERNAME)
        Membership.objects.bulk_create(
            [
                Membership(user_id=user_id, department_id=department_id)
                for user_id, department_id in created.values_list(
                    "id", "primary_department_id"
                )
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
    return list(User.objects.order_by("id").values_list("id", flat=True))[:count]


def grow_work_items(*, total: int, user_ids: list[int], seed: int = 7) -> int:
    """Add work items until there are `total`; the bench user gets 1% (at least 200)."""
    rng = random.Random(seed + WorkItem.objects.count())
    have = WorkItem.objects.count()
    if have >= total:
        return have
    bench_id = User.objects.get(username=BENCH_USERNAME).pk
    bench_share = max(200, total // 100)
    bench_have = WorkItem.objects.filter(assignee_id=bench_id).count()
    now = timezone.now()
    batch: list[WorkItem] = []
    for index in range(have, total):
        assignee = bench_id if bench_have < bench_share else rng.choice(user_ids)
        if assignee == bench_id:
            bench_have += 1
        state = rng.choices(
            [WorkItem.State.OPEN, WorkItem.State.DONE, WorkItem.State.CANCELLED],
            weights=[5, 4, 1],
        )[0]
        opened = now - datetime.timedelta(minutes=rng.randint(10, 60 * 24 * 90))
        due = (
            opened + datetime.timedelta(hours=rng.randint(4, 24 * 20))
            if rng.random() < 0.7
            else None
        )
        batch.append(
            WorkItem(
                assignee_id=assignee,
                initiator_id=rng.choice(user_ids),
                kind=rng.choice(KINDS),
                is_cc=rng.random() < 0.15,
                title=f"{rng.choice(TITLES)}（{index}）",
                reason="部门负责人：基准部门",
                url=f"/notices/{index}/",
                urgency=rng.choices(
                    [Urgency.NORMAL, Urgency.URGENT, Urgency.EXTRA_URGENT],
                    weights=[8, 3, 1],
                )[0],
                due_at=due,
                state=state,
                opened_at=opened,
                closed_at=None
                if state == WorkItem.State.OPEN
                else opened + datetime.timedelta(hours=2),
            )
        )
        if len(batch) >= 5000:
            WorkItem.objects.bulk_create(batch)
            batch = []
    if batch:
        WorkItem.objects.bulk_create(batch)
    return WorkItem.objects.count()
