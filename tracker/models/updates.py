"""Progress updates: the dated assessments of a recommendation by an actor, reviewed before they
are public."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .clean_fields import CleanTextField
from .querysets import ProgressUpdateQuerySet
from .recommendations import Recommendation
from .reference import Actor, Document
from .status import Status
from .sync import Synced
from .translations import Translatable, TranslatedManager, translation_columns


class ProgressUpdate(Translatable, Synced):
    """A dated assessment of one recommendation by one actor.

    What a focal point records is `submitted` until the secretariat approves or returns it; only
    approved updates are public and count towards the current status. `summary` has translations.
    """

    Status = Status

    class ReviewState(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for revision")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="updates", verbose_name=_("recommendation")
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="updates", verbose_name=_("reporting actor")
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    summary = CleanTextField(_("summary"), help_text=_("What happened and why the status is what it is."))
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True, default="")
    source_document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        verbose_name=_("evidence document"),
    )
    reported_on = models.DateField(_("reported on"), help_text=_("The date the assessment refers to."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recorded_updates",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    review_state = models.CharField(
        _("review state"), max_length=20, choices=ReviewState.choices, default=ReviewState.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_updates",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = CleanTextField(_("review note"), blank=True, default="")
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Incremented on every change of this update; guards its revision and review."),
    )

    translated_fields = ("summary",)  # in `source_lang`, the reporter's language, with translations
    history = HistoricalRecords(
        excluded_fields=["updated_at", "change_key", *translation_columns(("summary", "translation_status"))]
    )
    objects = TranslatedManager.from_queryset(ProgressUpdateQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["-reported_on", "-recorded_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(review_state__in=["submitted", "approved", "returned"]),
                name="%(app_label)s_%(class)s_review_state_valid",
                violation_error_message=_("Unknown review state."),
            ),
        ]
        indexes = [
            # Latest approved update of a recommendation (current status, as-of status, timeline).
            models.Index(
                fields=["recommendation", "review_state", "-reported_on", "-recorded_at"], name="upd_rec_latest_idx"
            ),
            # Recent approved updates on the dashboard and in the feed.
            models.Index(fields=["review_state", "-recorded_at"], name="upd_recent_idx"),
            # The latest review of an approved update, for the same facts (a scan of every update without it).
            models.Index(fields=["review_state", "reviewed_at"], name="upd_reviewed_idx"),
            # The dashboard's latest approved updates in timeline order: without it the newest
            # few are found by sorting every approved update (seconds at a million rows).
            models.Index(
                fields=["review_state", "-reported_on", "-recorded_at", "-id"], name="upd_public_timeline_idx"
            ),
            # An actor's approved updates, and the latest date one reports on (the maintained
            # ActorReportCount reads it again when an approved update is returned or deleted).
            models.Index(fields=["actor", "review_state", "reported_on"], name="upd_actor_idx"),
            # An actor's updates of a recommendation recorded in a reporting cycle's window: the
            # derived state of each asked pair (tracker.models.cycles) seeks here, not a scan of
            # the recommendation's updates (25 s → 1.3 s for 400,000 pairs, docs/benchmarks.md).
            models.Index(fields=["actor", "recommendation", "recorded_at"], name="upd_pair_window_idx"),
        ]

    def __str__(self):
        # Named by the recommendation's code, as staff know it (admin messages, history, pickers).
        code = self.recommendation.code if self.recommendation_id else "?"
        reported = date_format(self.reported_on, "SHORT_DATE_FORMAT") if self.reported_on else "?"
        return f"{code}: {self.get_status_display()} ({reported})"

    def get_absolute_url(self):
        return self.recommendation.get_absolute_url() + f"#update-{self.pk}"

    def clean(self):
        """Refuse a report date that cannot be true: after tomorrow (one day of leeway for time
        zones), or before the recommendation was made (its forum's start date, where known). A
        far-future date would otherwise pin the recommendation's status for ever, since the
        current status is that of the latest report. Raises ValidationError on `reported_on`."""
        from django.core.exceptions import ValidationError

        if self.reported_on is None:
            return
        latest = timezone.localdate() + datetime.timedelta(days=1)
        if self.reported_on > latest:
            raise ValidationError(
                {
                    "reported_on": _(
                        "The report date %(date)s is in the future: give the date the assessment refers to, "
                        "today (%(today)s) at the latest."
                    )
                    % {"date": self.reported_on.isoformat(), "today": timezone.localdate().isoformat()}
                },
                code="future_date",
            )
        forum_start = self.recommendation.forum.start_date if self.recommendation_id else None
        if forum_start and self.reported_on < forum_start:
            raise ValidationError(
                {
                    "reported_on": _(
                        "The report date %(date)s is before the recommendation was made (%(forum)s began on "
                        "%(start)s): give the date the assessment refers to."
                    )
                    % {
                        "date": self.reported_on.isoformat(),
                        "forum": self.recommendation.forum.title,
                        "start": forum_start.isoformat(),
                    }
                },
                code="date_before_recommendation",
            )
