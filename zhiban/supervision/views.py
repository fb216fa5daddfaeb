"""Pages of supervision: the list, a new item, the item page and its actions. Thin.

The selectors decide who sees what; the services act; ``lights.light_rule()`` gives
every light shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.core.exports import XLSX_CONTENT_TYPE
from zhiban.core.paging import CappedPaginator
from zhiban.inbox.display import count_label
from zhiban.org.forms import add_domain_error
from zhiban.org.models import Department, User
from zhiban.org.views.picker import chosen_departments, chosen_people
from zhiban.supervision import analytics, exports, links, policies, selectors, services
from zhiban.supervision.assessment import department_scores
from zhiban.supervision.forms import (
    AssessmentRuleForm,
    CompletionForm,
    ExtensionForm,
    FilterForm,
    InspectionForm,
    ItemForm,
    PlanForm,
    ProfileForm,
    ReportForm,
    ReviewForm,
    ScopeForm,
    SignForm,
    UrgeForm,
    VerifyForm,
)
from zhiban.supervision.lights import LIGHT_ORDER, Light, light_rule, node_light
from zhiban.supervision.models import (
    AssessmentRule,
    ClockProfile,
    Grade,
    InspectionPhoto,
    ItemDepartment,
    ItemFile,
    Source,
    Step,
    SupervisionItem,
)

State = SupervisionItem.State
PAGE_SIZE = 20


def _user(request: HttpRequest) -> Any:
    return request.user


# --- the list ----------------------------------------------------------------------


def _filters(
    request: HttpRequest, user: User
) -> tuple[FilterForm, selectors.ItemFilters]:
    form = FilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    light = data.get("light") or ""
    scope = data.get("scope") or ("all" if policies.sees_everything(user) else "mine")
    filters = selectors.ItemFilters(
        state=data.get("state") or "",
        light=light if light in Light.values else "",
        department=data.get("department"),
        source=data.get("source") or "",
        leader=data.get("leader"),
        issued_from=data.get("issued_from"),
        issued_to=data.get("issued_to"),
        q=(data.get("q") or "").strip(),
        mine=scope == "mine",
    )
    return form, filters


@login_required
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """The items the user may see, with their lights, filters and light counts."""
    user = _user(request)
    form, filters = _filters(request, user)
    rule = light_rule()
    items = selectors.item_pages_for(viewer=user, rule=rule, filters=filters)
    counts = selectors.light_counts(viewer=user, rule=rule, filters=filters)
    number = request.GET.get("page")
    page = CappedPaginator(items, PAGE_SIZE, number=number).get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    unlit_query = query.copy()
    unlit_query.pop("light", None)
    return render(
        request,
        "supervision/item_list.html",
        {
            **_list_context(request, filters),
            "nav_active": "supervision",
            "page": page,
            "filters": filters,
            "form": form,
            "light_counts": [
                (
                    light,
                    Light(light).label,
                    counts.get(light, 0),
                    count_label(counts.get(light, 0)),
                )
                for light in LIGHT_ORDER
            ],
            "query": query.urlencode(),
            "query_unlit": unlit_query.urlencode(),
            "can_create": policies.can_create(user),
            **_tab_flags(user),
            "sees_everything": policies.sees_everything(user),
            "states": State.choices,
            "today": rule.today,
        },
    )


def _list_context(
    request: HttpRequest, filters: selectors.ItemFilters
) -> dict[str, Any]:
    """Name the narrowing filters a drill-down brought (each with a link to drop it)."""
    active: list[tuple[str, str, str]] = []

    def without(key: str) -> str:
        query = request.GET.copy()
        query.pop(key, None)
        query.pop("page", None)
        return "?" + query.urlencode()

    if filters.department:
        department = Department.objects.filter(pk=filters.department).first()
        if department is not None:
            active.append(
                (_("Lead department"), department.name, without("department"))
            )
    if filters.leader:
        leader = User.objects.filter(pk=filters.leader).first()
        if leader is not None:
            active.append(
                (_("Assigning leader"), leader.display_name, without("leader"))
            )
    if filters.issued_from:
        active.append(
            (_("Issued from"), filters.issued_from.isoformat(), without("issued_from"))
        )
    if filters.issued_to:
        active.append(
            (_("Issued to"), filters.issued_to.isoformat(), without("issued_to"))
        )
    return {"active_filters": active}


@login_required
@require_GET
def item_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered, as an Excel workbook, lights included."""
    user = _user(request)
    _form, filters = _filters(request, user)
    rule = light_rule()
    items = selectors.item_list_for(viewer=user, rule=rule, filters=filters).order_by(
        "-id"
    )
    return _xlsx(exports.items_workbook(items[: exports.MAX_ROWS]), "supervision")


