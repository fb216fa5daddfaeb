import pytest

from zhiban.org.models import Role
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory


@pytest.fixture
def clerk(db):
    """A document clerk, who may publish notices."""
    return UserFactory(username="clerk", roles=[Role.CLERK])


@pytest.fixture
def org(db):
    """A small organisation: HQ with a department and its section, and a mine."""
    hq = UnitFactory(code="HQ", name="集团本部")
    mine = UnitFactory(code="M1", name="一号矿")
    production = DepartmentFactory(unit=hq, code="PROD", name="生产技术部")
    section = DepartmentFactory(
        unit=hq, code="PROD-1", name="技术科", parent=production
    )
    finance = DepartmentFactory(unit=hq, code="FIN", name="财务部")
    mine_office = DepartmentFactory(unit=mine, code="M1-OFF", name="矿办公室")
    return {
        "production": production,
        "section": section,
        "finance": finance,
        "mine_office": mine_office,
        "engineer": UserFactory(username="engineer", primary_department=production),
        "technician": UserFactory(username="technician", primary_department=section),
        "accountant": UserFactory(username="accountant", primary_department=finance),
        "miner": UserFactory(username="miner", primary_department=mine_office),
    }


@pytest.fixture(autouse=True)
def _english():
    """Assert against the English messages; pages still follow the user's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
