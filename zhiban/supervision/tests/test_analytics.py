"""The dashboard's figures and the department assessment: exact, scoped, in SQL."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.org.models import Membership, Role, User
from zhiban.org.tests.factories import UserFactory
from zhiban.supervision import analytics, policies, services, tallies
from zhiban.supervision.assessment import department_scores
from zhiban.supervision.lights import Light, light_rule
from zhiban.supervision.models import (
    AssessmentRule,
    ClockProfile,
    FinishedTally,
    Grade,
    ItemNode,
    Source,
    SupervisionItem,
)
from zhiban.supervision.tests.conftest import days, issued_item, new_item

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    client.force_login(user)
    return client


def overdue(item: SupervisionItem, by_days: int) -> None:
    """Make the item's first open node `by_days` late (time moved forward)."""
    node = item.nodes.filter(done_at__isnull=True).order_by("due_on").first()
    assert node is not None
    ItemNode.objects.filter(pk=node.pk).update(
        due_on=timezone.localdate() - days(by_days)
    )
    services._refresh_next_due(item)


@pytest.fixture
def spread(
    people: dict[str, User], profile: ClockProfile
) -> dict[str, SupervisionItem]:
    """Five items: two red, one green in progress, one closed, one draft."""
    safety = people["safety_head"].primary_department
    red1 = issued_item(people, profile, title="红1")
    overdue(red1, 3)
    red2 = issued_item(
        people, profile, title="红2", lead_department=safety, co_departments=[]
    )
    overdue(red2, 1)
    green = issued_item(people, profile, title="绿")
    services.item_sign(item=green, by=people["head"], arrangement="部署")
    closed = issued_item(people, profile, title="销号")
    services.item_sign(item=closed, by=people["head"], arrangement="部署")
    services.item_request_completion(item=closed, by=people["head"], summary="完成")
    services.item_close(item=closed, by=people["officer"], grade=Grade.GOOD)
    draft = new_item(people, profile, title="草稿")
    return {
        "red1": red1,
        "red2": red2,
        "green": green,
        "closed": closed,
        "draft": draft,
    }