# --- a new item --------------------------------------------------------------------


def _initial_people(request: HttpRequest, user: User) -> dict[str, Any]:
    post = request.POST
    if request.method == "POST":
        return {
            "leader": chosen_people(post.getlist("leader")),
            "officer": chosen_people(post.getlist("officer")),
            "responsible": chosen_people(post.getlist("responsible")),
            "lead_department": chosen_departments(post.getlist("lead_department")),
            "co_departments": chosen_departments(post.getlist("co_departments")),
        }
    leader = (
        [user]
        if user.has_role("overseeing_leader") or user.has_role("principal_leader")
        else []
    )
    officer = [user] if policies.is_office(user) else []
    return {
        "leader": leader,
        "officer": officer,
        "responsible": [],
        "lead_department": [],
        "co_departments": [],
    }


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    """Draft an item, and issue it or send it to the leader for review."""
    user = _user(request)
    if not policies.can_create(user):
        raise PermissionDenied
    source = links.source_for(
        request.GET.get("step") or request.POST.get("step"), user=user
    )
    initial: dict[str, Any] = {"item_type": "general", "source": Source.OTHER}
    people = _initial_people(request, user)
    if source is not None and request.method != "POST":
        initial.update(source.initial)
        people.update(source.people)
    form = ItemForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            missing = [
                (key, message)
                for key, message in (
                    ("leader", _("Choose the assigning leader.")),
                    ("officer", _("Choose the supervision officer.")),
                    ("lead_department", _("Choose the lead department.")),
                )
                if not people[key]
            ]
            for _key, message in missing:
                form.add_error(None, message)
            if not missing:
                data = form.cleaned_data
                try:
                    then = request.POST.get("then", "draft")
                    item = services.item_create_and_send(
                        then=then,
                        by=user,
                        title=data["title"],
                        content=data["content"],
                        requirements=data["requirements"],
                        source=data["source"],
                        source_object=source.step if source else None,
                        source_text=data["source_text"],
                        item_type=data["item_type"],
                        profile=data["profile"],
                        report_cycle=data["report_cycle"] or "",
                        deadline=data["deadline"],
                        leader=people["leader"][0],
                        officer=people["officer"][0],
                        responsible=(people["responsible"] or [None])[0],
                        lead_department=people["lead_department"][0],
                        co_departments=people["co_departments"],
                        files=request.FILES.getlist("files"),
                    )
                    if then == "issue":
                        messages.success(
                            request, _("The item is issued to the departments.")
                        )
                    elif then == "review":
                        messages.success(
                            request, _("The item is with the leader for review.")
                        )
                    else:
                        messages.success(request, _("The draft is saved."))
                    return redirect("supervision:detail", pk=item.pk)
                except PermissionDeniedError as error:
                    raise PermissionDenied from error
                except DomainError as error:
                    add_domain_error(form, error)
    return render(
        request,
        "supervision/item_form.html",
        {
            "nav_active": "supervision",
            "form": form,
            "people": people,
            "source": source,
        },
        status=status,
    )


# --- the item page -----------------------------------------------------------------


def _get(request: HttpRequest, pk: int) -> SupervisionItem:
    item = selectors.item_get_for(viewer=_user(request), pk=pk)
    if item is None:
        raise Http404
    return item


