"""Every change to a notice: one transaction each, audited, with the to-do items."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.files import Intake, inspect_upload
from zhiban.inbox.models import Urgency, WorkItem
from zhiban.inbox.services import notify_many, work_items_close_for, work_items_open
from zhiban.notices import policies
from zhiban.notices.models import (
    WORK_ITEM_KIND,
    Notice,
    NoticeAttachment,
    NoticeReceipt,
)
from zhiban.notices.selectors import notice_recipient_ids
from zhiban.org.models import Department, User

REMINDER_KIND = "notice.remind"
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class Upload:
    """A file to attach: its bytes and the name the user gave it."""

    stream: IO[bytes]
    name: str


def _as_uploads(files: Iterable[object]) -> list[Upload]:
    uploads = []
    for item in files:
        if isinstance(item, Upload):
            uploads.append(item)
        else:  # a Django UploadedFile
            uploads.append(Upload(stream=item, name=str(item.name)))  # type: ignore[arg-type,attr-defined]
    return uploads


def _inspect_all(uploads: Sequence[Upload], max_bytes: int | None) -> list[Intake]:
    """Check every file before anything is written; report all refusals at once."""
    intakes, problems = [], []
    for upload in uploads:
        try:
            intakes.append(
                inspect_upload(upload.stream, name=upload.name, max_bytes=max_bytes)
            )
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise DomainError({"attachments": problems})
    return intakes


def _store_attachments(
    *, notice: Notice, uploads: Sequence[Upload], intakes: Sequence[Intake]
) -> list[NoticeAttachment]:
    saved = []
    for upload, intake in zip(uploads, intakes, strict=True):
        attachment = NoticeAttachment(
            notice=notice,
            original_name=intake.name[:200],
            size=intake.size,
            sha256=intake.sha256,
            content_type=intake.content_type,
        )
        upload.stream.seek(0)
        attachment.file.save(intake.name, File(upload.stream), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _check_fields(
    *,
    title: str,
    body: str,
    audience: str,
    departments: Sequence[Department],
    urgency: int,
    expires_at: datetime.datetime | None,
    now: datetime.datetime,
) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the notice a title.")]
    if not body.strip():
        errors["body"] = [_("Write the text of the notice.")]
    if audience not in Notice.Audience.values:
        errors["audience"] = [_("Choose who the notice is for.")]
    elif audience == Notice.Audience.DEPARTMENTS and not departments:
        errors["departments"] = [_("Choose at least one department.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose a valid urgency.")]
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The expiry time must be in the future.")]
    if errors:
        raise DomainError(errors)


def _require_publisher(user: User) -> None:
    if not policies.can_publish(user):
        raise PermissionDeniedError(_("You may not write or publish notices."))


def _require_manager(user: User, notice: Notice) -> None:
    if not policies.can_manage(user, notice):
        raise PermissionDeniedError(_("You may not change this notice."))


def notice_create(
    *,
    author: User,
    title: str,
    body: str,
    audience: str = Notice.Audience.EVERYONE,
    departments: Sequence[Department] = (),
    department: Department | None = None,
    urgency: int = Urgency.NORMAL,
    expires_at: datetime.datetime | None = None,
    is_pinned: bool = False,
    attachments: Iterable[object] = (),
    max_attachment_bytes: int | None = None,
    now: datetime.datetime | None = None,
) -> Notice:
    """Write a draft notice with its attachments; nothing is kept if anything is refused."""
    _require_publisher(author)
    now = now or timezone.now()
    uploads = _as_uploads(attachments)
    _check_fields(
        title=title,
        body=body,
        audience=audience,
        departments=departments,
        urgency=urgency,
        expires_at=expires_at,
        now=now,
    )
    if len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(
            {"attachments": [_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}]}
        )
    intakes = _inspect_all(uploads, max_attachment_bytes)
    with transaction.atomic():
        notice = Notice(
            title=title.strip(),
            body=body.strip(),
            author=author,
            department=department or author.primary_department,
            audience=audience,
            urgency=urgency,
            expires_at=expires_at,
            is_pinned=is_pinned,
        )
        notice.full_clean()
        notice.save()
        if audience == Notice.Audience.DEPARTMENTS:
            notice.departments.set(departments)
        saved = _store_attachments(notice=notice, uploads=uploads, intakes=intakes)
        audit_record(
            actor=author,
            action="notice.create",
            target=notice,
            data={
                "audience": audience,
                "departments": sorted(d.pk for d in departments),
                "attachments": [
                    {"name": a.original_name, "sha256": a.sha256} for a in saved
                ],
            },
        )
    return notice


def notice_update(
    *,
    notice: Notice,
    by: User,
    title: str,
    body: str,
    audience: str,
    departments: Sequence[Department] = (),
    department: Department | None = None,
    urgency: int = Urgency.NORMAL,
    expires_at: datetime.datetime | None = None,
    is_pinned: bool = False,
    attachments: Iterable[object] = (),
    remove_attachment_ids: Iterable[int] = (),
    max_attachment_bytes: int | None = None,
    now: datetime.datetime | None = None,
) -> Notice:
    """Change a draft notice, add and remove attachments; only drafts change."""
    _require_manager(by, notice)
    now = now or timezone.now()
    uploads = _as_uploads(attachments)
    _check_fields(
        title=title,
        body=body,
        audience=audience,
        departments=departments,
        urgency=urgency,
        expires_at=expires_at,
        now=now,
    )
    intakes = _inspect_all(uploads, max_attachment_bytes)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.state != Notice.State.DRAFT:
            raise DomainError(_("Only a draft can be edited."), code="not_draft")
        removing = list(locked.attachments.filter(pk__in=list(remove_attachment_ids)))
        kept = locked.attachments.count() - len(removing)
        if kept + len(uploads) > MAX_ATTACHMENTS:
            raise DomainError(
                {
                    "attachments": [
                        _("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}
                    ]
                }
            )
        locked.title = title.strip()
        locked.body = body.strip()
        locked.audience = audience
        locked.department = department or locked.department
        locked.urgency = urgency
        locked.expires_at = expires_at
        locked.is_pinned = is_pinned
        locked.full_clean()
        locked.save(
            update_fields=[
                "title",
                "body",
                "audience",
                "department",
                "urgency",
                "expires_at",
                "is_pinned",
                "updated_at",
            ]
        )
        locked.departments.set(
            departments if audience == Notice.Audience.DEPARTMENTS else []
        )
        removed_names = [a.original_name for a in removing]
        for attachment in removing:
            _delete_after_commit(attachment.file)
            attachment.delete()
        saved = _store_attachments(notice=locked, uploads=uploads, intakes=intakes)
        audit_record(
            actor=by,
            action="notice.update",
            target=locked,
            data={
                "audience": audience,
                "departments": sorted(d.pk for d in departments),
                "added": [{"name": a.original_name, "sha256": a.sha256} for a in saved],
                "removed": removed_names,
            },
        )
    return locked


def _delete_after_commit(field_file: Any) -> None:
    """Delete a stored file once the transaction that dropped its row commits."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _audience_label(notice: Notice) -> str:
    if notice.audience == Notice.Audience.EVERYONE:
        return _("everyone")
    names = list(notice.departments.order_by("code").values_list("name", flat=True))
    label = "、".join(names[:5])
    if len(names) > 5:
        label += _(" and %(n)d more") % {"n": len(names) - 5}
    return label


