"""Who and what recommendations belong to: processes, forums, roundtables, documents, actors,
themes and the framework objectives they roll up under."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .clean_fields import CleanCharField, CleanTextField
from .sync import Synced
from .translations import Translatable, TranslatedManager


class DocumentQuerySet(models.QuerySet):
    def for_index(self):
        """The documents index: each document with how many forums (`forum_count`), recommendations
        (`recommendation_count`, as their source), follow-up actions (`follow_up_count`), links
        between recommendations (`link_count`) and approved progress updates (`update_count`, as
        evidence) cite it, one correlated subquery each, and its editorial facts prefetched (one
        query more). The most cited first (`citations`, their sum), then by date (undated last) and
        title: the seed lists a hundred related documents that nothing here cites yet."""
        outer = models.OuterRef("pk")
        recommendations = _recommendations(self.model)
        counts = ("forum_count", "recommendation_count", "follow_up_count", "link_count", "update_count")
        ordering = (models.F("citations").desc(), models.F("date").asc(nulls_last=True), "title", "id")
        return (
            self.annotate(
                forum_count=_count(self.model._meta.get_field("forums").through.objects.filter(document=outer)),
                recommendation_count=_count(recommendations.objects.filter(source_document=outer)),
                follow_up_count=_count(_related(self.model, "acted_on").objects.filter(document=outer)),
                link_count=_count(_related(recommendations, "links_out").objects.filter(source_document=outer)),
                update_count=_count(
                    _related(self.model, "progress_updates").objects.public().filter(source_document=outer)
                ),
            )
            .annotate(citations=sum((models.F(name) for name in counts), models.Value(0)))
            .order_by(*ordering)
            .prefetch_related("editorial_facts")
        )


class Document(Translatable, Synced):
    """A source document: a report, a UN symbol document, a presentation, a chair's summary.

    Forums and recommendations cite documents, so every item on the site says where it comes from.
    """

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = CleanCharField(_("title"), max_length=500)
    symbol = CleanCharField(
        _("symbol"), max_length=60, blank=True, default="", help_text=_("Official symbol, e.g. A/60/871.")
    )
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Date of issue, if known."))
    publisher = CleanCharField(_("publisher"), max_length=200, blank=True, default="")
    url = models.URLField(_("link"), max_length=500, blank=True, default="")
    notes = CleanTextField(_("notes"), blank=True, default="")

    translated_fields = ("title",)
    objects = TranslatedManager.from_queryset(DocumentQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["title", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return f"{self.symbol} {self.title}".strip() if self.symbol else self.title

    def get_absolute_url(self):
        return reverse("tracker:document-detail", args=[self.slug])


def _related(model, name):
    """The model at the other end of `model`'s relation `name`: the recommendations module
    imports this one, so its models are reached through their relations, never imported."""
    return model._meta.get_field(name).related_model


def _recommendations(model):
    """The Recommendation model, through `model`'s reverse relation `recommendations`."""
    return _related(model, "recommendations")


def _count(queryset):
    """A correlated COUNT subquery over `queryset` (filtered on OuterRef by the caller), 0 when empty.

    COUNT as a plain function, not an aggregate, so Django adds no GROUP BY: one row per outer row.
    """
    counted = queryset.order_by().annotate(n=models.Func(models.F("pk"), function="COUNT")).values("n")
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


class ProcessQuerySet(models.QuerySet):
    def with_counts(self):
        """Annotate `forum_count` and `recommendation_count` (one correlated subquery each)."""
        recommendations = _recommendations(Forum).objects
        return self.annotate(
            forum_count=_count(Forum.objects.filter(process=models.OuterRef("pk"))),
            recommendation_count=_count(recommendations.filter(forum__process=models.OuterRef("pk"))),
        )


