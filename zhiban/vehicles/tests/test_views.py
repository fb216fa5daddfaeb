"""The vehicle requests page: fleet roles see all; a requester sees their own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhiban.vehicles.models import VehicleRequest

from .conftest import approve_all, request_vehicle

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def requests(people: dict[str, Any]) -> dict[str, VehicleRequest]:
    mine = approve_all(request_vehicle(people["requester"], destination="九里山矿"))
    theirs = approve_all(request_vehicle(people["colleague"], destination="郑州"))
    return {
        "mine": VehicleRequest.objects.get(instance=mine),
        "theirs": VehicleRequest.objects.get(instance=theirs),
    }


def destinations(response: Any) -> set[str]:
    return {item.destination for item in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", {"九里山矿", "郑州"}),
        ("director", {"九里山矿", "郑州"}),
        ("requester", {"九里山矿"}),
        ("head", set()),
    ],
)
def test_who_sees_which_requests(
    people: dict[str, Any],
    requests: dict[str, VehicleRequest],
    who: str,
    expected: set[str],
):
    response = client_for(people[who]).get(reverse("vehicles:requests"))
    assert response.status_code == 200
    assert destinations(response) == expected


def test_anonymous_is_sent_to_sign_in(requests: dict[str, VehicleRequest]):
    response = Client().get(reverse("vehicles:requests"))
    assert response.status_code == 302


def test_filters_by_status_day_and_mine(
    people: dict[str, Any], requests: dict[str, VehicleRequest]
):
    client = client_for(people["manager"])
    url = reverse("vehicles:requests")
    VehicleRequest.objects.filter(pk=requests["theirs"].pk).update(status="cancelled")
    assert destinations(client.get(url, {"status": "cancelled"})) == {"郑州"}
    assert destinations(client.get(url, {"status": "awaiting"})) == {"九里山矿"}
    day = timezone.localtime(requests["mine"].starts_at).date()
    assert destinations(client.get(url, {"day": day.isoformat()})) == {
        "九里山矿",
        "郑州",
    }
    later = (day + datetime.timedelta(days=3)).isoformat()
    assert destinations(client.get(url, {"day": later})) == set()
    manager_mine = client_for(people["requester"]).get(url, {"mine": "1"})
    assert destinations(manager_mine) == {"九里山矿"}
    assert client.get(url, {"day": "2026-13-45", "status": "x"}).status_code == 200


def test_the_page_queries_do_not_grow_with_rows(
    people: dict[str, Any], django_assert_max_num_queries: Any
):
    client = client_for(people["manager"])
    url = reverse("vehicles:requests")
    approve_all(request_vehicle(people["requester"]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    small = len(captured)
    for index in range(8):
        approve_all(request_vehicle(people["colleague"], destination=f"矿{index}"))
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 9
