"""Demo supervision items for the seeded organisation, through the services.

The list shows what the supervision office finds on a working morning: items in
every state and every light. The services issue items today; to show items issued
days ago, the demo moves an item's dates back afterwards (``_age``), as if it had
been issued then. Nothing but the demo does that.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db.models import F
from django.utils import timezone

from zhiban.org.models import Department, User
from zhiban.supervision import services
from zhiban.supervision.defaults import ensure_profiles
from zhiban.supervision.escalation import escalation_sweep
from zhiban.supervision.models import (
    ClockProfile,
    Grade,
    ItemDepartment,
    ItemEvent,
    ItemNode,
    ItemType,
    Report,
    Source,
    SupervisionItem,
)


def _age(item: SupervisionItem, days: int) -> None:
    """Move every date of the item back by `days` (the demo's history)."""
    shift = datetime.timedelta(days=days)
    # closed_at too (a null stays null): the caller's copy of the item may not know
    # it is closed.
    SupervisionItem.objects.filter(pk=item.pk).update(
        issued_on=F("issued_on") - shift,
        issued_at=F("issued_at") - shift,
        closed_at=F("closed_at") - shift,
    )
    ItemNode.objects.filter(item=item).update(
        due_on=F("due_on") - shift, done_at=F("done_at") - shift
    )
    ItemDepartment.objects.filter(item=item).update(
        signed_at=F("signed_at") - shift,
        # The item's copies on its department rows move with it (ADR 11).
        item_issued_on=F("item_issued_on") - shift,
        item_closed_at=F("item_closed_at") - shift,
    )
    ItemEvent.objects.filter(item=item).update(at=F("at") - shift)
    Report.objects.filter(item=item).update(created_at=F("created_at") - shift)
    services._refresh_next_due(item)


def seed_demo_supervision(
    *, people: Mapping[str, User], departments: Mapping[str, Department]
) -> list[SupervisionItem]:
    """Create the demo items (the caller checks that none exist yet)."""
    ensure_profiles(ClockProfile)
    profile = ClockProfile.objects.get(code="13710")
    officer = people["zhaolei"]
    today = timezone.localdate()

    def item(
        leader: str,
        lead: str,
        title: str,
        content: str,
        leader_name: str = "",
        **extra: object,
    ) -> SupervisionItem:
        return services.item_create(
            by=people[leader],
            title=title,
            content=content,
            leader=people[leader_name or leader],
            officer=officer,
            profile=profile,
            lead_department=departments[lead],
            **extra,  # type: ignore[arg-type]
        )

    made = []
    # Red: signed for, but the plan is days late.
    winter = item(
        "zhougang",
        "YN-AJ",
        "开展岁末年初安全生产大检查",
        "对集团所属各矿开展一次全覆盖的安全生产大检查，重点检查瓦斯、水害和顶板管理。",
        source=Source.SUPERIOR,
        source_text="河南省应急管理厅豫应急〔2026〕118号",
        co_departments=[departments["YN-SC"], departments["YN-JD"]],
        responsible=people["linbo"],
    )
    services.item_issue(item=winter, by=people["zhougang"])
    services.item_sign(
        item=winter,
        by=people["songjian"],
        arrangement="部长牵头，林波具体负责，分三组下矿。",
    )
    _age(winter, 9)
    made.append(winter)
    # Green: a major item under way with milestones.
    smart = item(
        "zhaohaitao",
        "YN-SC",
        "推进智能化综采工作面建设",
        "年内建成两个智能化综采工作面，并通过省能源局验收。",
        item_type=ItemType.MAJOR,
        source=Source.KEY_WORK,
        responsible=people["gaofeng"],
    )
    services.item_issue(item=smart, by=people["zhaohaitao"])
    services.item_sign(
        item=smart, by=people["fengtao"], arrangement="成立专班，高峰具体负责。"
    )
    services.item_plan(
        item=smart,
        by=people["gaofeng"],
        plan="分设备选型、安装调试、联合验收三步推进。",
        milestones=[
            (today + datetime.timedelta(days=8), "完成设备安装"),
            (today + datetime.timedelta(days=20), "完成联合试运转"),
        ],
    )
    services.item_report(
        item=smart, by=people["gaofeng"], text="设备已全部到货，开始安装。"
    )
    made.append(smart)
    # Yellow: issued today, to be signed for by tomorrow.
    party = item(
        "liuyang",
        "YN-DW",
        "落实全面从严治党主体责任清单",
        "对照主体责任清单，逐项明确责任人和完成时限。",
        source=Source.MEETING,
        source_text="党委会（2026年第20次）决定事项第3项",
    )
    services.item_issue(item=party, by=people["liuyang"])
    made.append(party)
    # Waiting for the officer: completion requested.
    funds = item(
        "lizhenhua",
        "YN-CW",
        "压降“两金”占用",
        "年底前应收账款和存货较年初压降10%以上。",
        source=Source.KEY_WORK,
    )
    services.item_issue(item=funds, by=people["lizhenhua"])
    services.item_sign(
        item=funds, by=people["wumin"], arrangement="财务部牵头，逐户清收。"
    )
    services.item_plan(item=funds, by=people["wumin"], plan="按月清收，月度通报。")
    services.item_request_completion(
        item=funds, by=people["wumin"], summary="两金压降12.3%，完成目标。"
    )
    _age(funds, 5)
    made.append(funds)
    # Closed with a grade, after one return.
    rules = item(
        "sunliping",
        "YN-QG",
        "修订集团合同管理办法",
        "结合新《民法典》合同编修订合同管理办法并印发。",
        source=Source.OTHER,
    )
    services.item_issue(item=rules, by=people["sunliping"])
    services.item_sign(item=rules, by=people["tangliang"], arrangement="企管部起草。")
    services.item_request_completion(
        item=rules, by=people["tangliang"], summary="已起草完成。"
    )
    services.item_return(
        item=rules, by=officer, reason="尚未经总经理办公会审议，请审议后再申请办结。"
    )
    services.item_request_completion(
        item=rules, by=people["tangliang"], summary="已经总经理办公会审议通过并印发。"
    )
    services.item_close(
        item=rules, by=officer, grade=Grade.GOOD, reason="按期完成，程序完备。"
    )
    _age(rules, 20)
    made.append(rules)
    # Continuing, with a weekly report.
    repair = item(
        "zhaohaitao",
        "YN-JD",
        "抓好冬季设备检修",
        "持续推进主要设备冬季检修，每周报告进度。",
        item_type=ItemType.CONTINUING,
        report_cycle="weekly",
        source=Source.KEY_WORK,
    )
    services.item_issue(item=repair, by=people["zhaohaitao"])
    made.append(repair)
    # A draft with the leader for review.
    draft = item(
        "zhaolei",
        "YN-RL",
        "做好年度职工教育培训总结",
        "总结全年培训工作，提出明年计划。",
        leader_name="sunliping",
        source=Source.KEY_WORK,
    )
    services.item_submit_review(item=draft, by=officer)
    made.append(draft)
    # A joint on-site supervision of the winter check, with two points to put right.
    services.inspection_record(
        by=officer,
        title="岁末年初安全生产联合督查（朝阳煤矿）",
        held_on=today - datetime.timedelta(days=2),
        place="朝阳煤矿 1201 综采工作面",
        leader=people["zhougang"],
        participants=[officer, people["songjian"], people["linbo"], people["hanlei"]],
        departments=[departments["YN-AJ"], departments["YN-JD"], departments["YN-ZHB"]],
        findings="1. 局部通风机未实行挂牌管理；\n2. 井下消防器材部分过期；\n3. 班前会记录不全。",
        profile=profile,
        points=[
            services.RectificationPoint(
                text="局部通风机实行挂牌管理", department=departments["YN-JD"]
            ),
            services.RectificationPoint(
                text="更换过期消防器材并建立台账",
                department=departments["YN-AJ"],
                deadline=today + datetime.timedelta(days=5),
            ),
        ],
        item=winter,
    )
    escalation_sweep()
    return made
