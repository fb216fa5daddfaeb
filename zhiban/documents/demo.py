"""Demo documents for the seeded organisation, through the services.

The registers show what a clerk finds on a working morning: urgent incoming
documents with deadlines, outgoing ones numbered (one number voided and never
reused), and a classified entry only the confidential clerk sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.utils import timezone

from zhiban.documents import services
from zhiban.documents.models import Direction, Document
from zhiban.org.models import Department, User

# (title, type, sender, sender's number, days ago received, urgency, deadline in days,
#  handling department)
INCOMING: tuple[tuple[str, str, str, str, int, str, int | None, str], ...] = (
    (
        "关于做好岁末年初安全生产工作的通知",
        "notice",
        "河南省应急管理厅",
        "豫应急〔2026〕118号",
        1,
        "特急",
        5,
        "YN-AJ",
    ),
    (
        "关于报送2026年度国有资产统计报表的函",
        "letter",
        "河南省人民政府国有资产监督管理委员会",
        "豫国资函〔2026〕56号",
        3,
        "加急",
        10,
        "YN-CW",
    ),
    (
        "关于开展煤矿智能化建设情况调研的通知",
        "notice",
        "河南省能源局",
        "豫能源〔2026〕203号",
        6,
        "",
        20,
        "YN-SC",
    ),
    (
        "关于印发《职工教育培训管理办法》的通知",
        "notice",
        "中国煤炭工业协会",
        "中煤协〔2026〕41号",
        12,
        "",
        None,
        "YN-RL",
    ),
)

# (title, type, main recipients, handling department, series code or "", void first)
OUTGOING: tuple[tuple[str, str, str, str, str, bool], ...] = (
    (
        "关于开展冬季安全生产大检查的通知",
        "notice",
        "各二级单位，集团各部门",
        "YN-AJ",
        "豫能集团",
        False,
    ),
    (
        "关于2026年度安全生产工作情况的报告",
        "report",
        "河南省人民政府国有资产监督管理委员会",
        "YN-ZHB",
        "豫能集团",
        True,
    ),
    (
        "关于召开2027年度工作会议的通知",
        "notice",
        "各二级单位，集团各部门",
        "YN-ZHB",
        "豫能集团办",
        False,
    ),
    (
        "关于商请支持煤矿安全技术培训的函",
        "letter",
        "河南理工大学",
        "YN-RL",
        "",
        False,
    ),
)


def seed_demo_documents(
    *, people: Mapping[str, User], departments: Mapping[str, Department]
) -> list[Document]:
    """Create the demo series and documents; return the documents."""
    clerk, director = people["wangfang"], people["chenjing"]
    unit = departments["YN-ZHB"].unit
    today = timezone.localdate()
    series = {
        "豫能集团": services.series_create(
            by=director,
            unit=unit,
            code="豫能集团",
            name="集团公司发文",
            document_types=["decision", "notice", "report", "request", "opinion"],
        ),
        "豫能集团办": services.series_create(
            by=director,
            unit=unit,
            code="豫能集团办",
            name="集团办公室发文",
            document_types=["notice", "letter", "circular", "minutes"],
        ),
    }
    created: list[Document] = []
    for title, kind, sender, number, ago, urgency, due, dept in INCOMING:
        received = today - datetime.timedelta(days=ago)
        created.append(
            services.document_register(
                by=clerk,
                direction=Direction.INCOMING,
                unit=unit,
                document_type=kind,
                title=title,
                sender=sender,
                document_number=number,
                received_on=received,
                written_on=received - datetime.timedelta(days=2),
                urgency=urgency,
                deadline=received + datetime.timedelta(days=due) if due else None,
                department=departments[dept],
                copies=2,
            )
        )
    for title, kind, recipients, dept, code, void_first in OUTGOING:
        document = services.document_register(
            by=clerk,
            direction=Direction.OUTGOING,
            unit=unit,
            document_type=kind,
            title=title,
            main_recipients=recipients,
            department=departments[dept],
            issuer_mark="河南豫能集团有限公司文件",
            issuer_signature="河南豫能集团有限公司",
            cc_recipients="集团公司领导班子成员",
            printed_by="河南豫能集团有限公司综合办公室",
        )
        if code:
            allocated = services.number_allocate(
                document=document, series=series[code], by=clerk, year=today.year
            )
            if void_first:
                services.number_void(
                    number=allocated, by=clerk, reason="主送机关有误，重新编号"
                )
                services.number_allocate(
                    document=document, series=series[code], by=clerk, year=today.year
                )
        created.append(document)
    created.extend(_seed_outgoing_draft(people, departments))
    secret = people.get("qianyu")
    if secret is not None:
        created.append(
            services.document_register(
                by=secret,
                direction=Direction.INCOMING,
                unit=unit,
                document_type="notice",
                title="关于做好重要时期安全保卫工作的通知",
                sender="河南省国家安全厅",
                document_number="豫安〔2026〕9号",
                received_on=today - datetime.timedelta(days=2),
                secrecy_level="机密",
                secrecy_term_years=10,
                copy_number="000012",
                urgency="加急",
                department=departments["YN-ZHB"],
                paper_holder=secret,
                paper_location="机要室保密柜",
            )
        )
    return created


def _seed_outgoing_draft(
    people: Mapping[str, User], departments: Mapping[str, Department]
) -> list[Document]:
    """A draft of the safety department, approved by its head, now at 核稿."""
    from zhiban.documents.services import drafting
    from zhiban.workflow.models import FlowDefinition
    from zhiban.workflow.services import instance_act

    drafter, head = people.get("linbo"), people.get("songjian")
    if drafter is None or head is None:
        return []
    if not FlowDefinition.objects.filter(code="document_outgoing").exists():
        return []
    document = drafting.draft_create(
        by=drafter,
        document_type="notice",
        title="关于开展冬季安全生产大检查的通知",
        main_recipients="集团所属各单位，集团公司各部门",
        body="为切实做好冬季安全生产工作，防范遏制各类事故，"
        "经研究，决定在集团范围内开展冬季安全生产大检查。现将有关事项通知如下：\n"
        "一、检查范围\n集团所属各煤矿、电厂及在建项目。\n"
        "二、检查重点\n防火、防冻、防滑、防中毒，以及重大危险源管控情况。\n"
        "三、时间安排\n各单位于12月10日前完成自查，集团于12月20日前组织抽查。",
    )
    drafting.draft_revise(
        document=document,
        by=drafter,
        title=document.title,
        body=document.body + "\n四、工作要求\n请各单位于12月12日前报送自查报告。",
        note="补充工作要求",
    )
    countersign = [departments[code] for code in ("YN-SC",) if code in departments]
    approval = drafting.draft_submit(
        document=document, by=drafter, countersign_departments=countersign
    )
    instance_act(
        instance_id=approval.instance.pk,
        kind="approve",
        by=head,
        payload={"opinion": "同意，请办公室核稿。"},
    )
    return [document]
