"""The handling card: each person does their step from the page; refusals explained."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from zhiban.documents.models import Document, IncomingStep, Stage

from .conftest import incoming
from .test_handling import cast, walk_to  # noqa: F401 - the fixture
from .test_views import client_for

pytestmark = pytest.mark.django_db


def act(user, document, stage, data):
    return client_for(user).post(
        reverse("documents:incoming_act", args=[document.pk, stage]), data
    )


def test_the_incoming_path_from_the_page(org, people, cast):  # noqa: F811
    document = incoming(org)
    page = client_for(people["clerk"]).get(
        reverse("documents:detail", args=[document.pk])
    )
    assert 'data-testid="handling-form"' in page.content.decode()

    assert (
        act(people["clerk"], document, "check", {"decision": "pass"}).status_code == 302
    )
    no_leader = act(people["clerk"], document, "propose", {"proposal": "请张总阅示"})
    assert no_leader.status_code == 400
    assert "Choose the leader" in no_leader.content.decode()
    assert (
        act(
            people["clerk"],
            document,
            "propose",
            {"proposal": "请张总阅示", "leader": [cast["leader"].pk]},
        ).status_code
        == 302
    )
    deadline = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    assert (
        act(
            cast["leader"],
            document,
            "instruct",
            {
                "instruction": "请生产技术部牵头办理。",
                "lead": org["production"].pk,
                "co_departments": [cast["safety"].pk],
                "deadline": deadline,
            },
        ).status_code
        == 302
    )
    for head in (cast["production_head"], cast["safety_head"]):
        assert act(head, document, "handle", {"reply": "已办理"}).status_code == 302
    assert (
        act(
            people["clerk"], document, "complete", {"reply": "已答复来文单位"}
        ).status_code
        == 302
    )

    document.refresh_from_db()
    assert document.stage == Stage.DONE
    record = client_for(people["clerk"]).get(
        reverse("documents:detail", args=[document.pk])
    )
    assert record.content.decode().count("<tr>") >= 7  # header + six steps


@pytest.mark.parametrize(
    ("lead", "message"),
    [
        (None, "Choose the lead department."),
        ("mine_office", "“矿办公室” (朝阳煤矿) cannot be chosen here"),
        ("9" * 25, "A chosen department no longer exists"),
    ],
)
def test_the_leader_picks_departments_of_the_unit_and_a_wrong_one_is_named(
    org,
    people,
    cast,  # noqa: F811
    lead,
    message,
):
    document = walk_to(Stage.INSTRUCT, org, cast)
    page = client_for(cast["leader"]).get(
        reverse("documents:detail", args=[document.pk])
    )
    search = reverse("org:picker_departments") + f"?unit={org['hq'].pk}"
    assert 'data-testid="picker-lead"' in page.content.decode()
    assert 'data-testid="picker-co_departments"' in page.content.decode()
    assert page.content.decode().count(f'hx-get="{search}"') == 2

    data = {"instruction": "请办理。", "co_departments": [cast["safety"].pk]}
    if lead is not None:
        data["lead"] = org[lead].pk if lead in org else lead
    refused = act(cast["leader"], document, "instruct", data)

    assert refused.status_code == 400
    assert message in refused.content.decode()
    assert f'data-id="{cast["safety"].pk}"' in refused.content.decode()
    document.refresh_from_db()
    assert document.stage == Stage.INSTRUCT


def test_a_late_click_on_a_step_that_moved_on_is_a_clear_400(org, people, cast):  # noqa: F811
    document = incoming(org)
    act(people["clerk"], document, "check", {"decision": "pass"})

    late = act(people["clerk"], document, "check", {"decision": "pass"})

    assert late.status_code == 400
    assert "moved on" in late.content.decode()
    assert IncomingStep.objects.filter(stage="check").count() == 1


def test_someone_whose_turn_it_is_not_is_refused(org, people, cast):  # noqa: F811
    document = incoming(org, department=org["office"])
    act(people["clerk"], document, "check", {"decision": "pass"})
    act(
        people["clerk"],
        document,
        "propose",
        {"proposal": "请张总阅示", "leader": [cast["leader"].pk]},
    )

    response = act(
        people["stranger"],
        document,
        "instruct",
        {"instruction": "x", "lead": org["production"].pk},
    )

    assert response.status_code == 403
    assert Document.objects.get().stage == Stage.INSTRUCT