def notice_publish(
    *, notice: Notice, by: User, now: datetime.datetime | None = None
) -> Notice:
    """Publish a draft: freeze its recipients and open one to-do item for each."""
    _require_manager(by, notice)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.state != Notice.State.DRAFT:
            raise DomainError(_("Only a draft can be published."), code="not_draft")
        if locked.expires_at is not None and locked.expires_at <= now:
            raise DomainError(
                {"expires_at": [_("The expiry time must be in the future.")]}
            )
        recipient_ids = notice_recipient_ids(notice=locked)
        if not recipient_ids:
            raise DomainError(
                _("Nobody is in the chosen departments; the notice reaches no one."),
                code="no_recipients",
            )
        recipients = list(
            User.objects.filter(pk__in=recipient_ids)
            .only("id", "primary_department_id", "is_active")
            .order_by("id")
        )
        NoticeReceipt.objects.bulk_create(
            [
                NoticeReceipt(
                    notice=locked, user=user, department_id=user.primary_department_id
                )
                for user in recipients
            ],
            batch_size=500,
        )
        locked.state = Notice.State.PUBLISHED
        locked.published_at = now
        locked.recipient_count = len(recipients)
        locked.save(
            update_fields=["state", "published_at", "recipient_count", "updated_at"]
        )
        # Stored texts are written in the site's language, as the records are shared.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Notice: sent to %(audience)s") % {
                "audience": _audience_label(locked)
            }
        work_items_open(
            assignees=recipients,
            kind=WORK_ITEM_KIND,
            title=locked.title,
            target=locked,
            url=reverse("notices:detail", args=[locked.pk]),
            reason=reason,
            initiator=locked.author,
            urgency=locked.urgency,
        )
        audit_record(
            actor=by,
            action="notice.publish",
            target=locked,
            data={"recipients": len(recipients), "audience": locked.audience},
        )
    return locked


