"""The apply pages, the form designer page and the pickers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhiban.audit.models import AuditEntry
from zhiban.core.navigation import entries_for
from zhiban.org.models import Role
from zhiban.org.tests.factories import DepartmentFactory, UnitFactory, UserFactory
from zhiban.workflow import selectors, services
from zhiban.workflow.models import FlowDefinition, FlowFile, FlowInstance

from .conftest import approver, body

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM: list[dict[str, Any]] = [
    {"key": "doc", "type": "text", "label": "文件标题", "required": True},
    {"key": "copies", "type": "number", "label": "份数", "required": True, "min": 1},
    {"key": "span", "type": "daterange", "label": "用印日期"},
    {"key": "kinds", "type": "multichoice", "label": "类型", "options": ["甲", "乙"]},
    {"key": "files", "type": "attachment", "label": "附件", "multiple": True},
]


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    """Headquarters with a production department below the office; people in each."""
    hq = UnitFactory(code="HQ", name="集团本部")
    office = DepartmentFactory(unit=hq, code="OFF", name="综合办公室")
    team = DepartmentFactory(unit=hq, code="OFF1", name="文秘科", parent=office)
    other = DepartmentFactory(unit=hq, code="PRD", name="生产技术部")
    return {
        "office": office,
        "team": team,
        "other": other,
        "clerk": UserFactory(
            username="clerk", name="张文书", primary_department=team, language="en"
        ),
        "boss": UserFactory(
            username="boss", name="王主任", primary_department=office, language="en"
        ),
        "outsider": UserFactory(
            username="outsider", name="李工", primary_department=other
        ),
        "admin": UserFactory(
            username="fadmin", roles=[Role.SYSTEM_ADMIN], language="en"
        ),
    }


def make_flow(
    org: dict[str, Any],
    code: str = "seal",
    *,
    form: list[dict[str, Any]] | None = None,
    group: str = "行政事务",
    nodes: list[dict[str, Any]] | None = None,
    starters: list[Any] | None = None,
) -> FlowDefinition:
    flow = services.flow_create(
        code=code, name=f"申请{code}", by=org["admin"], group=group
    )
    services.flow_publish(
        definition=flow,
        body=body(code, *(nodes or [approver("n1", org["boss"])])),
        by=org["admin"],
        form_schema=FORM if form is None else form,
    )
    if starters:
        flow.starter_departments.set(starters)
    return flow


# --- the list -----------------------------------------------------------------------


def test_the_list_shows_what_the_user_may_start_grouped(client: Any, org: Any) -> None:
    make_flow(org, "seal")
    make_flow(org, "car", group="后勤")
    make_flow(org, "office_only", starters=[org["office"]])  # clerk's parent dept
    make_flow(org, "prod_only", starters=[org["other"]])
    unpublished = services.flow_create(code="draft", name="未发布", by=org["admin"])
    hidden = make_flow(org, "hidden")
    hidden.startable = False
    hidden.save()
    off = make_flow(org, "off")
    services.flow_set_active(definition=off, active=False, by=org["admin"])
    client.force_login(org["clerk"])
    response = client.get(reverse("workflow:apply"))
    assert response.status_code == 200
    codes = {
        flow.code for _group, flows in response.context["groups"] for flow in flows
    }
    # The default flows (seal use, vehicle use, ...) come from data migrations.
    mine = {"seal", "car", "office_only", "prod_only", "hidden", "off", "draft"}
    assert codes & mine == {"car", "office_only", "seal"}
    assert unpublished.code not in codes
    groups = dict(response.context["groups"])
    assert [f.code for f in groups["后勤"]] == ["car"]
    assert "seal" in [f.code for f in groups["行政事务"]]


def test_the_list_searches_by_name(client: Any, org: Any) -> None:
    make_flow(org, "seal")
    make_flow(org, "car")
    client.force_login(org["clerk"])
    response = client.get(
        reverse("workflow:apply"),
        {"q": "car"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="flows",
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"apply-flow-car" in response.content
    assert b"apply-flow-seal" not in response.content


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_keeps_its_query_budget(
    client: Any, org: Any, count: int, django_assert_num_queries: Any
) -> None:
    baseline = selectors.flow_startable_for(user=org["clerk"]).count()  # defaults
    for number in range(count):
        make_flow(
            org, f"flow{number}", starters=[org["office"]] if number % 2 else None
        )
    client.force_login(org["clerk"])
    with django_assert_num_queries(6):
        response = client.get(reverse("workflow:apply"))
    shown = [f for _g, flows in response.context["groups"] for f in flows]
    assert len(shown) == baseline + count


def test_the_navigation_leads_to_the_apply_page(org: Any) -> None:
    entry = next(e for e in entries_for(org["clerk"]) if e["key"] == "approvals")
    assert entry["url"] == reverse("workflow:apply")


# --- the form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("clerk", 200), ("boss", 200), ("outsider", 404)]
)
def test_only_starters_see_a_restricted_form(
    client: Any, org: Any, who: str, status: int
) -> None:
    make_flow(org, "office_only", starters=[org["office"]])
    client.force_login(org[who])
    assert (
        client.get(reverse("workflow:apply_form", args=["office_only"])).status_code
        == status
    )


def test_an_outsider_cannot_submit_and_nothing_is_written(
    client: Any, org: Any
) -> None:
    make_flow(org, "office_only", starters=[org["office"]])
    client.force_login(org["outsider"])
    response = client.post(
        reverse("workflow:apply_form", args=["office_only"]),
        {"doc": "x", "copies": "1"},
    )
    assert response.status_code == 404
    assert FlowInstance.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client: Any, org: Any) -> None:
    make_flow(org)
    response = client.get(reverse("workflow:apply_form", args=["seal"]))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]


def test_the_form_renders_every_widget(client: Any, org: Any) -> None:
    form: list[dict[str, Any]] = [
        *FORM,
        {"key": "when", "type": "datetime", "label": "时间"},
        {"key": "who", "type": "person", "label": "经办人"},
        {"key": "dept", "type": "department", "label": "部门"},
        {"key": "pick", "type": "choice", "label": "印章", "options": ["公章"]},
        {"key": "note", "type": "textarea", "label": "说明"},
    ]
    make_flow(org, form=form)
    client.force_login(org["clerk"])
    html = client.get(reverse("workflow:apply_form", args=["seal"])).content.decode()
    assert 'type="number"' in html
    assert 'min="1"' in html
    assert 'name="span_start"' in html
    assert 'type="date"' in html
    assert 'type="datetime-local"' in html
    assert 'type="file" name="files" multiple' in html
    assert 'data-testid="picker-who"' in html
    assert 'data-testid="picker-dept"' in html
    assert 'name="kinds" value="甲"' in html
    assert "<textarea" in html
    assert "<select" in html


def test_a_valid_submission_redirects_to_the_instance(
    client: Any, org: Any, settings: Any, tmp_path: Any
) -> None:
    make_flow(org)
    client.force_login(org["clerk"])
    response = client.post(
        reverse("workflow:apply_form", args=["seal"]),
        {
            "doc": "购销合同",
            "copies": "2",
            "span_start": "2026-12-01",
            "span_end": "2026-12-02",
            "kinds": ["乙", "甲"],
            "files": [SimpleUploadedFile("合同.pdf", PDF)],
        },
    )
    instance = FlowInstance.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "workflow:instance_detail", args=[instance.pk]
    )
    assert instance.title == "申请seal·张文书"
    assert instance.form == {
        "doc": "购销合同",
        "copies": 2,
        "span": {"start": "2026-12-01", "end": "2026-12-02"},
        "kinds": ["甲", "乙"],
        "files": [FlowFile.objects.get().pk],
    }


def test_errors_show_on_the_fields_and_keep_the_values(client: Any, org: Any) -> None:
    make_flow(org)
    client.force_login(org["clerk"])
    audits = AuditEntry.objects.count()
    response = client.post(
        reverse("workflow:apply_form", args=["seal"]),
        {
            "title": "我的标题",
            "doc": "购销合同",
            "copies": "0",
            "span_start": "2026-12-02",
            "span_end": "2026-12-01",
            "files": [SimpleUploadedFile("x.html", b"<html><script>alert(1)</script>")],
        },
    )
    assert response.status_code == 200  # the page with the errors
    html = response.content.decode()
    assert 'data-testid="error-copies">Enter 1 or more.' in html
    assert 'data-testid="error-span">The end is before the start.' in html
    assert 'data-testid="error-files">“x.html” is not an allowed kind of file' in html
    assert 'value="购销合同"' in html
    assert 'value="我的标题"' in html
    assert 'value="2026-12-02"' in html
    assert "choose them again" in html
    assert FlowInstance.objects.count() == 0
    assert FlowFile.objects.count() == 0
    assert AuditEntry.objects.count() == audits


def pick_node(node_id: str) -> dict[str, Any]:
    return {
        "type": "approver",
        "id": node_id,
        "name": "自选审批人",
        "assignees": {"kind": "initiator_pick"},
    }


def test_an_initiator_pick_node_needs_a_person(client: Any, org: Any) -> None:
    make_flow(org, form=FORM[:2], nodes=[pick_node("p1")])
    client.force_login(org["clerk"])
    url = reverse("workflow:apply_form", args=["seal"])
    response = client.post(url, {"doc": "合同", "copies": "1"})
    assert response.status_code == 200
    assert "Choose who approves this step." in response.content.decode()
    assert FlowInstance.objects.count() == 0
    response = client.post(
        url, {"doc": "合同", "copies": "1", "pick_p1": [org["boss"].pk]}
    )
    assert response.status_code == 302
    instance = FlowInstance.objects.get()
    assert list(instance.tasks.values_list("assignee__username", flat=True)) == ["boss"]


def test_the_preview_shows_each_node_with_approvers_and_reasons(
    client: Any, org: Any
) -> None:
    make_flow(org)
    client.force_login(org["clerk"])
    response = client.post(
        reverse("workflow:apply_preview", args=["seal"]), {"copies": "3"}
    )
    assert response.status_code == 200
    steps = response.context["steps"]
    assert [s["kind"] for s in steps] == ["start", "approver", "end"]
    assert steps[1]["approvers"][0][0] == "王主任"
    assert steps[1]["approvers"][0][1]  # the reason
    assert "王主任" in response.content.decode()


def test_the_preview_follows_a_condition_on_the_values(client: Any, org: Any) -> None:
    condition = {
        "type": "condition",
        "id": "c1",
        "name": "份数",
        "branches": [
            {
                "id": "b1",
                "name": "多",
                "conditions": [{"field": "copies", "op": ">", "value": 10}],
                "nodes": [approver("n2", org["admin"])],
            },
            {"id": "b2", "name": "默认", "is_default": True, "nodes": []},
        ],
    }
    make_flow(org, nodes=[approver("n1", org["boss"]), condition])
    client.force_login(org["clerk"])
    url = reverse("workflow:apply_preview", args=["seal"])
    few = [s["name"] for s in client.post(url, {"copies": "3"}).context["steps"]]
    many = [s["name"] for s in client.post(url, {"copies": "11"}).context["steps"]]
    assert "审批n2" not in few
    assert "审批n2" in many


# --- the pickers --------------------------------------------------------------------


def test_the_people_picker_finds_by_name_and_department(client: Any, org: Any) -> None:
    client.force_login(org["clerk"])
    url = reverse("org:picker_people")
    by_name = client.get(url, {"_pq": "王主"}).content.decode()
    assert 'data-label="王主任"' in by_name
    assert "综合办公室" in by_name
    by_department = client.get(url, {"_pq": "生产技术"}).content.decode()
    assert 'data-label="李工"' in by_department
    assert 'data-label="王主任"' not in by_department
    assert client.get(url, {"_pq": ""}).content.decode().strip() == ""


def test_the_people_picker_skips_deactivated_people_and_caps_results(
    client: Any, org: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(30):
        UserFactory(username=f"worker{number}", name=f"工人{number}")
    UserFactory(username="gone", name="工人离职", is_active=False)
    client.force_login(org["clerk"])
    with django_assert_max_num_queries(4):
        html = client.get(
            reverse("org:picker_people"), {"_pq": "工人"}
        ).content.decode()
    assert html.count("data-picker-option") == 20
    assert "工人离职" not in html


def test_the_department_picker(client: Any, org: Any) -> None:
    client.force_login(org["clerk"])
    html = client.get(
        reverse("org:picker_departments"), {"_pq": "文秘"}
    ).content.decode()
    assert f'data-id="{org["team"].pk}"' in html


def test_the_pickers_need_sign_in(client: Any, org: Any) -> None:
    assert client.get(reverse("org:picker_people"), {"_pq": "王"}).status_code == 302


# --- the form designer --------------------------------------------------------------


def designer_post(
    fields: list[dict[str, Any]], op: str, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"count": str(len(fields)), "op": op, **extra}
    for index, field in enumerate(fields):
        for name, value in field.items():
            if name == "options":
                value = "\n".join(value)
            if isinstance(value, bool):
                if value:
                    data[f"f{index}-{name}"] = "1"
                continue
            data[f"f{index}-{name}"] = str(value)
    return data


@pytest.mark.parametrize(("who", "status"), [("clerk", 403), ("admin", 200)])
def test_only_flow_designers_open_the_form_designer(
    client: Any, org: Any, who: str, status: int
) -> None:
    make_flow(org)
    client.force_login(org[who])
    assert (
        client.get(reverse("workflow:flow_form", args=["seal"])).status_code == status
    )
    response = client.post(
        reverse("workflow:flow_form", args=["seal"]), designer_post([], "save")
    )
    assert response.status_code == (403 if who == "clerk" else 302)


def test_the_designer_saves_a_form(client: Any, org: Any) -> None:
    flow = make_flow(org)
    client.force_login(org["admin"])
    fields: list[dict[str, Any]] = [
        {
            "key": "doc",
            "type": "text",
            "label": "标题",
            "required": True,
            "max_length": 50,
        },
        {"key": "kind", "type": "choice", "label": "类型", "options": ["甲", "乙"]},
        {"key": "amount", "type": "money", "label": "金额", "min": 0, "max": 1000.5},
    ]
    response = client.post(
        reverse("workflow:flow_form", args=["seal"]), designer_post(fields, "save")
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.draft["form"] == [
        {
            "key": "doc",
            "type": "text",
            "label": "标题",
            "required": True,
            "help": "",
            "locked": False,
            "max_length": 50,
        },
        {
            "key": "kind",
            "type": "choice",
            "label": "类型",
            "required": False,
            "help": "",
            "locked": False,
            "options": ["甲", "乙"],
        },
        {
            "key": "amount",
            "type": "money",
            "label": "金额",
            "required": False,
            "help": "",
            "locked": False,
            "min": 0,
            "max": 1000.5,
        },
    ]


def test_the_designer_shows_problems_on_the_field_and_saves_nothing(
    client: Any, org: Any
) -> None:
    flow = make_flow(org)
    before = flow.draft
    client.force_login(org["admin"])
    fields: list[dict[str, Any]] = [
        {"key": "doc", "type": "text", "label": "标题"},
        {"key": "kind", "type": "choice", "label": "类型"},
        {"key": "n", "type": "number", "label": "数", "min": 5, "max": 1},
    ]
    response = client.post(
        reverse("workflow:flow_form", args=["seal"]),
        designer_post(fields, "save"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only successful answers
    html = response.content.decode()
    assert (
        'data-testid="field-problem-1">A choice field needs at least one option.'
        in html
    )
    assert 'data-testid="field-problem-2">The minimum is above the maximum.' in html
    assert 'value="标题"' in html  # what was typed is kept
    flow.refresh_from_db()
    assert flow.draft == before


@pytest.mark.parametrize(
    ("op", "keys"),
    [
        ("up:1", ["b", "a", "c"]),
        ("down:1", ["a", "c", "b"]),
        ("up:0", ["a", "b", "c"]),
        ("remove:2", ["a", "b"]),
        ("add", ["a", "b", "c", "field_4"]),
    ],
)
def test_the_designer_edits_without_saving(
    client: Any, org: Any, op: str, keys: list[str]
) -> None:
    flow = make_flow(org)
    before = flow.draft
    client.force_login(org["admin"])
    fields = [{"key": k, "type": "text", "label": k.upper()} for k in ("a", "b", "c")]
    response = client.post(
        reverse("workflow:flow_form", args=["seal"]),
        designer_post(fields, op, new_type="date"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [c["field"]["key"] for c in response.context["cards"]] == keys
    flow.refresh_from_db()
    assert flow.draft == before


def test_the_designer_preview_renders_the_requesters_form(
    client: Any, org: Any
) -> None:
    make_flow(org)
    client.force_login(org["admin"])
    fields: list[dict[str, Any]] = [
        {"key": "when", "type": "daterange", "label": "起止日期", "required": True}
    ]
    response = client.post(
        reverse("workflow:flow_form_preview", args=["seal"]), designer_post(fields, "")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="when_start"' in html
    assert "起止日期" in html


# --- the API ------------------------------------------------------------------------


def test_the_api_answers_field_errors_and_creates_nothing(
    client: Any, org: Any
) -> None:
    make_flow(org)
    client.force_login(org["clerk"])
    response = client.post(
        "/api/workflow/instances/",
        {"flow": "seal", "form": {"doc": "", "copies": "x", "kinds": ["丙"]}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "form": {
            "doc": ["This field is required."],
            "copies": ["Enter a number."],
            "kinds": ["“丙” is not one of the options."],
        }
    }
    assert FlowInstance.objects.count() == 0


def test_the_api_starts_with_cleaned_values(client: Any, org: Any) -> None:
    make_flow(org)
    client.force_login(org["clerk"])
    response = client.post(
        "/api/workflow/instances/",
        {"flow": "seal", "form": {"doc": "合同", "copies": 3, "junk": 1}},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert FlowInstance.objects.get().form == {"doc": "合同", "copies": 3}


def test_the_designer_locks_the_kinds_fields_and_adds_back_missing_ones(
    client: Any, org: Any
) -> None:
    from zhiban.workflow.kinds import KINDS, FlowKind, register_flow_kind

    register_flow_kind(
        FlowKind(
            code="test_seal",
            label="用印",
            fields=(
                {"key": "copies", "type": "number", "label": "份数", "min": 1},
                {"key": "purpose", "type": "textarea", "label": "用途"},
            ),
        )
    )
    try:
        flow = services.flow_create(
            code="k", name="k", by=org["admin"], kind="test_seal"
        )
        draft = services.flow_draft_of(definition=flow)
        draft["form"] = [{"key": "copies", "type": "number", "label": "份数", "min": 1}]
        FlowDefinition.objects.filter(pk=flow.pk).update(draft=draft)
        client.force_login(org["admin"])
        response = client.get(reverse("workflow:flow_form", args=["k"]))
        cards = response.context["cards"]
        assert [(c["field"]["key"], c["field"]["locked"]) for c in cards] == [
            ("copies", True),
            ("purpose", True),
        ]
        assert response.context["changed"] is True
        # A locked field cannot be removed, and its rules come from the kind.
        tampered = [
            {
                "key": "copies",
                "type": "number",
                "label": "用印份数",
                "locked": True,
                "min": 99,
            },
            {"key": "purpose", "type": "textarea", "label": "用途", "locked": True},
        ]
        response = client.post(
            reverse("workflow:flow_form", args=["k"]),
            designer_post(tampered, "remove:0"),
            HTTP_HX_REQUEST="true",
        )
        assert [c["field"]["key"] for c in response.context["cards"]] == [
            "copies",
            "purpose",
        ]
        client.post(
            reverse("workflow:flow_form", args=["k"]), designer_post(tampered, "save")
        )
        flow.refresh_from_db()
        assert flow.draft["form"][0] == {
            "key": "copies",
            "type": "number",
            "label": "用印份数",
            "help": "",
            "min": 1,
            "locked": True,
        }
    finally:
        KINDS.pop("test_seal", None)


def test_a_flow_without_a_form_starts_with_an_empty_form(client: Any, org: Any) -> None:
    make_flow(org, form=[])
    client.force_login(org["clerk"])
    response = client.post(
        reverse("workflow:apply_form", args=["seal"]), {"title": "请示", "x": "1"}
    )
    assert response.status_code == 302
    instance = FlowInstance.objects.get()
    assert (instance.title, instance.form) == ("请示", {})


# --- edit and resubmit a returned request -------------------------------------------

EDIT_FORM: list[dict[str, Any]] = [
    {"key": "doc", "type": "text", "label": "文件标题", "required": True},
    {"key": "copies", "type": "number", "label": "份数", "required": True, "min": 1},
    {"key": "span", "type": "daterange", "label": "用印日期"},
    {"key": "files", "type": "attachment", "label": "附件", "required": True},
]


def _returned(org: Any) -> FlowInstance:
    make_flow(org, "seal", form=EDIT_FORM)
    instance = services.instance_start(
        flow_code="seal",
        form={
            "doc": "采购合同",
            "copies": "2",
            "span_start": "2026-12-01",
            "span_end": "2026-12-02",
        },
        files={"files": [SimpleUploadedFile("合同.pdf", PDF, "application/pdf")]},
        by=org["clerk"],
    )
    return services.instance_act(
        instance_id=instance.pk,
        kind="return",
        by=org["boss"],
        payload={"opinion": "份数不对"},
    )


def test_the_initiator_edits_a_returned_request_and_resubmits_it(
    client: Any, org: Any
) -> None:
    instance = _returned(org)
    kept = instance.form["files"]
    url = reverse("workflow:instance_edit", args=[instance.pk])
    client.force_login(org["clerk"])

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="采购合同"' in html
    assert 'value="2026-12-01"' in html
    assert 'value="2026-12-02"' in html
    assert 'data-testid="kept-files"' in html
    assert "合同.pdf" in html

    # A bad value is refused on its field; nothing changes.
    bad = client.post(url, {"doc": "采购合同", "copies": "0"})
    assert bad.status_code == 200
    assert bad.context["rows"][1]["errors"]
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RETURNED

    # No new file: the one it had is kept (though the field is required).
    done = client.post(
        url,
        {
            "doc": "采购合同（修订）",
            "copies": "5",
            "span_start": "2026-12-01",
            "span_end": "2026-12-03",
        },
    )

    assert done.status_code == 302
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RUNNING
    assert instance.form["doc"] == "采购合同（修订）"
    assert instance.form["copies"] == 5
    assert instance.form["span"] == {"start": "2026-12-01", "end": "2026-12-03"}
    assert instance.form["files"] == kept
    assert instance.tasks.get(state="open").assignee == org["boss"]
    assert list(
        instance.actions.order_by("sequence").values_list("kind", flat=True)
    ) == ["submit", "return", "submit"]


def test_a_new_file_replaces_the_one_kept(client: Any, org: Any) -> None:
    instance = _returned(org)
    client.force_login(org["clerk"])

    client.post(
        reverse("workflow:instance_edit", args=[instance.pk]),
        {
            "doc": "采购合同",
            "copies": "2",
            "files": SimpleUploadedFile("修订稿.pdf", PDF, "application/pdf"),
        },
    )

    instance.refresh_from_db()
    (new_id,) = instance.form["files"]
    assert FlowFile.objects.get(pk=new_id).original_name == "修订稿.pdf"
    assert instance.status == FlowInstance.Status.RUNNING


@pytest.mark.parametrize("who", ["boss", "outsider"])
def test_only_the_initiator_edits_a_returned_request(
    client: Any, org: Any, who: str
) -> None:
    instance = _returned(org)
    client.force_login(org[who])
    url = reverse("workflow:instance_edit", args=[instance.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"doc": "x", "copies": "3"}).status_code == 404
    instance.refresh_from_db()
    assert instance.status == FlowInstance.Status.RETURNED


def test_a_running_request_is_not_edited(client: Any, org: Any) -> None:
    make_flow(org, "seal", form=EDIT_FORM)
    instance = services.instance_start(
        flow_code="seal",
        form={"doc": "采购合同", "copies": "2"},
        files={"files": [SimpleUploadedFile("合同.pdf", PDF, "application/pdf")]},
        by=org["clerk"],
    )
    client.force_login(org["clerk"])
    url = reverse("workflow:instance_edit", args=[instance.pk])

    response = client.post(url, {"doc": "改", "copies": "3"})

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "workflow:instance_detail", args=[instance.pk]
    )
    instance.refresh_from_db()
    assert instance.form["doc"] == "采购合同"


def test_the_resubmit_service_refuses_a_request_that_is_not_returned(
    org: Any,
) -> None:
    from zhiban.core.errors import DomainError

    make_flow(org, "seal", form=EDIT_FORM)
    instance = services.instance_start(
        flow_code="seal",
        form={"doc": "采购合同", "copies": "2"},
        files={"files": [SimpleUploadedFile("合同.pdf", PDF, "application/pdf")]},
        by=org["clerk"],
    )
    with pytest.raises(DomainError) as refused:
        services.instance_resubmit(
            instance_id=instance.pk, form={"doc": "改", "copies": "3"}, by=org["clerk"]
        )
    assert refused.value.code == "concurrent_change"
    instance.refresh_from_db()
    assert instance.form["doc"] == "采购合同"


def test_the_edit_pages_preview_follows_the_requests_own_version(
    client: Any, org: Any
) -> None:
    instance = _returned(org)  # version 1: the boss approves
    flow = FlowDefinition.objects.get(code="seal")
    services.flow_publish(  # version 2: the outsider approves
        definition=flow,
        body=body("seal", approver("n1", org["outsider"])),
        by=org["admin"],
        form_schema=EDIT_FORM,
    )
    client.force_login(org["clerk"])
    url = reverse("workflow:apply_preview", args=["seal"])
    form = {"doc": "采购合同", "copies": "2"}

    latest = client.post(url, form).context["steps"][1]["approvers"]
    own = client.post(f"{url}?instance={instance.pk}", form).context["steps"][1][
        "approvers"
    ]

    assert [name for name, _reason in latest] == ["李工"]
    assert [name for name, _reason in own] == ["王主任"]
    edit = client.get(reverse("workflow:instance_edit", args=[instance.pk]))
    assert f"{url}?instance={instance.pk}" in edit.content.decode()
    # Someone else's request id is ignored: the latest version again.
    client.force_login(org["outsider"])
    other = client.post(f"{url}?instance={instance.pk}", form)
    assert [n for n, _r in other.context["steps"][1]["approvers"]] == ["李工"]
