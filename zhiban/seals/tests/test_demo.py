"""The demo seeds seals, and seal and vehicle requests in different states."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zhiban.audit.verify import verify_chain
from zhiban.inbox.models import WorkItem
from zhiban.seals.models import WORK_ITEM_KIND, Seal, SealUse
from zhiban.vehicles.models import VehicleRequest
from zhiban.workflow.models import FlowInstance, FlowTask


@pytest.mark.django_db
def test_the_demo_has_seals_and_requests_in_every_state(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    assert Seal.objects.count() == 6
    assert Seal.objects.get(name="集团公章").keeper.username == "wangfang"
    uses = {use.document_title: use for use in SealUse.objects.select_related("seal")}
    assert uses["机电设备采购合同（综采工作面液压支架）"].status == "stamped"
    assert uses["2027年度安全生产目标责任书"].status == "awaiting"
    assert WorkItem.objects.get(
        kind=WORK_ITEM_KIND, state=WorkItem.State.OPEN
    ).assignee.username == ("wangfang")
    waiting = FlowInstance.objects.get(
        form__document_title__startswith="集团公司管理制度"
    )
    assert waiting.status == FlowInstance.Status.RUNNING
    assert list(
        FlowTask.objects.filter(instance=waiting, state="open").values_list(
            "assignee__username", flat=True
        )
    ) == ["chenjing"]
    assert VehicleRequest.objects.filter(status="awaiting").count() == 2
    assert (
        FlowInstance.objects.filter(
            version__definition__code="vehicle_use", status="running"
        ).count()
        == 1
    )
    assert verify_chain().intact

    call_command("seed_demo", stdout=StringIO())
    assert Seal.objects.count() == 6
    assert SealUse.objects.count() == 2
