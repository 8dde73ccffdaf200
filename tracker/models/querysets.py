"""The QuerySets of recommendations and progress updates: every way the site and the API read
them, each a named method built from select_related, Prefetch, Subquery and aggregates.

Declared before the models (tracker.models.recommendations uses them as managers), so the models
they relate to are reached through the relations (`_related`), never imported from there.
"""

from django.db import models
from django.db.models import Aggregate, CharField, Count, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, TruncDate

from . import api_rows
from .api_rows import ApiRows
from .provenance import ObjectiveMapping, mapping_export_entry
from .reference import Actor, Theme
from .status import Status
from .translations import SOURCE_DEFAULT, translated_only

# Separates the names an export packs into one column; a control character no name contains.
EXPORT_LIST_SEPARATOR = "\x1f"
# Between the slug and the name of one joined entry ("slug\x1ename").
EXPORT_PAIR_SEPARATOR = "\x1e"

# The columns a page reads a translated text or name from (tracker.models.translations).
TRANSLATED_TEXT = translated_only(("text",))
TRANSLATED_NAME = translated_only(("name",))


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


def _related(model, name):
    """The model at the other end of `model`'s relation `name` (models of one module may not
    import each other's module: the querysets are declared before the models)."""
    return model._meta.get_field(name).related_model


def _latest_approved_update(recommendation_model, as_of, outer="pk"):
    """The approved updates of the outer recommendation (`OuterRef(outer)`) reported on or before
    `as_of`, the one that set its status on that date first."""
    updates = _related(recommendation_model, "updates")
    return updates.objects.reported_by_on(as_of).filter(recommendation=OuterRef(outer)).timeline()


