"""Full-text search over any kind of object: one small interface, two backends.

``index(kind, object_id, heading=..., body=...)`` puts an object's text into the
index (again, after a change), ``remove(kind, object_id)`` takes it out, and
``search(kind, query)`` returns a ``Match``. A match is not a list of ids: its
``object_ids()`` is a subquery and its ``rank()`` an expression for the caller's
own queryset, so the caller's visibility rules apply in the same SQL statement and
the database counts, orders and limits after them.

Terms, not words. Chinese has no spaces, and any word of two or more characters
that occurs in a text must find it, however a segmenter would have cut the text.
So the index holds terms: every pair of neighbouring characters (bigram), every
word of letters or digits, every such word joined with its neighbouring character
("5号", "2026年"), and the last character of each run, so that a one-character
query can look for terms that begin with it. A query word is found when all its
bigrams are in the text. jieba cuts the query, never the text: "煤矿隐患整改"
becomes the words 煤矿, 隐患 and 整改, each of which must occur somewhere, not the
exact phrase. (Segmenting the text as well would add no recall: jieba cuts a text
differently in different sentences, so a query could not rely on its words being
there; it would only make indexing ten times slower.)

Terms are kept without positions: a word of three or more characters is matched
by all its bigrams anywhere in the text, which for Chinese is almost always the
word itself, and it lets PostgreSQL answer from its GIN index without reading the
rows again. Every query is a plain AND of terms; nothing the user types is query
syntax, so quotes, stars, brackets, AND and NEAR are text like any other.

Each kind has its own table, keyed by the object's id, so a match is the table's
ids with no mapping in between (``create_statements``; a migration creates the
table of each kind: the core one for documents). By database:

- SQLite: the FTS5 table ``core_search_<kind>(heading, body)``, rowid = the
  object's id, ``detail=column`` (which column a term is in, not where), the
  ``ascii`` tokenizer over the space-separated terms, queried with MATCH.
- PostgreSQL: the table ``core_search_<kind>(object_id, heading, terms)`` with
  tsvectors built from the terms by ``array_to_tsvector`` (``terms``: heading and
  body) and GIN indexes, queried with ``@@`` a tsquery cast from the terms, so no
  text search parser or dictionary ever changes a term.

Ranking, for callers that want it (``Match.rank()``): an object whose heading
(the short fields that name it: title, number, sender) holds every term comes
first, then the others; the caller orders each group. Scoring every match (bm25,
ts_rank) was left out: a common word matches most documents, and scoring them all
is what makes a search slow, not finding them. Even this rank sorts every match,
so the document registers list their matches newest first (the index order) and
only ``document_search_for`` ranks.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler

# Han ideographs: the zero (U+3007), the unified block, extension A, compatibility ideographs and the
# supplementary planes (extensions B and later).
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A segment is a run of letters, digits and ideographs; anything else separates.
_SEGMENT = re.compile(r"[^\W_]+")
_HAN_RUN = re.compile(f"[{_HAN}]+")
# Inside a mixed segment: one ideograph, or a word of other letters and digits.
_UNIT = re.compile(f"[{_HAN}]|[^\\W_{_HAN}]+")

# A word longer than this (a hash, a pasted blob) is not a term.
MAX_WORD_LENGTH = 60
# Terms kept per object: the first ones of the text. PostgreSQL refuses a tsvector
# over 1 MB, and at about ten bytes a term this stays well below it.
MAX_TERMS = 60_000
# Terms taken from one query; the register's search box allows 100 characters.
MAX_QUERY_TERMS = 40

# Kinds are plain names: they become table names.
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")


# --- terms ------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A term of a query: the exact term, or any term that begins with it."""

    text: str
    prefix: bool = False


def _normalise(text: str) -> str:
    # Full-width letters and digits become ASCII ones, capitals small ones.
    return unicodedata.normalize("NFKC", text).lower()


def _is_han(unit: str) -> bool:
    return _HAN_RUN.match(unit) is not None


