from django.core.paginator import Paginator
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


# A forum page lists at most this many recommendations; the largest forums hold thousands.
FORUM_PAGE_SIZE = 100


class _Counted:
    """A queryset whose length is already known, for a Paginator (it asks `count()`): the forum's
    status counts give the number of its recommendations, so paging costs no COUNT query."""

    def __init__(self, queryset, count):
        self.queryset, self.total = queryset, count

    def count(self):
        return self.total

    def __getitem__(self, index):
        return list(self.queryset[index])


def forum_detail(request, slug):
    """A forum's facts and its roundtables and sub-sessions in order, each with the page's
    recommendations (at most FORUM_PAGE_SIZE, `?page=`), their status and a status bar of all the
    session's. Nine queries whatever the forum's size: the forum with its lists and editorial
    facts (`Forum.objects.for_page()`, five), the status counts of its recommendations per session
    and kind (one GROUP BY: the bars and the number of pages), the page's recommendations with
    their themes (`for_forum_page()`, two), the reporting cycles' response rates."""
    forum = get_object_or_404(Forum.objects.for_page(), slug=slug)
    as_of, as_of_form = read_as_of(request)
    counts = list(forum.recommendations.with_effective_status(as_of).status_counts("roundtable", "kind"))
    breakdown = breakdowns.breakdown_from_rows(counts, filters={"forum": forum.slug})
    page = Paginator(_Counted(forum.recommendations.for_forum_page(as_of), breakdown.total), FORUM_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    sections, unassigned = breakdowns.forum_sections(
        forum, page.object_list, counts, every_section=page.paginator.num_pages == 1
    )
    context = {
        "section": "forums",
        "forum": forum,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "sections": sections,
        "unassigned": unassigned,
        "page": page,
        # No item to list: the forum had not met by `as_of`, or none of its items is entered (the
        # seed predates Manila 2008's outcomes). The page then says why once and lists the sessions
        # compactly rather than an empty box per session.
        "not_met_yet": bool(as_of and forum.start_date and forum.start_date > as_of),
        "has_items": bool(breakdown.total),
        "breakdown": breakdown,
        "acted_on": forum.acted_on.all(),
        # {field: note} of the fields the secretariat added, labelled "Editorial" on the page.
        "editorial": {fact.field: fact.note for fact in forum.editorial_facts.all()},
        # Each published reporting cycle's response rate over the forum's pairs: one query.
        "response_rates": ReportingRequest.objects.filter(recommendation__forum=forum).response_rates(),
    }
    return render(request, "tracker/forum_detail.html", context, status=400 if as_of_form.errors else 200)
