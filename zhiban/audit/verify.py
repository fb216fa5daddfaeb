"""Walk the audit chain and find the first entry that was changed, inserted or deleted.

Each entry carries the hash of the entry before it (in id order) and the hash of its
own content chained to that. Walking in id order, with one entry of look-ahead:

- an entry whose link is broken while the next entry links to the one before it was
  inserted (the chain skips over it);
- an entry whose predecessor claims the same previous hash as it does: the predecessor
  was inserted (a forged entry linked into the chain, with a correct hash);
- an entry whose stored hash does not match its content was changed;
- any other broken link means entries were deleted between the two.

Rows are streamed, so memory stays constant however long the chain.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zhiban.audit.models import AuditEntry
from zhiban.audit.services import GENESIS_HASH, row_hash

_FIELDS = (
    "id",
    "at",
    "actor_id",
    "on_behalf_of_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "data",
    "prev_hash",
    "hash",
)


class Problem(enum.StrEnum):
    """What is wrong with the chain."""

    CHANGED = "changed"
    INSERTED = "inserted"
    DELETED = "deleted"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a walk: how many entries, and the first problem if any."""

    count: int
    problem: Problem | None = None
    entry_id: int | None = None
    previous_id: int | None = None

    @property
    def intact(self) -> bool:
        """Return whether the chain is whole."""
        return self.problem is None

    @property
    def message(self) -> str:
        """Return the verdict as one translated sentence."""
        values = {
            "count": self.count,
            "id": self.entry_id,
            "previous": self.previous_id,
        }
        if self.problem is None:
            return _("%(count)d entries, chain intact.") % values
        if self.problem is Problem.CHANGED:
            return (
                _(
                    "Entry #%(id)s was changed after it was written: its hash does "
                    "not match its content."
                )
                % values
            )
        if self.problem is Problem.INSERTED:
            return (
                _(
                    "Entry #%(id)s was inserted: it is not linked to the entry "
                    "before it."
                )
                % values
            )
        if self.previous_id is None:
            return (
                _(
                    "Entries were deleted before entry #%(id)s: it does not start "
                    "the chain."
                )
                % values
            )
        return (
            _(
                "Entries were deleted between entry #%(previous)s and entry "
                "#%(id)s: the link between them is broken."
            )
            % values
        )


def _rows(chunk_size: int) -> Iterator[dict[str, Any]]:
    return (
        AuditEntry.objects.order_by("id")
        .values(*_FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def verify_chain(*, chunk_size: int = 2000) -> Verdict:
    """Walk the whole chain in id order and return the first problem, if any."""
    rows = _rows(chunk_size)
    previous: dict[str, Any] | None = None
    current = next(rows, None)
    count = 0
    while current is not None:
        following = next(rows, None)
        count += 1
        expected = previous["hash"] if previous is not None else GENESIS_HASH
        linked = current["prev_hash"] == expected
        previous_id = previous["id"] if previous is not None else None
        if not linked:
            if previous is not None and current["prev_hash"] == previous["prev_hash"]:
                # Two entries claim the same predecessor: the earlier one is forged.
                return Verdict(
                    count=count - 1,
                    problem=Problem.INSERTED,
                    entry_id=previous["id"],
                )
            if following is not None and following["prev_hash"] == expected:
                return Verdict(
                    count=count, problem=Problem.INSERTED, entry_id=current["id"]
                )
        if row_hash(current) != current["hash"]:
            return Verdict(count=count, problem=Problem.CHANGED, entry_id=current["id"])
        if not linked:
            return Verdict(
                count=count,
                problem=Problem.DELETED,
                entry_id=current["id"],
                previous_id=previous_id,
            )
        previous, current = current, following
    return Verdict(count=count)
