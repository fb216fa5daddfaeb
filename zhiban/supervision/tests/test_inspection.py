"""Joint on-site supervision (现场督查): points become sub-items with their own clocks."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org.models import User
from zhiban.supervision import services
from zhiban.supervision.models import (
    ClockProfile,
    Inspection,
    Source,
    SupervisionItem,
)
from zhiban.supervision.tests.conftest import days, issued_item

pytestmark = pytest.mark.django_db


def png(name: str = "现场.png") -> io.BytesIO:
    photo = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    photo.name = name
    return photo


def record(
    people: dict[str, User], profile: ClockProfile, **extra: object
) -> Inspection:
    production = people["head"].primary_department
    safety = people["safety_head"].primary_department
    assert production is not None
    assert safety is not None
    arguments: dict[str, object] = {
        "by": people["officer"],
        "title": "井下安全联合检查",
        "held_on": timezone.localdate(),
        "place": "朝阳煤矿 1201 工作面",
        "leader": people["leader"],
        "participants": [people["officer"], people["head"], people["safety_head"]],
        "departments": [production, safety],
        "findings": "局部通风机未挂牌；消防器材过期。",
        "profile": profile,
        "points": [
            services.RectificationPoint(
                text="局部通风机挂牌管理", department=production
            ),
            services.RectificationPoint(
                text="更换过期消防器材",
                department=safety,
                deadline=timezone.localdate() + days(5),
            ),
        ],
        **extra,
    }
    return services.inspection_record(**arguments)  # type: ignore[arg-type]


def test_points_become_issued_sub_items(
    people: dict[str, User], profile: ClockProfile
) -> None:
    parent = issued_item(people, profile)
    inspection = record(people, profile, item=parent, photos=[png()])
    items = SupervisionItem.objects.filter(source=Source.ON_SITE).order_by("id")
    assert [i.state for i in items] == ["issued", "issued"]
    assert [i.lead_department.name for i in items] == ["生产技术部", "安全监察部"]
    assert all(i.parent_id == parent.pk for i in items)
    assert all(i.source_id == str(inspection.pk) for i in items)
    assert items[1].nodes.get(key="complete").due_on == timezone.localdate() + days(5)
    assert inspection.photos.get().content_type == "image/png"
    assert inspection.participants.count() == 3


def test_a_bad_point_keeps_nothing(
    people: dict[str, User], profile: ClockProfile
) -> None:
    outsider_department = people["outsider"].primary_department
    production = people["head"].primary_department
    assert outsider_department is not None
    assert production is not None
    with pytest.raises(DomainError) as error:
        record(
            people,
            profile,
            points=[
                services.RectificationPoint(text="甲", department=production),
                services.RectificationPoint(text="乙", department=outsider_department),
            ],
        )
    assert "Rectification point 2" in str(error.value.message_dict["points"])
    assert not Inspection.objects.exists()
    assert not SupervisionItem.objects.exists()


def test_bad_input_is_refused(people: dict[str, User], profile: ClockProfile) -> None:
    with pytest.raises(DomainError) as error:
        record(people, profile, held_on=timezone.localdate() + days(1))
    assert error.value.code == "held_in_future"
    with pytest.raises(DomainError) as error:
        record(people, profile, participants=[])
    assert error.value.code == "no_participants"
    script = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64)
    script.name = "photo.exe"
    with pytest.raises(DomainError):
        record(people, profile, photos=[script])
    with pytest.raises(PermissionDeniedError):
        record(people, profile, by=people["head"])
    assert not Inspection.objects.exists()


def test_pages(people: dict[str, User], profile: ClockProfile) -> None:
    User.objects.filter(pk=people["officer"].pk).update(language="en")
    client = Client()
    client.force_login(people["officer"])
    assert client.get(reverse("supervision:inspection_create")).status_code == 200
    production = people["head"].primary_department_id
    data = {
        "title": "现场督查",
        "held_on": timezone.localdate().isoformat(),
        "place": "机电车间",
        "findings": "发现两处问题",
        "profile": profile.pk,
        "leader": people["leader"].pk,
        "participants": [people["officer"].pk],
        "departments": [production],
        "point_text_1": "整改一",
        "point_department_1": "",
    }
    response = client.post(reverse("supervision:inspection_create"), data)
    assert response.status_code == 400
    assert "Choose who puts this right." in response.content.decode()
    data["point_department_1"] = production
    data["photos"] = [png()]
    response = client.post(reverse("supervision:inspection_create"), data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "整改一" in page
    photo = inspection.photos.get()
    assert (
        client.get(reverse("supervision:inspection_photo", args=[photo.pk])).status_code
        == 200
    )
    assert client.get(reverse("supervision:inspections")).status_code == 200
    item = SupervisionItem.objects.get()
    detail = client.get(reverse("supervision:detail", args=[item.pk])).content.decode()
    assert reverse("supervision:inspection", args=[inspection.pk]) in detail
    # Someone not involved sees neither the record nor its photo.
    stranger = Client()
    stranger.force_login(people["outsider"])
    assert (
        stranger.get(
            reverse("supervision:inspection", args=[inspection.pk])
        ).status_code
        == 404
    )
    assert (
        stranger.get(
            reverse("supervision:inspection_photo", args=[photo.pk])
        ).status_code
        == 404
    )
    assert stranger.get(reverse("supervision:inspection_create")).status_code == 403
