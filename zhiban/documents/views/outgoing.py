"""Drafting, approval, printing, issue and the recipients' sign-for (发文, 分发, 签收)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.documents import policies, selectors
from zhiban.documents.drafting_compare import compare_summary, compare_versions
from zhiban.documents.forms import (
    DraftForm,
    DraftNoteForm,
    IssueForm,
    PrintForm,
    RecallForm,
    ReviseForm,
    SubmitForm,
)
from zhiban.documents.models import (
    Direction,
    DistributionRecipient,
    Document,
    DraftVersion,
)
from zhiban.documents.services import distribution, drafting
from zhiban.documents.views._common import show_errors, user_of
from zhiban.workflow.services import instance_url


def outgoing_context(
    *,
    user: Any,
    document: Document,
    revise_form: ReviseForm | None = None,
    submit_form: SubmitForm | None = None,
    print_form: PrintForm | None = None,
    issue_form: IssueForm | None = None,
    recall_errors: dict[int, list[str]] | None = None,
    note_form: Any = None,
) -> dict[str, Any]:
    """Return what the document page shows of drafting and distribution."""
    recipient = selectors.recipient_of(document=document)
    context: dict[str, Any] = {"outgoing": None, "receipt": None}
    if recipient is not None:
        if distribution.receipt_mark_read(document=document, by=user):
            recipient.refresh_from_db()
        context["receipt"] = {
            "recipient": recipient,
            "can_sign": recipient.status == DistributionRecipient.Status.SENT
            and distribution.may_sign_for(recipient, user),
            "can_complete": recipient.department_id is not None
            and recipient.status
            in (DistributionRecipient.Status.SIGNED, DistributionRecipient.Status.READ)
            and recipient.department is not None
            and selectors.department_head_id(recipient.department) == user.pk,
        }
    if document.direction != Direction.OUTGOING or document.is_classified:
        return context
    versions = selectors.draft_versions(document=document)
    approvals = selectors.document_approvals(document=document)
    if not versions and not approvals:
        return context  # a register entry, not drafted here
    keeps = policies.keeps_register_of(user, document.unit_id)
    state = document.state
    may_revise = drafting.may_revise(document, user)
    context["outgoing"] = {
        "versions": versions,
        "approvals": [
            {"approval": a, "url": instance_url(a.instance)} for a in approvals
        ],
        "may_revise": may_revise,
        "revise_form": revise_form
        or (
            ReviseForm(initial={"title": document.title, "body": document.body})
            if may_revise
            else None
        ),
        "can_submit": state == Document.State.DRAFTING
        and document.created_by_id == user.pk,
        "submit_form": submit_form or SubmitForm(unit_id=document.unit_id),
        "can_print": keeps and state == Document.State.NUMBERED,
        "print_form": print_form or PrintForm(initial={"copies": document.copies}),
        "can_issue": keeps and state in (Document.State.PRINTED, Document.State.ISSUED),
        "issue_form": issue_form or IssueForm(unit_id=document.unit_id),
        "recipients": selectors.document_recipients(document=document),
        "can_recall": keeps,
        "recall_errors": recall_errors or {},
        "notes": selectors.draft_notes(document=document),
        "note_form": note_form or DraftNoteForm(versions=versions),
    }
    return context


def _detail(request: HttpRequest, document: Document, **forms: Any) -> HttpResponse:
    from zhiban.documents.views.entries import detail_page

    document.refresh_from_db()
    return detail_page(
        request,
        document,
        outgoing=outgoing_context(user=user_of(request), document=document, **forms),
        status=400,
    )


@login_required
def draft_create(request: HttpRequest) -> HttpResponse:
    """Start a draft: typed, from a template, or read from an uploaded .docx."""
    user = user_of(request)
    unit_id = user.primary_department.unit_id if user.primary_department else None
    form = DraftForm(request.POST or None, request.FILES or None, unit_id=unit_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("docx")
        try:
            document = drafting.draft_create(
                by=user,
                document_type=data["document_type"],
                title=data["title"],
                body=data["body"],
                main_recipients=data["main_recipients"],
                urgency=data["urgency"],
                template=data["template"],
                docx=upload.file if upload else None,
                docx_name=upload.name if upload else "",
            )
        except PermissionDeniedError as error:
            form.add_error(None, error)
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Draft saved as version 1."))
            return redirect("documents:detail", pk=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {
            "nav_active": "documents",
            "form": form,
            "templates": {
                str(t.pk): {
                    "type": t.document_type,
                    "title": t.title,
                    "recipients": t.main_recipients,
                    "body": t.body,
                }
                for t in form.fields["template"].queryset  # type: ignore[attr-defined]
            },
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def draft_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the next version of a draft."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = ReviseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        upload = data.get("docx")
        try:
            version = drafting.draft_revise(
                document=document,
                by=user,
                title=data["title"],
                body=data["body"],
                note=data["note"],
                docx=upload.file if upload else None,
                docx_name=upload.name if upload else "",
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request, _("Saved as version %(n)s.") % {"n": version.number}
            )
            return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, revise_form=form)


@login_required
@require_GET
def draft_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions of a draft side by side, the changed characters marked."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    versions = selectors.draft_versions(document=document)
    if not versions:
        return redirect("documents:detail", pk=document.pk)
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int) -> DraftVersion:
        raw = request.GET.get(name, "")
        return (
            by_number.get(int(raw) if raw.isdigit() else default) or by_number[default]
        )

    newest = versions[0].number
    right = pick("b", newest)
    left = pick("a", max(1, right.number - 1) if right.number > 1 else newest)
    rows = compare_versions(
        f"{left.title}\n{left.body}", f"{right.title}\n{right.body}"
    )
    return render(
        request,
        "documents/draft_compare.html",
        {
            "nav_active": "documents",
            "document": document,
            "versions": versions,
            "left": left,
            "right": right,
            "rows": rows,
            "summary": compare_summary(rows),
        },
    )


@login_required
@require_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft to the outgoing flow."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = SubmitForm(request.POST, unit_id=document.unit_id)
    if form.is_valid():
        try:
            approval = drafting.draft_submit(
                document=document,
                by=user,
                important=form.cleaned_data["important"],
                countersign_departments=form.cleaned_data["countersign_departments"],
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                _("Submitted for approval: %(number)s.")
                % {"number": approval.instance.serial},
            )
            return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, submit_form=form)


@login_required
@require_POST
def document_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the printing of a numbered document."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = PrintForm(request.POST)
    if form.is_valid():
        try:
            distribution.outgoing_print(
                document=document,
                by=user,
                copies=form.cleaned_data["copies"],
                printed_on=form.cleaned_data["printed_on"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Printing recorded."))
            return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, print_form=form)


@login_required
@require_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the printed document to units and departments."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    form = IssueForm(request.POST, unit_id=document.unit_id)
    if form.is_valid():
        try:
            sent = distribution.document_issue(
                document=document,
                by=user,
                units=form.cleaned_data["units"],
                departments=form.cleaned_data["departments"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            show_errors(form, error)
        else:
            messages.success(
                request,
                _("Issued to %(n)s recipients.") % {"n": sent.recipients.count()},
            )
            return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, issue_form=form)


@login_required
@require_POST
def distribution_recall(request: HttpRequest, pk: int) -> HttpResponse:
    """Recall the document from one recipient, with a reason."""
    user = user_of(request)
    recipient = get_object_or_404(
        DistributionRecipient.objects.select_related("source"), pk=pk
    )
    document = selectors.document_get_for(user=user, pk=recipient.source_id)
    form = RecallForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            distribution.distribution_recall(
                recipient=recipient, by=user, reason=form.cleaned_data["reason"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied from error
        except DomainError as error:
            errors = list(error.messages)
        else:
            messages.success(
                request, _("Recalled from %(name)s.") % {"name": recipient}
            )
            return redirect("documents:detail", pk=document.pk)
    else:
        errors = [str(e) for problems in form.errors.values() for e in problems]
    return _detail(request, document, recall_errors={recipient.pk: errors})


@login_required
@require_POST
def receipt_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign for a distributed document (签收)."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    try:
        distribution.receipt_sign(document=document, by=user)
    except DomainError as error:  # a permission refusal too: say why, change nothing
        messages.error(request, error.messages[0])
        return redirect("documents:detail", pk=document.pk)
    messages.success(request, _("Signed for."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def receipt_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """A department completes its copy (办结)."""
    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    note = request.POST.get("note", "")[:2000]
    try:
        distribution.receipt_complete(document=document, by=user, note=note)
    except DomainError as error:
        messages.error(request, error.messages[0])
        return redirect("documents:detail", pk=document.pk)
    messages.success(request, _("Completed."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def ready_to_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a finished document ready for the archive."""
    from zhiban.documents.services.filing import document_ready_to_file

    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    try:
        document_ready_to_file(document=document, by=user)
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Marked ready to file, with its papers."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def draft_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a note to the drafting loop."""
    from zhiban.documents.forms import DraftNoteForm
    from zhiban.documents.services.drafting_loop import draft_note_add as add
    from zhiban.org.views.picker import chosen_people

    user = user_of(request)
    document = selectors.document_get_for(user=user, pk=pk)
    versions = selectors.draft_versions(document=document)
    form = DraftNoteForm(request.POST, versions=versions)
    if form.is_valid():
        data = form.cleaned_data
        chosen = chosen_people(request.POST.getlist("assignee"))
        version = next((v for v in versions if v.number == data["version"]), None)
        try:
            add(
                document=document,
                by=user,
                kind=data["kind"],
                text=data["text"],
                version=version,
                held_on=data["held_on"],
                participants=data["participants"],
                assignee=chosen[0] if chosen else None,
                due_on=data["due_on"],
            )
        except DomainError as error:  # a permission refusal too: said on the form
            show_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect("documents:detail", pk=document.pk)
    return _detail(request, document, note_form=form)


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the result of a follow-up."""
    from zhiban.documents.forms import FollowUpResultForm
    from zhiban.documents.models import DraftNote
    from zhiban.documents.services.drafting_loop import follow_up_done as done

    user = user_of(request)
    note = get_object_or_404(DraftNote.objects.select_related("document"), pk=pk)
    document = selectors.document_get_for(user=user, pk=note.document_id)
    form = FollowUpResultForm(request.POST)
    if form.is_valid():
        try:
            done(note=note, by=user, result=form.cleaned_data["result"])
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Result recorded."))
    else:
        messages.error(request, _("Say what the result was."))
    return redirect("documents:detail", pk=document.pk)