class Process(Translatable, Synced):
    """A recurring dialogue or framework: GCIM, the HLD, the GFMD, GATS Mode 4, workshops."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", _("Commission")
        HIGH_LEVEL_DIALOGUE = "high_level_dialogue", _("High-level dialogue")
        GLOBAL_FORUM = "global_forum", _("Global forum")
        TRADE_FRAMEWORK = "trade_framework", _("Trade framework")
        WORKSHOP = "workshop", _("Workshop")
        EXPERT_MEETING = "expert_meeting", _("Expert meeting")
        REGIONAL_CONSULTATIVE_PROCESS = "regional_consultative_process", _("Regional consultative process")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    acronym = CleanCharField(_("acronym"), max_length=40, blank=True, default="")
    name = CleanCharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    description = CleanTextField(_("description"), blank=True, default="")
    established = models.DateField(_("established"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Position in lists."))

    translated_fields = ("name", "description")
    objects = TranslatedManager.from_queryset(ProcessQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["order", "name", "id"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self):
        return self.acronym or self.name

    def get_absolute_url(self):
        return reverse("tracker:process-detail", args=[self.slug])


class ForumQuerySet(models.QuerySet):
    def with_process(self):
        return self.select_related("process")

    def with_recommendation_count(self):
        """Annotate `recommendation_count` (a correlated subquery, no join on the list)."""
        recommendations = _recommendations(self.model).objects
        return self.annotate(recommendation_count=_count(recommendations.filter(forum=models.OuterRef("pk"))))

    def in_date_order(self):
        """Oldest first and undated forums (an expert meeting of unknown date) last, on SQLite and
        PostgreSQL alike, with their process: the order of the public forum lists."""
        return self.select_related("process").order_by(models.F("start_date").asc(nulls_last=True), "slug", "id")

    def for_page(self):
        """What the public forum page shows besides its recommendations: the process (joined), and
        prefetched where `forum.documents.all()`, `forum.roundtables.all()`,
        `forum.acted_on.all()` and `forum.editorial_facts.all()` find them, its documents, its
        roundtables in order (parents before their sub-sessions), the follow-up actions it made
        with the earlier recommendations they acted on and their forums, and the fields whose
        value the secretariat added (editorial facts). Five queries whatever their number."""
        roundtables = _related(self.model, "roundtables")
        follow_ups = _related(self.model, "acted_on")
        return self.select_related("process").prefetch_related(
            "documents",
            "editorial_facts",
            Prefetch("roundtables", queryset=roundtables.objects.order_by("order", "code", "id")),
            Prefetch("acted_on", queryset=follow_ups.objects.select_related("recommendation__forum")),
        )


class Forum(Translatable, Synced):
    """One meeting (or report) of a process, e.g. the first GFMD, Brussels, 9–11 July 2007."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="forums", verbose_name=_("process"))
    title = CleanCharField(_("title"), max_length=300)
    city = CleanCharField(_("city"), max_length=100, blank=True, default="")
    country = CleanCharField(_("country"), max_length=100, blank=True, default="")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    host = CleanCharField(_("host"), max_length=300, blank=True, default="")
    theme = CleanCharField(_("overarching theme"), max_length=300, blank=True, default="")
    format = CleanTextField(
        _("format"), blank=True, default="", help_text=_("How the meeting works, e.g. held under Chatham House rules.")
    )
    notes = CleanTextField(_("notes"), blank=True, default="")
    documents = models.ManyToManyField(Document, blank=True, related_name="forums", verbose_name=_("documents"))

    translated_fields = ("title",)
    objects = TranslatedManager.from_queryset(ForumQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["start_date", "slug", "id"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tracker:forum-detail", args=[self.slug])


class RoundtableQuerySet(models.QuerySet):
    def in_forum_order(self):
        """Every roundtable with its forum, forums oldest first (undated last), sessions in order:
        the options of the browse page's roundtable filter."""
        return self.select_related("forum").order_by(
            models.F("forum__start_date").asc(nulls_last=True), "forum_id", "order", "code", "id"
        )

    def with_recommendation_count(self):
        """Annotate `recommendation_count`: the roundtable's and its sub-sessions' recommendations,
        as the `roundtable` filter of the browse page counts them."""
        outer = models.OuterRef("pk")
        return self.annotate(
            recommendation_count=_count(
                _recommendations(self.model).objects.filter(Q(roundtable=outer) | Q(roundtable__parent=outer))
            )
        )


class Roundtable(Translatable, Synced):
    """A session of a forum, possibly a sub-session of another (Manila RT1 → 1.a, 1.b); `kind`
    is what the source calls it (the expert meeting's three parts are sections)."""

    class Kind(models.TextChoices):
        ROUNDTABLE = "roundtable", _("Roundtable")
        SUB_SESSION = "sub_session", _("Sub-session")
        SECTION = "section", _("Section")

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="roundtables", verbose_name=_("forum"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent session"),
        help_text=_("For a sub-session: the roundtable it belongs to."),
    )
    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("Stable public identifier, e.g. gfmd-2008-rt1a.")
    )
    code = CleanCharField(_("code"), max_length=20, help_text=_("Number as in the source, e.g. 1 or 1.a."))
    title = CleanCharField(_("title"), max_length=400)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.ROUNDTABLE,
        help_text=_("What the source calls it: roundtable, sub-session or section."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    translated_fields = ("title",)
    objects = TranslatedManager.from_queryset(RoundtableQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["forum", "order", "code", "id"]
        verbose_name = _("roundtable")
        verbose_name_plural = _("roundtables")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "code"],
                name="%(app_label)s_%(class)s_unique_code_per_forum",
                violation_error_message=_("This forum already has a roundtable with this code."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("A roundtable cannot be its own parent."),
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"


class ActorQuerySet(models.QuerySet):
    def with_recommendation_count(self):
        """Annotate `recommendation_count`: recommendations it is responsible for (a correlated subquery)."""
        through = self.model._meta.get_field("responsible_for").through.objects
        return self.annotate(recommendation_count=_count(through.filter(actor=models.OuterRef("pk"))))

    def for_index(self):
        """The actors index: `recommendation_count` (responsible for), `report_count` (its approved
        progress updates) and `last_reported_on` (the report date of the latest), one correlated
        subquery each."""
        outer = models.OuterRef("pk")
        reports = _related(self.model, "updates").objects.public().filter(actor=outer)
        latest = reports.order_by("-reported_on").values("reported_on")[:1]
        return self.with_recommendation_count().annotate(
            report_count=_count(reports),
            last_reported_on=models.Subquery(latest, output_field=models.DateField()),
        )


class Actor(Translatable, Synced):
    """A government, intergovernmental organisation, secretariat or civil-society body.

    Staff users belong to an actor, which scopes what they may report on.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
        SECRETARIAT = "secretariat", _("Secretariat")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = CleanCharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country_code = CleanCharField(
        _("country code"), max_length=2, blank=True, default="", help_text=_("ISO 3166-1 alpha-2, for governments.")
    )
    description = CleanTextField(_("description"), blank=True, default="")
    url = models.URLField(_("website"), blank=True, default="")

    translated_fields = ("name", "description")
    objects = TranslatedManager.from_queryset(ActorQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["name", "id"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:actor-detail", args=[self.slug])


class ThemeQuerySet(models.QuerySet):
    def with_recommendation_count(self):
        """Annotate `recommendation_count`: recommendations tagged with it (a correlated subquery)."""
        through = self.model._meta.get_field("recommendations").through.objects
        return self.annotate(recommendation_count=_count(through.filter(theme=models.OuterRef("pk"))))


class Theme(Translatable, Synced):
    """A tag such as labour mobility, remittances or gender."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = CleanCharField(_("name"), max_length=120, unique=True)
    description = CleanTextField(_("description"), blank=True, default="")

    translated_fields = ("name", "description")
    objects = TranslatedManager.from_queryset(ThemeQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["name", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:theme-detail", args=[self.slug])


class FrameworkObjectiveQuerySet(models.QuerySet):
    def with_recommendation_count(self):
        """Annotate `recommendation_count`: recommendations mapped to it (a correlated subquery)."""
        through = self.model._meta.get_field("recommendations").through.objects
        return self.annotate(recommendation_count=_count(through.filter(frameworkobjective=models.OuterRef("pk"))))


class FrameworkObjective(Translatable, Synced):
    """An objective or target of a current framework (the Global Compact for Migration's 23
    objectives, the SDG migration targets), so old recommendations roll up under them."""

    class Framework(models.TextChoices):
        GCM = "gcm", _("Global Compact for Safe, Orderly and Regular Migration")
        SDG = "sdg", _("Sustainable Development Goals")

    slug = models.SlugField(_("slug"), max_length=40, unique=True, help_text=_("e.g. gcm-6 or sdg-10-7."))
    framework = models.CharField(_("framework"), max_length=10, choices=Framework.choices)
    number = CleanCharField(_("number"), max_length=10, help_text=_("e.g. 6 or 10.7."))
    title = CleanCharField(_("title"), max_length=600)  # SDG targets run to 470 characters in French
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    translated_fields = ("title",)
    objects = TranslatedManager.from_queryset(FrameworkObjectiveQuerySet)()

    class Meta:
        base_manager_name = "objects"  # no query rewriting (TranslatedManager), related lookups too
        ordering = ["framework", "order", "id"]
        verbose_name = _("framework objective")
        verbose_name_plural = _("framework objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This framework already has an objective with this number."),
            )
        ]

    def __str__(self):
        prefix = "GCM" if self.framework == self.Framework.GCM else "SDG"
        return f"{prefix} {self.number}: {self.title}"

    @property
    def short_label(self):
        return f"{'GCM' if self.framework == self.Framework.GCM else 'SDG'} {self.number}"


class User(AbstractUser):
    """A staff user. Focal points belong to the actor they report for."""

    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("actor"),
        help_text=_("The government or organisation this person reports for. Required for focal points."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
