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
from zhiban.documents.models import Document, DocumentNumber
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
