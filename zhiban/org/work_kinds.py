"""The kinds of work item that a delegation may cover (委托事项类别).

A small registry rather than a table: each app that opens work items registers the
kinds it uses once, in its AppConfig.ready(), with a translatable label. A delegation
stores kind codes; validating them against this registry catches typos early, while
an empty list still means "every kind", so a kind registered later is covered too.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WORK_KINDS: dict[str, str | Promise] = {}
# Kinds that stay with the person whatever they delegated: a read receipt is personal.
NOT_DELEGABLE: set[str] = set()


def register_work_kind(
    code: str, label: str | Promise, *, delegable: bool = True
) -> None:
    """Make a kind of work item known; a delegable kind may be named in delegations."""
    WORK_KINDS[code] = label
    if delegable:
        NOT_DELEGABLE.discard(code)
    else:
        NOT_DELEGABLE.add(code)


def is_delegable(code: str) -> bool:
    """Return whether work items of the kind may reach a delegate."""
    return code not in NOT_DELEGABLE


def delegable_work_kind_choices() -> list[tuple[str, str]]:
    """Return (code, label) pairs of the kinds a delegation may name."""
    return [(code, label) for code, label in work_kind_choices() if is_delegable(code)]


def work_kind_choices() -> list[tuple[str, str]]:
    """Return (code, label) pairs of every known kind, ordered by code."""
    return [(code, str(label)) for code, label in sorted(WORK_KINDS.items())]


def is_known_work_kind(code: str) -> bool:
    """Return whether some app registered the kind."""
    return code in WORK_KINDS


# Kinds that the platform's shared engines open; domain apps add their own.
register_work_kind("approval", _("Approval"))  # 审批
register_work_kind("document", _("Official document"))  # 公文
register_work_kind("supervision", _("Supervision item"))  # 督办事项
register_work_kind("meeting", _("Meeting"))  # 会议
