"""Recommendations, the links that trace an idea across forums, and progress updates."""

import datetime

from django.conf import settings
from django.db import connections, models
from django.db.models import Aggregate, CharField, Count, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.sql import compiled

from .clean_fields import CleanCharField, CleanTextField
from .fields import SearchTextField
from .reference import Actor, Document, Forum, FrameworkObjective, Roundtable, Theme
from .status import Status

# Separates the names an export packs into one column; a control character no name contains.
EXPORT_LIST_SEPARATOR = "\x1f"


class _GroupConcat(Aggregate):
    """Names of related rows joined into one string (GROUP_CONCAT / STRING_AGG), so an export row
    carries its themes, actors and objectives without a query per row or per chunk."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(EXPORT_LIST_SEPARATOR), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def _joined(queryset, back_reference, expression):
    """A correlated subquery: `expression` of every row of `queryset` linked to the outer
    recommendation through `back_reference`, joined with EXPORT_LIST_SEPARATOR."""
    return Subquery(
        queryset.filter(**{back_reference: OuterRef("pk")})
        .order_by()
        .values(back_reference)
        .annotate(joined=_GroupConcat(expression))
        .values("joined"),
        output_field=CharField(),
    )


def _latest_approved_update(as_of):
    """The approved updates of the outer recommendation (OuterRef) reported on or before `as_of`,
    the one that set its status on that date first."""
    return ProgressUpdate.objects.reported_by_on(as_of).filter(recommendation=OuterRef("pk")).timeline()


class RecommendationQuerySet(models.QuerySet):
    def count_by_status(self):
        """{status: count} for every status in display order, zeros included, in one GROUP BY query.

        Counts `effective_status`: call it after `with_effective_status()` (the FilterSet does).
        """
        counts = dict.fromkeys(Status.values, 0)
        for row in self.order_by().values("effective_status").annotate(n=models.Count("pk")):
            counts[row["effective_status"]] = row["n"]
        return counts

    def for_list(self):
        """What a list row shows: forum, process, roundtable and themes, in a fixed number of queries."""
        return self.select_related("forum__process", "roundtable").prefetch_related("themes")

    def for_detail(self):
        """Everything the public detail page shows, in a fixed number of queries: the source,
        themes, actors, objectives, the approved timeline (as `public_updates`), links in both
        directions and follow-up actions."""
        return self.select_related("forum__process", "roundtable__parent", "source_document").prefetch_related(
            "themes",
            "actors",
            "objectives",
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.public().timeline().select_related("actor", "source_document"),
                to_attr="public_updates",
            ),
            Prefetch(
                "links_out",
                queryset=RecommendationLink.objects.select_related(
                    "to_recommendation__forum", "source_document"
                ).order_by("kind", "to_recommendation__forum__start_date", "to_recommendation__code"),
            ),
            Prefetch(
                "links_in",
                queryset=RecommendationLink.objects.select_related(
                    "from_recommendation__forum", "source_document"
                ).order_by("kind", "from_recommendation__forum__start_date", "from_recommendation__code"),
            ),
            Prefetch("follow_ups", queryset=FollowUpAction.objects.select_related("forum", "document")),
        )

    def responsibility_of(self, actor):
        """What `actor` is expected to act on, in the default order."""
        return self.filter(actors=actor).order_by(*Recommendation._meta.ordering)

    def tagged(self, theme):
        """The recommendations tagged with `theme`, in the default order."""
        return self.filter(themes=theme).order_by(*Recommendation._meta.ordering)

    def with_last_update(self, as_of=None):
        """Annotate `last_update`: the reported-on date of the update that set the (as-of) status."""
        if as_of is None:
            return self.annotate(last_update=F("status_date"))
        latest = _latest_approved_update(as_of).values("reported_on")[:1]
        return self.annotate(last_update=Subquery(latest, output_field=models.DateField()))

    def status_counts(self, *group_by):
        """One GROUP BY query: rows of the `group_by` values, `effective_status` and `n`.

        Call it after `with_effective_status()`. Grouping by a many-to-many field (`themes`) counts
        a recommendation once under each of its themes; rows without one come back as None.
        """
        return self.order_by().values(*group_by, "effective_status").annotate(n=Count("pk"))

    def for_dashboard(self, as_of=None):
        """The dashboard's status counts: overall and per process, forum, theme and GCM objective,
        as {"overall": rows, "process": rows, "forum": rows, "theme": rows, "objective": rows}, each
        the rows `status_counts()` grouped by nothing, `forum__process`, `forum`, `themes` and (GCM
        objectives only) `objectives` gives. With `as_of`, counts of the status each had then.

        One query whatever the number of recommendations. A common table expression holds each
        recommendation's status and forum; the GROUP BYs per forum, theme and objective read it,
        UNION ALL. SQLite (3.35 on) and PostgreSQL compute a table expression read more than once
        only once, so the correlated subquery of an as-of status runs once per recommendation,
        not once per GROUP BY. A recommendation has one forum and a forum one process, so the
        counts per process add up those per forum, and overall those per process.
        """
        connection = connections[self.db]
        quote = connection.ops.quote_name
        effective, params = compiled(
            self.with_effective_status(as_of).order_by().values("pk", "forum", "effective_status")
        )
        forums, forum_params = compiled(Forum.objects.order_by().values("pk", "process"))
        gcm, gcm_params = compiled(
            FrameworkObjective.objects.filter(framework=FrameworkObjective.Framework.GCM).order_by().values("pk")
        )

        def tagged(name, among=""):
            """The GROUP BY of a many-to-many relation, `name`: a recommendation counts under each
            related row (only the rows whose id the SQL `among` selects, if given).

            CROSS JOIN makes SQLite read the recommendations first and look up their links in
            the link table's index, as it would for a plain join of tables; left to itself with
            a table expression, it may index the expression's rows instead, which costs twice as
            much. PostgreSQL plans it as any join. A HAVING, not a WHERE ... IN, for the same
            reason: SQLite would look each link up once per selected id.
            """
            field = self.model._meta.get_field(name)
            table = quote(field.remote_field.through._meta.db_table)
            recommendation, related = quote(field.m2m_column_name()), quote(field.m2m_reverse_name())
            return (
                f"SELECT '{name}', link.{related}, effective.status, COUNT(*) "  # noqa: S608
                f"FROM effective CROSS JOIN {table} link WHERE link.{recommendation} = effective.id "
                f"GROUP BY link.{related}, effective.status" + (f" HAVING link.{related} IN ({among})" if among else "")
            )

        sql = " UNION ALL ".join(
            [
                f"WITH effective (id, forum, status) AS ({effective}), "  # noqa: S608
                "by_forum (forum, status, n) AS "
                "(SELECT forum, status, COUNT(*) FROM effective GROUP BY forum, status), "
                f"forums (id, process) AS ({forums}) "
                # SUM of counts is a numeric on PostgreSQL: an integer, as COUNT gives, like the other rows.
                "SELECT 'forum__process', forums.process, by_forum.status, CAST(SUM(by_forum.n) AS INTEGER) "
                "FROM by_forum JOIN forums ON forums.id = by_forum.forum GROUP BY forums.process, by_forum.status",
                "SELECT 'forum', forum, status, n FROM by_forum",
                tagged("themes"),
                tagged("objectives", among=gcm),
            ]
        )
        rows = {"forum__process": [], "forum": [], "themes": [], "objectives": []}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *forum_params, *gcm_params])
            for group_by, key, status, n in cursor.fetchall():
                rows[group_by].append({group_by: key, "effective_status": status, "n": n})
        overall = {}
        for row in rows["forum__process"]:
            overall[row["effective_status"]] = overall.get(row["effective_status"], 0) + row["n"]
        return {
            "overall": [{"effective_status": status, "n": n} for status, n in overall.items()],
            "process": rows["forum__process"],
            "forum": rows["forum"],
            "theme": rows["themes"],
            "objective": rows["objectives"],
        }

    def for_export(self):
        """Export rows as tuples, in one query however many rows (no prefetch per chunk): related
        names are joined in correlated subqueries and split again by the exporter.

        The fields, in order: code, kind, effective_status, text, process, forum slug, forum
        title, roundtable code, roundtable title, theme names, actor names, objective labels,
        source document symbol, source document title, source_locator, target_date, last_update.
        Call it on a queryset annotated with `effective_status` and `last_update`.
        """
        return self.values_list(
            "code",
            "kind",
            "effective_status",
            "text",
            "forum__process__slug",
            "forum__slug",
            "forum__title",
            "roundtable__code",
            "roundtable__title",
            _joined(Theme.objects.all(), "recommendations", "name"),
            _joined(Actor.objects.all(), "responsible_for", "name"),
            _joined(
                FrameworkObjective.objects.all(),
                "recommendations",
                Concat(Upper("framework"), Value(" "), "number", output_field=CharField()),
            ),
            "source_document__symbol",
            "source_document__title",
            "source_locator",
            "target_date",
            "last_update",
        )

    def with_effective_status(self, as_of=None):
        """Annotate `effective_status`: the current status, or the status on the date `as_of`.

        The status on a past date is the status of the latest approved update reported on or
        before that date (ties broken by recording time, then id), or "no information". It is one
        correlated subquery, never a query per row. On a past date only the recommendations that
        existed then count: those of forums that had started (or whose date is unknown).
        """
        if as_of is None:
            return self.annotate(effective_status=F("status"))
        existing = self.filter(Q(forum__start_date__isnull=True) | Q(forum__start_date__lte=as_of))
        latest = _latest_approved_update(as_of).values("status")[:1]
        return existing.annotate(
            effective_status=Coalesce(
                Subquery(latest, output_field=models.CharField()), Value(Status.NO_INFORMATION.value)
            )
        )


class Recommendation(models.Model):
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
        FrameworkObjective, blank=True, related_name="recommendations", verbose_name=_("framework objectives")
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Code and text as search compares them (tracker.text.search_form), computed on every save.
    search_text = SearchTextField(_("search text"), sources=("code", "text"))

    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])
    objects = RecommendationQuerySet.as_manager()

    class Meta:
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
            models.Index(fields=["roundtable", "status"], name="rec_roundtable_status_idx"),
            models.Index(fields=["kind"], name="rec_kind_idx"),
            # Default order of every list.
            models.Index(fields=["forum", "order", "code"], name="rec_forum_order_idx"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        # search_text follows code and text: a save of only some fields that names either
        # saves it too (its pre_save() computes it).
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"code", "text"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tracker:recommendation-detail", args=[self.code])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.roundtable_id and self.forum_id and self.roundtable.forum_id != self.forum_id:
            raise ValidationError({"roundtable": _("The roundtable must belong to the recommendation's forum.")})


class RecommendationLink(models.Model):
    """A typed link from one recommendation to an earlier one it restates, refines, follows up
    or supersedes, often from another forum years later."""

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


class ProgressUpdateQuerySet(models.QuerySet):
    def readable_by(self, user):
        """What `user` may read through the API: approved updates for everyone, plus every update
        the user may see in the admin (its own actor's for a focal point, all for the secretariat)."""
        from tracker.roles import is_secretariat

        if is_secretariat(user):
            return self.all()
        if user.is_authenticated and user.actor_id:
            return self.filter(Q(review_state=ProgressUpdate.ReviewState.APPROVED) | Q(actor_id=user.actor_id))
        return self.public()

    def for_api(self):
        """What an API row carries: its recommendation, actor and evidence document, joined."""
        return self.select_related("recommendation", "actor", "source_document")

    def approved(self):
        return self.filter(review_state=ProgressUpdate.ReviewState.APPROVED)

    def public(self):
        """What the public and API consumers see: approved updates only."""
        return self.approved()

    def timeline(self):
        """Newest first, in the order that decides the current status."""
        return self.order_by("-reported_on", "-recorded_at", "-id")

    def reported_by_on(self, as_of=None):
        """Public updates reported on or before `as_of` (all public updates without it)."""
        queryset = self.public()
        return queryset if as_of is None else queryset.filter(reported_on__lte=as_of)

    def for_public_list(self):
        """A public list of updates: each with its recommendation, forum and actor, newest report first."""
        return self.public().select_related("recommendation__forum", "actor").timeline()

    def for_feed(self):
        """The Atom feed: approved updates, most recently recorded first, with what an entry shows."""
        return (
            self.public()
            .select_related("recommendation__forum", "actor", "source_document")
            .order_by("-recorded_at", "-id")
        )

    def of_recommendations(self, recommendations):
        """Updates of the recommendations a (filtered) recommendation queryset selects, as one subquery."""
        return self.filter(recommendation__in=recommendations.order_by().values("pk"))

    def visible_to(self, user):
        """What a staff user may see in the admin: everything for the secretariat, own actor's
        updates for a focal point, nothing otherwise."""
        from tracker.roles import is_secretariat

        if is_secretariat(user):
            return self
        if user.is_authenticated and user.actor_id:
            return self.filter(actor_id=user.actor_id)
        return self.none()


class ProgressUpdate(models.Model):
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

    history = HistoricalRecords()
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
            # The dashboard's latest approved updates in timeline order: without it the newest
            # few are found by sorting every approved update (seconds at a million rows).
            models.Index(
                fields=["review_state", "-reported_on", "-recorded_at", "-id"], name="upd_public_timeline_idx"
            ),
            models.Index(fields=["actor", "review_state"], name="upd_actor_idx"),
        ]

    def __str__(self):
        return f"{self.recommendation_id}: {self.get_status_display()} ({self.reported_on})"

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
