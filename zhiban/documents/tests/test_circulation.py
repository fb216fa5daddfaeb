"""Circulation (传阅): one opinion per reader, none after the close, work items."""

from __future__ import annotations

import datetime

import pytest

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import selectors, services
from zhiban.documents.models import (
    CIRCULATION_WORK_KIND,
    Circulation,
    CirculationReader,
)
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Delegation
from zhiban.org.tests.factories import UserFactory

from .conftest import classified, incoming


@pytest.fixture
def leaders(org):
    return [
        UserFactory(username="leader1", name="张总", primary_department=org["office"]),
        UserFactory(username="leader2", name="李总", primary_department=org["office"]),
    ]


def start(org, leaders, **kwargs):
    document = kwargs.pop("document", None) or incoming(org, urgency="特急")
    return services.circulation_start(
        document=document,
        by=org["people"]["clerk"],
        readers=leaders,
        note="请各位领导阅示",
        **kwargs,
    )


def open_items(circulation) -> list[tuple[str, int]]:
    return sorted(
        (item.assignee.username, item.urgency)
        for item in WorkItem.objects.filter(
            kind=CIRCULATION_WORK_KIND, state=WorkItem.State.OPEN
        ).select_related("assignee")
    )


def test_starting_a_circulation_gives_each_reader_an_urgent_work_item(org, leaders):
    circulation = start(org, leaders)

    assert open_items(circulation) == [("leader1", 2), ("leader2", 2)]
    assert [r.reader for r in circulation.readers.all()] == leaders
    assert circulation.document.events.last().kind == "circulation_start"


def test_a_reader_sees_the_circulated_document_and_nobody_else_new_does(
    org, people, leaders
):
    circulation = start(org, leaders)
    outsider = UserFactory(username="outsider", primary_department=org["mine_office"])

    assert selectors.document_get_for(user=leaders[0], pk=circulation.document_id)
    assert not selectors.document_list_for(user=outsider).exists()


def test_each_reader_gives_one_opinion_and_the_round_closes_itself(org, leaders):
    circulation = start(org, leaders)

    services.circulation_opinion(
        circulation=circulation, by=leaders[0], opinion="同意，请生产技术部牵头办理。"
    )
    with pytest.raises(DomainError, match="already given an opinion") as again:
        services.circulation_opinion(
            circulation=circulation, by=leaders[0], opinion="再补充"
        )
    assert again.value.code == "opinion_given"
    services.circulation_opinion(circulation=circulation, by=leaders[1], opinion="")

    circulation.refresh_from_db()
    rows = list(
        circulation.readers.values_list("reader__username", "opinion", "status")
    )
    assert rows == [
        ("leader1", "同意，请生产技术部牵头办理。", "done"),
        ("leader2", "", "done"),
    ]
    assert circulation.state == Circulation.State.CLOSED
    assert open_items(circulation) == []
    kinds = [e.kind for e in circulation.document.events.all()]
    assert kinds[-3:] == [
        "circulation_opinion",
        "circulation_opinion",
        "circulation_complete",
    ]


def test_no_opinion_after_the_office_closes_the_round(org, people, leaders):
    circulation = start(org, leaders)
    services.circulation_opinion(circulation=circulation, by=leaders[0], opinion="已阅")

    services.circulation_close(circulation=circulation, by=people["clerk"])

    with pytest.raises(DomainError, match="closed") as refused:
        services.circulation_opinion(
            circulation=circulation, by=leaders[1], opinion="迟到的意见"
        )
    assert refused.value.code == "circulation_closed"
    late = CirculationReader.objects.get(reader=leaders[1])
    assert (late.status, late.opinion) == ("pending", "")
    assert (
        WorkItem.objects.filter(
            kind=CIRCULATION_WORK_KIND, state=WorkItem.State.CANCELLED
        ).count()
        == 1
    )
    assert "1 without an opinion" in circulation.document.events.last().summary


def test_a_non_reader_cannot_write_an_opinion(org, people, leaders):
    circulation = start(org, leaders)

    with pytest.raises(PermissionDeniedError):
        services.circulation_opinion(
            circulation=circulation, by=people["engineer"], opinion="x"
        )
    assert not CirculationReader.objects.filter(status="done").exists()


def test_a_delegate_reads_for_the_leader_and_the_record_says_so(org, people, leaders):
    deputy = UserFactory(
        username="deputy", name="王副", primary_department=org["office"]
    )
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=leaders[0],
        delegate=deputy,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=5),
        kinds=[],
    )
    circulation = start(org, leaders)

    row = services.circulation_opinion(
        circulation=circulation, by=deputy, opinion="代张总阅：同意"
    )

    assert (row.reader, row.acted_by, row.opinion) == (
        leaders[0],
        deputy,
        "代张总阅：同意",
    )


def test_one_open_round_at_a_time_and_never_for_classified_documents(
    org, people, leaders
):
    circulation = start(org, leaders)

    with pytest.raises(DomainError) as second:
        start(org, leaders, document=circulation.document)
    assert second.value.code == "circulation_open"
    with pytest.raises(DomainError, match="paper"):
        services.circulation_start(
            document=classified(org), by=people["secret"], readers=leaders
        )
    assert Circulation.objects.count() == 1


@pytest.mark.parametrize(
    ("readers", "message"),
    [("none", "at least one reader"), ("inactive", "have left")],
)
def test_bad_readers_are_refused(org, leaders, readers, message):
    if readers == "inactive":
        leaders[1].is_active = False
        leaders[1].save(update_fields=["is_active"])
        chosen = leaders
    else:
        chosen = []

    with pytest.raises(DomainError) as refused:
        start(org, chosen)
    assert message in " ".join(refused.value.messages)
    assert Circulation.objects.count() == 0


def test_marking_read_happens_once(org, leaders):
    circulation = start(org, leaders)

    assert services.circulation_mark_read(circulation=circulation, by=leaders[0])
    assert not services.circulation_mark_read(circulation=circulation, by=leaders[0])
    assert CirculationReader.objects.get(reader=leaders[0]).status == "read"
