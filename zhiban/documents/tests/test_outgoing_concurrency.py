"""The outgoing path under real concurrent calls: one submission, one copy per
recipient, one sign-for, and a recall racing a sign-for ends consistent.

Threads release together on their own connections (see core.tests.concurrency).
Transactional tests flush the database: the default flow and roles are put back.
"""

from __future__ import annotations

from typing import Any

import pytest

from zhiban.core.tests.concurrency import race
from zhiban.documents.models import (
    DistributionRecipient,
    Document,
    DocumentApproval,
)
from zhiban.documents.services import distribution, drafting
from zhiban.documents.tests.test_outgoing import issued
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Role, role_groups
from zhiban.org.tests.factories import UserFactory
from zhiban.workflow.models import FlowDefinition, FlowInstance, FlowVersion

from .outgoing_org import make_outgoing_org

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org() -> dict[str, Any]:
    from zhiban.documents.defaults import ensure_default_flow

    role_groups([str(role) for role in Role])
    ensure_default_flow(FlowDefinition, FlowVersion)
    return make_outgoing_org()


def _draft(org: dict[str, Any]) -> Document:
    return drafting.draft_create(
        by=org["people"]["engineer"],
        document_type="notice",
        title="关于开展冬季安全生产大检查的通知",
        body="为做好冬季安全生产工作，决定开展大检查。",
    )


def test_a_double_submission_starts_one_approval(org):
    document = _draft(org)
    engineer = org["people"]["engineer"]

    results = race(
        *(lambda: drafting.draft_submit(document=document, by=engineer),) * 2
    )

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    assert FlowInstance.objects.count() == 1
    assert DocumentApproval.objects.count() == 1


def test_issuing_twice_at_once_reaches_the_recipient_once(org):
    document = issued(org)
    clerk = org["people"]["clerk"]

    results = race(
        *(
            lambda: distribution.document_issue(
                document=document, by=clerk, units=[org["mine"]]
            ),
        )
        * 2
    )

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    assert DistributionRecipient.objects.count() == 1
    assert Document.objects.filter(unit=org["mine"]).count() == 1


def test_two_clerks_signing_for_one_copy_sign_it_once(org):
    document = issued(org)
    second = UserFactory(
        username="mine_clerk2",
        primary_department=org["mine_office"],
        roles=[Role.CLERK],
    )
    sent = distribution.document_issue(
        document=document, by=org["people"]["clerk"], units=[org["mine"]]
    )
    copy = sent.recipients.get().incoming

    results = race(
        lambda: distribution.receipt_sign(
            document=copy, by=org["people"]["mine_clerk"]
        ),
        lambda: distribution.receipt_sign(document=copy, by=second),
    )

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    copy.refresh_from_db()
    assert copy.register_sequence == 1
    assert copy.incoming_steps.count() == 1
    assert not WorkItem.objects.filter(kind="document_receipt", state="open").exists()


def test_a_recall_racing_a_sign_for_ends_consistent(org):
    document = issued(org)
    sent = distribution.document_issue(
        document=document, by=org["people"]["clerk"], units=[org["mine"]]
    )
    recipient = sent.recipients.get()

    results = race(
        lambda: distribution.receipt_sign(
            document=recipient.incoming, by=org["people"]["mine_clerk"]
        ),
        lambda: distribution.distribution_recall(
            recipient=recipient, by=org["people"]["clerk"], reason="附件有误"
        ),
    )

    assert [kind for kind, _value in results].count("crash") == 0
    recipient.refresh_from_db()
    copy = recipient.incoming
    # The recall always lands (before or after the sign-for); nothing is left open.
    assert results[1][0] == "ok"
    assert recipient.status == "recalled"
    assert copy.state == Document.State.RECALLED
    assert not WorkItem.objects.filter(
        state="open", kind__startswith="document_"
    ).exists()
    assert not copy.incoming_steps.filter(state="open").exists()
    if results[0][0] == "ok":  # signed first: registered, then recalled
        assert copy.register_sequence == 1
    else:
        assert copy.register_sequence is None
