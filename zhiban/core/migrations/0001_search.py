"""The full-text search index of documents (zhiban.core.search): an FTS5 table on
SQLite, a table of tsvectors with GIN indexes on PostgreSQL. The index is derived
data: ``manage.py documents_reindex`` fills it again from the documents."""

from django.db import migrations

from zhiban.core import search


def _run(statements):
    def run(apps, schema_editor):
        for statement in statements("document", schema_editor.connection.vendor):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.RunPython(
            _run(search.create_statements), _run(search.drop_statements)
        ),
    ]
