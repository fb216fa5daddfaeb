"""The drafting loop: discussion, review, meeting, and follow-ups that become work."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents.models import FOLLOW_UP_WORK_KIND, DraftNote
from zhiban.documents.services import distribution
from zhiban.documents.services.drafting_loop import draft_note_add, follow_up_done
from zhiban.documents.tests.outgoing_org import make_outgoing_org
from zhiban.documents.tests.test_outgoing import draft, issued
from zhiban.documents.tests.test_views import client_for
from zhiban.inbox.models import WorkItem


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    return make_outgoing_org()


def test_discussion_review_and_meeting_notes(org):
    people = org["people"]
    document = draft(people)
    today = timezone.localdate()
    draft_note_add(
        document=document,
        by=people["engineer"],
        kind="discussion",
        text="明确检查范围为所属各单位。",
        held_on=today,
        participants="刘部长、陈部长",
    )
    with pytest.raises(DomainError) as caught:
        draft_note_add(
            document=document, by=people["prod_head"], kind="review", text="措辞需精炼"
        )
    assert "version" in caught.value.message_dict
    draft_note_add(
        document=document,
        by=people["prod_head"],
        kind="review",
        text="措辞需精炼",
        version=document.versions.get(),
    )
    with pytest.raises(DomainError) as caught:
        draft_note_add(
            document=document,
            by=people["engineer"],
            kind="meeting",
            text="党委会审议通过",
            held_on=today + datetime.timedelta(days=1),
        )
    assert "held_on" in caught.value.message_dict
    assert list(document.draft_notes.values_list("kind", flat=True)) == [
        "discussion",
        "review",
    ]


def test_a_follow_up_after_issue_is_a_work_item_until_its_result(org):
    people = org["people"]
    document = issued(org)
    due = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(DomainError) as caught:  # printed, not issued yet
        draft_note_add(
            document=document,
            by=people["clerk"],
            kind="follow_up",
            text="跟踪各单位自查报告报送情况",
            assignee=people["safety_head"],
            due_on=due,
        )
    assert "kind" in caught.value.message_dict
    distribution.document_issue(
        document=document, by=people["clerk"], units=[org["mine"]]
    )
    with pytest.raises(PermissionDeniedError):
        draft_note_add(
            document=document,
            by=people["safety_head"],
            kind="follow_up",
            text="跟踪",
            assignee=people["safety_head"],
            due_on=due,
        )
    note = draft_note_add(
        document=document,
        by=people["clerk"],
        kind="follow_up",
        text="跟踪各单位自查报告报送情况",
        assignee=people["safety_head"],
        due_on=due,
    )
    item = WorkItem.objects.get(kind=FOLLOW_UP_WORK_KIND)
    assert (item.assignee, item.state) == (people["safety_head"], "open")
    assert timezone.localdate(item.due_at) == due
    with pytest.raises(PermissionDeniedError):
        follow_up_done(note=note, by=people["engineer"], result="已完成")
    response = client_for(people["safety_head"]).post(
        reverse("documents:follow_up_done", args=[note.pk]),
        {"result": "12家单位均已报送，2家整改中。"},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.done_at is not None
    item.refresh_from_db()
    assert item.state == "done"
    with pytest.raises(DomainError) as caught:
        follow_up_done(note=note, by=people["safety_head"], result="再次")
    assert caught.value.code == "follow_up_done"


def test_the_note_form_explains_a_missing_person_and_keeps_nothing(org):
    people = org["people"]
    document = issued(org)
    distribution.document_issue(
        document=document, by=people["clerk"], units=[org["mine"]]
    )
    response = client_for(people["clerk"]).post(
        reverse("documents:draft_note_add", args=[document.pk]),
        {"kind": "follow_up", "text": "跟踪", "due_on": "2099-01-01"},
    )
    assert response.status_code == 400
    assert "Choose who follows up." in response.content.decode()
    assert not DraftNote.objects.exists()
    ok = client_for(people["clerk"]).post(
        reverse("documents:draft_note_add", args=[document.pk]),
        {
            "kind": "follow_up",
            "text": "跟踪",
            "due_on": "2099-01-01",
            "assignee": [people["safety_head"].pk],
        },
    )
    assert ok.status_code == 302
    page = client_for(people["safety_head"]).get(
        reverse("documents:detail", args=[document.pk])
    )
    assert 'data-testid="follow-up-form"' in page.content.decode()