def test_overview_counts_agree_with_the_item_lights(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    rule = light_rule()
    result = analytics.overview(
        viewer=people["officer"], rule=rule, scope=analytics.Scope()
    )
    counted = [i for i in SupervisionItem.objects.all() if i.state != "draft"]
    expected = {light.value: 0 for light in Light}
    for item in counted:
        expected[rule.of(item).value] += 1
    assert result.by_light == expected
    assert result.by_light["red"] == 2
    assert result.total == 4  # the draft is not counted
    assert sum(row["total"] for row in result.by_department) == 4
    production = {row["lead_department__name"]: row for row in result.by_department}[
        "生产技术部"
    ]
    assert (production["total"], production["red"], production["finished"]) == (3, 1, 1)
    assert [item.title for item in result.overdue] == ["红1", "红2"]
    assert result.overdue[0].days_overdue == 3
    assert sum(row["issued"] for row in result.weekly) == 4
    assert sum(row["closed"] for row in result.weekly) == 1
    # Sign-for of 绿 and 销号 were on time; the completion of 销号 too.
    assert result.feedback_on_time == (2, 2)
    assert result.completion_on_time == (1, 1)


def test_drill_down_and_visibility_narrow_every_figure(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    rule = light_rule()
    safety = people["safety_head"].primary_department
    assert safety is not None
    one = analytics.overview(
        viewer=people["officer"], rule=rule, scope=analytics.Scope(department=safety.pk)
    )
    assert one.total == 1
    assert one.by_light["red"] == 1
    # The safety head sees only what their department answers for.
    theirs = analytics.overview(
        viewer=people["safety_head"], rule=rule, scope=analytics.Scope()
    )
    assert theirs.total == 4  # co-department of the three production items, lead of 红2
    outsider = analytics.overview(
        viewer=people["outsider"], rule=rule, scope=analytics.Scope()
    )
    assert outsider.total == 0


def test_dashboard_page_export_and_query_budget(
    people: dict[str, User], spread: dict[str, SupervisionItem], profile: ClockProfile
) -> None:
    client = client_for(people["officer"])
    url = reverse("supervision:dashboard")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["overview"].by_light["red"] == 2
    assert 'id="supervision-chart-data"' in response.content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        issued_item(people, profile, title=f"更多{n}")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)  # no query per item
    assert len(few) <= 20
    drill = client.get(url, {"department": str(people["head"].primary_department_id)})
    assert drill.context["overview"].total == 9
    export = client.get(reverse("supervision:dashboard_export"))
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.sheetnames == [
        "Lights",
        "States",
        "Departments",
        "Leaders",
        "Sources",
        "Weekly trend",
        "Overdue",
    ]
    lights = {
        row[0]: row[1]
        for row in workbook["Lights"].iter_rows(min_row=2, values_only=True)
    }
    assert lights["Red"] == 2
    assert (
        client.get(url, {"department": "x", "issued_from": "nonsense"}).status_code
        == 200
    )


# --- tallies of finished items --------------------------------------------------------


def _figures(result: analytics.Overview) -> dict[str, Any]:
    def rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(tuple(sorted(row.items())) for row in rows)

    return {
        "total": result.total,
        "lights": result.by_light,
        "states": result.by_state,
        "departments": rows(result.by_department),
        "leaders": rows(result.by_leader),
        "sources": rows(result.by_source),
        "weekly": result.weekly,
        "feedback": result.feedback_on_time,
        "completion": result.completion_on_time,
        "overdue": [item.pk for item in result.overdue],
    }


def test_tallies_give_the_figures_counted_live_for_every_viewer_and_scope(
    people: dict[str, User], spread: dict[str, SupervisionItem], profile: ClockProfile
) -> None:
    safety = people["safety_head"].primary_department
    production = people["head"].primary_department
    assert safety is not None
    assert production is not None
    # More finished items: one archived, one of another leader and source led by
    # safety with production as co-department, one the staff member answers for.
    services.item_archive(item=spread["closed"], by=people["officer"])
    other_leader = UserFactory(
        username="leader2", name="李总", roles=[Role.OVERSEEING_LEADER]
    )
    for extra in (
        {"title": "安全", "lead_department": safety, "co_departments": [production]},
        {"title": "会议", "leader": other_leader, "source": Source.MEETING},
        {"title": "本人", "responsible": people["staff"], "co_departments": []},
        # The safety head answers for it personally, outside their department.
        {"title": "外部", "responsible": people["safety_head"], "co_departments": []},
    ):
        item = issued_item(people, profile, **extra)
        head = people["safety_head"] if extra["title"] == "安全" else people["head"]
        services.item_sign(item=item, by=head, arrangement="部署")
        services.item_request_completion(item=item, by=head, summary="完成")
        services.item_close(item=item, by=people["officer"], grade=Grade.GOOD)
    assert tallies.differences() == {}
    # A head of two departments is counted live; so is a period of issue.
    two = UserFactory(username="two", primary_department=production)
    Membership.objects.create(user=two, department=safety)
    rule = light_rule()
    today = timezone.localdate()
    scopes = [
        analytics.Scope(),
        analytics.Scope(department=safety.pk),
        analytics.Scope(leader=other_leader.pk),
        analytics.Scope(source=Source.MEETING),
        analytics.Scope(issued_from=today - days(1), issued_to=today),
    ]
    for viewer in ("officer", "head", "safety_head", "staff", "outsider", "two"):
        user = people.get(viewer) or two
        for scope in scopes:
            kept = analytics.overview(viewer=user, rule=rule, scope=scope)
            live = analytics.overview(viewer=user, rule=rule, scope=scope, live=True)
            assert _figures(kept) == _figures(live), (viewer, scope)
    whole = analytics.overview(
        viewer=people["officer"], rule=rule, scope=analytics.Scope()
    )
    assert (whole.total, whole.by_light["none"]) == (8, 5)
    assert {k: n for k, _label, n in whole.by_state}["archived"] == 1
    # The safety head: 红2 and 安全 as lead, every production item as co-department.
    theirs = analytics.overview(
        viewer=people["safety_head"], rule=rule, scope=analytics.Scope()
    )
    assert theirs.total == 7  # all but 本人; 外部 as the person answering for it
    # A tally that went wrong (an item deleted by hand) is found and rebuilt.
    FinishedTally.objects.filter(role=FinishedTally.ALL).update(items=0)
    assert tallies.differences()
    assert tallies.rebuild(django_apps) == len(tallies.recount())
    assert tallies.differences() == {}


# --- assessment -----------------------------------------------------------------------


def test_assessment_counts_and_scores_one_month(
    people: dict[str, User], profile: ClockProfile
) -> None:
    today = timezone.localdate()
    first = today.replace(day=1)
    day = [first + days(n) for n in range(7)]
    month_end = assessment_month_end(today)

    def at(date: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time(10)))

    # Production: a completion returned once, then closed as failed.
    a = issued_item(people, profile, title="甲")
    services.item_sign(item=a, by=people["head"], arrangement="部署")
    services.item_request_completion(item=a, by=people["head"], summary="完成")
    services.item_return(item=a, by=people["officer"], reason="不完整")
    services.item_request_completion(item=a, by=people["head"], summary="补充")
    services.item_close(item=a, by=people["officer"], grade=Grade.FAIL, reason="质量差")
    # Its nodes this month: arrange on time, report a day late, completion on time.
    ItemNode.objects.filter(item=a, key="arrange").update(
        due_on=day[0], done_at=at(day[0])
    )
    ItemNode.objects.filter(item=a, key="report").update(
        due_on=day[1], done_at=at(day[2])
    )
    ItemNode.objects.filter(item=a, key="complete").update(
        due_on=day[5], done_at=at(day[4])
    )
    # Safety: nothing done, every node of the month late.
    safety = people["safety_head"].primary_department
    b = issued_item(
        people, profile, title="乙", lead_department=safety, co_departments=[]
    )
    ItemNode.objects.filter(item=b, key="arrange").update(due_on=day[1])
    ItemNode.objects.filter(item=b, key="report").update(due_on=day[2])
    ItemNode.objects.filter(item=b, key="complete").update(due_on=day[5])
    # Assessed after the month is over.
    after = month_end + days(1)
    rows = department_scores(year=today.year, month=today.month, today=after)
    prod, saf = rows
    assert prod.name == "生产技术部"
    assert (prod.items, prod.feedback_due, prod.feedback_on_time) == (1, 2, 1)
    assert (prod.completion_due, prod.completion_on_time) == (1, 1)
    assert (prod.overdue, prod.returned, prod.grades[Grade.FAIL]) == (1, 1, 1)
    # 0.5 x 30 + 1 x 40 + 0 x 30 - 2 x 1 return - 1 x 1 overdue
    assert prod.score == Decimal("52.0")
    assert saf.name == "安全监察部"
    assert (saf.feedback_due, saf.feedback_on_time, saf.completion_due) == (2, 0, 1)
    assert (saf.overdue, saf.returned) == (3, 0)
    # 0 + 0 + full grades (none closed) x 30 - 3 overdue
    assert saf.score == Decimal("27.0")
    assert [prod.rank, saf.rank] == [1, 2]
    assert prod.feedback_percent == "50.0%"


