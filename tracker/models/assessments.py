"""An actor's assessments side by side with the other actors' assessments of the same
recommendations: what the actor page shows under "What it reported".

An assessment is an approved progress update; an actor's assessment of a recommendation is its
latest (in timeline order: report date, then recording time, then id), so a government's
self-assessment reads beside the secretariat's and civil society's. With `as_of`, only updates
reported on or before that date count, as everywhere a status is shown as of a date.
"""

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery

from .updates import ProgressUpdate


@dataclass
class Assessment:
    """`update`: the actor's latest approved update of one recommendation (with its recommendation
    and forum); `others`: each other actor's latest approved update of it, by actor name."""

    update: ProgressUpdate
    others: list = field(default_factory=list)


@dataclass
class Assessments:
    """The `rows` (newest assessment first, at most the limit asked for), the number of
    recommendations the actor assessed (`recommendation_count`) and of its approved updates
    (`update_count`)."""

    rows: list
    recommendation_count: int
    update_count: int


def latest_of_each_pair(updates):
    """`updates` (a ProgressUpdate queryset) narrowed to the latest of each (actor,
    recommendation) pair among them, in timeline order: one correlated subquery, no query."""
    latest = updates.filter(actor=OuterRef("actor"), recommendation=OuterRef("recommendation")).timeline()
    return updates.filter(pk=Subquery(latest.values("pk")[:1]))


def side_by_side(actor, as_of=None, limit=30):
    """The `limit` recommendations `actor` assessed most recently (as of `as_of`, a date or None),
    each with its own latest assessment and the other actors' (an `Assessments`). Three queries
    whatever the number of updates: the counts, the actor's latest assessments (with their
    recommendation and forum), the others' (with their actor)."""
    public = ProgressUpdate.objects.reported_by_on(as_of)
    own = public.filter(actor=actor)
    counts = own.order_by().aggregate(updates=Count("pk"), recommendations=Count("recommendation", distinct=True))
    mine = list(latest_of_each_pair(own).select_related("recommendation__forum").timeline()[:limit])
    rows = {update.recommendation_id: Assessment(update) for update in mine}
    if rows:
        others = (
            latest_of_each_pair(public.filter(recommendation__in=list(rows)).exclude(actor=actor))
            .select_related("actor")
            .order_by("actor__name", "actor_id")
        )
        for update in others:
            rows[update.recommendation_id].others.append(update)
    return Assessments(list(rows.values()), counts["recommendations"], counts["updates"])
