"""E-mails in their recipient's language (docs/i18n.md): a follow records the language of the page
it was asked from (existing follows: English, the language their digests were in), and a staff
user's e-mail language is kept in tracker_user_preference (untracked by the data version, as the
users' table is)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LANGUAGES = [
    ("ar", "العربية"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
]


class Migration(migrations.Migration):
    dependencies = [("tracker", "0024_progressupdate_summary_translations")]

    operations = [
        migrations.AddField(
            model_name="follow",
            name="language",
            field=models.CharField(
                choices=LANGUAGES,
                default="en",
                help_text="The language of the page it was asked from: its digests and their links are in it.",
                max_length=10,
                verbose_name="language",
            ),
        ),
        migrations.CreateModel(
            name="StaffPreference",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="preference",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=LANGUAGES, default="en", max_length=10, verbose_name="language of e-mails"
                    ),
                ),
                (
                    "chosen",
                    models.BooleanField(
                        default=False,
                        help_text=(
                            "Chosen by the user or an administrator: signing in in another language does not change it."
                        ),
                        verbose_name="chosen",
                    ),
                ),
            ],
            options={
                "verbose_name": "staff preference",
                "verbose_name_plural": "staff preferences",
                "db_table": "tracker_user_preference",
            },
        ),
    ]
