from dataclasses import dataclass

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from tracker.models import Recommendation, ReportingRequest, Status
from tracker.models.status import not_reported_since

from .common import read_as_of


@dataclass
class Related:
    """A recommendation linked to the one on the page, with the link read from this side."""

    label: str
    recommendation: Recommendation
    note: str
    source_document: object
    earlier: bool  # the other recommendation is the earlier one (the link points to it)
    status: str = ""  # the other recommendation's status (on the page's as-of date)
    link: object = None  # the RecommendationLink: its basis (source or editorial) and basis note


def recommendation_detail(request, code):
    """One recommendation: its text and source, current status, each actor's latest approved
    assessment side by side, the dated timeline of approved updates, related recommendations in
    both directions and the follow-up actions that acted on it. A fixed number of queries.

    With `?as_of=YYYY-MM-DD` the status, the assessments and the related recommendations' statuses
    are those of that date (the latest approved update reported on or before it); the timeline
    lists the updates reported by then and, apart and folded, those reported later. An unreadable
    date is shown as an error above today's page (400), as on the dashboard and forum pages."""
    as_of, as_of_form = read_as_of(request)
    recommendation = get_object_or_404(Recommendation.objects.for_detail(as_of), code=code)
    # Newest first, in the order that decides the status: the first update of the timeline set the
    # status then, and the first of each actor is its latest assessment.
    timeline = [update for update in recommendation.public_updates if as_of is None or update.reported_on <= as_of]
    later = [update for update in recommendation.public_updates if as_of is not None and update.reported_on > as_of]
    assessments = {}
    for update in timeline:
        assessments.setdefault(update.actor_id, update)
    related = [
        Related(
            link.get_kind_display(),
            link.to_recommendation,
            link.note,
            link.source_document,
            True,
            link.other_status,
            link=link,
        )
        for link in recommendation.links_out.all()
    ] + [
        Related(
            str(link.inverse_label),
            link.from_recommendation,
            link.note,
            link.source_document,
            False,
            link.other_status,
            link=link,
        )
        for link in recommendation.links_in.all()
    ]
    forum_start = recommendation.forum.start_date
    if as_of is None:
        status, status_date, reported_since = (
            recommendation.status,
            recommendation.status_date,
            recommendation.reported_since_date,
        )
    else:
        status = timeline[0].status if timeline else Status.NO_INFORMATION.value
        status_date = timeline[0].reported_on if timeline else None
        # As `with_last_update(as_of)` counts it: the report then, else the forum's date, else the day it was loaded.
        reported_since = status_date or forum_start or timezone.localdate(recommendation.created_at)
    context = {
        "section": "recommendations",
        "recommendation": recommendation,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "status": status,
        "status_date": status_date,
        "not_reported_since": not_reported_since(reported_since, as_of),
        # On a date before its forum met, the recommendation had not been made: no status to show.
        "not_made_yet": bool(as_of and forum_start and forum_start > as_of),
        "timeline": timeline,
        "later_updates": later,
        "assessments": list(assessments.values()),
        "related": related,
        "follow_ups": recommendation.follow_ups.all(),
        # Each published reporting cycle's response rate over this recommendation's pairs: one query.
        "response_rates": ReportingRequest.objects.filter(recommendation=recommendation).response_rates(),
    }
    return render(request, "tracker/recommendation_detail.html", context, status=400 if as_of_form.errors else 200)
