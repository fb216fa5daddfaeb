"""The handling trail in words: each kind of step, worded in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhiban.documents.models import Direction, Document, DocumentFile


def _field_labels(names: list[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(Document._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
        except Exception:
            labels.append(name)
    return "、".join(labels)


def describe(kind: str, data: dict[str, Any]) -> str:
    """Return one step of a document's trail as a sentence."""
    if kind == "register":
        direction = data.get("direction", "")
        label = (
            Direction(direction).label if direction in Direction.values else direction
        )
        return _("Registered as %(direction)s") % {"direction": label}
    if kind == "paper":
        return _("Paper copy held by %(holder)s") % {"holder": data.get("holder", "")}
    if kind == "update":
        return _("Changed: %(fields)s") % {
            "fields": _field_labels(list(data.get("fields", [])))
        }
    if kind == "file":
        role = data.get("role", "")
        label = (
            DocumentFile.Role(role).label if role in DocumentFile.Role.values else role
        )
        return _("File added: %(name)s (%(role)s)") % {
            "name": data.get("name", ""),
            "role": label,
        }
    if kind == "number":
        return _("Numbered %(number)s") % {"number": data.get("number", "")}
    if kind == "number_void":
        return _("Number %(number)s voided") % {"number": data.get("number", "")}
    if kind == "circulation_start":
        return _("Circulated to %(readers)s") % {
            "readers": "、".join(data.get("readers", []))
        }
    if kind == "circulation_opinion":
        return _("%(reader)s read it and gave an opinion") % {
            "reader": data.get("reader", "")
        }
    if kind == "circulation_complete":
        return _("Every reader has read it: circulation closed")
    if kind == "circulation_close":
        return _("Circulation closed by the office (%(n)s without an opinion)") % {
            "n": data.get("without_opinion", 0)
        }
    if kind == "incoming_check":
        if data.get("passed"):
            return _("First check passed")
        return _("Returned to the sender at the first check")
    if kind == "incoming_propose":
        return _("Proposed handling, sent to %(leader)s") % {
            "leader": data.get("leader", "")
        }
    if kind == "incoming_instruct":
        co = "、".join(data.get("co", []))
        if co:
            return _("Instructed: %(lead)s leads, with %(co)s") % {
                "lead": data.get("lead", ""),
                "co": co,
            }
        return _("Instructed: %(lead)s leads") % {"lead": data.get("lead", "")}
    if kind == "incoming_reply":
        return _("%(department)s replied") % {"department": data.get("department", "")}
    if kind == "incoming_complete":
        return _("Replied to the sender and completed")
    if kind == "incoming_urge":
        return _("Urged %(people)s") % {"people": "、".join(data.get("people", []))}
    return _describe_outgoing(kind, data)


def _describe_outgoing(kind: str, data: dict[str, Any]) -> str:
    """Word the steps of drafting, approval and distribution."""
    simple = {
        "draft": _("Draft started (version 1)"),
        "receipt": _("Signed for"),
        "recalled": _("Recalled by the sender"),
        "receipt_complete": _("Handled and completed by the department"),
        "ready_to_file": _("Marked ready to file"),
        "follow_up_done": _("Follow-up result recorded"),
    }
    if kind in simple:
        return str(simple[kind])
    if kind == "draft_note":
        from zhiban.documents.models import DraftNote

        note_kind = data.get("kind", "")
        label = (
            DraftNote.Kind(note_kind).label
            if note_kind in DraftNote.Kind.values
            else note_kind
        )
        return _("Drafting note: %(kind)s") % {"kind": label}
    if kind == "draft_revise":
        return _("Version %(n)s saved") % {"n": data.get("version", "")}
    if kind == "draft_submit":
        people = "、".join(data.get("countersigners", []))
        if people:
            return _(
                "Version %(n)s submitted for approval; countersigning: %(people)s"
            ) % {
                "n": data.get("version", ""),
                "people": people,
            }
        return _("Version %(n)s submitted for approval") % {
            "n": data.get("version", "")
        }
    if kind == "signed":
        return _("Signed off by %(leader)s on %(on)s") % {
            "leader": data.get("leader", ""),
            "on": data.get("on", ""),
        }
    if kind == "approval_ended":
        labels = {
            "rejected": _("Approval rejected: back to drafting"),
            "withdrawn": _("Approval withdrawn: back to drafting"),
            "revoked": _("Approval revoked: back to drafting"),
        }
        return str(labels.get(data.get("status", ""), kind))
    if kind == "print":
        return _("Printed: %(copies)s copies on %(on)s") % {
            "copies": data.get("copies", ""),
            "on": data.get("on", ""),
        }
    if kind == "issue":
        return _("Issued to %(recipients)s") % {
            "recipients": "、".join(data.get("recipients", []))
        }
    if kind == "received_from":
        return _("Received from %(sender)s (%(number)s)") % {
            "sender": data.get("sender", ""),
            "number": data.get("number", ""),
        }
    if kind == "recipient_signed":
        return _("%(recipient)s signed for it") % {
            "recipient": data.get("recipient", "")
        }
    if kind == "recall":
        return _("Recalled from %(recipient)s") % {
            "recipient": data.get("recipient", "")
        }
    return kind
