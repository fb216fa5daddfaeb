"""Statements written once, read into model instances exactly as the ORM reads them.

On the busiest paths (every approval, the signed-in user of every page) building and
compiling a queryset cost several times running it: a primary-key read of a user took
0.5 ms through ``filter().first()`` with its ordering and ``select_related``, 0.1 ms as a
statement written out (bench/README.md). ``fetch`` runs such a statement and gives back
model instances converted by the backend's and the fields' own converters, the ones the
ORM applies, so callers keep working with models. Statements take their table and column
names from the models (``select_list``, ``table``), so a renamed column cannot drift, and
every value is a query parameter.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

type Converters = list[tuple[int, list[Any], Any]]

_CONVERTERS: weakref.WeakKeyDictionary[
    BaseDatabaseWrapper, dict[type[Model], Converters]
] = weakref.WeakKeyDictionary()


def table(model: type[Model], using: str = "default") -> str:
    """Return the model's table name, quoted."""
    return connections[using].ops.quote_name(model._meta.db_table)


def field(model: type[Model], name: str) -> Field[Any, Any]:
    """Return the model's concrete field by its name or attribute name (``actor_id``)."""
    found = model._meta.get_field(name)
    if not isinstance(found, Field) or not found.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return found


def column(model: type[Model], name: str, using: str = "default") -> str:
    """Return the column of the model's field (name or attribute name), quoted."""
    return connections[using].ops.quote_name(str(field(model, name).column))


def select_list(model: type[Model], alias: str, using: str = "default") -> str:
    """Return every concrete column of the model as ``alias."column"``, in field order."""
    quote = connections[using].ops.quote_name
    return ", ".join(
        f"{alias}.{quote(str(field.column))}" for field in model._meta.concrete_fields
    )


def _converters(model: type[Model], connection: BaseDatabaseWrapper) -> Converters:
    """Return (position, converters, column) for the model's columns that need any."""
    known = _CONVERTERS.setdefault(connection, {})
    if model not in known:
        known[model] = _column_converters(model._meta.concrete_fields, connection)
    return known[model]


def _column_converters(
    fields: Sequence[Field[Any, Any] | None], connection: BaseDatabaseWrapper
) -> Converters:
    found: Converters = []
    for position, field in enumerate(fields):
        if field is None:
            continue
        column = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(
            column
        ) + column.get_db_converters(connection)
        if converters:
            found.append((position, converters, column))
    return found


def values(
    sql: str,
    params: Sequence[Any],
    fields: Sequence[Field[Any, Any] | None],
    using: str = "default",
) -> list[list[Any]]:
    """Run a statement and return its rows as lists, each column converted as its field.

    ``fields``: the model field each column reads, in order (None: taken as it comes,
    for a text or number the database gives as Python expects).
    """
    connection = connections[using]
    converters = _column_converters(fields, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        records = cursor.fetchall()
    return [_converted(list(record), converters, connection) for record in records]


def _converted(
    row: list[Any], converters: Converters, connection: BaseDatabaseWrapper
) -> list[Any]:
    """Convert the row's values in place, as the ORM's compiler does; return it."""
    for position, functions, column in converters:
        value = row[position]
        for function in functions:
            value = function(value, column, connection)
        row[position] = value
    return row


def fetch(
    sql: str,
    params: Sequence[Any],
    models: Sequence[type[Model]],
    using: str = "default",
) -> list[tuple[Any, ...]]:
    """Run a statement whose columns are ``select_list`` of each model, in turn.

    Returns one tuple of model instances per row, in the models' order; a model whose
    primary key is NULL in a row (the far side of an outer join) gives None.
    """
    connection = connections[using]
    layout = []
    start = 0
    for model in models:
        names = [field.attname for field in model._meta.concrete_fields]
        pk_at = names.index(model._meta.pk.attname)
        converters = _converters(model, connection)
        layout.append((model, start, start + len(names), converters, names, pk_at))
        start += len(names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        records = cursor.fetchall()
    found = []
    for record in records:
        objects: list[Any] = []
        for model, first, last, converters, names, pk_at in layout:
            values = list(record[first:last])
            if values[pk_at] is None:
                objects.append(None)
                continue
            _converted(values, converters, connection)
            objects.append(model.from_db(using, names, values))
        found.append(tuple(objects))
    return found
