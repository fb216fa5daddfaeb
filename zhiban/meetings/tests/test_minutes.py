"""Minutes (纪要) and decisions; a decision becomes a supervision item, linked both ways."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import services
from zhiban.meetings.models import Decision, Meeting, Room
from zhiban.org.models import Membership, Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.supervision.defaults import ensure_profiles
from zhiban.supervision.links import source_link
from zhiban.supervision.models import ClockProfile, Source, SupervisionItem
from zhiban.supervision.selectors import items_from_source

from .conftest import NOW
from .test_meetings import make_meeting

DEADLINE = datetime.date(2030, 6, 30)


@pytest.fixture
def held(people: dict[str, User], room: Room) -> Meeting:
    meeting = make_meeting(people, room, people=[people["other"]])
    return services.meeting_publish(meeting=meeting, by=people["organiser"], now=NOW)


@pytest.fixture
def officer(people: dict[str, User]) -> User:
    ensure_profiles(ClockProfile)
    head = UserFactory(
        username="head", primary_department=people["organiser"].primary_department
    )
    Membership.objects.update_or_create(
        user=head,
        department=people["organiser"].primary_department,
        defaults={"is_head": True},
    )
    return UserFactory(username="officer", roles=[Role.SUPERVISION_OFFICER])


def _decision(people: dict[str, User], meeting: Meeting) -> Decision:
    minutes = services.minutes_save(
        meeting=meeting,
        by=people["organiser"],
        text="会议听取了安全生产情况汇报。",
        decisions=[
            services.DecisionData(
                text="生产技术部牵头完成井下通风系统改造",
                lead_department=people["organiser"].primary_department,
                deadline=DEADLINE,
            ),
            services.DecisionData(text="  "),
        ],
    )
    return minutes.decisions.get()


def test_minutes_keep_their_decisions(people: dict[str, User], held: Meeting) -> None:
    decision = _decision(people, held)

    minutes = services.minutes_save(
        meeting=held,
        by=people["director"],
        text="修改后的纪要",
        decisions=[services.DecisionData(text="安全监察部开展专项检查")],
    )

    assert minutes.text == "修改后的纪要"
    assert [(d.position, d.text) for d in minutes.decisions.all()] == [
        (0, decision.text),
        (1, "安全监察部开展专项检查"),
    ]


def test_only_the_organiser_or_office_writes_minutes(
    people: dict[str, User], held: Meeting
) -> None:
    with pytest.raises(PermissionDeniedError, match="writes the minutes"):
        services.minutes_save(meeting=held, by=people["other"], text="纪要")
    assert not hasattr(Meeting.objects.get(pk=held.pk), "minutes")


def test_a_draft_meeting_has_no_minutes(people: dict[str, User], room: Room) -> None:
    draft = make_meeting(people, room)

    with pytest.raises(DomainError, match="published"):
        services.minutes_save(meeting=draft, by=people["organiser"], text="纪要")


def test_a_decision_becomes_a_supervision_item_linked_both_ways(
    people: dict[str, User], held: Meeting, officer: User
) -> None:
    decision = _decision(people, held)

    item = services.decision_to_item(
        decision=decision,
        by=people["director"],
        leader=people["director"],
        officer=officer,
    )

    assert item.source == Source.MEETING
    assert item.state == SupervisionItem.State.DRAFT
    assert item.content == decision.text
    assert item.deadline == DEADLINE
    assert item.lead_department == people["organiser"].primary_department
    assert list(items_from_source(source=decision)) == [item]
    assert list(services.decision_items(decision)) == [item]
    assert source_link(item) == {
        "label": f"安全生产专题会: {decision.text}",
        "url": f"/meetings/meetings/{held.pk}/",
    }


def test_a_decision_becomes_one_item_only(
    people: dict[str, User], held: Meeting, officer: User
) -> None:
    decision = _decision(people, held)
    services.decision_to_item(
        decision=decision,
        by=people["director"],
        leader=people["director"],
        officer=officer,
    )

    with pytest.raises(DomainError, match="already a supervision item"):
        services.decision_to_item(
            decision=decision,
            by=people["director"],
            leader=people["director"],
            officer=officer,
        )
    assert SupervisionItem.objects.count() == 1


def test_someone_who_may_not_create_items_makes_none(
    people: dict[str, User], held: Meeting, officer: User
) -> None:
    decision = _decision(people, held)

    with pytest.raises(PermissionDeniedError):
        services.decision_to_item(
            decision=decision,
            by=people["organiser"],
            leader=people["director"],
            officer=officer,
        )
    assert SupervisionItem.objects.count() == 0


def test_a_decision_without_a_department_asks_for_one(
    people: dict[str, User], held: Meeting, officer: User
) -> None:
    minutes = services.minutes_save(
        meeting=held,
        by=people["organiser"],
        text="纪要",
        decisions=[services.DecisionData(text="研究制定方案")],
    )

    with pytest.raises(DomainError, match="lead department"):
        services.decision_to_item(
            decision=minutes.decisions.get(),
            by=people["director"],
            leader=people["director"],
            officer=officer,
        )
    assert SupervisionItem.objects.count() == 0


def test_the_minutes_go_to_documents_as_a_draft_once(
    people: dict[str, User], held: Meeting
) -> None:
    from zhiban.documents.models import Document

    decision = _decision(people, held)
    minutes = decision.minutes
    with pytest.raises(PermissionDeniedError):
        services.minutes_to_document(minutes=minutes, by=people["other"])
    document = services.minutes_to_document(minutes=minutes, by=people["organiser"])
    assert (document.document_type, document.title, document.state) == (
        "minutes",
        "安全生产专题会纪要",
        Document.State.DRAFTING,
    )
    assert document.body.startswith("会议听取了安全生产情况汇报。")
    assert "1. 生产技术部牵头完成井下通风系统改造" in document.body
    minutes.refresh_from_db()
    assert minutes.document == document
    assert document.meeting_minutes == minutes
    with pytest.raises(DomainError) as again:
        services.minutes_to_document(minutes=minutes, by=people["organiser"])
    assert again.value.code == "already_sent"
    assert Document.objects.filter(document_type="minutes").count() == 1


def test_the_meeting_page_sends_the_minutes_and_links_the_draft(
    client: Any, people: dict[str, User], held: Meeting
) -> None:
    from django.urls import reverse

    _decision(people, held)
    User.objects.filter(pk=people["organiser"].pk).update(language="en")
    client.force_login(people["organiser"])
    page = reverse("meetings:meeting", args=[held.pk])
    assert 'data-testid="minutes-to-document"' in client.get(page).content.decode()
    response = client.post(reverse("meetings:minutes_document", args=[held.pk]))
    held.minutes.refresh_from_db()
    document = held.minutes.document
    assert document is not None
    assert response.url == reverse("documents:detail", args=[document.pk])
    shown = client.get(page).content.decode()
    assert 'data-testid="minutes-document"' in shown
    assert 'data-testid="minutes-to-document"' not in shown
    # Again: a message, not a second draft.
    again = client.post(reverse("meetings:minutes_document", args=[held.pk]))
    assert again.status_code == 302
    assert again.url == page
