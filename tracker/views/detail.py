from dataclasses import dataclass

from django.shortcuts import get_object_or_404, render

from tracker.models import Recommendation, ReportingRequest


@dataclass
class Related:
    """A recommendation linked to the one on the page, with the link read from this side."""

    label: str
    recommendation: Recommendation
    note: str
    source_document: object
    earlier: bool  # the other recommendation is the earlier one (the link points to it)


def recommendation_detail(request, code):
    """One recommendation: its text and source, current status, each actor's latest approved
    assessment side by side, the dated timeline of approved updates, related recommendations in
    both directions and the follow-up actions that acted on it. A fixed number of queries."""
    recommendation = get_object_or_404(Recommendation.objects.for_detail(), code=code)
    timeline = recommendation.public_updates
    # The timeline is newest first, so the first update of each actor is its latest assessment.
    assessments = {}
    for update in timeline:
        assessments.setdefault(update.actor_id, update)
    related = [
        Related(link.get_kind_display(), link.to_recommendation, link.note, link.source_document, True)
        for link in recommendation.links_out.all()
    ] + [
        Related(str(link.inverse_label), link.from_recommendation, link.note, link.source_document, False)
        for link in recommendation.links_in.all()
    ]
    context = {
        "section": "recommendations",
        "recommendation": recommendation,
        "timeline": timeline,
        "assessments": list(assessments.values()),
        "related": related,
        "follow_ups": recommendation.follow_ups.all(),
        # Each published reporting cycle's response rate over this recommendation's pairs: one query.
        "response_rates": ReportingRequest.objects.filter(recommendation=recommendation).response_rates(),
    }
    return render(request, "tracker/recommendation_detail.html", context)
