"""Seal use and vehicle requests in Chromium: the keeper records a stamping, the
ledger shows it and exports it; the register and the vehicle requests pages.

Screenshots at desktop and phone width: seals-register, seals-stamp-form,
seals-ledger, seals-apply, vehicles-requests.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "zhiban-demo-1"  # the factories' password


@pytest.fixture
def world(default_flows: None) -> dict[str, Any]:
    """The seal tests' organisation and seals, the default flows, some requests."""
    from django.contrib.auth.models import Group

    from zhiban.org.models import Role
    from zhiban.org.tests.factories import UserFactory
    from zhiban.seals.models import SealUse
    from zhiban.seals.tests.conftest import (
        approve_all,
        make_org,
        make_seals,
        request_seal,
    )
    from zhiban.vehicles.tests.conftest import request_vehicle

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    org = make_org()
    seals = make_seals(org)
    people = org["people"]
    people["manager"] = UserFactory(
        username="manager",
        name="马军",
        primary_department=org["departments"]["office"],
        roles=[Role.FLEET_MANAGER],
    )
    purchase = approve_all(
        request_seal(
            people["requester"],
            seals["official"],
            copies=3,
            title="2027年度综采设备采购合同",
        )
    )
    approve_all(
        request_seal(
            people["geologist"],
            seals["contract"],
            copies=1,
            title="地质勘查技术服务合同",
        )
    )
    request_seal(people["requester"], seals["official"], copies=12, title="制度汇编")
    approve_all(request_vehicle(people["requester"], destination="九里山矿"))
    request_vehicle(people["colleague"], destination="郑州")
    return {
        "people": people,
        "seals": seals,
        "purchase": SealUse.objects.get(instance=purchase),
    }


def test_the_keeper_records_a_stamping_and_the_ledger_shows_and_exports_it(
    page, console, shot, sign_in, world, tmp_path, fits_a_phone
) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from zhiban.seals.models import SealUse
    from zhiban.seals.tests.conftest import PNG

    sign_in(page, "keeper", PASSWORD)
    page.locator(".zb-shell a[href='/seals/ledger/']").first.click()
    page.wait_for_url("**/seals/ledger/")
    # The keeper of the official seal sees its row, not the contract seal's.
    expect(page.get_by_test_id("ledger-row")).to_have_count(1)
    use = world["purchase"]
    page.locator(f"a[href='/seals/uses/{use.pk}/stamp/']").click()
    page.wait_for_url(f"**/seals/uses/{use.pk}/stamp/")
    expect(page.get_by_test_id("copies-approved")).to_have_text("3")
    page.fill("#id_copies", "2")
    page.fill("#id_note", "一份作废收回")
    page.set_input_files(
        "#id_scan",
        files=[{"name": "盖章件.png", "mimeType": "image/png", "buffer": PNG}],
    )
    shot(page, "seals-stamp-form")
    page.get_by_test_id("stamp-save").click()
    page.wait_for_url("**/seals/ledger/?seal=*")
    expect(page.locator(".alert-success")).to_be_visible()
    row = page.get_by_test_id("ledger-row").filter(has_text="2027年度综采设备采购合同")
    expect(row).to_contain_text("一份作废收回")
    expect(row).to_contain_text("已用印")
    use.refresh_from_db()
    assert (use.status, use.copies_stamped) == (SealUse.Status.STAMPED, 2)

    # The keeper may open the approval (and the document to stamp) from the row.
    row.get_by_role("link", name="2027年度综采设备采购合同").click()
    page.wait_for_url(f"**/workflow/instances/{use.instance_id}/")
    expect(page.locator("body")).to_contain_text("合同.pdf")

    page.goto("/seals/ledger/")
    shot(page, "seals-ledger")
    fits_a_phone(page)
    # Filter to the stamped rows, then export what the filter shows.
    page.select_option("select[name=status]", "stamped")
    expect(page.get_by_test_id("ledger-row")).to_have_count(1)
    page.wait_for_url("**status=stamped*")
    with page.expect_download() as download_info:
        page.get_by_test_id("ledger-export").click()
    path = tmp_path / "ledger.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).worksheets[0]
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][2] == "印章"
    assert [row[5] for row in values[1:]] == ["2027年度综采设备采购合同"]
    assert values[1][7:10][0] == "已用印"
    assert values[1][9] == 2
    console.assert_clean()


def test_the_office_director_keeps_the_register(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    from zhiban.seals.models import Seal

    sign_in(page, "director", PASSWORD)
    page.goto("/seals/register/")
    expect(page.get_by_test_id("seal-row")).to_have_count(3)
    shot(page, "seals-register")
    fits_a_phone(page)
    page.get_by_test_id("seal-new").click()
    page.fill("#id_name", "党委印章")
    page.select_option("#id_kind", "party_committee")
    page.select_option("#id_unit", label="集团本部")
    page.select_option(
        "#id_keeper",
        label=page.locator("#id_keeper option", has_text="王芳").first.inner_text(),
    )
    page.fill("#id_location", "党委工作部机要柜")
    shot(page, "seals-register-form")
    page.get_by_test_id("seal-save").click()
    page.wait_for_url("**/seals/register/")
    expect(page.get_by_test_id("seal-row")).to_have_count(4)
    assert Seal.objects.get(name="党委印章").location == "党委工作部机要柜"
    # Deactivate it again (the page asks first).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("seal-row").filter(has_text="党委印章").get_by_test_id(
        "seal-deactivate"
    ).click()
    page.wait_for_url("**/seals/register/")
    assert Seal.objects.get(name="党委印章").is_active is False
    # The director sees every row of the ledger.
    page.goto("/seals/ledger/")
    expect(page.get_by_test_id("ledger-row")).to_have_count(2)
    console.assert_clean()


def test_the_requester_applies_with_a_seal_of_their_unit(
    page, console, shot, sign_in, world
) -> None:
    from playwright.sync_api import expect

    sign_in(page, "requester", PASSWORD)
    page.goto("/workflow/apply/seal_use/")
    options = page.locator("select[name=seal] option")
    expect(options).to_have_count(3)  # "—" and the two seals of the unit
    expect(page.locator("select[name=seal]")).to_contain_text("集团公章（本部）")
    shot(page, "seals-apply")
    console.assert_clean()


def test_the_fleet_manager_sees_the_vehicle_requests(
    page, console, shot, sign_in, world, fits_a_phone
) -> None:
    from playwright.sync_api import expect

    sign_in(page, "manager", PASSWORD)
    page.locator(".zb-shell a[href='/vehicles/requests/']").first.click()
    page.wait_for_url("**/vehicles/requests/")
    expect(page.get_by_test_id("vehicle-row")).to_have_count(1)
    expect(page.get_by_test_id("vehicle-row")).to_contain_text("九里山矿")
    expect(page.get_by_test_id("vehicle-row")).to_contain_text("待派车")
    shot(page, "vehicles-requests")
    fits_a_phone(page)
    console.assert_clean()
