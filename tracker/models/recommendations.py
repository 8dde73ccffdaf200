"""Recommendations, the links that trace an idea across forums, and progress updates."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .clean_fields import CleanCharField, CleanTextField
from .fields import SearchTextField
from .provenance import Provenance
from .querysets import ProgressUpdateQuerySet, RecommendationQuerySet
from .reference import Actor, Document, Forum, FrameworkObjective, Roundtable, Theme
from .status import Status
from .sync import Synced
from .translations import Translatable, TranslatedManager, translation_columns


def first_words(text, limit=60):
    """The first words of `text` that fit in `limit` characters, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return (cut or text[:limit]) + "…"


class Recommendation(Translatable, Synced):
    """One actionable item of a forum: a recommendation, outcome, key message or finding.

    `status` is the status of the most recent approved progress update. It is stored here, in
    the same transaction that approves the update (see `tracker.services`), so lists filter and
    count it in SQL. Never set it directly: record a progress update.
    """

    Status = Status

    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        OUTCOME = "outcome", _("Outcome")
        KEY_MESSAGE = "key_message", _("Key message")
        FINDING = "finding", _("Finding")

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        allow_unicode=False,
        help_text=_("Stable public code, e.g. GFMD-2007-RT1-03. Never change it: links and the API depend on it."),
    )
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("forum"))
    roundtable = models.ForeignKey(
        Roundtable,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("roundtable"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Position within the forum."))
    text = CleanTextField(_("text"), help_text=_("Worded exactly as in the source document."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RECOMMENDATION)
    themes = models.ManyToManyField(Theme, blank=True, related_name="recommendations", verbose_name=_("themes"))
    actors = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="responsible_for",
        verbose_name=_("responsible actors"),
        help_text=_("Who is expected to act on it."),
    )
    objectives = models.ManyToManyField(
        FrameworkObjective,
        through="tracker.ObjectiveMapping",
        blank=True,
        related_name="recommendations",
        verbose_name=_("framework objectives"),
        help_text=_("Each mapping records its basis: the source, or the secretariat's judgement."),
    )
    status = models.CharField(
        _("current status"),
        max_length=30,
        choices=Status.choices,
        default=Status.NO_INFORMATION,
        help_text=_(
            "Set by approved progress updates. Changing it here records a progress update in your name, "
            "with the reason you give."
        ),
    )
    status_date = models.DateField(
        _("status as of"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Reported-on date of the latest approved update."),
    )
    status_changed_at = models.DateTimeField(_("status recorded at"), null=True, blank=True, editable=False)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    source_document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("source document"),
    )
    source_locator = CleanCharField(
        _("locator"), max_length=200, blank=True, default="", help_text=_("Where in the source, e.g. slide 7.")
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Incremented on every change; guards against lost updates."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Code, text and theme names as search compares them (tracker.text.search_document: folded and
    # stemmed), computed on every save; tracker.models.search keeps it current when themes change.
    search_text = SearchTextField(_("search text"), sources=("code", "text"), related=("themes__name",))

    translated_fields = ("text",)
    # Translations and their statuses are not in the history (its table has no column for them).
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "change_key",
            "search_text",
            *translation_columns(("text", "translation_status")),
        ]
    )
    objects = TranslatedManager.from_queryset(RecommendationQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        # Undated forums (an expert meeting of unknown date) sort last on every database.
        ordering = [F("forum__start_date").asc(nulls_last=True), "forum_id", "order", "code"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["recommendation", "outcome", "key_message", "finding"]),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Unknown kind."),
            ),
        ]
        indexes = [
            # Browse list and summary filtered by forum and status (the most common filter pair).
            models.Index(fields=["forum", "status"], name="rec_forum_status_idx"),
            models.Index(fields=["status"], name="rec_status_idx"),
            # When the data last changed, for the open-data package's facts on every page with its
            # schema.org Dataset (tracker.opendata.descriptor): a MAX read from the index's end.
            models.Index(fields=["updated_at"], name="rec_updated_idx"),
            models.Index(fields=["roundtable", "status"], name="rec_roundtable_status_idx"),
            models.Index(fields=["kind"], name="rec_kind_idx"),
            # Default order of every list.
            models.Index(fields=["forum", "order", "code"], name="rec_forum_order_idx"),
        ]

    def __str__(self):
        # "HLD-2006-OUT-01 — Member States should ratify…": codes alone look alike in pickers.
        return self.label

    def save(self, *args, **kwargs):
        # search_text follows code, text and its translations: a save of only some fields that
        # names one of them saves it too (its pre_save() computes it).
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"code", "text", *translation_columns(("text",))} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tracker:recommendation-detail", args=[self.code])

    @property
    def reported_since_date(self):
        """The date its silence counts from for the "not reported since" flag: its current
        status's report date, else its forum's date, else the day it was loaded (a date). The same
        rule as the `reported_since` annotation of `with_last_update()`, for one instance."""
        if self.status_date:
            return self.status_date
        if self.forum_id and self.forum.start_date:
            return self.forum.start_date
        return timezone.localdate(self.created_at) if self.created_at else None

    @property
    def label(self):
        """The code and the first words of the text (about 60 characters), as staff pick and
        list recommendations: "GFMD-2007-RT1-01 — Reduce the costs of remittances…"."""
        return f"{self.code} — {first_words(self.text)}" if self.text else self.code

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.roundtable_id and self.forum_id and self.roundtable.forum_id != self.forum_id:
            raise ValidationError({"roundtable": _("The roundtable must belong to the recommendation's forum.")})


