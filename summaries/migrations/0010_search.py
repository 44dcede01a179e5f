"""Full-text search of live summaries (see summaries/search.py).

PostgreSQL: a weighted ``search_vector`` on each version with a GIN index. SQLite: the
FTS5 table ``summary_fts`` (Porter stemming), whose ``rank`` is bm25 with column weights.
Each engine's structure is created only on its own database; the model state knows only
the column and the unmanaged ``SearchEntry``. Live versions already published are indexed.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


FTS5_TABLE = (
    "CREATE VIRTUAL TABLE summary_fts USING fts5("
    "title, standfirst, taxonomy, body, "
    # No diacritics folding: PostgreSQL's english configuration does not fold them either,
    # and both databases must give the same answers.
    "tokenize = 'porter unicode61 remove_diacritics 0')"
)
FTS5_RANK = "bm25(10.0, 4.0, 4.0, 1.0)"  # title, standfirst, taxonomy, body


def create_engine_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX summaryversion_search_gin ON summaries_summaryversion "
            "USING gin (search_vector)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(FTS5_TABLE)
        schema_editor.execute(
            "INSERT INTO summary_fts (summary_fts, rank) VALUES ('rank', %s)", [FTS5_RANK]
        )


def drop_engine_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS summaryversion_search_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS summary_fts")


def index_live_versions(apps, schema_editor):
    # The index is now built by 0018, once every table the current indexing code keeps
    # (the live words too) exists; a database that applied this earlier was indexed here.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('summaries', '0009_publiccontent'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('version', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_entry', serialize=False, to='summaries.summaryversion')),
                ('title', models.TextField()),
                ('standfirst', models.TextField()),
                ('taxonomy', models.TextField()),
                ('body', models.TextField()),
                ('document', models.TextField(db_column='summary_fts')),
                ('rank', models.FloatField(db_column='rank')),
            ],
            options={
                'db_table': 'summary_fts',
                'managed': False,
            },
        ),
        migrations.AddField(
            model_name='summaryversion',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search index'),
        ),
        migrations.RunPython(create_engine_structures, drop_engine_structures),
        migrations.RunPython(index_live_versions, migrations.RunPython.noop),
    ]
