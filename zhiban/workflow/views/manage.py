"""Pages of flow administration: the list of flows, settings, copies and versions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhiban.org.forms import BootstrapMixin, saved_through
from zhiban.org.models import Department, Role, User
from zhiban.workflow import policies, selectors, services
from zhiban.workflow.engine import CcTiming
from zhiban.workflow.kinds import kind_choices
from zhiban.workflow.models import FlowDefinition

type View = Callable[..., HttpResponse]


def designer_required(view: View) -> View:
    """Let only flow designers in (403 for everyone else signed in)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policies.can_design_flows(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def current_user(request: HttpRequest) -> User:
    """Return the signed-in user."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran
    return user


def flow_or_404(request: HttpRequest, code: str) -> FlowDefinition:
    """Return the flow the designer asked for, or raise 404."""
    flow = selectors.flow_get_for(user=current_user(request), code=code)
    if flow is None:
        raise Http404
    return flow


class FlowCreateForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("code"),
        max_length=64,
        help_text=gettext_lazy("Letters, digits and hyphens, e.g. seal-use."),
    )
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=())
    group = forms.CharField(
        label=gettext_lazy("group on the apply page"), max_length=50, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101 - declared above
        kind.choices = [(code, str(label)) for code, label in kind_choices()]


class FlowCopyForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(label=gettext_lazy("code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)


CC_KINDS = (
    ("", gettext_lazy("Nobody")),
    ("department_head", gettext_lazy("Head of the initiator's department")),
    ("overseeing_leader", gettext_lazy("Overseeing leader")),
    ("role", gettext_lazy("A role in the initiator's unit")),
)


class FlowSettingsForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    group = forms.CharField(
        label=gettext_lazy("group on the apply page"), max_length=50, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    startable = forms.BooleanField(
        label=gettext_lazy("people start it on the apply page"), required=False
    )
    starter_departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("who may start it"),
        queryset=Department.objects.filter(is_active=True).order_by("sort_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Empty: everyone. Departments include those below."),
    )
    cc_kind = forms.ChoiceField(
        label=gettext_lazy("CC the flow to"), choices=CC_KINDS, required=False
    )
    cc_role = forms.ChoiceField(
        label=gettext_lazy("CC role"),
        choices=[("", "—"), *Role.choices],
        required=False,
    )
    cc_timing = forms.ChoiceField(
        label=gettext_lazy("CC when"),
        choices=(
            (CcTiming.SUBMISSION.value, gettext_lazy("At submission")),
            (CcTiming.COMPLETION.value, gettext_lazy("At completion")),
            (CcTiming.BOTH.value, gettext_lazy("Both")),
        ),
    )
    allow_withdraw_after_action = forms.BooleanField(
        label=gettext_lazy("The initiator may withdraw after someone has acted"),
        required=False,
    )
    allow_revoke = forms.BooleanField(
        label=gettext_lazy("An approved request may be revoked"), required=False
    )
    urge_interval_seconds = forms.IntegerField(
        label=gettext_lazy("Minimum seconds between urges"), min_value=0
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cc_kind") == "role" and not data.get("cc_role"):
            self.add_error("cc_role", _("Choose the role to CC."))
        return data


def _settings_initial(flow: FlowDefinition) -> dict[str, Any]:
    body = services.flow_draft_of(definition=flow)["definition"]
    cc = body.get("cc") or {}
    return {
        "name": flow.name,
        "group": flow.group,
        "description": flow.description,
        "startable": flow.startable,
        "starter_departments": list(flow.starter_departments.all()),
        "cc_kind": cc.get("kind", ""),
        "cc_role": cc.get("role", ""),
        "cc_timing": body.get("cc_timing", CcTiming.COMPLETION.value),
        "allow_withdraw_after_action": body.get("allow_withdraw_after_action", False),
        "allow_revoke": body.get("allow_revoke", False),
        "urge_interval_seconds": body.get("urge_interval_seconds", 600),
    }


def _save_settings(request: HttpRequest, flow: FlowDefinition) -> Callable[..., Any]:
    def save(data: dict[str, Any]) -> object:
        cc_kind = data.pop("cc_kind") or ""
        cc_role = data.pop("cc_role") or ""
        cc: dict[str, Any] | None = None
        if cc_kind:
            cc = {"kind": cc_kind}
            if cc_kind == "role":
                cc["role"] = cc_role
        return services.flow_settings_save(
            definition=flow, by=current_user(request), cc=cc, **data
        )

    return save


@designer_required
@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    """List every flow with its kind, latest version, draft state and running count."""
    kinds = dict(kind_choices())
    flows = []
    for flow in selectors.flow_list_for(user=current_user(request)):
        published = flow.__dict__.get("latest_published_at")
        flows.append(
            {
                "flow": flow,
                "kind_label": kinds.get(flow.kind, flow.kind),
                "draft_changed": bool(
                    flow.draft_updated_at
                    and (published is None or flow.draft_updated_at > published)
                ),
            }
        )
    context = {
        "nav_active": "flows",
        "flows": flows,
        "create_form": FlowCreateForm(),
    }
    return render(request, "workflow/manage/flow_list.html", context)


@designer_required
def flow_create(request: HttpRequest) -> HttpResponse:
    """Create a flow and open its designer."""
    form = FlowCreateForm(request.POST or None)
    created: list[FlowDefinition] = []
    if request.method == "POST" and saved_through(
        request,
        form,
        lambda data: created.append(
            services.flow_create(by=current_user(request), **data)
        ),
        _("The flow was created. Design its approval steps below."),
    ):
        return redirect("workflow:flow_design", code=created[0].code)
    context = {"nav_active": "flows", "form": form}
    return render(request, "workflow/manage/flow_create.html", context)


@designer_required
def flow_copy(request: HttpRequest, code: str) -> HttpResponse:
    """Copy a flow (draft or latest version, kind and form) into a new flow."""
    source = flow_or_404(request, code)
    form = FlowCopyForm(
        request.POST or None,
        initial={"code": f"{source.code}-copy", "name": source.name},
    )
    created: list[FlowDefinition] = []
    if request.method == "POST" and saved_through(
        request,
        form,
        lambda data: created.append(
            services.flow_copy(source=source, by=current_user(request), **data)
        ),
        _("The flow was copied. It is not published yet."),
    ):
        return redirect("workflow:flow_settings", code=created[0].code)
    context = {"nav_active": "flows", "form": form, "flow": source}
    return render(request, "workflow/manage/flow_copy.html", context)


@designer_required
@require_POST
def flow_active(request: HttpRequest, code: str) -> HttpResponse:
    """Turn a flow on or off for new requests."""
    flow = flow_or_404(request, code)
    active = request.POST.get("active") == "1"
    services.flow_set_active(definition=flow, active=active, by=current_user(request))
    messages.success(
        request,
        _("The flow “%(name)s” was activated.") % {"name": flow.name}
        if active
        else _("The flow “%(name)s” was deactivated.") % {"name": flow.name},
    )
    return redirect("workflow:flow_list")


@designer_required
def flow_settings(request: HttpRequest, code: str) -> HttpResponse:
    """Show and save a flow's settings."""
    flow = flow_or_404(request, code)
    form = FlowSettingsForm(request.POST or None, initial=_settings_initial(flow))
    if request.method == "POST" and saved_through(
        request, form, _save_settings(request, flow), _("Settings saved.")
    ):
        return redirect("workflow:flow_settings", code=flow.code)
    context = {"nav_active": "flows", "flow": flow, "form": form, "tab": "settings"}
    return render(request, "workflow/manage/flow_settings.html", context)


@designer_required
@require_GET
def flow_versions(request: HttpRequest, code: str) -> HttpResponse:
    """List a flow's published versions."""
    flow = flow_or_404(request, code)
    context = {
        "nav_active": "flows",
        "flow": flow,
        "versions": list(selectors.flow_versions_for(definition=flow)),
        "tab": "versions",
    }
    return render(request, "workflow/manage/flow_versions.html", context)