class RecommendationLink(Provenance):
    """A typed link from one recommendation to an earlier one it restates, refines, follows up
    or supersedes, often from another forum years later; with its basis (the source says so, or
    the secretariat judged it)."""

    class Kind(models.TextChoices):
        RESTATES = "restates", _("restates")
        REFINES = "refines", _("refines")
        FOLLOWS_UP = "follows_up", _("follows up")
        SUPERSEDES = "supersedes", _("supersedes")

    INVERSE_LABELS = {
        Kind.RESTATES: _("restated by"),
        Kind.REFINES: _("refined by"),
        Kind.FOLLOWS_UP: _("followed up by"),
        Kind.SUPERSEDES: _("superseded by"),
    }

    from_recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="links_out", verbose_name=_("recommendation")
    )
    kind = models.CharField(_("link"), max_length=20, choices=Kind.choices)
    to_recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="links_in", verbose_name=_("earlier recommendation")
    )
    note = CleanTextField(_("note"), blank=True, default="")
    source_document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("source")
    )

    class Meta:
        ordering = ["from_recommendation", "kind", "to_recommendation", "id"]
        verbose_name = _("recommendation link")
        verbose_name_plural = _("recommendation links")
        constraints = [
            models.UniqueConstraint(
                fields=["from_recommendation", "kind", "to_recommendation"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("This link already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(from_recommendation=F("to_recommendation")),
                name="%(app_label)s_%(class)s_not_self",
                violation_error_message=_("A recommendation cannot link to itself."),
            ),
        ]

    def __str__(self):
        return f"{self.from_recommendation_id} {self.kind} {self.to_recommendation_id}"

    @property
    def inverse_label(self):
        return self.INVERSE_LABELS[self.kind]


class FollowUpAction(models.Model):
    """A later forum or document that acted on a recommendation (Brussels 2007 asked for a
    workshop on circular migration; the European Commission held one in Mauritius in 2008)."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("recommendation")
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, null=True, blank=True, related_name="acted_on", verbose_name=_("forum")
    )
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="acted_on", verbose_name=_("document")
    )
    date = models.DateField(_("date"), null=True, blank=True)
    description = CleanTextField(_("description"), blank=True, default="")

    class Meta:
        ordering = ["recommendation", "date", "id"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(forum__isnull=False) | Q(document__isnull=False),
                name="%(app_label)s_%(class)s_forum_or_document",
                violation_error_message=_("Name the forum or the document that acted on the recommendation."),
            )
        ]

    def __str__(self):
        return f"{self.recommendation_id} → {self.forum or self.document}"


class ProgressUpdate(Synced):
    """A dated assessment of one recommendation by one actor.

    What a focal point records is `submitted` until the secretariat approves or returns it; only
    approved updates are public and count towards the current status.
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

    history = HistoricalRecords(excluded_fields=["updated_at", "change_key"])
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
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
