"""The organisation facts the engine asks, answered from zhiban.org."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhiban.org.models import Delegation, Role
from zhiban.org.tests.factories import (
    DepartmentFactory,
    UnitFactory,
    UserFactory,
    make_head,
)
from zhiban.workflow import engine
from zhiban.workflow.facts import DjangoOrgFacts

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def tree() -> dict[str, Any]:
    """Group → 生产技术部 → 技术科, a leader over the top, heads and an office director."""
    hq = UnitFactory(code="HQ", name="集团本部")
    mine = UnitFactory(code="M1", name="一号矿")
    leader = UserFactory(username="leader", name="赵海涛")
    top = DepartmentFactory(
        unit=hq, code="PROD", name="生产技术部", overseeing_leader=leader
    )
    section = DepartmentFactory(unit=hq, code="SEC", name="技术科", parent=top)
    return {
        "hq": hq,
        "top": top,
        "section": section,
        "leader": leader,
        "top_head": make_head(UserFactory(username="tophead", primary_department=top)),
        "section_head": make_head(
            UserFactory(username="sechead", primary_department=section)
        ),
        "engineer": UserFactory(username="engineer", primary_department=section),
        "director": UserFactory(
            username="director", primary_department=top, roles=[Role.OFFICE_DIRECTOR]
        ),
        "mine_director": UserFactory(
            username="minedirector",
            primary_department=DepartmentFactory(unit=mine, code="M1-OFF"),
            roles=[Role.OFFICE_DIRECTOR],
        ),
    }


def ref(user: Any) -> str:
    return str(user.pk)


def test_facts_answer_from_the_org_model(tree):
    facts = DjangoOrgFacts()
    engineer = ref(tree["engineer"])

    assert facts.unit_of(engineer) == ref(tree["hq"])
    assert facts.department_of(engineer) == ref(tree["section"])
    assert facts.department_heads(ref(tree["section"])) == (ref(tree["section_head"]),)
    assert facts.parent_department(ref(tree["section"])) == ref(tree["top"])
    assert facts.parent_department(ref(tree["top"])) is None
    # The section has no leader of its own: it inherits its parent's.
    assert facts.overseeing_leader(ref(tree["section"])) == ref(tree["leader"])
    assert facts.users_with_role(Role.OFFICE_DIRECTOR, ref(tree["hq"])) == (
        ref(tree["director"]),
    )
    assert facts.user_name(ref(tree["leader"])) == "赵海涛"
    assert facts.department_name(ref(tree["top"])) == "生产技术部"
    assert facts.unit_name(ref(tree["hq"])) == "集团本部"
    assert facts.user_name("nobody") == "nobody"
    assert facts.unit_of("999999") is None


def test_levels_up_and_leader_resolve_with_reasons(tree):
    facts = DjangoOrgFacts()
    engineer = ref(tree["engineer"])

    def resolve(spec: engine.Assignees) -> list[tuple[str, str]]:
        found = engine.resolve_assignees(
            spec, node_id="n1", initiator=engineer, form={}, picks={}, facts=facts
        )
        return [(p.user, p.reason) for p in found]

    assert resolve(engine.Assignees(engine.AssigneeKind.LEVELS_UP, levels=2)) == [
        (ref(tree["section_head"]), "逐级主管第1级：技术科"),
        (ref(tree["top_head"]), "逐级主管第2级：生产技术部"),
    ]
    assert resolve(engine.Assignees(engine.AssigneeKind.OVERSEEING_LEADER)) == [
        (ref(tree["leader"]), "分管领导：赵海涛")
    ]


def test_may_act_for_follows_active_approval_delegations(tree):
    facts = DjangoOrgFacts()
    head, engineer = tree["section_head"], tree["engineer"]
    Delegation.objects.create(
        delegator=head,
        delegate=engineer,
        kinds=["approval"],
        starts_on=datetime.date(2026, 11, 25),
        ends_on=datetime.date(2026, 11, 26),
    )

    assert facts.may_act_for(ref(engineer), ref(head), AT) is True
    assert facts.may_act_for(ref(head), ref(engineer), AT) is False
    later = AT + datetime.timedelta(days=2)
    assert facts.may_act_for(ref(engineer), ref(head), later) is False


def test_facts_memoise_what_they_read(tree, django_assert_num_queries):
    facts = DjangoOrgFacts()
    section = ref(tree["section"])
    facts.department_heads(section)
    facts.overseeing_leader(section)

    with django_assert_num_queries(0):
        facts.department_heads(section)
        facts.overseeing_leader(section)
        facts.department_name(section)
