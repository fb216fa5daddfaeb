"""The audit trail pages: administrators only, filters, HTMX rows, query budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.audit.services import audit_record
from zhiban.org.models import Role
from zhiban.org.tests.factories import UserFactory

LIST = reverse("audit:list")
MODEL_BACKEND = "zhiban.accounts.backends.ModelBackend"


def _write(count: int, **kwargs: Any) -> list[AuditEntry]:
    return [
        audit_record(actor=None, action="test.step", **kwargs) for _ in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("employee", 403),
        ("department_head", 403),
        ("office_director", 403),
        ("admin", 200),
    ],
)
def test_only_administrators_see_the_list_and_the_detail(client, who, status):
    # Given an entry about an employee
    subject = UserFactory(roles=[Role.EMPLOYEE])
    entry = audit_record(actor=subject, action="test.secret", target=subject)
    if who == "admin":
        client.force_login(
            UserFactory(roles=[Role.SYSTEM_ADMIN]), backend=MODEL_BACKEND
        )
    elif who != "anonymous":
        client.force_login(UserFactory(roles=[Role(who)]), backend=MODEL_BACKEND)

    before = list(AuditEntry.objects.values_list("id", "hash"))

    # When they open the list and the entry
    listing = client.get(LIST)
    detail = client.get(reverse("audit:detail", args=[entry.pk]))

    # Then only administrators get them; others learn nothing
    assert (listing.status_code, detail.status_code) == (status, status)
    if status == 302:
        assert listing["Location"].startswith(reverse("accounts:login"))
    if status != 200:
        assert b"test.secret" not in listing.content + detail.content
    assert list(AuditEntry.objects.values_list("id", "hash")) == before


@pytest.mark.django_db
def test_the_list_shows_newest_first_with_names(client, admin):
    actor = UserFactory(name="张伟")
    deputy = UserFactory(name="李娜")
    audit_record(actor=actor, action="test.first", target=actor)
    audit_record(actor=deputy, on_behalf_of=actor, action="test.second")
    client.force_login(admin, backend=MODEL_BACKEND)

    response = client.get(LIST, {"action": "test."})

    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [entry.action for entry in rows] == ["test.second", "test.first"]
    html = response.content.decode()
    assert html.index("test.second") < html.index("test.first")
    assert "张伟" in html
    assert "李娜" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "zhang"}, ["for-zhang", "by-zhang"]),
        ({"user": "E-LI"}, ["by-li", "for-zhang"]),
        ({"user": "李娜"}, ["by-li", "for-zhang"]),
        ({"action": "test.by-"}, ["by-li", "by-zhang"]),
        ({"object_type": "org.user", "object_id": "OBJ"}, ["by-zhang"]),
        ({"date_from": "2026-03-02"}, ["by-li", "for-zhang"]),
        ({"date_to": "2026-03-01"}, ["by-zhang"]),
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, ["for-zhang"]),
        ({"action": "test."}, ["by-li", "for-zhang", "by-zhang"]),
    ],
)
def test_filters_by_object_person_action_and_time(
    client, admin, query, expected, monkeypatch
):
    zhang = UserFactory(username="zhang", name="张伟")
    li = UserFactory(username="li", name="李娜", employee_number="E-LI")
    day = datetime.datetime(2026, 3, 1, 23, 30)  # Shanghai time

    def at(days: int):
        return timezone.make_aware(day + datetime.timedelta(days=days))

    for days, kwargs in [
        (0, {"actor": zhang, "action": "test.by-zhang", "target": zhang}),
        (1, {"actor": li, "on_behalf_of": zhang, "action": "test.for-zhang"}),
        (2, {"actor": li, "action": "test.by-li", "target": li}),
    ]:
        monkeypatch.setattr(timezone, "now", lambda days=days: at(days))
        audit_record(**kwargs)
    query = {k: str(zhang.pk) if v == "OBJ" else v for k, v in query.items()}
    query = {"action": "test.", **query}  # leave out the sign-in's own entry
    client.force_login(admin, backend=MODEL_BACKEND)

    response = client.get(LIST, query)

    assert response.status_code == 200
    assert [e.action.removeprefix("test.") for e in response.context["page"]] == (
        expected
    )


@pytest.mark.django_db
def test_an_end_date_before_the_start_date_is_refused_by_field(client, admin):
    _write(2)
    client.force_login(admin, backend=MODEL_BACKEND)

    response = client.get(LIST, {"date_from": "2026-03-02", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_to": ["截止日期不能早于起始日期。"]
    }
    assert "is-invalid" in response.content.decode()
    # An HTMX request shows the message above the rows it swaps in.
    rows = client.get(
        LIST,
        {"date_from": "2026-03-02", "date_to": "2026-03-01"},
        headers={"HX-Request": "true"},
    )
    assert (
        "<strong>截止日期</strong> 截止日期不能早于起始日期。" in rows.content.decode()
    )


@pytest.mark.django_db
def test_htmx_gets_only_the_rows(client, admin):
    _write(3)
    client.force_login(admin, backend=MODEL_BACKEND)

    response = client.get(LIST, {"action": "test."}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="audit-rows">')
    assert "<html" not in html
    assert html.count("<tr>") == 4  # the header and three entries


@pytest.mark.django_db
def test_the_list_is_paginated_by_fifty(client, admin):
    _write(60)
    client.force_login(admin, backend=MODEL_BACKEND)

    first = client.get(LIST, {"action": "test."})
    second = client.get(LIST, {"action": "test.", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert (
        second.context["page"].object_list[0].id
        == AuditEntry.objects.order_by("id")[9].id
    )


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_the_list_costs_the_same_queries_at_any_size(
    client, admin, size, django_assert_num_queries
):
    people = UserFactory.create_batch(3)
    for index in range(size):
        audit_record(
            actor=people[index % 3],
            on_behalf_of=people[(index + 1) % 3],
            action="test.step",
            target=people[index % 3],
        )
    client.force_login(admin, backend=MODEL_BACKEND)
    client.get(LIST)  # warm the navigation cache

    # user (the session comes from the cache), roles, count, rows
    with django_assert_num_queries(4):
        response = client.get(LIST, {"user": people[0].username})

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_detail_shows_the_data_as_json(client, admin):
    actor = UserFactory(name="王强")
    entry = audit_record(
        actor=actor, action="test.detail", target=actor, data={"意见": "同意", "n": 2}
    )
    client.force_login(admin, backend=MODEL_BACKEND)

    response = client.get(reverse("audit:detail", args=[entry.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "&quot;n&quot;: 2,\n  &quot;意见&quot;: &quot;同意&quot;" in html
    assert entry.hash in html
    assert "王强" in html


@pytest.mark.django_db
def test_a_missing_entry_is_404(client, admin):
    client.force_login(admin, backend=MODEL_BACKEND)
    assert client.get(reverse("audit:detail", args=[999999])).status_code == 404
