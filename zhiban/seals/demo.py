"""Demo seals and seal-use requests for the seeded organisation, through the services.

Requests run through the approval services, so the demo shows every state: a
request in approval, one waiting for the office director (more than 10
copies), one approved and waiting for its keeper, and one stamped.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from django.core.files.uploadedfile import SimpleUploadedFile

from zhiban.org.models import Department, Unit, User
from zhiban.seals import services
from zhiban.seals.defaults import CODE, ensure_default_flow
from zhiban.seals.models import Seal, SealUse
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowDefinition, FlowInstance, FlowTask, FlowVersion

# (name, kind, unit code, department code or "", keeper, deputy, where it is kept)
SEALS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("集团公章", "official", "YN", "", "wangfang", "liqiang", "综合办公室机要室保险柜"),
    ("合同专用章", "contract", "YN", "", "yangjie", "", "财务部保险柜"),
    (
        "法定代表人章",
        "legal_representative",
        "YN",
        "",
        "chenjing",
        "",
        "办公室主任办公室",
    ),
    ("党委印章", "party_committee", "YN", "", "luomin", "", "党委工作部"),
    ("综合办公室章", "department", "YN", "YN-ZHB", "wangfang", "liqiang", "文秘科"),
    ("朝阳煤矿公章", "official", "CY", "", "zhangli", "", "矿办公室"),
)

# (requester, seal name, document title, copies, how far it goes)
REQUESTS: tuple[tuple[str, str, str, int, str], ...] = (
    ("caoyu", "合同专用章", "机电设备采购合同（综采工作面液压支架）", 4, "stamped"),
    ("linbo", "集团公章", "2027年度安全生产目标责任书", 6, "approved"),
    ("dengxin", "集团公章", "集团公司管理制度汇编（2026年修订版）", 12, "head"),
    ("yangjie", "法定代表人章", "银行账户变更授权委托书", 2, "submitted"),
)


def _pdf(text: str) -> SimpleUploadedFile:
    from zhiban.notices.demo import tiny_pdf

    return SimpleUploadedFile(f"{text}.pdf", tiny_pdf("Seal use"), "application/pdf")


def _approve_one(instance: FlowInstance) -> FlowInstance:
    task = (
        FlowTask.objects.filter(instance=instance, state=FlowTask.State.OPEN)
        .select_related("assignee")
        .first()
    )
    if task is None:
        return instance
    return workflow.instance_act(
        instance_id=instance.pk,
        kind="approve",
        by=task.assignee,
        payload={"opinion": "同意。"},
    )


def seed_demo_seals(
    *,
    admin: User,
    people: Mapping[str, User],
    departments: Mapping[str, Department],
) -> list[Seal]:
    """Register the demo seals and run a few requests through their approval."""
    ensure_default_flow(FlowDefinition, FlowVersion)
    units = {unit.code: unit for unit in Unit.objects.all()}
    seals: dict[str, Seal] = {}
    for name, kind, unit, department, keeper, deputy, location in SEALS:
        if unit not in units or keeper not in people:
            continue
        seals[name] = services.seal_create(
            by=admin,
            name=name,
            kind=kind,
            unit=units[unit],
            department=departments.get(department) if department else None,
            keeper=people[keeper],
            deputy_keeper=people.get(deputy) if deputy else None,
            location=location,
        )
    for requester, seal_name, title, copies, reach in REQUESTS:
        if requester not in people or seal_name not in seals:
            continue
        instance = workflow.instance_start(
            flow_code=CODE,
            form={
                "seal": str(seals[seal_name].pk),
                "document_title": title,
                "copies": str(copies),
                "purpose": f"{title}需加盖{seal_name}",
            },
            files={"attachment": [_pdf(title[:20])]},
            by=people[requester],
            title=f"用印申请：{title}",
        )
        if reach in ("head", "approved", "stamped"):
            instance = _approve_one(instance)
        if reach in ("approved", "stamped"):
            while instance.status == FlowInstance.Status.RUNNING:
                instance = _approve_one(instance)
        if reach == "stamped":
            use = SealUse.objects.select_related("seal__keeper").get(instance=instance)
            scan = io.BytesIO(_pdf("scan").read())
            services.seal_use_stamp(
                use_id=use.pk,
                by=use.seal.keeper,
                copies=use.copies_approved,
                scan=scan,
                scan_name="盖章件扫描.pdf",
                note="已按审批份数用印",
            )
    return list(seals.values())
