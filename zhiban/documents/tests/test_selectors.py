"""Who sees which register entry: decided once, for pages, exports and the API."""

from __future__ import annotations

import pytest
from django.http import Http404

from zhiban.documents import selectors
from zhiban.documents.models import Direction

from .conftest import classified, incoming, outgoing


def titles(user) -> set[str]:
    return set(selectors.document_list_for(user=user).values_list("title", flat=True))


@pytest.fixture
def documents(org):
    return {
        "incoming": incoming(org),  # handled by production
        "outgoing": outgoing(org),  # office
        "classified": classified(org),
        "mine": incoming(
            org,
            by="mine_clerk",
            department=org["mine_office"],
            title="关于矿井复工的通知",
        ),
    }


def _mine_fix(org, documents):
    # The mine's clerk registered into the HQ unit above; move it to the mine.
    documents["mine"].unit = org["mine"]
    documents["mine"].save(update_fields=["unit"])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("clerk", {"incoming", "outgoing"}),
        ("director", {"incoming", "outgoing"}),
        ("admin", {"incoming", "outgoing", "mine"}),
        ("secret", {"incoming", "outgoing", "classified"}),
        ("engineer", {"incoming"}),
        ("stranger", {"outgoing"}),
        ("mine_clerk", {"mine"}),
    ],
)
def test_each_person_sees_their_part_of_the_registers(org, documents, who, expected):
    _mine_fix(org, documents)

    seen = titles(org["people"][who])

    assert seen == {documents[name].title for name in expected}


def test_a_paper_holder_without_clearance_still_does_not_see_a_classified_entry(
    org, people
):
    document = classified(org, paper_holder=people["engineer"])

    assert document.title not in titles(people["engineer"])
    with pytest.raises(Http404):
        selectors.document_get_for(user=people["engineer"], pk=document.pk)


def test_the_register_filters(org, people):
    incoming(org, urgency="特急")
    incoming(
        org, title="关于报送统计报表的函", document_type="letter", sender="省统计局"
    )
    outgoing(org)

    def count(**filters) -> int:
        return selectors.document_list_for(
            user=people["clerk"],
            filters=selectors.RegisterFilters(direction=Direction.INCOMING, **filters),
        ).count()

    assert count() == 2
    assert count(urgency="特急") == 1
    assert count(document_type="letter") == 1
    assert count(text="统计局") == 1
    assert count(text="豫应急〔2026〕12号") == 2
    assert count(year=2026) == 2
    assert count(year=2025) == 0
