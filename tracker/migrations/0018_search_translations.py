# Recommendation.search_text also holds the translations of the text, each stemmed in its language,
# and Arabic letters written in several ways are unified (tracker.text.search_form): the values of
# existing rows are recomputed.

from django.db import migrations, models

from tracker.text import search_document

BATCH_SIZE = 500
LANGUAGES = ("en", "ar", "es", "fr", "ru", "zh-hans")


def recompute(apps, schema_editor):
    """Compute `search_text` of every row as `SearchTextField` now does on a save."""
    Recommendation = apps.get_model("tracker", "Recommendation")
    Theme = apps.get_model("tracker", "Theme")
    manager = Recommendation.objects.using(schema_editor.connection.alias)
    themes = Theme.objects.using(schema_editor.connection.alias).only("pk", "name").order_by("name", "id")
    rows = manager.order_by("pk").prefetch_related(models.Prefetch("themes", queryset=themes))
    last_pk = None
    while True:
        # Each batch is read in full before it is written (SQLite isolates no open cursor).
        batch = list((rows if last_pk is None else rows.filter(pk__gt=last_pk))[:BATCH_SIZE])
        if not batch:
            return
        for row in batch:
            translations = [
                (lang, text)
                for lang in LANGUAGES
                if lang != row.source_lang and (text := getattr(row, f"text_{lang.replace('-', '_')}"))
            ]
            names = (theme.name for theme in row.themes.all())
            row.search_text = search_document(row.code, row.text, *names, translations=translations)
        manager.bulk_update(batch, ["search_text"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0017_content_translations"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