def notice_mark_read(
    *, notice: Notice, user: User, now: datetime.datetime | None = None
) -> NoticeReceipt | None:
    """Confirm that a recipient has read a notice and close their to-do item.

    Idempotent: a second call changes nothing. People who are not on the frozen
    recipient list have nothing to confirm; None is returned for them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        receipt = (
            NoticeReceipt.objects.select_for_update()
            .filter(notice_id=notice.pk, user=user)
            .first()
        )
        if receipt is None or receipt.read_at is not None:
            return receipt
        if notice.state != Notice.State.PUBLISHED:
            raise DomainError(_("This notice is not published."), code="not_published")
        receipt.read_at = now
        receipt.save(update_fields=["read_at"])
        work_items_close_for(
            target=notice,
            kind=WORK_ITEM_KIND,
            assignees=[user],
            by=user,
            outcome="read",
        )
        audit_record(actor=user, action="notice.read", target=notice)
    return receipt


def notice_remind_unread(
    *, notice: Notice, by: User, round: int, now: datetime.datetime | None = None
) -> int:
    """Remind the recipients who have not read the notice; return how many.

    `round` is the reminder count the person saw on the page; a repeated request
    for the same round (a double click) sends nothing more.
    """
    _require_manager(by, notice)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.state != Notice.State.PUBLISHED:
            raise DomainError(_("Only a published notice can be reminded."))
        if round != locked.reminder_count:
            return 0
        unread = list(
            User.objects.filter(
                notice_receipts__notice=locked,
                notice_receipts__read_at__isnull=True,
                is_active=True,
            ).order_by("id")
        )
        locked.reminder_count = round + 1
        locked.save(update_fields=["reminder_count", "updated_at"])
        if not unread:
            return 0
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Reminder: please read “%(title)s”") % {"title": locked.title}
        sent = notify_many(
            recipients=unread,
            kind=REMINDER_KIND,
            title=title,
            url=reverse("notices:detail", args=[locked.pk]),
            dedupe_key=f"notice.remind:{locked.pk}:{round}",
        )
        audit_record(
            actor=by,
            action="notice.remind",
            target=locked,
            data={"round": round + 1, "recipients": len(sent)},
        )
    return len(sent)


def notice_withdraw(
    *, notice: Notice, by: User, reason: str = "", now: datetime.datetime | None = None
) -> Notice:
    """Withdraw a published notice and cancel the open to-do items about it."""
    _require_manager(by, notice)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.state != Notice.State.PUBLISHED:
            raise DomainError(_("Only a published notice can be withdrawn."))
        locked.state = Notice.State.WITHDRAWN
        locked.withdrawn_at = now
        locked.is_pinned = False
        locked.save(update_fields=["state", "withdrawn_at", "is_pinned", "updated_at"])
        cancelled = work_items_close_for(
            target=locked,
            kind=WORK_ITEM_KIND,
            by=by,
            outcome="withdrawn",
            state=WorkItem.State.CANCELLED,
        )
        audit_record(
            actor=by,
            action="notice.withdraw",
            target=locked,
            data={"reason": reason[:200], "cancelled_work_items": cancelled},
        )
    return locked


def _set_pinned(*, notice: Notice, by: User, pinned: bool) -> Notice:
    _require_manager(by, notice)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.state == Notice.State.WITHDRAWN:
            raise DomainError(_("A withdrawn notice cannot be pinned."))
        if locked.is_pinned == pinned:
            return locked
        locked.is_pinned = pinned
        locked.save(update_fields=["is_pinned", "updated_at"])
        audit_record(
            actor=by,
            action="notice.pin" if pinned else "notice.unpin",
            target=locked,
        )
    return locked


def notice_pin(*, notice: Notice, by: User) -> Notice:
    """Pin a notice to the top of the list."""
    return _set_pinned(notice=notice, by=by, pinned=True)


def notice_unpin(*, notice: Notice, by: User) -> Notice:
    """Take a notice off the top of the list."""
    return _set_pinned(notice=notice, by=by, pinned=False)
