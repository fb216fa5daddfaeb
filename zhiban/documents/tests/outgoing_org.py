"""An organisation for the outgoing path: heads, leaders, an office and a mine."""

from __future__ import annotations

from typing import Any

from zhiban.documents.tests.conftest import make_org
from zhiban.org.models import Role
from zhiban.org.tests.factories import DepartmentFactory, UserFactory, make_head


def make_outgoing_org() -> dict[str, Any]:
    """make_org() plus a head for each department, a safety department, leaders."""
    org = make_org()
    people = org["people"]
    hq = org["hq"]
    people["vice"] = UserFactory(
        username="vice", name="李副总", roles=[Role.OVERSEEING_LEADER]
    )
    people["chief"] = UserFactory(
        username="chief",
        name="张总",
        primary_department=org["office"],
        roles=[Role.PRINCIPAL_LEADER],
    )
    people["prod_head"] = make_head(
        UserFactory(
            username="prod_head", name="刘部长", primary_department=org["production"]
        )
    )
    safety = DepartmentFactory(unit=hq, code="SAF", name="安全监察部")
    people["safety_head"] = make_head(
        UserFactory(username="safety_head", name="陈部长", primary_department=safety)
    )
    people["office_head"] = make_head(
        UserFactory(
            username="office_head", name="周主任", primary_department=org["office"]
        )
    )
    org["safety"] = safety
    org["headless"] = DepartmentFactory(unit=hq, code="NOH", name="无负责人部")
    org["production"].overseeing_leader = people["vice"]
    org["production"].save()
    return org
