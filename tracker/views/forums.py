from django.shortcuts import get_object_or_404, render

from tracker import breakdowns
from tracker.models import Forum, ReportingRequest

from .common import read_as_of


def forum_list(request):
    """Every forum, grouped by process, with its status breakdown."""
    as_of, as_of_form = read_as_of(request)
    forums = breakdowns.forum_breakdowns(as_of)
    processes = {}
    for breakdown in forums:
        processes.setdefault(breakdown.obj.process, []).append(breakdown)
    context = {"section": "forums", "as_of": as_of, "as_of_form": as_of_form, "processes": processes.items()}
    return render(request, "tracker/forum_list.html", context, status=400 if as_of_form.errors else 200)


def forum_detail(request, slug):
    """A forum's facts and its roundtables and sub-sessions in order, each with its
    recommendations, their status and a status bar. Eight queries whatever the forum's size: the
    forum with its lists and editorial facts (`Forum.objects.for_page()`, five), its recommendations
    with their themes (`for_forum_page()`, two), the reporting cycles' response rates."""
    forum = get_object_or_404(Forum.objects.for_page(), slug=slug)
    as_of, as_of_form = read_as_of(request)
    recommendations = list(forum.recommendations.for_forum_page(as_of))
    sections, unassigned = breakdowns.forum_sections(forum, recommendations)
    context = {
        "section": "forums",
        "forum": forum,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "sections": sections,
        "unassigned": unassigned,
        # No item to list: the forum had not met by `as_of`, or none of its items is entered (the
        # seed predates Manila 2008's outcomes). The page then says why once and lists the sessions
        # compactly rather than an empty box per session.
        "not_met_yet": bool(as_of and forum.start_date and forum.start_date > as_of),
        "has_items": bool(recommendations),
        "breakdown": breakdowns.breakdown_of_recommendations(recommendations, filters={"forum": forum.slug}),
        "acted_on": forum.acted_on.all(),
        # {field: note} of the fields the secretariat added, labelled "Editorial" on the page.
        "editorial": {fact.field: fact.note for fact in forum.editorial_facts.all()},
        # Each published reporting cycle's response rate over the forum's pairs: one query.
        "response_rates": ReportingRequest.objects.filter(recommendation__forum=forum).response_rates(),
    }
    return render(request, "tracker/forum_detail.html", context, status=400 if as_of_form.errors else 200)
