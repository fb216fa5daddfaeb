"""The circulation card of the document page: start, sign, close, refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhiban.documents import services
from zhiban.documents.models import Circulation, CirculationReader
from zhiban.org.tests.factories import UserFactory

from .conftest import incoming
from .test_views import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders(org):
    return [
        UserFactory(username="leader1", name="张总", primary_department=org["office"]),
        UserFactory(username="leader2", name="李总", primary_department=org["office"]),
    ]


def test_a_clerk_circulates_from_the_page_and_a_leader_signs(org, people, leaders):
    document = incoming(org)
    clerk = client_for(people["clerk"])

    started = clerk.post(
        reverse("documents:circulation_start", args=[document.pk]),
        {"readers": [leaders[0].pk, leaders[1].pk], "note": "请阅示"},
    )
    assert started.status_code == 302
    circulation = Circulation.objects.get()

    leader = client_for(leaders[0])
    page = leader.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert 'data-testid="opinion-form"' in page
    assert CirculationReader.objects.get(reader=leaders[0]).status == "read"
    signed = leader.post(
        reverse("documents:circulation_opinion", args=[circulation.pk]),
        {"opinion": "同意，请生产技术部办理。"},
    )
    assert signed.status_code == 302
    again = leader.post(
        reverse("documents:circulation_opinion", args=[circulation.pk]),
        {"opinion": "重复"},
    )
    assert again.status_code == 400
    assert "already given an opinion" in again.content.decode()
    assert (
        CirculationReader.objects.get(reader=leaders[0]).opinion
        == "同意，请生产技术部办理。"
    )


def test_starting_without_readers_is_explained_and_starts_nothing(org, people):
    document = incoming(org)

    response = client_for(people["clerk"]).post(
        reverse("documents:circulation_start", args=[document.pk]), {"readers": []}
    )

    assert response.status_code == 400
    assert "at least one reader" in response.content.decode()
    assert Circulation.objects.count() == 0


def test_an_opinion_after_the_close_is_refused_on_the_page(org, people, leaders):
    document = incoming(org)
    circulation = services.circulation_start(
        document=document, by=people["clerk"], readers=leaders
    )
    client_for(people["clerk"]).post(
        reverse("documents:circulation_close", args=[circulation.pk])
    )

    response = client_for(leaders[1]).post(
        reverse("documents:circulation_opinion", args=[circulation.pk]),
        {"opinion": "迟到的意见"},
    )

    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert not CirculationReader.objects.filter(status="done").exists()


@pytest.mark.parametrize("who", ["engineer", "stranger"])
def test_people_outside_the_registry_cannot_start_or_close(org, people, leaders, who):
    document = incoming(org, department=org["office"])
    circulation = services.circulation_start(
        document=document, by=people["clerk"], readers=leaders
    )
    client = client_for(people[who])

    closed = client.post(reverse("documents:circulation_close", args=[circulation.pk]))
    assert closed.status_code in (403, 404)
    circulation.refresh_from_db()
    assert circulation.is_open


def test_a_non_reader_is_not_offered_the_opinion_form(org, people, leaders):
    document = incoming(org)
    services.circulation_start(document=document, by=people["clerk"], readers=leaders)

    page = client_for(people["engineer"]).get(
        reverse("documents:detail", args=[document.pk])
    )

    assert 'data-testid="opinion-form"' not in page.content.decode()
    assert 'data-testid="circulation-reader"' in page.content.decode()
