"""The meeting pages: drafting, the notice, replying, leave, minutes, decisions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from zhiban.meetings import services
from zhiban.meetings.models import Attendee, Meeting, Room
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

from .conftest import days_ahead
from .test_views import _as, _book_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(people: dict[str, User], room: Room) -> Meeting:
    booking = _book_now(room, people["organiser"], 2, 9)
    draft = services.meeting_create(
        by=people["organiser"],
        title="安全生产专题会",
        booking=booking,
        chair=people["director"],
        people=[people["other"], people["manager"]],
        agenda=[("通报隐患", people["other"])],
    )
    return services.meeting_publish(meeting=draft, by=people["organiser"])


def _url(name: str, meeting: Meeting) -> str:
    return reverse(f"meetings:{name}", args=[meeting.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [("organiser", 200), ("director", 200), ("other", 200), ("stranger", 404)],
)
def test_the_meeting_page_by_who_is_asking(
    client: Client, people: dict[str, User], meeting: Meeting, who: str, status: int
) -> None:
    user = people.get(who) or UserFactory(username="stranger")

    response = _as(client, user).get(_url("meeting", meeting))

    assert response.status_code == status
    if status == 200:
        assert "安全生产专题会" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client: Client, meeting: Meeting) -> None:
    response = client.get(_url("meeting", meeting))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_organiser_sees_replies_an_attendee_does_not(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    organiser_page = _as(client, people["organiser"]).get(_url("meeting", meeting))
    assert 'data-testid="replies"' in organiser_page.content.decode()
    attendee_page = _as(Client(), people["other"]).get(_url("meeting", meeting))
    assert 'data-testid="replies"' not in attendee_page.content.decode()
    fragment = _as(Client(), people["other"]).get(_url("meeting_replies", meeting))
    assert fragment.status_code == 403


def test_reply_with_leave_then_the_organiser_grants_it(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    response = _as(client, people["other"]).post(
        _url("meeting_reply", meeting), {"reply": "leave", "reason": "出差"}
    )
    assert response.status_code == 302
    row = Attendee.objects.get(meeting=meeting, user=people["other"])
    assert row.reply == Attendee.Reply.LEAVE_ASKED

    fragment = _as(Client(), people["organiser"]).get(_url("meeting_replies", meeting))
    assert "出差" in fragment.content.decode()
    assert 'data-testid="leave-grant"' in fragment.content.decode()

    _as(Client(), people["organiser"]).post(
        reverse("meetings:leave_decide", args=[row.pk]), {"grant": "1"}
    )
    row.refresh_from_db()
    assert row.reply == Attendee.Reply.LEAVE_GRANTED


def test_a_substitute_already_invited_is_a_message_not_a_change(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    response = _as(client, people["other"]).post(
        _url("meeting_reply", meeting),
        {"reply": "substitute", "substitute": people["manager"].pk},
        follow=True,
    )

    assert response.status_code == 200
    assert "何静 is already an attendee of this meeting." in response.content.decode()
    assert (
        Attendee.objects.get(meeting=meeting, user=people["other"]).reply
        == Attendee.Reply.PENDING
    )


@pytest.mark.parametrize(
    "data",
    [{"reply": "nonsense"}, {"reply": "substitute", "substitute": "x"}, {}],
)
def test_bad_replies_are_messages(
    client: Client, people: dict[str, User], meeting: Meeting, data: dict[str, Any]
) -> None:
    response = _as(client, people["other"]).post(
        _url("meeting_reply", meeting), data, follow=True
    )
    assert response.status_code == 200
    assert (
        Attendee.objects.get(meeting=meeting, user=people["other"]).reply
        == Attendee.Reply.PENDING
    )


def test_drafting_an_off_site_meeting(
    client: Client, people: dict[str, User], flows: None
) -> None:
    day = days_ahead(3, 9).date()
    response = _as(client, people["organiser"]).post(
        reverse("meetings:meeting_create"),
        {
            "meeting_type": "weekly",
            "title": "生产周例会",
            "place": "二号井调度室",
            "day": day.isoformat(),
            "start": "14:00",
            "end": "15:30",
            "people": [people["other"].pk],
            "roles": ["office_director"],
            "agenda": "本周生产 | other\n下周安排",
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.place == "二号井调度室"
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(minutes=90)
    assert [(a.title, a.presenter) for a in meeting.agenda_items.all()] == [
        ("本周生产", people["other"]),
        ("下周安排", None),
    ]
    assert meeting.invited_roles == ["office_director"]


def test_an_unknown_presenter_is_named(
    client: Client, people: dict[str, User], flows: None
) -> None:
    response = _as(client, people["organiser"]).post(
        reverse("meetings:meeting_create"),
        {
            "meeting_type": "topic",
            "title": "专题会",
            "place": "会议室",
            "day": days_ahead(3, 9).date().isoformat(),
            "start": "14:00",
            "end": "15:00",
            "agenda": "议题 | 无此人",
        },
    )
    assert response.status_code == 400
    assert "No single person is called “无此人”." in response.content.decode()
    assert Meeting.objects.count() == 0


def test_the_pages_render_in_chinese(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    page = _as(client, people["organiser"], "zh-hans").get(_url("meeting", meeting))
    text = page.content.decode()
    assert "回复" in text
    assert "会议纪要" in text or "纪要" in text
    listing = _as(Client(), people["organiser"], "zh-hans").get(
        reverse("meetings:meetings")
    )
    assert listing.status_code == 200
    form = _as(Client(), people["organiser"], "zh-hans").get(
        reverse("meetings:meeting_create")
    )
    assert form.status_code == 200


def _upload(client: Client, meeting: Meeting, data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        _url("material_upload", meeting),
        {
            "file": SimpleUploadedFile(name, data),
            "agenda_item": meeting.agenda_items.get().pk,
        },
        follow=True,
    )


def test_a_material_is_watermarked_for_an_attendee_and_hidden_from_others(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    import io

    from pypdf import PdfReader

    from zhiban.meetings.models import Material

    from .test_materials import pdf_bytes

    _upload(_as(client, people["organiser"]), meeting, pdf_bytes(), "汇报材料.pdf")
    material = Material.objects.get()

    page = _as(Client(), people["other"]).get(_url("meeting", meeting))
    assert "汇报材料.pdf" in page.content.decode()
    response = _as(Client(), people["other"]).get(
        reverse("meetings:material", args=[material.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "宋健" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    stranger = UserFactory(username="stranger")
    refused = _as(Client(), stranger).get(
        reverse("meetings:material", args=[material.pk])
    )
    assert refused.status_code == 404


def test_a_forbidden_material_is_a_message_and_nothing_stored(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    from zhiban.meetings.models import Material

    response = _upload(
        _as(client, people["organiser"]), meeting, b"MZ\x90\x00" * 40, "议程.exe"
    )

    assert response.status_code == 200
    assert "“议程.exe” is not an allowed kind of file" in response.content.decode()
    assert Material.objects.count() == 0


@pytest.fixture
def under_way(people: dict[str, User], flows: None) -> Meeting:
    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(minutes=5)
    draft = services.meeting_create(
        by=people["organiser"],
        title="调度会",
        place="调度室",
        starts_at=start + datetime.timedelta(minutes=10),
        ends_at=start + datetime.timedelta(hours=2),
        people=[people["other"], people["manager"]],
    )
    return services.meeting_publish(meeting=draft, by=people["organiser"])


def test_scanning_the_code_signs_in_after_a_confirmation(
    client: Client, people: dict[str, User], under_way: Meeting
) -> None:
    from urllib.parse import parse_qs, urlparse

    from zhiban.meetings.models import SignIn

    page = _as(client, people["organiser"]).get(_url("signin_code", under_way))
    assert page.status_code == 200
    link = page.context["code_url"]
    assert "<svg" in page.content.decode()
    token = parse_qs(urlparse(link).query)["t"][0]

    attendee = _as(Client(), people["other"])
    confirm = attendee.get(reverse("meetings:signin"), {"t": token})
    assert 'data-testid="signin-confirm"' in confirm.content.decode()
    assert SignIn.objects.count() == 0
    done = attendee.post(reverse("meetings:signin"), {"t": token})
    assert done.status_code == 200
    assert "Signed in at" in done.content.decode()
    assert SignIn.objects.get().user == people["other"]


def test_a_bad_code_is_a_clear_page(
    client: Client, people: dict[str, User], under_way: Meeting
) -> None:
    response = _as(client, people["other"]).post(
        reverse("meetings:signin"), {"t": "1.123:forged"}
    )
    assert response.status_code == 400
    assert "This sign-in code is not valid" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("other", 403), ("organiser", 200)])
def test_the_code_page_is_the_organisers(
    client: Client, people: dict[str, User], under_way: Meeting, who: str, status: int
) -> None:
    response = _as(client, people[who]).get(_url("signin_code", under_way))
    assert response.status_code == status


def test_staff_sign_someone_in(
    client: Client, people: dict[str, User], under_way: Meeting
) -> None:
    from zhiban.meetings.models import SignIn

    organiser = _as(client, people["organiser"])
    organiser.post(_url("signin_staff", under_way), {"person": people["manager"].pk})
    organiser.post(_url("signin_staff", under_way), {"person": "x"})

    assert list(SignIn.objects.values_list("user__username", "method")) == [
        ("manager", "staff")
    ]
    page = organiser.get(_url("signin_code", under_way))
    assert "1 / 2 · 50%" in page.content.decode()


def test_the_checklist_is_made_and_ticked_off_on_the_page(
    client: Client, people: dict[str, User], meeting: Meeting
) -> None:
    from zhiban.meetings.models import ChecklistTask

    organiser = _as(client, people["organiser"])
    organiser.post(_url("checklist_apply", meeting))
    task = ChecklistTask.objects.order_by("id").first()
    assert task is not None
    refused = _as(Client(), people["other"]).post(
        reverse("meetings:checklist_tick", args=[task.pk])
    )
    assert refused.status_code == 403
    organiser.post(reverse("meetings:checklist_tick", args=[task.pk]))

    task.refresh_from_db()
    assert task.done_by == people["organiser"]
    page = organiser.get(_url("meeting", meeting))
    assert page.content.decode().count('data-testid="task-done"') == 7


@pytest.mark.parametrize("extra", [0, 6])
def test_the_meeting_page_and_list_read_in_fixed_queries(
    client: Client,
    people: dict[str, User],
    meeting: Meeting,
    extra: int,
    django_assert_num_queries: Any,
) -> None:
    """The page and the list cost the same with 2 or 8 attendees, 1 or 7 meetings."""
    from zhiban.meetings.models import Attendee

    for n in range(extra):
        person = UserFactory(
            username=f"p{n}", primary_department=people["other"].primary_department
        )
        Attendee.objects.create(meeting=meeting, user=person, reply="attend")
    services.checklist_apply(meeting=meeting, by=people["organiser"])
    signed_in = _as(client, people["organiser"])
    signed_in.get(_url("meeting", meeting))  # warm the session and caches

    with django_assert_num_queries(11):
        assert signed_in.get(_url("meeting", meeting)).status_code == 200
    for n in range(extra):
        services.meeting_create(
            by=people["organiser"],
            title=f"会议{n}",
            place="调度室",
            starts_at=days_ahead(3, 9),
            ends_at=days_ahead(3, 10),
        )
    with django_assert_num_queries(4):
        assert signed_in.get(reverse("meetings:meetings")).status_code == 200


def test_a_booking_leads_to_its_meeting_or_to_arranging_one(
    client: Client, people: dict[str, User], room: Room
) -> None:
    booking = _book_now(room, people["organiser"], 3, 10, title="季度经营分析会")
    organiser = _as(client, people["organiser"])

    page = organiser.get(reverse("meetings:booking", args=[booking.pk])).content
    arrange = f"{reverse('meetings:meeting_create')}?booking={booking.pk}"
    assert f'href="{arrange}"' in page.decode()

    form = organiser.get(arrange).context["form"]
    assert (form.initial["booking"], form.initial["title"]) == (
        booking.pk,
        "季度经营分析会",
    )
    draft = services.meeting_create(
        by=people["organiser"], title="季度经营分析会", booking=booking
    )

    page = organiser.get(reverse("meetings:booking", args=[booking.pk])).content
    assert f'href="{reverse("meetings:meeting", args=[draft.pk])}"' in page.decode()
    assert "booking-arrange" not in page.decode()
    # The room's manager sees the booking, not the meeting they are not invited to.
    Room.objects.filter(pk=room.pk).update(manager=people["manager"])
    manager = _as(client, people["manager"])
    response = manager.get(reverse("meetings:booking", args=[booking.pk]))
    assert response.status_code == 200
    assert "booking-meeting" not in response.content.decode()
    assert "booking-arrange" not in response.content.decode()


def test_arranging_from_someone_elses_booking_offers_nothing(
    client: Client, people: dict[str, User], room: Room
) -> None:
    booking = _book_now(room, people["organiser"], 3, 10)

    form = (
        _as(client, people["other"])
        .get(f"{reverse('meetings:meeting_create')}?booking={booking.pk}")
        .context["form"]
    )

    assert "booking" not in form.initial
