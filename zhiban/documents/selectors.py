"""Every read of documents with a rule in it: who sees which entry of the registers.

Visibility is decided once here (``documents_visible_q``), so the register pages,
the Excel export, the search and the API agree. A classified document is visible
only to a confidential clerk (机要员), whatever else the user may be.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast
from django.http import Http404

from zhiban.documents import policies
from zhiban.documents.models import (
    CIRCULATION_WORK_KIND,
    INCOMING_WORK_KIND,
    Circulation,
    CirculationReader,
    DistributionRecipient,
    Document,
    DocumentApproval,
    DocumentEvent,
    DocumentFile,
    DocumentNumber,
    DraftNote,
    DraftVersion,
    IncomingStep,
    NumberSeries,
    Stage,
)
from zhiban.documents.search import document_match
from zhiban.inbox.models import WorkItem
from zhiban.org.models import Department, Role


def documents_visible_q(user: Any) -> Q:
    """Return the condition on Document rows the user may see."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    condition = Q() if policies.sees_classified(user) else Q(secrecy_level="")
    if user.has_role(Role.SYSTEM_ADMIN):
        return condition
    if policies.sees_whole_register(user):
        # The unit alone, no "or registered by me": one condition the register
        # index (unit, direction, -created_at) serves, at 100,000 entries too.
        return condition & Q(unit_id=Subquery(_own_unit(user)[:1]))
    own = (
        Q(created_by=user)
        | Q(paper_holder=user)
        | Q(pk__in=_circulated_to(user))
        | Q(pk__in=_handled_by(user))
        | Q(pk__in=_in_approval_of(user))
        | Q(pk__in=DraftNote.objects.filter(assignee=user).values("document_id"))
    )
    if user.primary_department_id:
        own |= Q(department_id=user.primary_department_id)
    return condition & own


def _delegated_targets(user: Any, kind: str) -> QuerySet[WorkItem, Any]:
    # The objects of the work items someone delegated to the user (target ids are
    # stored as text, whatever the target's key).
    return WorkItem.objects.filter(
        assignee=user, kind=kind, on_behalf_of__isnull=False
    ).values(as_int=Cast("target_id", IntegerField()))


def _circulated_to(user: Any) -> QuerySet[CirculationReader, Any]:
    # A subquery: the documents of every round the user reads in (or read in),
    # themselves or for someone who delegated their reading to them.
    return CirculationReader.objects.filter(
        Q(reader=user)
        | Q(circulation_id__in=_delegated_targets(user, CIRCULATION_WORK_KIND))
    ).values("circulation__document_id")


def _handled_by(user: Any) -> QuerySet[IncomingStep, Any]:
    # A subquery: the documents whose handling gave (or gives) the user a step.
    return IncomingStep.objects.filter(
        Q(assignee=user) | Q(pk__in=_delegated_targets(user, INCOMING_WORK_KIND))
    ).values("document_id")


def _own_unit(user: Any) -> QuerySet[Department, Any]:
    # A subquery, not a join: the user's unit is their primary department's unit.
    return Department.objects.filter(pk=user.primary_department_id).values("unit_id")


@dataclass(frozen=True)
class RegisterFilters:
    """What a register list is narrowed to; every field optional."""

    direction: str = ""
    year: int | None = None
    document_type: str = ""
    urgency: str = ""
    state: str = ""
    text: str = ""


# What a list of register entries shows beside each entry.
_LIST_RELATED = ("department", "unit", "created_by")


def document_list_for(
    *, user: Any, filters: RegisterFilters | None = None
) -> QuerySet[Document]:
    """Return the register entries the user may see, narrowed by the filters."""
    filters = filters or RegisterFilters()
    documents = Document.objects.filter(documents_visible_q(user))
    if filters.direction:
        documents = documents.filter(direction=filters.direction)
    if filters.year:
        documents = documents.filter(
            Q(register_year=filters.year)
            | Q(register_year__isnull=True, created_at__year=filters.year)
        )
    if filters.document_type:
        documents = documents.filter(document_type=filters.document_type)
    if filters.urgency:
        documents = documents.filter(urgency=filters.urgency)
    if filters.state:
        documents = documents.filter(state=filters.state)
    # Full-text search in the same statement as the visibility: the database
    # counts and pages only what the user may see. A text with nothing
    # searchable in it (only punctuation) narrows nothing, like an empty one.
    match = document_match(filters.text)
    if match is not None:
        documents = documents.filter(match.filter())
    # The body can be long and no list shows it.
    return (
        documents.select_related(*_LIST_RELATED)
        .defer("body")
        .order_by("-created_at", "-id")
    )


def document_search_for(
    *, user: Any, query: str, filters: RegisterFilters | None = None
) -> QuerySet[Document]:
    """Return the documents the user may see that match the query, best first.

    The same entries as the register with this text (``document_list_for``), but
    those whose title, number or sender hold every word come first, then the
    others, newest first in each.
    """
    documents = document_list_for(
        user=user, filters=replace(filters or RegisterFilters(), text=query)
    )
    match = document_match(query)
    if match is None:
        return documents
    # Ranked, every match is sorted, not only a page: joined rows would be built
    # for each of them (four times slower at 60,000 matches on SQLite), so the
    # page's related rows come in one query each instead.
    return (
        documents.select_related(None)
        .prefetch_related(*_LIST_RELATED)
        .annotate(search_rank=match.rank())
        .order_by("search_rank", "-created_at", "-id")
    )


def document_get_for(*, user: Any, pk: int) -> Document:
    """Return one document the user may see, or raise Http404 (never say it exists)."""
    document = (
        Document.objects.filter(documents_visible_q(user), pk=pk)
        .select_related("department", "unit", "created_by", "paper_holder")
        .first()
    )
    if document is None:
        raise Http404
    return document


