"""The register, the approval's outcome in the ledger, and the stamping record."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhiban.audit.models import AuditEntry
from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.inbox.models import WorkItem
from zhiban.org.models import User
from zhiban.seals import services
from zhiban.seals.models import WORK_ITEM_KIND, Seal, SealUse
from zhiban.workflow import revocation
from zhiban.workflow import services as workflow
from zhiban.workflow.models import FlowInstance

from .conftest import (
    approve_all,
    open_assignees,
    request_seal,
    scan_file,
)

pytestmark = pytest.mark.django_db


# --- the register ---------------------------------------------------------------


def test_the_office_director_adds_a_seal_with_an_audit_entry(org: dict[str, Any]):
    people = org["people"]

    seal = services.seal_create(
        by=people["director"],
        name="党委印章",
        kind=Seal.Kind.PARTY_COMMITTEE,
        unit=org["units"]["hq"],
        keeper=people["keeper"],
        location="党委工作部",
    )

    assert (seal.name, seal.keeper, seal.is_active) == (
        "党委印章",
        people["keeper"],
        True,
    )
    entry = AuditEntry.objects.get(action="seal.create")
    assert (entry.object_id, entry.actor) == (str(seal.pk), people["director"])


@pytest.mark.parametrize("who", ["keeper", "head", "requester"])
def test_others_may_not_add_a_seal(org: dict[str, Any], who: str):
    with pytest.raises(PermissionDeniedError):
        services.seal_create(
            by=org["people"][who],
            name="公章",
            kind=Seal.Kind.OFFICIAL,
            unit=org["units"]["hq"],
            keeper=org["people"]["keeper"],
        )
    assert Seal.objects.count() == 0


def test_a_seal_name_is_unique_per_unit_only(
    org: dict[str, Any], seals: dict[str, Seal]
):
    people = org["people"]
    with pytest.raises(ValidationError, match="already has a seal with this name"):
        services.seal_create(
            by=people["admin"],
            name="集团公章",
            kind=Seal.Kind.OFFICIAL,
            unit=org["units"]["hq"],
            keeper=people["keeper"],
        )
    other = services.seal_create(
        by=people["admin"],
        name="集团公章",
        kind=Seal.Kind.OFFICIAL,
        unit=org["units"]["mine"],
        keeper=people["mine_keeper"],
    )
    assert other.unit == org["units"]["mine"]


def test_a_department_seal_needs_a_department_of_its_unit(org: dict[str, Any]):
    people, departments = org["people"], org["departments"]
    common = {
        "by": people["admin"],
        "name": "生产技术部章",
        "kind": Seal.Kind.DEPARTMENT,
        "unit": org["units"]["hq"],
        "keeper": people["head"],
    }
    with pytest.raises(ValidationError, match="belongs to a department"):
        services.seal_create(**common)
    with pytest.raises(ValidationError, match="not part of the seal's unit"):
        services.seal_create(**common, department=departments["mine_office"])
    seal = services.seal_create(**common, department=departments["production"])
    assert seal.department == departments["production"]


def test_an_official_seal_drops_a_department(org: dict[str, Any]):
    people = org["people"]
    seal = services.seal_create(
        by=people["admin"],
        name="公章",
        kind=Seal.Kind.OFFICIAL,
        unit=org["units"]["hq"],
        keeper=people["keeper"],
        department=org["departments"]["office"],
    )
    assert seal.department is None


def test_the_deputy_keeper_is_someone_else(org: dict[str, Any], seals: dict[str, Seal]):
    people = org["people"]
    with pytest.raises(ValidationError, match="must be someone else"):
        services.seal_update(
            seal=seals["official"], by=people["admin"], deputy_keeper=people["keeper"]
        )
    seals["official"].refresh_from_db()
    assert seals["official"].deputy_keeper == people["deputy"]


def test_deactivating_hides_the_seal_from_requesters(
    org: dict[str, Any], seals: dict[str, Seal]
):
    from zhiban.seals.selectors import seal_choices_for

    people = org["people"]
    services.seal_set_active(
        seal=seals["contract"], active=False, by=people["director"]
    )

    offered = [pk for pk, _label in seal_choices_for(people["requester"])]
    assert offered == [seals["official"].pk]
    assert AuditEntry.objects.filter(action="seal.deactivate").count() == 1
    services.seal_set_active(
        seal=seals["contract"], active=False, by=people["director"]
    )
    assert AuditEntry.objects.filter(action="seal.deactivate").count() == 1


def test_requesters_are_offered_the_seals_of_their_unit(
    org: dict[str, Any], seals: dict[str, Seal]
):
    from zhiban.seals.selectors import seal_choices_for

    people = org["people"]
    department_seal = Seal.objects.create(
        name="地质测量科章",
        kind=Seal.Kind.DEPARTMENT,
        unit=org["units"]["hq"],
        department=org["departments"]["section"],
        keeper=people["geologist"],
    )
    assert {pk for pk, _ in seal_choices_for(people["geologist"])} == {
        seals["official"].pk,
        seals["contract"].pk,
        department_seal.pk,
    }
    assert {pk for pk, _ in seal_choices_for(people["requester"])} == {
        seals["official"].pk,
        seals["contract"].pk,
    }
    assert [pk for pk, _ in seal_choices_for(people["stranger"])] == [seals["mine"].pk]


# --- the request and its outcome ---------------------------------------------------


def test_a_seal_of_another_unit_is_refused_on_the_form(
    org: dict[str, Any], seals: dict[str, Seal]
):
    with pytest.raises(DomainError) as caught:
        request_seal(org["people"]["requester"], seals["mine"])
    assert caught.value.message_dict == {"seal": ["This seal is not available to you."]}
    assert (
        FlowInstance.objects.filter(version__definition__code="seal_use").count() == 0
    )


def test_approval_books_the_ledger_and_opens_the_keepers_work_item(
    org: dict[str, Any], seals: dict[str, Seal]
):
    people = org["people"]
    instance = request_seal(people["requester"], seals["official"], copies=3)
    assert open_assignees(instance) == ["head"]

    instance = approve_all(instance)

    assert instance.status == FlowInstance.Status.APPROVED
    use = SealUse.objects.get(instance=instance)
    assert (
        use.seal,
        use.department,
        use.requester,
        use.document_title,
        use.copies_approved,
        use.status,
    ) == (
        seals["official"],
        org["departments"]["production"],
        people["requester"],
        "采购合同",
        3,
        SealUse.Status.AWAITING,
    )
    item = WorkItem.objects.get(kind=WORK_ITEM_KIND)
    assert (item.assignee, item.title, item.state) == (
        people["keeper"],
        "Seal use: 采购合同",
        WorkItem.State.OPEN,
    )
    assert item.url == f"/seals/uses/{use.pk}/stamp/"
    assert use.work_item == item
    assert AuditEntry.objects.filter(action="seal.use_open").count() == 1


def test_more_than_ten_copies_goes_to_the_office_director(
    org: dict[str, Any], seals: dict[str, Seal]
):
    people = org["people"]
    instance = request_seal(people["requester"], seals["official"], copies=11)
    instance = workflow.instance_act(
        instance_id=instance.pk, kind="approve", by=people["head"]
    )
    assert open_assignees(instance) == ["director"]
    assert not SealUse.objects.exists()

    approve_all(instance)

    assert SealUse.objects.get().copies_approved == 11


def test_a_department_without_head_passes_on_its_own(
    org: dict[str, Any], seals: dict[str, Seal]
):
    instance = request_seal(org["people"]["lonely"], seals["official"], copies=1)
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.APPROVED
    assert SealUse.objects.get().requester == org["people"]["lonely"]


def test_a_rejected_request_books_nothing(org: dict[str, Any], seals: dict[str, Seal]):
    people = org["people"]
    instance = request_seal(people["requester"], seals["official"])
    workflow.instance_act(
        instance_id=instance.pk,
        kind="reject",
        by=people["head"],
        payload={"reason": "份数不对"},
    )
    assert not SealUse.objects.exists()
    assert not WorkItem.objects.filter(kind=WORK_ITEM_KIND).exists()


def test_revoking_marks_the_row_revoked_and_closes_the_keepers_item(
    org: dict[str, Any], seals: dict[str, Seal]
):
    people = org["people"]
    instance = approve_all(request_seal(people["requester"], seals["official"]))

    request = revocation.instance_revoke_request(
        instance=instance, by=people["requester"], reason="合同取消"
    )
    approve_all(request)

    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.REVOKED
    use = SealUse.objects.get()
    assert use.status == SealUse.Status.REVOKED
    assert use.revoked_at is not None
    assert WorkItem.objects.get(kind=WORK_ITEM_KIND).state == WorkItem.State.CANCELLED
    assert SealUse.objects.count() == 1  # the revocation request booked nothing
    with pytest.raises(DomainError, match="revoked"):
        stamp(use, people["keeper"])


# --- the stamping record ---------------------------------------------------------


@pytest.fixture
def use(org: dict[str, Any], seals: dict[str, Seal]) -> SealUse:
    instance = approve_all(
        request_seal(org["people"]["requester"], seals["official"], copies=3)
    )
    return SealUse.objects.get(instance=instance)


def stamp(use: SealUse, by: User, **overrides: Any) -> SealUse:
    arguments: dict[str, Any] = {
        "use_id": use.pk,
        "by": by,
        "copies": 3,
        "scan": scan_file(),
        "scan_name": "scan.png",
        "note": "",
    }
    arguments.update(overrides)
    return services.seal_use_stamp(**arguments)


@pytest.mark.parametrize("who", ["keeper", "deputy"])
def test_the_keeper_or_deputy_records_the_stamping(
    org: dict[str, Any], use: SealUse, who: str
):
    person = org["people"][who]
    at = timezone.now() - datetime.timedelta(minutes=1)

    done = stamp(use, person, copies=2, stamped_at=at, note="一份作废")

    done.refresh_from_db()
    assert (
        done.status,
        done.copies_stamped,
        done.stamped_by,
        done.stamped_at,
        done.note,
        done.scan_name,
        done.scan_content_type,
    ) == (SealUse.Status.STAMPED, 2, person, at, "一份作废", "scan.png", "image/png")
    assert done.scan.read().startswith(b"\x89PNG")
    item = WorkItem.objects.get(kind=WORK_ITEM_KIND)
    assert (item.state, item.closed_by) == (WorkItem.State.DONE, person)
    assert AuditEntry.objects.filter(action="seal.use_stamp").count() == 1


@pytest.mark.parametrize("who", ["head", "requester", "director", "admin", "stranger"])
def test_only_the_seals_keepers_may_record(org: dict[str, Any], use: SealUse, who: str):
    with pytest.raises(PermissionDeniedError):
        stamp(use, org["people"][who])
    use.refresh_from_db()
    assert use.status == SealUse.Status.AWAITING
    assert not use.scan


@pytest.mark.parametrize("copies", [0, 4, -1])
def test_copies_must_be_between_one_and_the_approved(
    org: dict[str, Any], use: SealUse, copies: int
):
    with pytest.raises(DomainError) as caught:
        stamp(use, org["people"]["keeper"], copies=copies)
    assert caught.value.message_dict == {
        "copies": ["Enter a number of copies from 1 to 3 (approved)."]
    }
    use.refresh_from_db()
    assert use.status == SealUse.Status.AWAITING


def test_a_scan_must_be_a_pdf_or_an_image(org: dict[str, Any], use: SealUse):
    docx_named_pdf = scan_file("scan.pdf", b"just some text, not a pdf at all")
    with pytest.raises(DomainError) as caught:
        stamp(use, org["people"]["keeper"], scan=docx_named_pdf, scan_name="scan.pdf")
    assert list(caught.value.message_dict) == ["scan"]
    with pytest.raises(DomainError, match="Attach a scan"):
        stamp(use, org["people"]["keeper"], scan=None)
    use.refresh_from_db()
    assert (use.status, use.scan_sha256) == (SealUse.Status.AWAITING, "")


def test_the_stamping_time_is_not_in_the_future_nor_before_approval(
    org: dict[str, Any], use: SealUse
):
    keeper = org["people"]["keeper"]
    with pytest.raises(DomainError, match="cannot be in the future"):
        stamp(use, keeper, stamped_at=timezone.now() + datetime.timedelta(hours=2))
    with pytest.raises(DomainError, match="before the approval"):
        stamp(use, keeper, stamped_at=use.approved_at - datetime.timedelta(days=1))


def test_a_stamping_is_recorded_once(org: dict[str, Any], use: SealUse):
    stamp(use, org["people"]["keeper"])
    with pytest.raises(DomainError, match="already been recorded"):
        stamp(use, org["people"]["deputy"], copies=1)
    use.refresh_from_db()
    assert (use.stamped_by, use.copies_stamped) == (org["people"]["keeper"], 3)


def test_pages_name_the_chosen_seal(seals: dict[str, Seal]):
    from zhiban.seals.kind import FIELDS
    from zhiban.workflow.formschema import display_rows

    rows = dict(display_rows(list(FIELDS), {"seal": seals["official"].pk}))
    assert rows["印章"] == "集团公章（本部）"
