"""Recommendations and the links that trace an idea across forums (their progress updates:
`tracker.models.updates`)."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .clean_fields import CleanCharField, CleanTextField
from .fields import SearchTextField
from .provenance import Provenance
from .querysets import RecommendationQuerySet
from .reference import Actor, Document, Forum, FrameworkObjective, Roundtable, Theme
from .status import Status
from .sync import Synced
from .translations import LANGUAGES, Translatable, TranslatedManager, translation_columns


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
    # Code, text and theme names as search compares them (tracker.text.search_documents: folded and
    # stemmed), as written and as each language's readers see them (each column "" where it is the
    # source's), computed on every save; tracker.models.search keeps them current when themes change.
    search_text = SearchTextField(
        _("search text"), sources=("code", "text"), related=("themes__name",), languages=LANGUAGES
    )
    search_text_en = models.TextField(editable=False, blank=True, default="")
    search_text_ar = models.TextField(editable=False, blank=True, default="")
    search_text_es = models.TextField(editable=False, blank=True, default="")
    search_text_fr = models.TextField(editable=False, blank=True, default="")
    search_text_ru = models.TextField(editable=False, blank=True, default="")
    search_text_zh_hans = models.TextField(editable=False, blank=True, default="")

    translated_fields = ("text",)
    # Translations and their statuses are not in the history (its table has no column for them).
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "change_key",
            *translation_columns(("search_text",)),
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
        if update_fields is not None and {"code", "text", "source_lang", *translation_columns(("text",))} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, *self._meta.get_field("search_text").columns()}
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
