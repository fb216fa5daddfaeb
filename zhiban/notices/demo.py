"""Demo notices for the seeded organisation, written through the services."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from django.utils import timezone

from zhiban.inbox.models import Urgency
from zhiban.notices import services
from zhiban.notices.models import Notice
from zhiban.org.models import Department, User


def tiny_pdf(text: str = "Zhiban demo attachment") -> bytes:
    """Return a small, valid one-page PDF that shows a line of text."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def seed_demo_notices(
    *,
    author: User,
    departments: Sequence[Department],
    users: Sequence[User],
    now: datetime.datetime | None = None,
) -> list[Notice]:
    """Create a handful of realistic notices: pinned, urgent, expired, a draft, a PDF.

    `author` must hold a publisher role (system admin, office director or clerk);
    `departments` are the ones some notices are addressed to; some of `users`
    confirm reading so the receipt tables show both columns.
    """
    now = now or timezone.now()
    day = datetime.timedelta(days=1)
    chosen = list(departments[:3])
    notices: list[Notice] = []

    def publish(at: datetime.datetime, **fields: object) -> Notice:
        notice = services.notice_create(author=author, now=at, **fields)  # type: ignore[arg-type]
        notice = services.notice_publish(notice=notice, by=author, now=at)
        notices.append(notice)
        return notice

    holiday = publish(
        now - 6 * day,
        title="关于2027年元旦、春节放假安排的通知",
        body=(
            "集团各单位、各部门：\n\n"
            "根据国务院办公厅通知精神，结合集团实际，现将2027年元旦、春节放假安排通知如下。\n\n"
            "一、元旦：1月1日放假，共1天。\n\n"
            "二、春节：2月5日至2月11日放假调休，共7天。2月1日（星期日）、2月13日（星期六）上班。\n\n"
            "节假日期间，各单位要妥善安排值班和安全保卫工作，遇有重大突发事件，要按规定及时报告并妥善处置。\n\n"
            "特此通知。"
        ),
        is_pinned=True,
        attachments=[
            services.Upload(
                stream=io.BytesIO(tiny_pdf("Holiday duty roster 2027")),
                name="节假日值班安排表.pdf",
            )
        ],
    )
    publish(
        now - 3 * day,
        title="关于开展冬季安全生产大检查的通知",
        body=(
            "各相关部门：\n\n"
            "为深刻吸取近期行业事故教训，切实做好冬季安全生产工作，集团决定自即日起开展为期一个月的安全生产大检查。\n\n"
            "请各部门于本周五前将自查情况报安全监察部，检查中发现的隐患要建立台账，限期整改销号。"
        ),
        audience=Notice.Audience.DEPARTMENTS if chosen else Notice.Audience.EVERYONE,
        departments=chosen,
        urgency=Urgency.URGENT,
        is_pinned=True,
    )
    meeting = publish(
        now - 2 * day,
        title="关于召开2026年度工作总结会议的通知",
        body=(
            "各单位、各部门：\n\n"
            "经集团研究，定于下周一上午9:00在集团本部三楼第一会议室召开2026年度工作总结会议。\n\n"
            "请各单位主要负责人准时参会，并于会前两个工作日将年度工作总结报综合办公室。"
        ),
        expires_at=now + 10 * day,
    )
    publish(
        now - 1 * day,
        title="关于办公楼电梯停运检修的通知",
        body=(
            "集团本部各部门：\n\n本周六8:00至18:00，办公楼2号电梯停运检修，请大家合理安排出行。"
        ),
        urgency=Urgency.EXTRA_URGENT,
    )
    long_ago = now - 40 * day
    publish(
        long_ago,
        title="关于报送第三季度信息简报的通知",
        body="各部门：\n\n请于规定时间内报送第三季度信息简报，逾期不再收录。",
        expires_at=long_ago + 14 * day,
    )
    draft = services.notice_create(
        author=author,
        title="关于修订《公文处理实施办法》的通知（征求意见稿）",
        body="各部门：\n\n现将修订稿印发给你们，请提出修改意见。",
        now=now,
    )
    notices.append(draft)

    readers = list(users)
    for user in readers[: max(1, len(readers) // 2)]:
        services.notice_mark_read(notice=holiday, user=user, now=now - day)
    for user in readers[: max(1, len(readers) // 3)]:
        services.notice_mark_read(notice=meeting, user=user, now=now - day / 2)
    services.notice_remind_unread(notice=holiday, by=author, round=0, now=now)
    return notices
