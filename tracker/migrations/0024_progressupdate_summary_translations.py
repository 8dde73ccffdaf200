"""Progress update summaries in several languages (docs/i18n.md, "Content translation"): the
source language, a summary per language and a translation status per language, as the other
translated models have (0017, 0019).

The progress-updates table is the largest (3 million rows in the benchmarks), so nothing here
rewrites it on PostgreSQL: the summaries are nullable columns without a default, and the
statuses and the source language have a constant default, which PostgreSQL (11 and later) keeps
in the catalogue instead of writing it into every row; Django drops the default afterwards, which
is also a catalogue change. The history table gets the source language and the status column,
not the translations (they are excluded from the history, as for recommendations).
"""

from django.db import migrations, models

LANGUAGE_CHOICES = [
    ("en", "English"),
    ("ar", "Arabic"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("ru", "Russian"),
    ("zh-hans", "Chinese"),
]
STATUS_CHOICES = [
    ("official", "official"),
    ("reviewed", "reviewed"),
    ("machine", "machine translation, unreviewed"),
]
STATUS_HELP = (
    "Official: copied from an official text in this language. Reviewed: checked by a person. "
    "Machine: machine-made or unreviewed (assumed when a translation has no status)."
)
SOURCE_HELP = "The language the source document gives this record in; its text in that language is the source."
COLUMN_SUFFIXES = ("ar", "en", "es", "fr", "ru", "zh_hans")


def source_lang():
    return models.CharField(
        choices=LANGUAGE_CHOICES, default="en", help_text=SOURCE_HELP, max_length=10, verbose_name="source language"
    )


def translation_status(null=False):
    return models.CharField(
        blank=True,
        choices=STATUS_CHOICES,
        default="",
        help_text=STATUS_HELP,
        max_length=10,
        null=null,
        verbose_name="translation status",
    )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0023_search_text_languages")]

    operations = [
        migrations.AlterModelOptions(
            name="progressupdate",
            options={
                "base_manager_name": "objects",
                "ordering": ["-reported_on", "-recorded_at", "-id"],
                "verbose_name": "progress update",
                "verbose_name_plural": "progress updates",
            },
        ),
        migrations.AddField(model_name="historicalprogressupdate", name="source_lang", field=source_lang()),
        migrations.AddField(
            model_name="historicalprogressupdate", name="translation_status", field=translation_status()
        ),
        migrations.AddField(model_name="progressupdate", name="source_lang", field=source_lang()),
        *(
            migrations.AddField(
                model_name="progressupdate",
                name=f"summary_{suffix}",
                field=models.TextField(
                    help_text="What happened and why the status is what it is.", null=True, verbose_name="summary"
                ),
            )
            for suffix in COLUMN_SUFFIXES
        ),
        migrations.AddField(model_name="progressupdate", name="translation_status", field=translation_status()),
        *(
            migrations.AddField(
                model_name="progressupdate", name=f"translation_status_{suffix}", field=translation_status(null=True)
            )
            for suffix in COLUMN_SUFFIXES
        ),
    ]
