"""The documents in the full-text search index (``zhiban.core.search``).

The heading is what names a register entry: title, document number, sender; a
match there ranks first. The body side holds the main recipients and the body
text. A classified document has no body (the database refuses one); it is never
indexed all the same, whatever a future field may hold.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from zhiban.core import search
from zhiban.documents.models import Document

KIND = "document"
# Only what the index needs: a rebuild never loads a whole row.
INDEXED_FIELDS = (
    "title",
    "document_number",
    "sender",
    "main_recipients",
    "body",
    "secrecy_level",
)


def document_search_text(document: Document) -> search.SearchText:
    """Return what the index holds for a document."""
    heading = "\n".join((document.title, document.document_number, document.sender))
    parts = [document.main_recipients]
    if not document.is_classified:
        parts.append(document.body)
    return search.SearchText(document.pk, heading, "\n".join(parts))


def document_index(document: Document) -> None:
    """Put a document's current text into the search index (in the caller's transaction)."""
    text = document_search_text(document)
    search.index(KIND, text.object_id, heading=text.heading, body=text.body)


def document_match(query: str) -> search.Match | None:
    """Return the search match for a query, or None when there is nothing to search."""
    return search.search(KIND, query)


def documents_reindex(*, batch_size: int = 1000, clear: bool = False) -> Iterator[int]:
    """Index every document again in batches of ids; yield the count after each.

    Each batch is its own transaction, so the registers stay searchable while it
    runs (unless ``clear`` empties the index first: faster for a first build).
    Entries of documents that no longer exist are taken out at the end.
    """
    if clear:
        with transaction.atomic():
            search.clear(KIND)
    documents = Document.objects.only("pk", *INDEXED_FIELDS).order_by("pk")
    last, done = 0, 0
    while batch := list(documents.filter(pk__gt=last)[:batch_size]):
        with transaction.atomic():
            done += search.index_many(KIND, map(document_search_text, batch))
        last = batch[-1].pk
        yield done
    # A document that is gone leaves the index.
    search.retain(KIND, Document.objects.order_by().values("pk"))
    search.optimize(KIND)