def _status_on(recommendation_model, as_of, outer):
    """An expression of the status of the recommendation `outer` names on the date `as_of`: its
    stored current status without a date, else that of its latest approved update reported by
    then, else "no information" (as `with_effective_status()` decides)."""
    if as_of is None:
        return F(f"{outer}__status")
    latest = _latest_approved_update(recommendation_model, as_of, outer).values("status")[:1]
    return Coalesce(Subquery(latest, output_field=models.CharField()), Value(Status.NO_INFORMATION.value))


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

    def for_detail(self, as_of=None):
        """Everything the public detail page shows, in a fixed number of queries: the source,
        themes, actors, objective mappings (with their objective), the approved timeline (as
        `public_updates`, newest first, all of it: the page splits it at `as_of`), links in both
        directions, each with `other_status` (the linked recommendation's status, on `as_of` when
        given: a correlated subquery), and follow-up actions."""
        updates, links = _related(self.model, "updates"), _related(self.model, "links_out")
        follow_ups = _related(self.model, "follow_ups")
        return self.select_related("forum__process", "roundtable__parent", "source_document").prefetch_related(
            "themes",
            "actors",
            Prefetch("objective_mappings", queryset=ObjectiveMapping.objects.select_related("frameworkobjective")),
            Prefetch(
                "updates",
                queryset=updates.objects.public()
                .timeline()
                .select_related("actor", "source_document")
                .with_public_files(),
                to_attr="public_updates",
            ),
            Prefetch(
                "links_out",
                queryset=links.objects.select_related("to_recommendation__forum", "source_document")
                .annotate(other_status=_status_on(self.model, as_of, "to_recommendation"))
                .order_by("kind", "to_recommendation__forum__start_date", "to_recommendation__code"),
            ),
            Prefetch(
                "links_in",
                queryset=links.objects.select_related("from_recommendation__forum", "source_document")
                .annotate(other_status=_status_on(self.model, as_of, "from_recommendation"))
                .order_by("kind", "from_recommendation__forum__start_date", "from_recommendation__code"),
            ),
            Prefetch("follow_ups", queryset=follow_ups.objects.select_related("forum", "document")),
        )

    def responsibility_of(self, actor):
        """What `actor` is expected to act on, in the default order."""
        return self.filter(actors=actor).order_by(*self.model._meta.ordering)

    def with_report_of(self, actor):
        """Annotate what `actor` last recorded about each recommendation (any review state):
        `my_update_id`, `my_update_status`, `my_update_review_state`, `my_update_reported_on`
        (None when it never reported); one query, subqueries on the update index."""
        updates = _related(self.model, "updates")
        latest = updates.objects.filter(recommendation=OuterRef("pk"), actor=actor).order_by("-recorded_at", "-id")
        return self.annotate(
            my_update_id=Subquery(latest.values("pk")[:1]),
            my_update_status=Subquery(latest.values("status")[:1]),
            my_update_review_state=Subquery(latest.values("review_state")[:1]),
            my_update_reported_on=Subquery(latest.values("reported_on")[:1]),
        )

    def tagged(self, theme):
        """The recommendations tagged with `theme`, in the default order."""
        return self.filter(themes=theme).order_by(*self.model._meta.ordering)

    def with_last_update(self, as_of=None):
        """Annotate `last_update`: the reported-on date of the update that set the (as-of) status,
        and `reported_since`: the date its silence counts from for the "not reported since" flag
        (`tracker.models.status.not_reported_since`): `last_update`, else its forum's date, else
        the day it was loaded. No query of its own."""
        if as_of is None:
            last_update = F("status_date")
        else:
            latest = _latest_approved_update(self.model, as_of).values("reported_on")[:1]
            last_update = Subquery(latest, output_field=models.DateField())
        return self.annotate(last_update=last_update).annotate(
            reported_since=Coalesce(
                F("last_update"), F("forum__start_date"), TruncDate("created_at"), output_field=models.DateField()
            )
        )

    def status_counts(self, *group_by):
        """One GROUP BY query: rows of the `group_by` values, `effective_status` and `n`.

        Call it after `with_effective_status()`. Grouping by a many-to-many field (`themes`) counts
        a recommendation once under each of its themes; rows without one come back as None.
        """
        return self.order_by().values(*group_by, "effective_status").annotate(n=Count("pk"))

    def for_dashboard(self, as_of=None, objective_basis=None):
        """The dashboard's status counts, with `as_of` of the status each recommendation had then:
        {"forum": rows, "theme": rows, "objective": rows}, the rows `status_counts()` gives grouped
        by `forum` and `kind`, `themes` and `objective_mappings__frameworkobjective` (only mappings
        of `objective_basis`, a Basis, if given). Three GROUP BY queries whatever the number
        of recommendations. A recommendation has one forum and a forum one process, so the counts
        per process and overall (by status and by kind) are sums of those per forum
        (tracker.breakdowns adds them up).
        """
        effective = self.with_effective_status(as_of)
        mapped = effective.filter(objective_mappings__basis=objective_basis) if objective_basis else effective
        return {
            "forum": list(effective.status_counts("forum", "kind")),
            "theme": list(effective.status_counts("themes")),
            "objective": list(mapped.status_counts("objective_mappings__frameworkobjective")),
        }

    def for_forum_page(self, as_of=None):
        """A forum page's recommendations (on `forum.recommendations`) in forum order, with their
        status on `as_of`, their themes as a list `theme_list` (one query more; no queryset per
        item) and only the fields the page shows."""
        themes = Theme.objects.only("id", "slug", "name", *TRANSLATED_NAME)
        return (
            self.with_effective_status(as_of)
            .only("id", "code", "kind", "text", "status", "forum_id", "roundtable_id", *TRANSLATED_TEXT)
            .prefetch_related(Prefetch("themes", queryset=themes, to_attr="theme_list"))
            .order_by("order", "code")
        )

    def for_api_list(self, as_of=None, lang=SOURCE_DEFAULT):
        """The recommendations as the API lists them, as `ApiRows`: what a paginator pages
        through, the COUNT taken on this queryset, the rows of a page (`for_api_detail()` with
        `with_api_lists()`, names in `lang`) in three queries more."""
        return ApiRows(self, as_of, lang)

    def for_api_detail(self, as_of=None, lang=SOURCE_DEFAULT):
        """Rows (dictionaries) of what the API shows of each recommendation, in one query: its own
        fields, `effective_status` (annotated by the FilterSet, with `as_of` the status then),
        `last_update` (the date of the update that set that status) and the fields of its forum,
        process, roundtable and source document, joined, with the columns that show their names
        in `lang` (tracker.models.api_rows). `with_api_lists()` adds its themes, actors and
        objectives, `with_api_detail_lists()` what only the detail shows. Rows, not instances:
        tracker.api.serializers renders them, and building a page of model instances with their
        related objects took longer than the rest of the request."""
        return self.with_last_update(as_of).values(*api_rows.detail_fields(lang))

    def with_api_lists(self, rows, lang=SOURCE_DEFAULT):
        """`rows` of `for_api_detail()`, each given `themes`, `actors` and `objectives` in each
        model's Meta.ordering, names in `lang`: one query per list whatever the number of rows."""
        return api_rows.with_lists(self.model, rows, lang)

    def with_api_detail_lists(self, row, lang=SOURCE_DEFAULT):
        """A row of `for_api_detail()` given `links_out`, `links_in` and `follow_ups`, names in
        `lang`: two queries."""
        return api_rows.with_detail_lists(self.model, row, lang)

    def for_export(self):
        """Export rows as tuples, in one query however many rows (no prefetch per chunk): related
        names are joined in correlated subqueries and split again by the exporter.

        The fields, in order: code, kind, effective_status, text, process, forum slug, forum
        title, forum start date, roundtable slug, roundtable code, roundtable title, themes, actors
        (responsible) (each joined "slug\x1ename" entries), objectives (joined
        "slug\x1eGCM 6\x1ebasis" entries: the objective's label, the mapping's basis), source
        document symbol, source document title, source_locator, target_date, last_update,
        reported_since, updated_at, version. Call it after `with_effective_status()` and `with_last_update()`.
        """

        def pair(name):
            return Concat("slug", Value(EXPORT_PAIR_SEPARATOR), name, output_field=CharField())

        return self.values_list(
            "code",
            "kind",
            "effective_status",
            "text",
            "forum__process__slug",
            "forum__slug",
            "forum__title",
            "forum__start_date",
            "roundtable__slug",
            "roundtable__code",
            "roundtable__title",
            _joined(Theme.objects.all(), "recommendations", pair("name")),
            _joined(Actor.objects.all(), "responsible_for", pair("name")),
            _joined(ObjectiveMapping.objects.all(), "recommendation", mapping_export_entry(EXPORT_PAIR_SEPARATOR)),
            "source_document__symbol",
            "source_document__title",
            "source_locator",
            "target_date",
            "last_update",
            "reported_since",
            "updated_at",
            "version",
            *TRANSLATED_TEXT,
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
        latest = _latest_approved_update(self.model, as_of).values("status")[:1]
        return existing.annotate(
            effective_status=Coalesce(
                Subquery(latest, output_field=models.CharField()), Value(Status.NO_INFORMATION.value)
            )
        )


class ProgressUpdateQuerySet(models.QuerySet):
    def readable_by(self, user):
        """What `user` may read through the API: approved updates for everyone, plus every update
        the user may see in the admin (its own actor's for a focal point, all for the secretariat)."""
        from tracker.roles import is_secretariat

        if is_secretariat(user):
            return self.all()
        if user.is_authenticated and user.actor_id:
            return self.filter(Q(review_state=self.model.ReviewState.APPROVED) | Q(actor_id=user.actor_id))
        return self.public()

    def for_api(self):
        """What an API row carries: its recommendation, actor and evidence document, joined, and
        its public evidence files (as `public_files`, one more query per page)."""
        return self.select_related("recommendation", "actor", "source_document").with_public_files()

    def with_public_files(self):
        """Prefetch each update's public evidence files into `public_files` (a list, oldest
        first). They are as reachable as the update they belong to."""
        files = _related(self.model, "files")
        return self.prefetch_related(
            Prefetch("files", queryset=files.objects.filter(is_public=True).order_by("id"), to_attr="public_files")
        )

    def approved(self):
        return self.filter(review_state=self.model.ReviewState.APPROVED)

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
