# Search is within the reader's language: Recommendation gets one search column per language (what
# a reader in that language sees, "" where that is the source's), and `search_text` holds the
# record as written only (no translations). The values of existing rows are recomputed.

from django.db import migrations, models

import tracker.models.fields
from tracker.text import search_documents

BATCH_SIZE = 500
LANGUAGES = ("en", "ar", "es", "fr", "ru", "zh-hans")


def _column(name, lang):
    return f"{name}_{lang.replace('-', '_')}"


def _part(obj, name):
    """(language, value, translations) of a translated field, as SearchTextField.part() at this migration."""
    source = obj.source_lang
    return source, getattr(obj, name), {lang: getattr(obj, _column(name, lang)) for lang in LANGUAGES if lang != source}


def recompute(apps, schema_editor):
    """Compute every search column of every row as `SearchTextField` does on a save."""
    Recommendation = apps.get_model("tracker", "Recommendation")
    Theme = apps.get_model("tracker", "Theme")
    manager = Recommendation.objects.using(schema_editor.connection.alias)
    themes = Theme.objects.using(schema_editor.connection.alias).order_by("name", "id")
    rows = manager.order_by("pk").prefetch_related(models.Prefetch("themes", queryset=themes))
    columns = ["search_text", *(_column("search_text", lang) for lang in LANGUAGES)]
    last_pk = None
    while True:
        # Each batch is read in full before it is written (SQLite isolates no open cursor).
        batch = list((rows if last_pk is None else rows.filter(pk__gt=last_pk))[:BATCH_SIZE])
        if not batch:
            return
        for row in batch:
            parts = [("en", row.code, {}), _part(row, "text"), *(_part(theme, "name") for theme in row.themes.all())]
            source, by_language = search_documents(parts, LANGUAGES)
            row.search_text = source
            for lang, document in by_language.items():
                setattr(row, _column("search_text", lang), document)
        manager.bulk_update(batch, columns)
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("tracker", "0022_status_count_indexes")]

    operations = [
        *(
            migrations.AddField(
                model_name="recommendation",
                name=_column("search_text", lang),
                field=models.TextField(blank=True, default="", editable=False),
            )
            for lang in LANGUAGES
        ),
        migrations.AlterField(
            model_name="recommendation",
            name="search_text",
            field=tracker.models.fields.SearchTextField(
                languages=LANGUAGES,
                related=("themes__name",),
                sources=("code", "text"),
                verbose_name="search text",
            ),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
