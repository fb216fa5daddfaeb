"""instance_lock: the row every change of an instance starts from."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model

from zhiban.org.tests.factories import UserFactory
from zhiban.workflow import services
from zhiban.workflow.models import FlowInstance

from .conftest import approver, publish

pytestmark = pytest.mark.django_db


def fields_of(instance: Model) -> dict[str, Any]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def test_instance_lock_reads_the_instance_with_its_version_flow_and_initiator(
    django_assert_num_queries,
):
    author = UserFactory(username="zhang", name="张三")
    publish("seal", author, approver("n1", author))
    started = services.instance_start(flow_code="seal", form={}, by=author)
    expected = FlowInstance.objects.select_related(
        "version__definition", "initiator"
    ).get(pk=started.pk)

    locked = services.instance_lock(instance_id=started.pk)

    assert locked is not None
    with django_assert_num_queries(0):
        assert locked.version.definition.code == "seal"
        assert locked.initiator.name == "张三"
    assert fields_of(locked) == fields_of(expected)
    assert fields_of(locked.version) == fields_of(expected.version)
    assert fields_of(locked.version.definition) == fields_of(
        expected.version.definition
    )
    assert fields_of(locked.initiator) == fields_of(expected.initiator)
    assert services.instance_lock(instance_id=started.pk + 1000) is None
    assert services.instance_lock(instance_id=started.pk, running_only=True)
    FlowInstance.objects.filter(pk=started.pk).update(status="approved")
    assert services.instance_lock(instance_id=started.pk, running_only=True) is None
