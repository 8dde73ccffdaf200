"""The public forum page (/forums/<slug>/) in two queries whatever the forum's size (issue 6: at
most four per request, one of which is the response cache's data version read).

Query 1 is the forum with its process and, folded into its row as JSON arrays by correlated
subqueries, its documents, roundtables and the follow-up actions it made
(`Forum.objects.for_detail()`). Query 2 is its recommendations with their themes folded in the
same way (`recommendations_of`). Prefetching the same took four more queries. The instances are
rebuilt from the arrays and put where `prefetch_related` would have put them, so the templates
and `tracker.queries.forum_sections` read `forum.roundtables.all`, `recommendation.themes.all`
and the others as before, each list in the order its prefetch gave it.
"""

from django.db.models import F, OuterRef
from django.db.models.query import ModelIterable

from tracker.models import Document, FollowUpAction, Forum, Recommendation, Roundtable, Theme
from tracker.sql import OrderedRows, rebuilt


def _named(fields, rows):
    """The JSON `rows` of an OrderedRows of `fields`, each as a dict by field."""
    return [dict(zip(fields, row, strict=True)) for row in rows]


def _attnames(model):
    return [field.attname for field in model._meta.concrete_fields]


DOCUMENT_FIELDS = _attnames(Document)
ROUNDTABLE_FIELDS = _attnames(Roundtable)
# A follow-up action whole, and what the page names of the recommendation it acted on: its code
# (and link) and its forum's title.
FOLLOW_UP_FIELDS = [
    *_attnames(FollowUpAction),
    "recommendation__id",
    "recommendation__code",
    "recommendation__forum_id",
    "recommendation__forum__id",
    "recommendation__forum__slug",
    "recommendation__forum__title",
]
# What Django's ORDER BY makes of FollowUpAction's Meta.ordering ["recommendation", "date", "id"]:
# "recommendation" stands for Recommendation's Meta.ordering. The forum page's test compares the
# two, so a change to either shows.
FOLLOW_UP_ORDER = [
    F("recommendation__forum__start_date").asc(nulls_last=True),
    "recommendation__forum_id",
    "recommendation__order",
    "recommendation__code",
    "date",
    "id",
]
THEME_FIELDS = ["id", "slug", "name"]


def forums_with_lists(queryset):
    """`queryset` (of forums) with each forum's documents, roundtables and follow-up actions
    fetched in its row and rebuilt into its prefetch cache (`ForumWithLists`).

    Each list in the order its prefetch gave it: documents in their Meta.ordering, roundtables by
    position (parents before their sub-sessions), follow-ups in their Meta.ordering.
    """
    outer = OuterRef("pk")
    queryset = queryset.annotate(
        document_rows=OrderedRows(Document.objects.filter(forums=outer), DOCUMENT_FIELDS, Document._meta.ordering),
        roundtable_rows=OrderedRows(Roundtable.objects.filter(forum=outer), ROUNDTABLE_FIELDS, ["order", "code", "id"]),
        follow_up_rows=OrderedRows(FollowUpAction.objects.filter(forum=outer), FOLLOW_UP_FIELDS, FOLLOW_UP_ORDER),
    )
    queryset._iterable_class = ForumWithLists
    return queryset


class ForumWithLists(ModelIterable):
    """Yields forums with the lists of `forums_with_lists` rebuilt as they come, so that the
    queryset still works as any other (`get_object_or_404`, `.get()`, iteration).

    The prefetch caches hold lists, which is all a related manager's `.all()` hands back from one.
    Roundtables and follow-ups know their forum, as after a prefetch.
    """

    def __iter__(self):
        db = self.queryset.db
        for forum in super().__iter__():
            roundtables = [
                rebuilt(Roundtable, db, values) for values in _named(ROUNDTABLE_FIELDS, forum.roundtable_rows)
            ]
            actions = [_follow_up(values, db) for values in _named(FOLLOW_UP_FIELDS, forum.follow_up_rows)]
            for item in (*roundtables, *actions):
                item.forum = forum
            forum._prefetched_objects_cache = {
                "documents": [rebuilt(Document, db, values) for values in _named(DOCUMENT_FIELDS, forum.document_rows)],
                "roundtables": roundtables,
                "acted_on": actions,
            }
            yield forum


def _follow_up(values, db):
    """A follow-up action with the recommendation it acted on and that recommendation's forum."""
    action = rebuilt(FollowUpAction, db, values)
    action.recommendation = rebuilt(Recommendation, db, values, "recommendation__")
    action.recommendation.forum = rebuilt(Forum, db, values, "recommendation__forum__")
    return action


def recommendations_of(forum, as_of=None):
    """The forum's recommendations in their order within it, with their status on `as_of` (the
    current status if None, `with_effective_status`) and their themes, in one query.

    Each has its forum (the instance given) and its themes in their prefetch cache, in Theme's
    Meta.ordering as a prefetch lists them. A theme is rebuilt once and shared by the
    recommendations tagged with it: the page only reads them.
    """
    queryset = (
        forum.recommendations.with_effective_status(as_of)
        .annotate(
            theme_rows=OrderedRows(
                Theme.objects.filter(recommendations=OuterRef("pk")), THEME_FIELDS, Theme._meta.ordering
            )
        )
        .order_by("order", "code")
    )
    themes = {}
    recommendations = list(queryset)
    for recommendation in recommendations:
        tagged = _named(THEME_FIELDS, recommendation.theme_rows)
        for values in tagged:
            if values["id"] not in themes:
                themes[values["id"]] = rebuilt(Theme, queryset.db, values)
        recommendation._prefetched_objects_cache = {"themes": [themes[values["id"]] for values in tagged]}
    return recommendations