def _units(segment: str) -> list[str]:
    """Cut a segment into ideographs and words; an overlong word becomes ''."""
    if _HAN_RUN.fullmatch(segment):
        return list(segment)
    return [u if len(u) <= MAX_WORD_LENGTH else "" for u in _UNIT.findall(segment)]


def _pairs(units: list[str]) -> Iterator[str]:
    for first, second in itertools.pairwise(units):
        if first and second:
            yield first + second


def text_terms(text: str) -> list[str]:
    """Return the index terms of a text, each once, in the order they first occur."""
    terms: dict[str, None] = {}
    for segment in _SEGMENT.findall(_normalise(text)):
        if len(terms) >= MAX_TERMS:
            break
        if _HAN_RUN.fullmatch(segment):  # the common case, done with slices
            terms.update(
                dict.fromkeys(segment[i : i + 2] for i in range(len(segment) - 1))
            )
            terms[segment[-1]] = None
            continue
        units = _units(segment)
        # A word of letters or digits stands alone, and joins its neighbours.
        terms.update(dict.fromkeys(u for u in units if u and not _is_han(u)))
        terms.update(dict.fromkeys(_pairs(units)))
        if units[-1] and _is_han(units[-1]):
            terms[units[-1]] = None
    return list(terms)[:MAX_TERMS]


def query_terms(query: str) -> list[Term]:
    """Return the terms every match must hold; none when nothing is searchable."""
    terms: dict[Term, None] = {}
    for segment in _SEGMENT.findall(_normalise(query)):
        units = _units(segment)
        if len(units) == 1:
            if units[0]:
                # One ideograph: any term that begins with it (see text_terms).
                terms[Term(units[0], prefix=_is_han(units[0]))] = None
        elif _HAN_RUN.fullmatch(segment):
            for word in _words(segment):
                terms.update(dict.fromkeys(Term(p) for p in _pairs(list(word))))
        else:
            terms.update(dict.fromkeys(Term(p) for p in _pairs(units)))
    return list(terms)[:MAX_QUERY_TERMS]


def _words(run: str) -> list[str]:
    """Cut a run of ideographs into words of two or more characters (jieba).

    A single character jieba leaves alone joins the next word (the last one joins
    the one before), and neighbouring single characters make a word together
    (豫/政/办 → 豫政办): every word stays a piece of the query, so a text that
    holds the query as typed holds every word.
    """
    words: list[str] = []
    pending = ""
    for piece in _segmenter().cut(run, HMM=False):
        if len(piece) == 1:
            pending += piece
            continue
        if len(pending) == 1:
            piece = pending + piece
        elif pending:
            words.append(pending)
        pending = ""
        words.append(piece)
    if len(pending) == 1 and words:
        words[-1] += pending
    elif pending:
        words.append(pending)
    return words


