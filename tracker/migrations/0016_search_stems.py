# Recommendation.search_text also holds the names of the recommendation's themes and the Snowball
# stems of every word (tracker.text.search_document); the values of existing rows are recomputed.

from django.db import migrations, models

import tracker.models.fields
from tracker.text import search_document, search_form

BATCH_SIZE = 500


def _batches(apps, schema_editor, with_themes):
    """Every recommendation, in batches by primary key, each read in full before it is written
    (SQLite gives no isolation between a cursor still being read and writes to the same table)."""
    Recommendation = apps.get_model("tracker", "Recommendation")
    Theme = apps.get_model("tracker", "Theme")
    manager = Recommendation.objects.using(schema_editor.connection.alias)
    rows = manager.only("pk", "code", "text").order_by("pk")
    if with_themes:
        themes = Theme.objects.using(schema_editor.connection.alias).only("pk", "name").order_by("name", "id")
        rows = rows.prefetch_related(models.Prefetch("themes", queryset=themes))
    last_pk = None
    while True:
        batch = list((rows if last_pk is None else rows.filter(pk__gt=last_pk))[:BATCH_SIZE])
        if not batch:
            return
        yield manager, batch
        last_pk = batch[-1].pk


def fill_search_stems(apps, schema_editor):
    """Compute `search_text` of the rows that exist, as `SearchTextField` does on a save: code,
    text and theme names (in the themes' order), folded, then their stems."""
    for manager, batch in _batches(apps, schema_editor, with_themes=True):
        for row in batch:
            row.search_text = search_document(row.code, row.text, *(theme.name for theme in row.themes.all()))
        manager.bulk_update(batch, ["search_text"])


def fill_folded_only(apps, schema_editor):
    """Back to the form of migration 0006: the folded code and text."""
    for manager, batch in _batches(apps, schema_editor, with_themes=False):
        for row in batch:
            row.search_text = "\n".join((search_form(row.code), search_form(row.text)))
        manager.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0015_provenance_and_session_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recommendation",
            name="search_text",
            field=tracker.models.fields.SearchTextField(
                related=("themes__name",), sources=("code", "text"), verbose_name="search text"
            ),
        ),
        migrations.RunPython(fill_search_stems, fill_folded_only),
    ]
