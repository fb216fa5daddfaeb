"""Pages of the register, the ledger, the stamping form and the Excel export."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiban.org.models import User
from zhiban.seals.models import Seal, SealUse

from .conftest import PNG, approve_all, request_seal

pytestmark = pytest.mark.django_db


def client_for(user: User | None, language: str = "en") -> Client:
    """Return a client signed in as the user, who reads the pages in the language."""
    client = Client()
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
    return client


def book(org: dict[str, Any], seals: dict[str, Seal], **kwargs: Any) -> SealUse:
    """Return the ledger row of an approved request."""
    requester = kwargs.pop("requester", org["people"]["requester"])
    seal = kwargs.pop("seal", seals["official"])
    instance = approve_all(request_seal(requester, seal, **kwargs))
    return SealUse.objects.get(instance=instance)


# --- the register ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("requester", 403),
        ("keeper", 403),
        ("head", 403),
        ("director", 200),
        ("admin", 200),
    ],
)
def test_register_page_is_for_the_office_director_and_administrators(
    org: dict[str, Any], seals: dict[str, Seal], who: str | None, status: int
):
    user = org["people"][who] if who else None
    response = client_for(user).get(reverse("seals:register"))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "集团公章" in body
        assert "综合办公室机要柜" in body


def test_adding_a_seal_through_the_page(org: dict[str, Any]):
    people = org["people"]
    response = client_for(people["director"]).post(
        reverse("seals:seal_create"),
        {
            "name": "合同专用章（二）",
            "kind": Seal.Kind.CONTRACT,
            "unit": org["units"]["hq"].pk,
            "keeper": people["keeper"].pk,
            "location": "财务部",
        },
    )
    assert response.status_code == 302
    seal = Seal.objects.get(name="合同专用章（二）")
    assert (seal.keeper, seal.location) == (people["keeper"], "财务部")


def test_a_refused_seal_shows_the_reason_and_saves_nothing(
    org: dict[str, Any], seals: dict[str, Seal]
):
    people = org["people"]
    response = client_for(people["admin"]).post(
        reverse("seals:seal_create"),
        {
            "name": "集团公章",
            "kind": Seal.Kind.OFFICIAL,
            "unit": org["units"]["hq"].pk,
            "keeper": people["keeper"].pk,
        },
    )
    assert response.status_code == 400
    assert "already has a seal with this name" in response.content.decode()
    assert Seal.objects.filter(name="集团公章").count() == 1


def test_editing_and_deactivating_through_the_page(
    org: dict[str, Any], seals: dict[str, Seal]
):
    people, seal = org["people"], seals["official"]
    client = client_for(people["director"])
    response = client.post(
        reverse("seals:seal_edit", args=[seal.pk]),
        {
            "name": seal.name,
            "kind": seal.kind,
            "unit": seal.unit_id,
            "keeper": people["deputy"].pk,
            "deputy_keeper": people["keeper"].pk,
            "location": "保密柜",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("seals:seal_active", args=[seal.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    seal.refresh_from_db()
    assert (seal.keeper, seal.deputy_keeper, seal.location, seal.is_active) == (
        people["deputy"],
        people["keeper"],
        "保密柜",
        False,
    )


def test_a_keeper_cannot_deactivate(org: dict[str, Any], seals: dict[str, Seal]):
    response = client_for(org["people"]["keeper"]).post(
        reverse("seals:seal_active", args=[seals["official"].pk]), {"active": "0"}
    )
    assert response.status_code == 403
    seals["official"].refresh_from_db()
    assert seals["official"].is_active is True


# --- the ledger -----------------------------------------------------------------


@pytest.fixture
def ledger(org: dict[str, Any], seals: dict[str, Seal]) -> dict[str, SealUse]:
    people = org["people"]
    return {
        "official": book(org, seals, title="采购合同", copies=2),
        "contract": book(org, seals, seal=seals["contract"], title="租赁合同"),
        "geology": book(
            org, seals, requester=people["geologist"], title="地质报告", copies=1
        ),
        "lonely": book(org, seals, requester=people["lonely"], title="纪检报告"),
        "mine": book(
            org,
            seals,
            requester=people["stranger"],
            seal=seals["mine"],
            title="矿井采矿许可证",
        ),
    }


def titles(response: Any) -> set[str]:
    return {use.document_title for use in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (
            "director",
            {"采购合同", "租赁合同", "地质报告", "纪检报告", "矿井采矿许可证"},
        ),
        ("admin", {"采购合同", "租赁合同", "地质报告", "纪检报告", "矿井采矿许可证"}),
        # The keeper of the official seal; the deputy also keeps the contract seal.
        ("keeper", {"采购合同", "地质报告", "纪检报告"}),
        ("deputy", {"采购合同", "租赁合同", "地质报告", "纪检报告"}),
        # The head of production: their department and the section below it.
        ("head", {"采购合同", "租赁合同", "地质报告"}),
        ("requester", {"采购合同", "租赁合同"}),
        ("mine_keeper", {"矿井采矿许可证"}),
        ("colleague", set()),
    ],
)
def test_who_sees_which_ledger_rows(
    org: dict[str, Any], ledger: dict[str, SealUse], who: str, expected: set[str]
):
    response = client_for(org["people"][who]).get(reverse("seals:ledger"))
    assert response.status_code == 200
    assert titles(response) == expected


def test_the_ledger_needs_a_sign_in(ledger: dict[str, SealUse]):
    response = Client().get(reverse("seals:ledger"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_ledger_filters(
    org: dict[str, Any], seals: dict[str, Seal], ledger: dict[str, SealUse]
):
    client = client_for(org["people"]["director"])
    url = reverse("seals:ledger")
    assert titles(client.get(url, {"seal": seals["contract"].pk})) == {"租赁合同"}
    assert titles(
        client.get(url, {"department": org["departments"]["section"].pk})
    ) == {"地质报告"}
    assert titles(client.get(url, {"q": "许超"})) == {"纪检报告"}
    assert titles(client.get(url, {"q": "合同"})) == {"采购合同", "租赁合同"}
    SealUse.objects.filter(pk=ledger["mine"].pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=40)
    )
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=1)).isoformat()
    assert "矿井采矿许可证" not in titles(client.get(url, {"start": start}))
    old = (today - datetime.timedelta(days=40)).isoformat()
    assert titles(client.get(url, {"start": old, "end": old})) == {"矿井采矿许可证"}
    SealUse.objects.filter(pk=ledger["lonely"].pk).update(status="revoked")
    assert titles(client.get(url, {"status": "revoked"})) == {"纪检报告"}
    # Nonsense is ignored, never a 500.
    response = client.get(url, {"seal": "x", "start": "2026-99-99", "status": "no"})
    assert response.status_code == 200
    assert len(titles(response)) == 5


def test_an_htmx_request_gets_the_rows_only(
    org: dict[str, Any], ledger: dict[str, SealUse]
):
    response = client_for(org["people"]["director"]).get(
        reverse("seals:ledger"), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="ledger-rows">')
    assert "<html" not in body


def test_the_ledger_links_each_row_to_its_approval(
    org: dict[str, Any], ledger: dict[str, SealUse]
):
    body = client_for(org["people"]["keeper"]).get(reverse("seals:ledger")).content
    use = ledger["official"]
    assert f'href="/workflow/instances/{use.instance_id}/"'.encode() in body
    assert f'href="/seals/uses/{use.pk}/stamp/"'.encode() in body


def test_the_ledger_page_queries_do_not_grow_with_rows(
    org: dict[str, Any],
    seals: dict[str, Seal],
    django_assert_max_num_queries: Any,
):
    people = org["people"]
    client = client_for(people["deputy"])
    url = reverse("seals:ledger")

    def fill(count: int) -> None:
        for index in range(count):
            book(org, seals, title=f"文件{index}", copies=1)

    def measure() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    fill(2)
    small = measure()
    fill(12)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 14
    assert small <= 16


# --- the export -----------------------------------------------------------------


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_has_the_filtered_rows_the_user_may_see(
    org: dict[str, Any], seals: dict[str, Seal], ledger: dict[str, SealUse]
):
    response = client_for(org["people"]["head"]).get(
        reverse("seals:ledger_export"), {"q": "合同"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(response)
    assert rows[0][:3] == ("Serial number", "Approved at", "Seal")
    body = sorted(rows[1:], key=lambda row: row[5])
    assert [row[5] for row in body] == ["租赁合同", "采购合同"]
    purchase = next(row for row in body if row[5] == "采购合同")
    use = ledger["official"]
    local = timezone.localtime(use.approved_at).replace(tzinfo=None, microsecond=0)
    assert purchase == (
        use.instance.serial,
        local,
        "集团公章（本部）",
        "生产技术部",
        "高峰",
        "采购合同",
        2,
        "Awaiting stamping",
        None,
        None,
        None,
        None,
    )


def test_the_export_headers_are_chinese_for_a_chinese_reader(
    org: dict[str, Any], ledger: dict[str, SealUse]
):
    from django.utils import translation

    with translation.override("zh-hans"):
        response = client_for(org["people"]["director"], "zh-hans").get(
            reverse("seals:ledger_export")
        )
    rows = sheet_rows(response)
    assert rows[0][2] == "印章"
    assert rows[0][5] == "文件名称"
    assert len(rows) == 6


def test_anonymous_cannot_export(ledger: dict[str, SealUse]):
    response = Client().get(reverse("seals:ledger_export"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_stranger_exports_an_empty_ledger(
    org: dict[str, Any], ledger: dict[str, SealUse]
):
    response = client_for(org["people"]["colleague"]).get(
        reverse("seals:ledger_export")
    )
    assert len(sheet_rows(response)) == 1


# --- the stamping form ----------------------------------------------------------


@pytest.fixture
def use(org: dict[str, Any], seals: dict[str, Seal]) -> SealUse:
    return book(org, seals, title="采购合同", copies=3)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("colleague", 404),  # does not see the row at all
        ("head", 403),  # sees the row, keeps no seal
        ("director", 403),
        ("requester", 403),
        ("keeper", 200),
        ("deputy", 200),
    ],
)
def test_the_stamping_form_is_for_the_seals_keepers(
    org: dict[str, Any], use: SealUse, who: str | None, status: int
):
    user = org["people"][who] if who else None
    response = client_for(user).get(reverse("seals:stamp", args=[use.pk]))
    assert response.status_code == status


def post_stamp(client: Client, use: SealUse, **overrides: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = {
        "stamped_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "copies": "3",
        "scan": SimpleUploadedFile("盖章件.png", PNG, "image/png"),
        "note": "",
    }
    data.update(overrides)
    return client.post(reverse("seals:stamp", args=[use.pk]), data)


def test_the_keeper_records_the_stamping_and_the_ledger_shows_it(
    org: dict[str, Any], use: SealUse
):
    client = client_for(org["people"]["keeper"])
    response = post_stamp(client, use, copies="2", note="退回一份")
    assert response.status_code == 302
    use.refresh_from_db()
    assert (use.status, use.copies_stamped, use.note, use.scan_name) == (
        SealUse.Status.STAMPED,
        2,
        "退回一份",
        "盖章件.png",
    )
    body = client.get(reverse("seals:ledger")).content.decode()
    assert "退回一份" in body
    scan = client.get(reverse("seals:scan", args=[use.pk]))
    assert scan.status_code == 200
    assert scan.getvalue().startswith(b"\x89PNG")
    again = client.get(reverse("seals:stamp", args=[use.pk]))
    assert 'data-testid="stamp-done"' in again.content.decode()


@pytest.mark.parametrize(
    ("who", "status", "may_stamp"),
    [
        ("keeper", 200, True),
        ("deputy", 200, True),
        ("requester", 200, False),
        ("head", 200, False),
        # Those who see the ledger row see the approval behind it.
        ("director", 200, False),
        ("colleague", 404, False),
        ("stranger", 404, False),
    ],
)
def test_who_may_open_the_approval_behind_a_ledger_row(
    org: dict[str, Any], use: SealUse, who: str, status: int, may_stamp: bool
):
    response = client_for(org["people"][who]).get(
        reverse("workflow:instance_detail", args=[use.instance_id])
    )
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert 'data-testid="seal-use-record"' in body
        stamp = reverse("seals:stamp", args=[use.pk])
        assert (f'href="{stamp}"' in body) is may_stamp


def test_a_bad_stamping_shows_the_errors_on_the_fields(
    org: dict[str, Any], use: SealUse
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post_stamp(
        client_for(org["people"]["keeper"]),
        use,
        copies="5",
        scan=SimpleUploadedFile("scan.pdf", b"plain text", "application/pdf"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"copies", "scan"}
    use.refresh_from_db()
    assert use.status == SealUse.Status.AWAITING


def test_a_scan_is_only_for_those_who_see_the_row(org: dict[str, Any], use: SealUse):
    post_stamp(client_for(org["people"]["keeper"]), use)
    assert (
        client_for(org["people"]["colleague"])
        .get(reverse("seals:scan", args=[use.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(org["people"]["head"])
        .get(reverse("seals:scan", args=[use.pk]))
        .status_code
        == 200
    )


def test_the_keepers_to_do_list_shows_the_stamping_and_links_to_the_form(
    org: dict[str, Any], use: SealUse
):
    client = client_for(org["people"]["keeper"])
    body = client.get(reverse("inbox:list")).content
    assert "Seal use: 采购合同".encode() in body
    assert use.work_item is not None
    opened = client.get(reverse("inbox:open", args=[use.work_item.pk]))
    assert opened["Location"] == f"/seals/uses/{use.pk}/stamp/"
