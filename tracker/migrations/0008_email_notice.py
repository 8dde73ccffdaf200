# Written for the EmailNotice model (tracker/models/notifications.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0007_progressupdate_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailNotice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("submitted", "Update submitted for review"),
                            ("approved", "Update approved"),
                            ("returned", "Update returned for revision"),
                        ],
                        max_length=20,
                        verbose_name="event",
                    ),
                ),
                (
                    "recipients",
                    models.TextField(help_text="E-mail addresses, one per line.", verbose_name="recipients"),
                ),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("body", models.TextField(verbose_name="body")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sent", "Sent"),
                            ("failed", "Failed; will be retried"),
                            ("gave_up", "Failed; no more attempts"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="state",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.TextField(blank=True, default="", verbose_name="last error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "update",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="notices",
                        to="tracker.progressupdate",
                        verbose_name="progress update",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail notice",
                "verbose_name_plural": "e-mail notices",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["state", "created_at"], name="notice_state_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["pending", "sent", "failed", "gave_up"])),
                        name="tracker_emailnotice_state_valid",
                    )
                ],
            },
        ),
    ]
