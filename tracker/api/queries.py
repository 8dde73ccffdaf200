"""The recommendation list and detail in a fixed, small number of queries (issue 6: at most four
per request, one of which is the response cache's data version read).

A page of the list is one query besides its COUNT, a detail three in all: rows of `.values()`,
not model instances, with each row's themes, actors and objectives folded into it as JSON arrays
by correlated subqueries (`RelatedList`) instead of three prefetch queries. Building the answer
from plain rows is also what makes it fast: tracker.api.serializers.RecommendationRows renders
them exactly as RecommendationSerializer renders model instances.
"""

from django.db import NotSupportedError
from django.db.models import F, JSONField, OuterRef, Q, Subquery

from tracker.models import Actor, FollowUpAction, FrameworkObjective, RecommendationLink, Theme


class RelatedList(Subquery):
    """`fields` of the rows of `queryset` (correlated with the outer row through OuterRef), as
    one JSON array of arrays in their model's Meta.ordering, the order a prefetch lists them in.

    PostgreSQL sorts inside the aggregate. SQLite cannot before 3.44, so it aggregates an ordered
    derived table instead, whose rows it feeds the aggregate in that order (it never flattens a
    subquery with ORDER BY into an aggregate query). The ordering must name plain columns of the
    model: PostgreSQL's ORDER BY refers to them by their aliases in the derived table.
    """

    output_field = JSONField()

    def __init__(self, queryset, *fields):
        ordering = queryset.model._meta.ordering
        names = dict.fromkeys([*fields, *(name.removeprefix("-") for name in ordering)])
        aliases = {name: f"c{position}" for position, name in enumerate(names)}
        self.items = [aliases[name] for name in fields]
        self.order = [(aliases[name.removeprefix("-")], "DESC" if name.startswith("-") else "ASC") for name in ordering]
        super().__init__(queryset.order_by(*ordering).values(**{alias: F(name) for name, alias in aliases.items()}))

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("RelatedList is written for SQLite and PostgreSQL.")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(SELECT json_group_array(json_array(%(items)s)) FROM (%(subquery)s) AS nested)",
            items=self._items(connection),
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        quote = connection.ops.quote_name
        return super().as_sql(
            compiler,
            connection,
            template="(SELECT COALESCE(jsonb_agg(jsonb_build_array(%(items)s) ORDER BY %(order)s), '[]') "
            "FROM (%(subquery)s) AS nested)",
            items=self._items(connection),
            order=", ".join(f"{quote(alias)} {direction}" for alias, direction in self.order),
            **extra_context,
        )

    def _items(self, connection):
        return ", ".join(map(connection.ops.quote_name, self.items))


def recommendation_rows(queryset):
    """Rows of what the API shows of each recommendation of `queryset`, one query for them all.

    `queryset` comes from RecommendationFilterSet, which annotates `effective_status`. The nested
    lists are `theme_list` ([slug, name]), `actor_list` ([slug, name]) and `objective_list`
    ([slug, framework, number, title]).
    """
    return queryset.values(
        "id",
        "code",
        "order",
        "kind",
        "text",
        "effective_status",
        "status_date",
        "target_date",
        "source_locator",
        "version",
        "updated_at",
        "forum__slug",
        "forum__title",
        "forum__start_date",
        "forum__process__slug",
        "forum__process__acronym",
        "forum__process__name",
        "roundtable__slug",
        "roundtable__code",
        "roundtable__title",
        "source_document__slug",
        "source_document__title",
        "source_document__symbol",
        theme_list=RelatedList(Theme.objects.filter(recommendations=OuterRef("pk")), "slug", "name"),
        actor_list=RelatedList(Actor.objects.filter(responsible_for=OuterRef("pk")), "slug", "name"),
        objective_list=RelatedList(
            FrameworkObjective.objects.filter(recommendations=OuterRef("pk")), "slug", "framework", "number", "title"
        ),
    )


class RecommendationPages:
    """What the paginator pages through: the COUNT runs on the filtered queryset as it is (the
    rows' joins would only slow it down), the rows are fetched for the requested page only."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.model = queryset.model
        self.ordered = queryset.ordered
        self._count = None

    def count(self):
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __getitem__(self, page):
        return list(recommendation_rows(self.queryset)[page])


def links_of(recommendation_id):
    """The links of one recommendation in one query, as (outgoing, incoming): rows of the link's
    `kind` and `note` and the linked recommendation's `code` and `version`.

    Both come in RecommendationLink's Meta.ordering, as the two prefetches of `links_out` and
    `links_in` listed them: one direction's links keep their order among themselves.
    """
    outgoing, incoming = [], []
    links = RecommendationLink.objects.filter(
        Q(from_recommendation=recommendation_id) | Q(to_recommendation=recommendation_id)
    ).values(
        "kind",
        "note",
        "from_recommendation_id",
        "from_recommendation__code",
        "from_recommendation__version",
        "to_recommendation__code",
        "to_recommendation__version",
    )
    for link in links:
        out = link["from_recommendation_id"] == recommendation_id
        other = "to_recommendation" if out else "from_recommendation"
        (outgoing if out else incoming).append(
            {
                "kind": link["kind"],
                "note": link["note"],
                "code": link[f"{other}__code"],
                "version": link[f"{other}__version"],
            }
        )
    return outgoing, incoming


def follow_ups_of(recommendation_id):
    """The follow-up actions of one recommendation, with their forum and document, in their Meta.ordering."""
    return FollowUpAction.objects.filter(recommendation=recommendation_id).values(
        "date",
        "description",
        "forum__slug",
        "forum__title",
        "forum__start_date",
        "document__slug",
        "document__title",
        "document__symbol",
    )
