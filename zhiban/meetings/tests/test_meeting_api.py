"""The meetings API: the same services as the pages, refusals by field, 403s, 404s."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from zhiban.meetings import services
from zhiban.meetings.models import Attendee, Meeting, SignIn
from zhiban.org.models import Membership, Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.supervision.defaults import ensure_profiles
from zhiban.supervision.models import ClockProfile, Source, SupervisionItem

from .test_api import _api

pytestmark = pytest.mark.django_db
BASE = "/api/meetings/"


@pytest.fixture
def meeting(people: dict[str, User], flows: None) -> Meeting:
    start = timezone.now() + datetime.timedelta(minutes=10)
    response = _api(people["organiser"]).post(
        BASE,
        {
            "meeting_type": "topic",
            "title": "专题会",
            "place": "调度室",
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
            "people": [people["other"].pk, people["manager"].pk],
            "agenda": [{"title": "通报", "presenter": people["other"].pk}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    return Meeting.objects.get(pk=response.data["id"])


def _post(client: APIClient, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data or {}, format="json")


def test_anonymous_and_strangers_see_nothing(meeting: Meeting) -> None:
    assert _api(None).get(BASE).status_code in (401, 403)
    stranger = UserFactory(username="stranger")
    assert _api(stranger).get(f"{BASE}{meeting.pk}/").status_code == 404
    assert _api(stranger).get(BASE).data["count"] == 0


def test_notice_replies_and_leave_over_the_api(
    people: dict[str, User], meeting: Meeting
) -> None:
    organiser, other, manager = (
        _api(people["organiser"]),
        _api(people["other"]),
        _api(people["manager"]),
    )
    # A draft is not the invitees' to see yet.
    assert _post(other, f"{BASE}{meeting.pk}/publish/").status_code == 404
    assert _post(organiser, f"{BASE}{meeting.pk}/publish/").data["state"] == (
        "published"
    )

    refused = _post(
        other,
        f"{BASE}{meeting.pk}/reply/",
        {"reply": "substitute", "substitute": people["manager"].pk},
    )
    assert refused.status_code == 400
    assert refused.data["substitute"] == [
        "何静 is already an attendee of this meeting."
    ]
    assert (
        _post(other, f"{BASE}{meeting.pk}/reply/", {"reply": "attend"}).data["reply"]
        == "attend"
    )
    leave = _post(
        manager, f"{BASE}{meeting.pk}/reply/", {"reply": "leave", "reason": "出差"}
    )
    assert leave.data["reply"] == "leave_asked"

    assert other.get(f"{BASE}{meeting.pk}/replies/").status_code == 403
    replies = organiser.get(f"{BASE}{meeting.pk}/replies/").data
    assert (replies["counts"]["attend"], replies["counts"]["leave_asked"]) == (1, 1)
    granted = _post(
        organiser,
        f"{BASE}{meeting.pk}/leave/",
        {"attendee": leave.data["id"], "grant": True},
    )
    assert granted.data["reply"] == "leave_granted"


def test_sign_in_minutes_item_and_checklist_over_the_api(
    people: dict[str, User], meeting: Meeting
) -> None:
    director = _api(people["director"])
    services.meeting_publish(meeting=meeting, by=people["organiser"])
    token = services.signin_token(meeting=meeting)

    bad = _post(_api(people["other"]), f"{BASE}sign-in/", {"token": "x"})
    assert bad.status_code == 400
    signed = _post(_api(people["other"]), f"{BASE}sign-in/", {"token": token})
    assert signed.data["created"] is True
    assert SignIn.objects.get().user == people["other"]
    attendance = director.get(f"{BASE}{meeting.pk}/attendance/").data
    assert attendance == {"expected": 2, "signed": 1, "rate": 50}

    ensure_profiles(ClockProfile)
    production = people["organiser"].primary_department
    assert production is not None
    head = UserFactory(username="head", primary_department=production)
    Membership.objects.update_or_create(
        user=head, department=production, defaults={"is_head": True}
    )
    officer = UserFactory(username="officer", roles=[Role.SUPERVISION_OFFICER])
    minutes = _post(
        director,
        f"{BASE}{meeting.pk}/minutes/",
        {
            "text": "纪要",
            "decisions": [{"text": "完成改造", "lead_department": production.pk}],
        },
    )
    decision = minutes.data["decisions"][0]["id"]
    made = _post(
        director,
        f"{BASE}{meeting.pk}/decision-item/",
        {"decision": decision, "leader": people["director"].pk, "officer": officer.pk},
    )
    assert made.status_code == 201, made.data
    item = SupervisionItem.objects.get()
    assert (made.data["item"], item.source) == (item.pk, Source.MEETING)
    # The minutes as a 纪要 draft in documents, once.
    drafted = _post(director, f"{BASE}{meeting.pk}/minutes-document/")
    assert drafted.status_code == 201, drafted.data
    meeting.minutes.refresh_from_db()
    assert drafted.data["document"] == meeting.minutes.document_id
    again = _post(director, f"{BASE}{meeting.pk}/minutes-document/")
    assert again.status_code == 400

    tasks = _post(director, f"{BASE}{meeting.pk}/checklist/")
    assert len(tasks.data) == 8
    done = _post(
        director, f"{BASE}{meeting.pk}/task-done/", {"task": tasks.data[0]["id"]}
    )
    assert done.data["done_at"] is not None
    assert Attendee.objects.filter(meeting=meeting).count() == 2


def test_materials_contingency_and_calendar_over_the_api(
    people: dict[str, User], meeting: Meeting
) -> None:
    import io

    from pypdf import PdfReader

    from zhiban.meetings.models import ContingencyPlan

    from .test_materials import pdf_bytes

    organiser = _api(people["organiser"])
    services.meeting_publish(meeting=meeting, by=people["organiser"])
    upload = io.BytesIO(pdf_bytes())
    upload.name = "方案.pdf"
    made = organiser.post(
        f"{BASE}{meeting.pk}/materials/", {"file": upload}, format="multipart"
    )
    assert made.status_code == 201, made.data
    refused = io.BytesIO(b"<html><script></script></html>")
    refused.name = "x.html"
    bad = organiser.post(
        f"{BASE}{meeting.pk}/materials/", {"file": refused}, format="multipart"
    )
    assert bad.status_code == 400

    other = _api(people["other"])
    assert [m["name"] for m in other.get(f"{BASE}{meeting.pk}/materials/").data] == [
        "方案.pdf"
    ]
    copy = other.get(
        f"{BASE}{meeting.pk}/material-file/", {"material": made.data["id"]}
    )
    assert copy.status_code == 200
    text = PdfReader(io.BytesIO(copy.content)).pages[0].extract_text()
    assert "宋健" in text

    plan = ContingencyPlan.objects.get(title="停电应急预案")
    attached = _post(
        organiser,
        f"{BASE}{meeting.pk}/contingencies/",
        {"plan": plan.pk, "owner": people["manager"].pk},
    )
    assert attached.status_code == 201
    assert (
        _post(
            other,
            f"{BASE}{meeting.pk}/contingencies/",
            {"plan": plan.pk, "owner": people["other"].pk},
        ).status_code
        == 403
    )

    address = _post(other, f"{BASE}calendar-address/", {"action": "renew"})
    assert "/meetings/calendar/" in address.data["url"]
    assert _post(other, f"{BASE}calendar-address/", {"action": "revoke"}).data == {
        "url": ""
    }
