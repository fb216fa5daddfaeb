"""Numbers and register numbers under real concurrent requests: unique, no gaps.

Each thread sends a real request through the whole stack (middleware, view,
service) on its own database connection; a barrier releases them together.
PostgreSQL queues them on the series (or unit) row lock, SQLite on its IMMEDIATE
write transaction. Transactional tests flush the database, role groups too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zhiban.core.tests.concurrency import race
from zhiban.documents import services
from zhiban.documents.models import (
    Circulation,
    CirculationReader,
    Document,
    DocumentNumber,
)
from zhiban.org.models import Role, role_groups

from .conftest import incoming, make_org, make_series, outgoing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org_now() -> dict[str, Any]:
    role_groups([str(role) for role in Role])
    return make_org()


def post(user: Any, url: str, data: dict[str, Any]) -> Callable[[], Any]:
    client = Client()
    client.force_login(user)
    return lambda: client.post(url, data)


def test_twelve_clerks_numbering_at_once_get_one_to_twelve(org_now):
    org = org_now
    series = make_series(org)
    clerk = org["people"]["clerk"]
    documents = [outgoing(org, title=f"关于第{i}批项目的通知") for i in range(12)]

    results = race(
        *(
            post(
                clerk,
                reverse("documents:number_allocate", args=[d.pk]),
                {"series": series.pk, "year": "2026"},
            )
            for d in documents
        )
    )

    assert [(kind, value.status_code) for kind, value in results] == [("ok", 302)] * 12
    sequences = sorted(
        DocumentNumber.objects.filter(series=series, year=2026).values_list(
            "sequence", flat=True
        )
    )
    assert sequences == list(range(1, 13))
    numbered = Document.objects.exclude(document_number="")
    assert numbered.values("document_number").distinct().count() == 12


def test_four_clicks_on_one_document_give_one_number(org_now):
    org = org_now
    series = make_series(org)
    document = outgoing(org)
    url = reverse("documents:number_allocate", args=[document.pk])
    people = org["people"]

    results = race(
        *(
            post(people[who], url, {"series": series.pk, "year": "2026"})
            for who in ("clerk", "director", "admin", "clerk")
        )
    )

    statuses = sorted(value.status_code for _kind, value in results)
    assert statuses == [302, 400, 400, 400]
    assert list(DocumentNumber.objects.values_list("sequence", "status")) == [
        (1, "allocated")
    ]


def test_a_void_racing_an_allocation_never_hands_the_voided_number_out(org_now):
    org = org_now
    series = make_series(org)
    clerk = org["people"]["clerk"]
    first = services.number_allocate(
        document=outgoing(org), series=series, by=clerk, year=2026
    )
    second = outgoing(org, title="关于第二批项目的通知")

    results = race(
        lambda: services.number_void(number=first, by=clerk, reason="重新编号"),
        lambda: services.number_allocate(
            document=second, series=series, by=clerk, year=2026
        ),
    )

    assert [kind for kind, _value in results] == ["ok", "ok"]
    assert list(
        DocumentNumber.objects.order_by("sequence").values_list("sequence", "status")
    ) == [(1, "voided"), (2, "allocated")]


def test_eight_incoming_registrations_at_once_get_consecutive_register_numbers(
    org_now,
):
    org = org_now

    results = race(
        *(
            (lambda i=i: incoming(org, title=f"关于第{i}批项目的通知").pk)
            for i in range(8)
        )
    )

    assert [kind for kind, _value in results] == ["ok"] * 8
    assert sorted(
        Document.objects.filter(register_year=2026).values_list(
            "register_sequence", flat=True
        )
    ) == list(range(1, 9))


# --- circulation ------------------------------------------------------------------


def _circulation(org: dict[str, Any], readers: list[Any]) -> Any:
    return services.circulation_start(
        document=incoming(org), by=org["people"]["clerk"], readers=readers
    )


def test_one_reader_clicking_twice_at_once_records_one_opinion(org_now):
    org = org_now
    leader = org["people"]["director"]
    circulation = _circulation(org, [leader, org["people"]["engineer"]])

    results = race(
        *(
            (
                lambda text=text: services.circulation_opinion(
                    circulation=circulation, by=leader, opinion=text
                )
            )
            for text in ("同意", "同意。")
        )
    )

    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error", "ok"], results
    refused = next(value for kind, value in results if kind == "error")
    assert refused.code == "opinion_given"
    row = CirculationReader.objects.get(reader=leader)
    winner = next(value for kind, value in results if kind == "ok")
    assert (row.status, row.opinion) == ("done", winner.opinion)


def test_an_opinion_racing_the_close_lands_before_it_or_is_refused(org_now):
    org = org_now
    leader, other = org["people"]["director"], org["people"]["engineer"]
    circulation = _circulation(org, [leader, other])

    results = race(
        lambda: services.circulation_opinion(
            circulation=circulation, by=leader, opinion="同意"
        ),
        lambda: services.circulation_close(
            circulation=circulation, by=org["people"]["clerk"]
        ),
    )

    opinion, close = results
    assert close[0] == "ok", results
    row = CirculationReader.objects.get(reader=leader)
    if opinion[0] == "ok":
        assert (row.status, row.opinion) == ("done", "同意")
        assert row.opinion_at <= Circulation.objects.get().closed_at
    else:
        assert opinion[1].code == "circulation_closed"
        assert (row.status, row.opinion) == ("pending", "")
    assert Circulation.objects.get().state == "closed"


def test_the_last_two_readers_at_once_both_count_and_close_the_round_once(org_now):
    org = org_now
    first, second = org["people"]["director"], org["people"]["engineer"]
    circulation = _circulation(org, [first, second])

    results = race(
        *(
            (
                lambda who=who: services.circulation_opinion(
                    circulation=circulation, by=who, opinion="已阅"
                )
            )
            for who in (first, second)
        )
    )

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert CirculationReader.objects.filter(status="done").count() == 2
    assert Circulation.objects.get().state == "closed"
    events = Document.objects.get().events.filter(kind="circulation_complete")
    assert events.count() == 1