def assessment_month_end(today: datetime.date) -> datetime.date:
    from zhiban.supervision.assessment import month_bounds

    return month_bounds(today.year, today.month)[1]


def test_assessment_page_rule_and_export(
    people: dict[str, User], profile: ClockProfile
) -> None:
    issued_item(people, profile)
    officer = client_for(people["officer"])
    url = reverse("supervision:assessment")
    assert officer.get(url).status_code == 200
    assert client_for(people["staff"]).get(url).status_code == 403
    export = officer.get(url, {"format": "xlsx", "month": "2026-11"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    data = {
        "feedback_weight": "50",
        "completion_weight": "30",
        "quality_weight": "20",
        "return_penalty": "5",
        "overdue_penalty": "1",
        "excellent": "100",
        "good": "80",
        "passed": "60",
        "fail": "0",
    }
    assert officer.post(url, data).status_code == 302
    assert AssessmentRule.current().feedback_weight == Decimal(50)
    bad = officer.post(
        url,
        {
            **data,
            "feedback_weight": "0",
            "completion_weight": "0",
            "quality_weight": "0",
        },
    )
    assert bad.status_code == 400
    assert "At least one of the three weights" in bad.content.decode()
    assert officer.post(url, {**data, "good": "120"}).status_code == 400
    assert AssessmentRule.objects.count() == 1
    with pytest.raises(PermissionDeniedError):
        services.assessment_rule_set(
            by=people["leader"],
            feedback_weight=Decimal(1),
            completion_weight=Decimal(1),
            quality_weight=Decimal(1),
            return_penalty=Decimal(1),
            overdue_penalty=Decimal(1),
            grade_points={"excellent": 100, "good": 80, "pass": 60, "fail": 0},
        )
    with pytest.raises(DomainError):
        services.assessment_rule_set(
            by=people["officer"],
            feedback_weight=Decimal(1),
            completion_weight=Decimal(1),
            quality_weight=Decimal(1),
            return_penalty=Decimal(1),
            overdue_penalty=Decimal(1),
            grade_points={"excellent": 100},
        )
    assert officer.get(url, {"month": "2026-13"}).status_code == 200


def test_a_node_not_yet_past_its_date_does_not_count(
    people: dict[str, User], profile: ClockProfile
) -> None:
    item = issued_item(people, profile)
    today = timezone.localdate()
    # Due today and not done: not late yet.
    ItemNode.objects.filter(item=item).update(due_on=today)
    rows = department_scores(year=today.year, month=today.month, today=today)
    assert rows[0].feedback_due == 0
    assert rows[0].overdue == 0
    assert rows[0].feedback_percent == "—"
    rows = department_scores(year=today.year, month=today.month, today=today + days(1))
    assert (rows[0].feedback_due, rows[0].overdue) == (2, 3)


def test_the_command_and_the_nightly_task_find_and_repair_a_wrong_tally(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    from django.core.management import CommandError, call_command

    from zhiban.supervision.tasks import check_tallies

    out = io.StringIO()
    call_command("supervision_tallies", "--check", stdout=out)
    assert "agree" in out.getvalue()
    assert check_tallies() == {"differing": 0, "stale_copies": 0}
    # An item closed behind the services' back is not in the tallies, and its
    # department rows still call it running.
    SupervisionItem.objects.filter(pk=spread["green"].pk).update(state="closed")
    with pytest.raises(CommandError, match="differ"):
        call_command("supervision_tallies", "--check", stdout=io.StringIO())
    repaired = check_tallies()
    assert repaired["differing"] > 0
    assert repaired["stale_copies"] == spread["green"].departments.count() == 2
    assert tallies.differences() == {}
    assert tallies.stale_copies() == 0
    SupervisionItem.objects.filter(pk=spread["red1"].pk).update(state="archived")
    out = io.StringIO()
    call_command("supervision_tallies", stdout=out)
    assert "tally rows counted" in out.getvalue()
    assert tallies.differences() == {}


def test_each_item_counts_its_reports_and_the_migration_counts_them_alike(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    import importlib

    from django.db.models import Count, Q

    from zhiban.supervision.tallies import COMPLETION, FEEDBACK, ITEM_COUNTERS

    def from_reports() -> dict[int, tuple[int, ...]]:
        rows = SupervisionItem.objects.annotate(
            f=Count("reports", filter=_prefixed(FEEDBACK)),
            fo=Count("reports", filter=_prefixed(FEEDBACK) & Q(reports__on_time=True)),
            c=Count("reports", filter=_prefixed(COMPLETION)),
            co=Count(
                "reports", filter=_prefixed(COMPLETION) & Q(reports__on_time=True)
            ),
        ).values_list("pk", "f", "fo", "c", "co")
        return {pk: tuple(counts) for pk, *counts in rows}

    def kept() -> dict[int, tuple[int, ...]]:
        rows = SupervisionItem.objects.values_list("pk", *ITEM_COUNTERS.values())
        return {pk: tuple(counts) for pk, *counts in rows}

    expected = from_reports()
    assert kept() == expected
    assert expected[spread["closed"].pk] == (1, 1, 1, 1)
    SupervisionItem.objects.update(**dict.fromkeys(ITEM_COUNTERS.values(), 0))
    migration = importlib.import_module(
        "zhiban.supervision.migrations.0009_report_counts_weekly_indexes"
    )
    with connection.cursor() as cursor:
        cursor.execute(migration.COUNT_REPORTS)
    assert kept() == expected


def _prefixed(condition: Any) -> Any:
    """The same condition on an item's reports (reports__kind, …)."""
    from django.db.models import Q

    q = Q()
    q.connector, q.negated = condition.connector, condition.negated
    for child in condition.children:
        q.children.append(
            _prefixed(child)
            if isinstance(child, Q)
            else (f"reports__{child[0]}", child[1])
        )
    return q


def _copies() -> dict[int, tuple[Any, ...]]:
    from zhiban.supervision.models import ItemDepartment

    return {
        row[0]: row[1:]
        for row in ItemDepartment.objects.values_list(
            "pk", "item_running", "item_issued_on", "item_closed_at"
        )
    }


def test_department_rows_copy_their_items_facts_and_the_migration_alike(
    people: dict[str, User], spread: dict[str, SupervisionItem]
) -> None:
    import importlib

    from zhiban.supervision.models import ItemDepartment

    services.item_archive(item=spread["closed"], by=people["officer"])
    expected = {
        row.pk: (row.item.is_running, row.item.issued_on, row.item.closed_at)
        for row in ItemDepartment.objects.select_related("item")
    }
    assert _copies() == expected
    by_item = {
        title: {copy[0] for pk, copy in expected.items() if pk in rows}
        for title, rows in (
            (item.title, set(item.departments.values_list("pk", flat=True)))
            for item in spread.values()
        )
    }
    # Running: the red and green ones; not the closed (archived) one or the draft.
    assert by_item == {
        "红1": {True},
        "红2": {True},
        "绿": {True},
        "销号": {False},
        "草稿": {False},
    }
    ItemDepartment.objects.update(
        item_running=False, item_issued_on=None, item_closed_at=None
    )
    migration = importlib.import_module(
        "zhiban.supervision.migrations.0011_department_copies"
    )
    with connection.cursor() as cursor:
        cursor.execute(migration.COPY_ITEM_FACTS)
    assert _copies() == expected
    # Facts changed behind the services' back are found and repaired.
    ItemDepartment.objects.filter(item=spread["red1"]).update(item_running=False)
    ItemDepartment.objects.filter(item=spread["closed"]).update(item_closed_at=None)
    stale = spread["red1"].departments.count() + spread["closed"].departments.count()
    assert tallies.stale_copies() == stale
    assert tallies.repair_copies() == stale
    assert _copies() == expected
    assert tallies.stale_copies() == 0


@pytest.mark.parametrize(
    "viewer", ["leader", "officer", "head", "safety_head", "staff", "outsider"]
)
def test_narrowed_visibility_gives_what_every_visible_item_gives(
    people: dict[str, User],
    spread: dict[str, SupervisionItem],
    profile: ClockProfile,
    viewer: str,
) -> None:
    from zhiban.supervision.selectors import (
        ItemFilters,
        item_list_for,
        light_counts,
        visible_items,
    )

    # The safety head answers for one production item personally: counted apart.
    issued_item(
        people,
        profile,
        title="外部",
        responsible=people["safety_head"],
        co_departments=[],
    )
    user = people[viewer]
    rule = light_rule()
    today = timezone.localdate()
    # Counted from every item the viewer sees, in Python, without any narrowing.
    seen = [i for i in visible_items(viewer=user) if i.state != "draft"]
    lights = {light.value: 0 for light in Light}
    for item in seen:
        lights[rule.of(item).value] += 1
    result = analytics.overview(viewer=user, rule=rule, scope=analytics.Scope())
    assert result.by_light == lights
    assert [i.pk for i in result.overdue] == sorted(
        (i.pk for i in seen if rule.of(i) == Light.RED),
        key=lambda pk: (SupervisionItem.objects.get(pk=pk).next_due_on, pk),
    )
    week = today - datetime.timedelta(days=today.weekday())
    this_week = {row["week"]: row for row in result.weekly}[week]
    assert this_week["issued"] == sum(1 for i in seen if i.issued_on is not None)
    assert this_week["closed"] == sum(1 for i in seen if i.closed_at is not None)
    counted = light_counts(viewer=user, rule=rule)
    every = list(visible_items(viewer=user))
    for light in ("red", "yellow", "green"):
        assert counted.get(light, 0) == sum(1 for i in every if rule.of(i) == light)
        listed = item_list_for(viewer=user, rule=rule, filters=ItemFilters(light=light))
        assert sorted(listed.values_list("pk", flat=True)) == sorted(
            i.pk for i in every if rule.of(i) == light
        )


@pytest.mark.parametrize(
    "viewer", ["leader", "officer", "head", "safety_head", "staff", "outsider"]
)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"light": "red"},
        {"light": "none"},
        {"state": "issued"},
        {"q": "红"},
        {"mine": True},
    ],
)
def test_a_list_read_in_parts_pages_as_one_statement_would(
    people: dict[str, User],
    spread: dict[str, SupervisionItem],
    profile: ClockProfile,
    viewer: str,
    filters: dict[str, Any],
) -> None:
    from zhiban.core.paging import CappedPaginator
    from zhiban.supervision.selectors import (
        ItemFilters,
        item_list_for,
        item_pages_for,
        light_counts,
    )

    # The safety head answers for a production item personally (one part only);
    # the production head answers for one of their department's (both parts); the
    # leader drafts one in production (the department does not see it).
    issued_item(
        people,
        profile,
        title="外部红",
        responsible=people["safety_head"],
        co_departments=[],
    )
    overdue(issued_item(people, profile, title="本人", responsible=people["head"]), 2)
    new_item(people, profile, title="领导草稿")
    user = people[viewer]
    rule = light_rule()
    f = ItemFilters(**filters)
    listed: Any = item_list_for(viewer=user, rule=rule, filters=f)
    expected = list(listed.order_by("-id").values_list("pk", "light"))
    assert expected or viewer == "outsider" or filters  # the cases are not empty
    pages: Any = item_pages_for(viewer=user, rule=rule, filters=f)
    read = [(item.pk, item.light) for item in pages[0 : len(expected) + 5]]
    assert read == expected
    for start in range(len(expected) + 1):
        window = [(item.pk, item.light) for item in pages[start : start + 2]]
        assert window == expected[start : start + 2]
    for per_page in (1, 2, 3):
        paginator = CappedPaginator(pages, per_page)
        assert paginator.count == len(expected)
        shown = [
            (item.pk, item.light)
            for number in paginator.page_range
            for item in paginator.page(number)
        ]
        assert shown == expected
    if not policies.sees_everything(user):
        for cap in (1, 2, 3, 100):
            assert pages.count_upto(cap) == min(cap, len(expected))
    # The light counts, counted in parts, are the list's own.
    counted = light_counts(viewer=user, rule=rule, filters=f)
    unlit: Any = item_list_for(
        viewer=user, rule=rule, filters=ItemFilters(**{**filters, "light": ""})
    )
    unfiltered = list(unlit.values_list("light", flat=True))
    for light in Light:
        assert counted.get(light.value, 0) == unfiltered.count(light.value), light


def test_a_head_who_also_assigns_items_counts_each_finished_item_once(
    people: dict[str, User], profile: ClockProfile, spread: dict[str, SupervisionItem]
) -> None:
    """Their department's tallies, the tallies of what they assigned, and the overlap
    taken away once: every figure as counted from every item they see."""
    head = people["head"]
    safety = people["safety_head"].primary_department

    def finished(**extra: Any) -> SupervisionItem:
        item = issued_item(people, profile, leader=head, **extra)
        answering = extra.get("lead_department", head.primary_department)
        signer = head if answering == head.primary_department else people["safety_head"]
        services.item_sign(item=item, by=signer, arrangement="部署")
        services.item_request_completion(item=item, by=signer, summary="完成")
        return services.item_close(item=item, by=people["officer"], grade=Grade.GOOD)

    finished(title="本部门，本人交办")  # in the department and assigned: once
    finished(title="外部门，本人交办", lead_department=safety, co_departments=[])
    from zhiban.supervision.selectors import visible_items

    rule = light_rule()
    seen = [i for i in visible_items(viewer=head) if i.state != "draft"]
    assert {"本部门，本人交办", "外部门，本人交办", "销号"} <= {i.title for i in seen}
    result = analytics.overview(viewer=head, rule=rule, scope=analytics.Scope())
    lights = {light.value: 0 for light in Light}
    for item in seen:
        lights[rule.of(item).value] += 1
    assert result.by_light == lights
    assert result.total == len(seen)
    by_state = {state: n for state, _label, n in result.by_state}
    assert by_state.get("closed", 0) == sum(1 for i in seen if i.state == "closed")
    by_leader = {row["leader_id"]: row["total"] for row in result.by_leader}
    assert by_leader.get(head.pk) == 2
