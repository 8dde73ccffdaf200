"""The recommendation list and detail in a fixed, small number of queries (issue 6: at most four
per request, one of which is the response cache's data version read).

A page of the list is one query besides its COUNT, a detail three in all: rows of `.values()`,
not model instances, with each row's themes, actors and objectives folded into it as JSON arrays
by correlated subqueries (`related_list`) instead of three prefetch queries. Building the answer
from plain rows is also what makes it fast: tracker.api.serializers.RecommendationRows renders
them exactly as RecommendationSerializer renders model instances.
"""

from django.db.models import OuterRef, Q

from tracker.models import Actor, FollowUpAction, FrameworkObjective, RecommendationLink, Theme
from tracker.sql import OrderedRows


def related_list(queryset, *fields):
    """`fields` of the rows of `queryset` (correlated through OuterRef) as one JSON array of
    arrays, in their model's Meta.ordering: the order a prefetch lists them in."""
    return OrderedRows(queryset, list(fields), queryset.model._meta.ordering)


def recommendation_rows(queryset, as_of=None):
    """Rows of what the API shows of each recommendation of `queryset`, one query for them all.

    `queryset` comes from RecommendationFilterSet, which annotates `effective_status` (the status
    on `as_of`, if given); `last_update` is the reported-on date of the update that set that
    status, the `status_date` shown. The nested lists are `theme_list` ([slug, name]),
    `actor_list` ([slug, name]) and `objective_list` ([slug, framework, number, title]).
    """
    return queryset.with_last_update(as_of).values(
        "last_update",
        "id",
        "code",
        "order",
        "kind",
        "text",
        "effective_status",
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
        theme_list=related_list(Theme.objects.filter(recommendations=OuterRef("pk")), "slug", "name"),
        actor_list=related_list(Actor.objects.filter(responsible_for=OuterRef("pk")), "slug", "name"),
        objective_list=related_list(
            FrameworkObjective.objects.filter(recommendations=OuterRef("pk")), "slug", "framework", "number", "title"
        ),
    )


class RecommendationPages:
    """What the paginator pages through: the COUNT runs on the filtered queryset as it is (the
    rows' joins would only slow it down), the rows are fetched for the requested page only."""

    def __init__(self, queryset, as_of=None):
        self.queryset = queryset
        self.as_of = as_of
        self.model = queryset.model
        self.ordered = queryset.ordered
        self._count = None

    def count(self):
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __getitem__(self, page):
        return list(recommendation_rows(self.queryset, self.as_of)[page])


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
