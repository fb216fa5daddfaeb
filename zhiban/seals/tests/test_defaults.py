"""The default flows every fresh install offers: valid, published, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from zhiban.seals import defaults as seal_defaults
from zhiban.vehicles import defaults as vehicle_defaults
from zhiban.workflow import defaults as general_defaults
from zhiban.workflow import engine, formschema, services
from zhiban.workflow.models import FlowDefinition, FlowVersion

SPECS: list[dict[str, Any]] = [
    seal_defaults.FLOW,
    vehicle_defaults.FLOW,
    *general_defaults.GENERAL_FLOWS,
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec["code"])
def test_every_default_is_a_valid_definition_and_form(spec: dict[str, Any]) -> None:
    definition = engine.definition_from_dict(spec["body"])
    assert engine.validate(definition) == []
    assert definition.key == spec["code"]
    assert formschema.validate_schema(spec["form"], kind=spec["kind"]) == []
    assert services._form_problems(definition, spec["form"]) == []
    # Stored as the engine stores it: the dict round-trips unchanged.
    assert engine.definition_to_dict(definition) == spec["body"]


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec["code"])
def test_the_migrations_created_draft_and_published_version_one(
    spec: dict[str, Any],
) -> None:
    flow = FlowDefinition.objects.get(code=spec["code"])
    assert (flow.name, flow.kind, flow.is_active, flow.startable) == (
        spec["name"],
        spec["kind"],
        True,
        True,
    )
    version = FlowVersion.objects.get(definition=flow)
    assert version.number == 1
    assert version.published_by is None
    assert version.body == spec["body"]
    assert version.form_schema == spec["form"]
    assert flow.draft == {"definition": spec["body"], "form": spec["form"]}
    assert services.flow_validate(definition=flow) == []


@pytest.mark.django_db
def test_ensuring_again_changes_nothing_and_keeps_an_edited_flow() -> None:
    FlowDefinition.objects.filter(code="seal_use").update(name="用印审批（本单位）")
    assert seal_defaults.ensure_default_flow(FlowDefinition, FlowVersion) is False
    assert vehicle_defaults.ensure_default_flow(FlowDefinition, FlowVersion) is False
    assert general_defaults.ensure_general_flows(FlowDefinition, FlowVersion) == 0
    assert FlowDefinition.objects.get(code="seal_use").name == "用印审批（本单位）"
    assert FlowVersion.objects.filter(definition__code="seal_use").count() == 1


@pytest.mark.django_db
def test_a_missing_default_is_created_again() -> None:
    FlowVersion.objects.filter(definition__code="general").delete()
    FlowDefinition.objects.filter(code="general").delete()
    assert general_defaults.ensure_general_flows(FlowDefinition, FlowVersion) == 1
    assert FlowVersion.objects.get(definition__code="general").number == 1


@pytest.mark.parametrize(
    ("copies", "nodes"), [(10, ["n1"]), (11, ["n1", "n2"]), (1, ["n1"])]
)
def test_the_seal_flow_adds_the_office_director_above_ten_copies(
    copies: int, nodes: list[str]
) -> None:
    definition = engine.definition_from_dict(seal_defaults.BODY)
    condition = definition.nodes[1]
    assert isinstance(condition, engine.ConditionNode)
    chosen = engine.choose_branch(condition, {"copies": copies})
    assert chosen is not None
    assert ["n1", *(node.id for node in chosen.nodes)] == nodes


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["request", "general"])
def test_a_general_request_goes_to_the_head_then_the_overseeing_leader(code: str):
    from zhiban.org.tests.factories import (
        DepartmentFactory,
        UnitFactory,
        UserFactory,
        make_head,
    )
    from zhiban.workflow.models import FlowInstance, FlowTask

    hq = UnitFactory(code="HQ", name="集团本部")
    leader = UserFactory(username="leader")
    office = DepartmentFactory(
        unit=hq, code="OFF", name="综合办公室", overseeing_leader=leader
    )
    head = make_head(UserFactory(username="head", primary_department=office))
    clerk = UserFactory(username="clerk", primary_department=office)

    instance = services.instance_start(
        flow_code=code,
        form={"subject": "档案库房改造", "content": "请批准档案库房改造方案。"},
        by=clerk,
    )

    def holders() -> list[str]:
        return list(
            FlowTask.objects.filter(instance=instance, state="open").values_list(
                "assignee__username", flat=True
            )
        )

    assert holders() == ["head"]
    services.instance_act(instance_id=instance.pk, kind="approve", by=head)
    assert holders() == ["leader"]
    instance = services.instance_act(instance_id=instance.pk, kind="approve", by=leader)
    assert instance.status == FlowInstance.Status.APPROVED