def _forms(
    item: SupervisionItem, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    open_nodes = [
        node
        for node in item.nodes.all()
        if node.done_at is None and node.step in (Step.MILESTONE, Step.REPORT)
    ]
    forms: dict[str, Any] = {
        "sign": SignForm(),
        "plan": PlanForm(),
        "report": ReportForm(nodes=open_nodes),
        "complete": CompletionForm(),
        "extend": ExtensionForm(),
        "verify": VerifyForm(),
        "review": ReviewForm(),
        "urge": UrgeForm(),
    }
    forms.update(bound or {})
    return forms


def detail_page(
    request: HttpRequest,
    item: SupervisionItem,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    user = _user(request)
    rule = light_rule()
    nodes = list(item.nodes.all())
    yellow_until = rule.yellow_until.get(item.profile_id, rule.today)
    rows = list(item.departments.select_related("department", "signed_by"))
    answering = selectors.answering_rows(item=item, viewer=user, rows=rows)
    lead_answers = any(row.role == ItemDepartment.Role.LEAD for row in answering)
    urgeable = item.state in (
        State.ISSUED,
        State.SIGNED,
        State.IN_PROGRESS,
        State.RETURNED,
    )
    context = {
        "nav_active": "supervision",
        "item": item,
        "light": rule.of(item),
        "nodes": [
            (
                node,
                node_light(
                    due_on=node.due_on,
                    done=node.done_at is not None,
                    today=rule.today,
                    yellow_until=yellow_until,
                ),
            )
            for node in nodes
        ],
        "departments": rows,
        "reports": list(
            item.reports.select_related("department", "by", "node").prefetch_related(
                "files"
            )
        ),
        "item_files": list(item.files.filter(report__isnull=True)),
        "events": list(item.events.select_related("by")),
        "escalations": list(item.escalations.select_related("node", "by")),
        "extensions": list(item.extensions.select_related("requested_by", "instance")),
        "source_link": links.source_link(item),
        "children": list(item.children.all()),
        "forms": _forms(item, bound),
        "errors": errors or [],
        "to_sign": [row for row in answering if row.signed_at is None and urgeable],
        "can_plan": item.state == State.SIGNED and lead_answers,
        "can_report": item.state in (State.SIGNED, State.IN_PROGRESS, State.RETURNED)
        and bool(answering),
        "can_complete": item.state in (State.SIGNED, State.IN_PROGRESS, State.RETURNED)
        and lead_answers,
        "can_verify": item.state == State.REQUESTED
        and policies.can_verify(user, officer_id=item.officer_id),
        "can_archive": item.state == State.CLOSED
        and policies.can_verify(user, officer_id=item.officer_id),
        "can_issue": item.state == State.DRAFT
        and (
            user.pk in (item.created_by_id, item.leader_id) or policies.is_office(user)
        ),
        "can_submit_review": item.state == State.DRAFT
        and item.leader_id != user.pk
        and (user.pk == item.created_by_id or policies.is_office(user)),
        "can_review": item.state == State.REVIEW and item.leader_id == user.pk,
        "can_inspect": policies.is_office(user)
        and item.state not in (State.DRAFT, State.REVIEW),
        "can_urge": urgeable
        and (policies.is_office(user) or user.pk in (item.leader_id, item.officer_id)),
        "today": rule.today,
    }
    return render(request, "supervision/item_detail.html", context, status=status)


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, _get(request, pk))


DONE_MESSAGES = {
    "issue": gettext_noop("The item is issued to the departments."),
    "submit_review": gettext_noop("The item is with the leader for review."),
    "review": gettext_noop("Your review is recorded."),
    "sign": gettext_noop("Signed for."),
    "plan": gettext_noop("The plan is reported."),
    "report": gettext_noop("The progress report is recorded."),
    "complete": gettext_noop(
        "Completion is requested; the supervision officer verifies it."
    ),
    "extend": gettext_noop("The extension request is sent for approval."),
    "verify": gettext_noop("Your verification is recorded."),
    "archive": gettext_noop("The item is archived."),
    "urge": gettext_noop("The department was urged."),
}


def _act(
    request: HttpRequest, item: SupervisionItem, action: str
) -> dict[str, Any] | None:
    """Parse the action's form and call its service; return the bound form if invalid."""
    user, post, files = _user(request), request.POST, request.FILES.getlist("files")
    if action == "issue":
        services.item_issue(item=item, by=user)
    elif action == "submit_review":
        services.item_submit_review(item=item, by=user)
    elif action == "review":
        form: Any = ReviewForm(post)
        if not form.is_valid():
            return {"review": form}
        services.item_review(
            item=item,
            by=user,
            approve=post.get("decision") == "approve",
            opinion=form.cleaned_data["opinion"],
        )
    elif action == "sign":
        form = SignForm(post)
        if not form.is_valid():
            return {"sign": form}
        department = chosen_departments(post.getlist("department"))
        responsible = chosen_people(post.getlist("responsible"))
        services.item_sign(
            item=item,
            by=user,
            arrangement=form.cleaned_data["arrangement"],
            department=department[0] if department else None,
            responsible=responsible[0] if responsible else None,
        )
    elif action == "plan":
        form = PlanForm(post)
        if not form.is_valid():
            return {"plan": form}
        services.item_plan(
            item=item,
            by=user,
            plan=form.cleaned_data["plan"],
            milestones=form.cleaned_data["milestones"],
            files=files,
        )
    elif action == "report":
        nodes = [n for n in item.nodes.all() if n.done_at is None]
        form = ReportForm(
            post, nodes=[n for n in nodes if n.step in (Step.MILESTONE, Step.REPORT)]
        )
        if not form.is_valid():
            return {"report": form}
        chosen = form.cleaned_data["node"]
        node = next((n for n in nodes if n.pk == chosen), None) if chosen else None
        services.item_report(
            item=item, by=user, text=form.cleaned_data["text"], node=node, files=files
        )
    elif action == "complete":
        form = CompletionForm(post)
        if not form.is_valid():
            return {"complete": form}
        services.item_request_completion(
            item=item, by=user, summary=form.cleaned_data["summary"], files=files
        )
    elif action == "extend":
        form = ExtensionForm(post)
        if not form.is_valid():
            return {"extend": form}
        services.extension_request(
            item=item,
            by=user,
            new_due=form.cleaned_data["new_due"],
            reason=form.cleaned_data["reason"],
        )
    elif action == "verify":
        form = VerifyForm(post)
        if not form.is_valid():
            return {"verify": form}
        data = form.cleaned_data
        if post.get("decision") == "return":
            services.item_return(
                item=item, by=user, reason=data["reason"], due_on=data["due_on"]
            )
        else:
            services.item_close(
                item=item, by=user, grade=data["grade"], reason=data["reason"]
            )
    elif action == "archive":
        services.item_archive(item=item, by=user)
    elif action == "urge":
        form = UrgeForm(post)
        if not form.is_valid():
            return {"urge": form}
        services.item_urge(item=item, by=user, note=form.cleaned_data["note"])
    return None


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one step on an item; a refusal shows the page again with the reason."""
    item = _get(request, pk)
    if action not in DONE_MESSAGES:
        raise Http404
    try:
        bound = _act(request, item, action)
    except PermissionDeniedError as error:
        raise PermissionDenied from error
    except DomainError as error:
        item.refresh_from_db()
        messages_list = [str(m) for m in error.messages]
        return detail_page(request, item, status=400, errors=messages_list)
    if bound is not None:
        return detail_page(request, item, status=400, bound=bound)
    messages.success(request, _(DONE_MESSAGES[action]))
    return redirect("supervision:detail", pk=item.pk)


@login_required
@require_GET
def item_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download an attachment of an item the user may see."""
    attached = ItemFile.objects.filter(pk=pk).first()
    if (
        attached is None
        or selectors.item_get_for(viewer=_user(request), pk=attached.item_id) is None
    ):
        raise Http404
    return FileResponse(
        attached.file.open("rb"),
        as_attachment=True,
        filename=attached.original_name,
        content_type=attached.content_type,
    )


# --- live analytics and the assessment ---------------------------------------------


def _scope(request: HttpRequest) -> analytics.Scope:
    form = ScopeForm(request.GET)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    return analytics.Scope(
        department=data.get("department"),
        leader=data.get("leader"),
        source=data.get("source") or "",
        issued_from=data.get("issued_from"),
        issued_to=data.get("issued_to"),
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Live analytics of the items the user may see, with drill-down."""
    user = _user(request)
    scope = _scope(request)
    rule = light_rule()
    overview = analytics.overview(viewer=user, rule=rule, scope=scope)
    for row in overview.by_department:
        row["drill"] = scope.query(department=row["lead_department_id"])
    for row in overview.by_leader:
        row["drill"] = scope.query(leader=row["leader_id"])
    for row in overview.by_source:
        row["drill"] = scope.query(source=row["source"])
    list_query = scope.query()
    return render(
        request,
        "supervision/dashboard.html",
        {
            "nav_active": "supervision",
            "overview": overview,
            "scope": scope,
            "scope_query": list_query,
            "list_query": list_query,
            "light_counts": [
                (light, Light(light).label, overview.by_light.get(light, 0))
                for light in LIGHT_ORDER
            ],
            "chart_data": analytics.chart_data(overview, scope=scope),
            "department": (
                Department.objects.filter(pk=scope.department).first()
                if scope.department
                else None
            ),
            "leader": (
                User.objects.filter(pk=scope.leader).first() if scope.leader else None
            ),
            "sources": Source.choices,
            **_tab_flags(user),
        },
    )


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """Every view of the dashboard, in the same scope, as one workbook."""
    overview = analytics.overview(
        viewer=_user(request), rule=light_rule(), scope=_scope(request)
    )
    return _xlsx(exports.dashboard_workbook(overview), "supervision-dashboard")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _month(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    year, _dash, month = request.GET.get("month", "").partition("-")
    if not (year.isdigit() and month.isdigit()):
        return today.year, today.month
    if not (2000 <= int(year) <= today.year + 1 and 1 <= int(month) <= 12):
        return today.year, today.month
    return int(year), int(month)


def _tab_flags(user: User) -> dict[str, bool]:
    """Which of the supervision tabs the user sees besides items and dashboard."""
    return {
        "show_assessment": policies.can_assess(user),
        "show_clocks": policies.can_keep_profiles(user),
    }


def _refuse_unless_assessor(user: User) -> None:
    if not policies.can_assess(user):
        raise PermissionDenied


def _rule_form(rule: AssessmentRule, data: Any = None) -> AssessmentRuleForm:
    points = rule.grade_points or {}
    return AssessmentRuleForm(
        data,
        initial={
            "feedback_weight": rule.feedback_weight,
            "completion_weight": rule.completion_weight,
            "quality_weight": rule.quality_weight,
            "return_penalty": rule.return_penalty,
            "overdue_penalty": rule.overdue_penalty,
            "excellent": points.get("excellent", 100),
            "good": points.get("good", 85),
            "passed": points.get("pass", 70),
            "fail": points.get("fail", 0),
        },
    )


@login_required
def assessment(request: HttpRequest) -> HttpResponse:
    """The department responsibility assessment of a month: scores and ranking."""
    user = _user(request)
    _refuse_unless_assessor(user)
    year, month = _month(request)
    rows = department_scores(year=year, month=month, today=timezone.localdate())
    if request.GET.get("format") == "xlsx":
        title = _("Assessment %(year)s-%(month)02d") % {"year": year, "month": month}
        return _xlsx(
            exports.assessment_workbook(rows, title=title),
            f"assessment-{year}-{month:02d}",
        )
    rule = AssessmentRule.current()
    form = _rule_form(rule, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assessment_rule_set(
                    by=user,
                    feedback_weight=data["feedback_weight"],
                    completion_weight=data["completion_weight"],
                    quality_weight=data["quality_weight"],
                    return_penalty=data["return_penalty"],
                    overdue_penalty=data["overdue_penalty"],
                    grade_points={
                        "excellent": data["excellent"],
                        "good": data["good"],
                        "pass": data["passed"],
                        "fail": data["fail"],
                    },
                )
            except PermissionDeniedError as error:
                raise PermissionDenied from error
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The assessment's weights are saved."))
                return redirect(f"{request.path}?month={year}-{month:02d}")
    return render(
        request,
        "supervision/assessment.html",
        {
            "nav_active": "supervision",
            "rows": rows,
            "month": f"{year}-{month:02d}",
            "rule": rule,
            "form": form,
            "can_edit_rule": policies.is_office(user),
            **_tab_flags(user),
            "grades": Grade.choices,
        },
        status=status,
    )


# --- joint on-site supervision -----------------------------------------------------


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    """The on-site supervisions the user may see."""
    user = _user(request)
    inspections = selectors.inspection_list_for(viewer=user)
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/inspection_list.html",
        {
            "nav_active": "supervision",
            "page": page,
            "can_record": policies.is_office(user),
            **_tab_flags(user),
        },
    )


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    """Record an on-site supervision; its points are issued as sub-items."""
    user = _user(request)
    if not policies.is_office(user):
        raise PermissionDenied
    about = None
    item_id = request.GET.get("item") or request.POST.get("item")
    if str(item_id or "").isdigit():
        about = selectors.item_get_for(viewer=user, pk=int(str(item_id)))
    post = request.POST
    leaders = chosen_people(post.getlist("leader")) if post else [user]
    participants = chosen_people(post.getlist("participants")) if post else [user]
    departments = chosen_departments(post.getlist("departments")) if post else []
    people: dict[str, list[Any]] = {
        "leader": leaders,
        "participants": participants,
        "departments": departments,
    }
    initial: dict[str, Any] = {"held_on": timezone.localdate()}
    if about is not None:
        initial["title"] = _("On-site supervision of %(title)s") % {
            "title": about.title
        }
    form = InspectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not leaders:
                form.add_error(None, _("Choose who led the supervision."))
            else:
                data = form.cleaned_data
                try:
                    inspection = services.inspection_record(
                        by=user,
                        title=data["title"],
                        held_on=data["held_on"],
                        place=data["place"],
                        leader=leaders[0],
                        participants=participants,
                        departments=departments,
                        findings=data["findings"],
                        profile=data["profile"],
                        points=[
                            services.RectificationPoint(
                                text=text, department=department, deadline=deadline
                            )
                            for text, department, deadline in data["points"]
                        ],
                        item=about,
                        photos=request.FILES.getlist("photos"),
                    )
                except PermissionDeniedError as error:
                    raise PermissionDenied from error
                except DomainError as error:
                    add_domain_error(form, error)
                else:
                    messages.success(request, _("The on-site supervision is recorded."))
                    return redirect("supervision:inspection", pk=inspection.pk)
    return render(
        request,
        "supervision/inspection_form.html",
        {"nav_active": "supervision", "form": form, "people": people, "about": about},
        status=status,
    )


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    inspection = selectors.inspection_get_for(viewer=user, pk=pk)
    if inspection is None:
        raise Http404
    rule = light_rule()
    sub_items = list(
        selectors.items_from_source(source=inspection)
        .filter(pk__in=selectors.visible_items(viewer=user).values("pk"))
        .select_related("lead_department", "responsible")
        .annotate(light=rule.expression())
    )
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "nav_active": "supervision",
            "inspection": inspection,
            "sub_items": sub_items,
            "photos": list(inspection.photos.all()),
        },
    )


@login_required
@require_GET
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = InspectionPhoto.objects.filter(pk=pk).first()
    if (
        photo is None
        or selectors.inspection_get_for(viewer=_user(request), pk=photo.inspection_id)
        is None
    ):
        raise Http404
    return FileResponse(
        photo.file.open("rb"),
        as_attachment=False,
        filename=photo.original_name,
        content_type=photo.content_type,
    )


# --- clock profiles ---------------------------------------------------------------


@login_required
@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    if not policies.can_keep_profiles(_user(request)):
        raise PermissionDenied
    return render(
        request,
        "supervision/profile_list.html",
        {
            "nav_active": "supervision",
            "profiles": list(ClockProfile.objects.all()),
            **_tab_flags(_user(request)),
        },
    )


@login_required
def profile_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a clock profile: its nodes, threshold of yellow and ladder."""
    user = _user(request)
    if not policies.can_keep_profiles(user):
        raise PermissionDenied
    profile = None
    if pk is not None:
        profile = ClockProfile.objects.filter(pk=pk).first()
        if profile is None:
            raise Http404
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(profile))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_save(
                    by=user,
                    profile=profile,
                    code=data["code"],
                    name=data["name"],
                    description=data["description"],
                    day_basis=data["day_basis"],
                    yellow_days=data["yellow_days"],
                    nodes=form.nodes(profile),
                    ladder=form.ladder(),
                    is_active=data["is_active"],
                )
            except PermissionDeniedError as error:
                raise PermissionDenied from error
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The clock is saved."))
                return redirect("supervision:profiles")
    return render(
        request,
        "supervision/profile_form.html",
        {"nav_active": "supervision", "form": form, "profile": profile},
        status=status,
    )