@functools.cache
def _segmenter() -> Any:
    """Return jieba's segmenter, its dictionary loaded (once per process, ~1 s).

    jieba ships its dictionary and downloads nothing. It keeps a parsed copy in
    DATA_DIR/jieba so later processes load in a fraction of the time, and its
    loading messages stay out of the logs.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cache = Path(settings.DATA_DIR) / "jieba"
    cache.mkdir(parents=True, exist_ok=True)
    segmenter = jieba.Tokenizer()
    segmenter.tmp_dir = str(cache)
    segmenter.initialize()
    return segmenter


# --- the interface ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchText:
    """What one object puts into the index."""

    object_id: int
    heading: str
    body: str = ""


@dataclass(frozen=True)
class Match:
    """A query over one kind of object, to filter and order the caller's queryset."""

    kind: str
    terms: tuple[Term, ...]

    def object_ids(self) -> RawSQL:
        """Return a subquery of the ids of every object that matches."""
        return _backend().object_ids(self, heading_only=False)

    def heading_object_ids(self) -> RawSQL:
        """Return a subquery of the ids of the objects whose heading matches."""
        return _backend().object_ids(self, heading_only=True)

    def filter(self, field: str = "pk") -> Q:
        """Return the condition that keeps the matching objects."""
        return Q(_In(field, self.object_ids()))

    def rank(self, field: str = "pk") -> Case:
        """Return 0 for an object whose heading matches, 1 for the others."""
        return Case(
            When(_In(field, self.heading_object_ids()), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )


class _In(Expression):
    """``field IN (ids)``, which PostgreSQL must not turn into a join.

    As a join, PostgreSQL plans from a guessed 200 distinct ids, loops over them
    and looks up each document: 0.9 s for 66,000 matches. Kept a condition, it
    hashes the ids once and checks every row it reads anyway.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, ids: RawSQL) -> None:
        super().__init__()
        self.lhs: Any = F(field)
        self.ids = ids

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs, self.ids]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.lhs, self.ids = exprs

    def as_sql(
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = compiler.compile(self.lhs)
        ids, ids_params = compiler.compile(self.ids)  # already in brackets
        return f"{lhs} IN {ids}", (*lhs_params, *ids_params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = self.as_sql(compiler, connection)
        return f"({sql}) IS TRUE", params


def search(kind: str, query: str) -> Match | None:
    """Return the match for a query, or None when it holds nothing to search for."""
    _table(kind)
    terms = query_terms(query)
    if not terms:
        return None
    return Match(kind=kind, terms=tuple(terms))


def index(kind: str, object_id: int, *, heading: str, body: str = "") -> None:
    """Put an object's text into the index, replacing what it had there."""
    index_many(kind, [SearchText(object_id, heading, body)])


def index_many(kind: str, texts: Iterable[SearchText]) -> int:
    """Put many objects' texts into the index; return how many (for rebuilds)."""
    rows = {t.object_id: (text_terms(t.heading), text_terms(t.body)) for t in texts}
    if rows:
        _backend().write(_table(kind), rows)
    return len(rows)


def remove(kind: str, object_id: int) -> None:
    """Take an object out of the index."""
    _backend().delete(_table(kind), [object_id])


def retain(kind: str, object_ids: QuerySet[Any, Any]) -> None:
    """Take out every object of a kind whose id the subquery does not give."""
    sql, params = object_ids.query.sql_with_params()
    _backend().retain(_table(kind), sql, params)


def clear(kind: str) -> None:
    """Take every object of a kind out of the index (before a rebuild)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(kind)}")  # noqa: S608 - a checked name


def optimize(kind: str) -> None:
    """Tidy a kind's index after a large rebuild (merge segments, statistics)."""
    _backend().optimize(_table(kind))


def create_statements(kind: str, vendor: str) -> list[str]:
    """Return the SQL that creates a kind's table on the database (for migrations)."""
    table = _table(kind)
    if vendor == "sqlite":
        # detail=column: which column a term is in (the heading ranks first), not
        # where; columnsize=0: no bm25, so no per-row sizes. The text is terms
        # separated by spaces, so the ascii tokenizer only splits at the spaces.
        return [
            f"CREATE VIRTUAL TABLE {table} USING fts5(heading, body, "
            "detail=column, columnsize=0, tokenize='ascii')"
        ]
    if vendor == "postgresql":
        # The planner costs a sequential scan by the table's own pages, but the
        # terms live in TOAST: reading them all for a common word took 0.5 s at
        # 100,000 documents, the GIN index 25 ms. So the matches come from two
        # functions that may only use the index (and are never inlined); their
        # ROWS estimate makes the caller hash them rather than loop over them.
        # A short pending list keeps the index fast between vacuums.
        statements = [
            f"CREATE TABLE {table} (object_id bigint PRIMARY KEY, "
            "heading tsvector NOT NULL, terms tsvector NOT NULL)",
        ]
        for column in ("heading", "terms"):
            statements += [
                f"CREATE INDEX {table}_{column} ON {table} USING gin ({column}) "
                "WITH (gin_pending_list_limit = 512)",
                f"CREATE FUNCTION {table}_{column}(query tsquery) "  # noqa: S608
                "RETURNS SETOF bigint LANGUAGE sql STABLE ROWS 20000 "
                "SET enable_seqscan = off "
                f"AS 'SELECT object_id FROM {table} WHERE {column} @@ query'",
            ]
        return statements
    return []


def drop_statements(kind: str, vendor: str) -> list[str]:
    """Return the SQL that drops a kind's table (for migrations)."""
    table = _table(kind)
    if vendor == "postgresql":
        return [
            f"DROP FUNCTION IF EXISTS {table}_heading(tsquery)",
            f"DROP FUNCTION IF EXISTS {table}_terms(tsquery)",
            f"DROP TABLE IF EXISTS {table}",
        ]
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {table}"]
    return []


def _table(kind: str) -> str:
    if not _KIND.fullmatch(kind):
        raise ValueError(f"Not a search kind: {kind!r}")
    return f"core_search_{kind}"


# --- backends ---------------------------------------------------------------------

Rows = dict[int, tuple[list[str], list[str]]]


class _SQLite:
    def write(self, table: str, rows: Rows) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {table} WHERE rowid = %s",  # noqa: S608 - a checked name
                [(i,) for i in rows],
            )
            cursor.executemany(
                f"INSERT INTO {table} (rowid, heading, body) VALUES (%s, %s, %s)",  # noqa: S608
                [
                    (i, " ".join(heading), " ".join(body))
                    for i, (heading, body) in rows.items()
                ],
            )

    def delete(self, table: str, object_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {table} WHERE rowid = %s",  # noqa: S608
                [(i,) for i in object_ids],
            )

    def retain(self, table: str, sql: str, params: Sequence[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE rowid NOT IN ({sql})",  # noqa: S608
                params,
            )

    def object_ids(self, match: Match, *, heading_only: bool) -> RawSQL:
        expression = " AND ".join(
            '"{}"{}'.format(t.text.replace('"', '""'), " *" if t.prefix else "")
            for t in match.terms
        )
        if heading_only:
            expression = f"{{heading}} : ({expression})"
        table = _table(match.kind)
        # The expression travels as a parameter; only the checked name is spliced.
        return RawSQL(  # noqa: S611
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s",  # noqa: S608
            (expression,),
        )

    def optimize(self, table: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608


class _PostgreSQL:
    def write(self, table: str, rows: Rows) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (object_id, heading, terms) "  # noqa: S608
                "VALUES (%s, array_to_tsvector(%s::text[]), "
                "array_to_tsvector(%s::text[])) "
                "ON CONFLICT (object_id) DO UPDATE "
                "SET heading = EXCLUDED.heading, terms = EXCLUDED.terms",
                [
                    (i, heading, list(dict.fromkeys(heading + body)))
                    for i, (heading, body) in rows.items()
                ],
            )

    def delete(self, table: str, object_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE object_id = ANY(%s)",  # noqa: S608
                (list(object_ids),),
            )

    def retain(self, table: str, sql: str, params: Sequence[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE object_id NOT IN ({sql})",  # noqa: S608
                params,
            )

    def object_ids(self, match: Match, *, heading_only: bool) -> RawSQL:
        # A tsquery cast from text takes the terms as they are: no parser, no
        # dictionary. Terms hold only letters and digits; quote them all the same.
        query = " & ".join(
            "'{}'{}".format(
                t.text.replace("\\", "\\\\").replace("'", "''"),
                ":*" if t.prefix else "",
            )
            for t in match.terms
        )
        function = f"{_table(match.kind)}_{'heading' if heading_only else 'terms'}"
        return RawSQL(  # noqa: S611 - the query is a parameter
            f"SELECT * FROM {function}(%s::tsquery)",  # noqa: S608
            (query,),
        )

    def optimize(self, table: str) -> None:
        with connection.cursor() as cursor:
            # Merge what the GIN indexes hold back (a vacuum would do it later).
            cursor.execute(
                f"SELECT gin_clean_pending_list('{table}_heading'::regclass), "
                f"gin_clean_pending_list('{table}_terms'::regclass)"
            )
            cursor.execute(f"ANALYZE {table}")


def _backend() -> _SQLite | _PostgreSQL:
    if connection.vendor == "sqlite":
        return _SQLite()
    if connection.vendor == "postgresql":
        return _PostgreSQL()
    raise ImproperlyConfigured(f"No search backend for {connection.vendor}.")
