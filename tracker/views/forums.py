from django.shortcuts import get_object_or_404, render

from tracker import forum_page, queries
from tracker.models import Forum

from .common import read_as_of


def forum_list(request):
    """Every forum, grouped by process, with its status breakdown."""
    as_of, as_of_form = read_as_of(request)
    breakdowns = queries.forum_breakdowns(as_of)
    processes = {}
    for breakdown in breakdowns:
        processes.setdefault(breakdown.obj.process, []).append(breakdown)
    context = {"section": "forums", "as_of": as_of, "as_of_form": as_of_form, "processes": processes.items()}
    return render(request, "tracker/forum_list.html", context, status=400 if as_of_form.errors else 200)


def forum_detail(request, slug):
    """A forum's facts and its roundtables and sub-sessions in order, each with its
    recommendations, their status and a status bar. Two queries whatever the forum's size: the
    forum with its lists, then its recommendations with their themes (tracker.forum_page)."""
    forum = get_object_or_404(Forum.objects.for_detail(), slug=slug)
    as_of, as_of_form = read_as_of(request)
    recommendations = forum_page.recommendations_of(forum, as_of)
    sections, unassigned = queries.forum_sections(forum, recommendations)
    context = {
        "section": "forums",
        "forum": forum,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "sections": sections,
        "unassigned": unassigned,
        "breakdown": queries.breakdown_of_recommendations(recommendations, filters={"forum": forum.slug}),
        "acted_on": forum.acted_on.all(),
    }
    return render(request, "tracker/forum_detail.html", context, status=400 if as_of_form.errors else 200)