def document_trail(*, document: Document) -> list[DocumentEvent]:
    """Return the handling trail of a document, oldest first."""
    return list(document.events.select_related("actor"))


def document_files(*, document: Document) -> list[DocumentFile]:
    """Return the files of a document (none for a classified one)."""
    if document.is_classified:
        return []
    return list(document.files.select_related("uploaded_by"))


def document_numbers(*, document: Document) -> list[DocumentNumber]:
    """Return every number the document was given, the live one first."""
    return list(
        document.numbers.select_related("series", "voided_by", "allocated_by").order_by(
            "status", "-allocated_at"
        )
    )


def series_list_for(*, user: Any, active_only: bool = False) -> QuerySet[NumberSeries]:
    """Return the number series the user may use or administer."""
    series = NumberSeries.objects.select_related("unit")
    if active_only:
        series = series.filter(is_active=True)
    if user.has_role(Role.SYSTEM_ADMIN):
        return series
    return series.filter(unit_id__in=_own_unit(user))


def series_for_document(*, user: Any, document: Document) -> list[NumberSeries]:
    """Return the active series that may number this document."""
    return [
        s
        for s in series_list_for(user=user, active_only=True).filter(
            unit_id=document.unit_id
        )
        if s.accepts(document.document_type)
    ]


def series_with_counts(*, user: Any, year: int) -> QuerySet[NumberSeries]:
    """Return the series with this year's last number and voided count (one query)."""
    this_year = Q(numbers__year=year)
    return series_list_for(user=user).annotate(
        last_sequence=Max("numbers__sequence", filter=this_year),
        voided=Count(
            "numbers",
            filter=this_year & Q(numbers__status=DocumentNumber.Status.VOIDED),
        ),
    )


def document_circulations(*, document: Document) -> list[Circulation]:
    """Return the document's circulation rounds, newest first, with their readers."""
    return list(
        document.circulations.select_related(
            "started_by", "closed_by"
        ).prefetch_related(
            Prefetch(
                "readers",
                queryset=CirculationReader.objects.select_related("reader", "acted_by"),
            )
        )
    )


def circulation_reader_for(
    *, circulation: Circulation, user: Any
) -> CirculationReader | None:
    """Return the reader row the user acts for: their own, or a delegator's (代阅)."""
    own = circulation.readers.filter(reader=user).first()
    if own is not None:
        return own
    delegated = (
        WorkItem.objects.filter(
            kind=CIRCULATION_WORK_KIND,
            target_type=ContentType.objects.get_for_model(Circulation),
            target_id=str(circulation.pk),
            assignee=user,
            on_behalf_of__isnull=False,
        )
        .values_list("on_behalf_of_id", flat=True)
        .first()
    )
    if delegated is None:
        return None
    return circulation.readers.filter(reader_id=delegated).first()


def incoming_steps(*, document: Document) -> list[IncomingStep]:
    """Return the handling steps of an incoming document, oldest first."""
    return list(
        document.incoming_steps.select_related("assignee", "done_by", "department")
    )


def incoming_step_for(
    *, document: Document, user: Any, steps: list[IncomingStep]
) -> IncomingStep | None:
    """Return the open step the user may act on: theirs, a delegator's, the office's."""
    for step in steps:
        if step.assignee_id == user.pk:
            return step
    ids = [str(step.pk) for step in steps]
    delegated = set(
        WorkItem.objects.filter(
            kind=INCOMING_WORK_KIND,
            state=WorkItem.State.OPEN,
            assignee=user,
            target_id__in=ids,
        ).values_list("target_id", flat=True)
    )
    for step in steps:
        if str(step.pk) in delegated:
            return step
    office = (Stage.CHECK, Stage.PROPOSE, Stage.COMPLETE)
    if policies.can_keep_register(user):
        for step in steps:
            if step.stage in office:
                return step
    return None


# --- drafting and distribution ------------------------------------------------------


def draft_versions(*, document: Document) -> list[DraftVersion]:
    """Return a draft's versions, newest first, with their authors."""
    return list(document.versions.select_related("author", "file").order_by("-number"))


def document_approvals(*, document: Document) -> list[DocumentApproval]:
    """Return the submissions of a draft to the outgoing flow, newest first."""
    return list(
        document.approvals.select_related("instance", "version").order_by(
            "-submitted_at", "-id"
        )
    )


def document_recipients(*, document: Document) -> list[DistributionRecipient]:
    """Return every recipient the document was issued to, with its copy's stage."""
    return list(
        DistributionRecipient.objects.filter(source=document)
        .select_related("unit", "department", "signed_by", "recalled_by", "incoming")
        .order_by("distribution__created_at", "id")
    )


def recipient_of(*, document: Document) -> DistributionRecipient | None:
    """Return the distribution row a recipient's copy came from, if any."""
    return (
        DistributionRecipient.objects.filter(incoming=document)
        .select_related("source", "source__unit", "signed_by", "department")
        .first()
    )


def _in_approval_of(user: Any) -> QuerySet[DocumentApproval, Any]:
    # A subquery: the drafts whose approval the user holds (or held) a turn in.
    return DocumentApproval.objects.filter(
        Q(instance__tasks__assignee=user) | Q(instance__tasks__on_behalf_of=user)
    ).values("document_id")


def department_head_id(department: Department) -> int | None:
    """Return the id of the department's head, or None."""
    from zhiban.org.selectors import department_head_for

    head = department_head_for(department)
    return head.pk if head is not None else None


def draft_notes(*, document: Document) -> list[Any]:
    """Return the notes of the drafting loop, oldest first."""
    return list(
        document.draft_notes.select_related("version", "assignee", "created_by")
    )
