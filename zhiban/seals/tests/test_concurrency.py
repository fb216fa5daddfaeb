"""Two keepers record the same stamping at the same instant: one record, one refusal.

Real threads with their own connections, released together by a barrier;
PostgreSQL serialises them on the ledger row's lock, SQLite on its IMMEDIATE
write transaction. Transactional tests flush the database, the default flows
too, so the seal-use flow is created again here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhiban.core.tests.concurrency import race
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Role, role_groups
from zhiban.seals import services
from zhiban.seals.defaults import ensure_default_flow
from zhiban.seals.models import WORK_ITEM_KIND, SealUse
from zhiban.workflow.models import FlowDefinition, FlowVersion

from .conftest import approve_all, make_org, make_seals, request_seal, scan_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_keepers_recording_at_once_give_one_record():
    role_groups([Role.EMPLOYEE, Role.DEPARTMENT_HEAD, Role.OFFICE_DIRECTOR])
    ensure_default_flow(FlowDefinition, FlowVersion)
    org = make_org()
    seals = make_seals(org)
    people = org["people"]
    instance = approve_all(
        request_seal(people["requester"], seals["official"], copies=3)
    )
    use = SealUse.objects.get(instance=instance)

    def record(who: str, copies: int) -> Callable[[], Any]:
        return lambda: services.seal_use_stamp(
            use_id=use.pk,
            by=people[who],
            copies=copies,
            scan=scan_file(),
            scan_name="scan.png",
        )

    results = race(record("keeper", 3), record("deputy", 2))

    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error", "ok"], results
    refused = next(value for kind, value in results if kind == "error")
    assert refused.code == "already_stamped"
    winner = next(value for kind, value in results if kind == "ok")
    use.refresh_from_db()
    assert use.status == SealUse.Status.STAMPED
    assert (use.stamped_by_id, use.copies_stamped) == (
        winner.stamped_by_id,
        winner.copies_stamped,
    )
    item = WorkItem.objects.get(kind=WORK_ITEM_KIND)
    assert (item.state, item.closed_by_id) == (
        WorkItem.State.DONE,
        winner.stamped_by_id,
    )
