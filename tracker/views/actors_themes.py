from django.shortcuts import get_object_or_404, render

from tracker import breakdowns
from tracker.models import Actor, ProgressUpdate, Recommendation, Theme

from .common import paginate

RECENT_REPORTS = 30


def actor_detail(request, slug):
    """An actor: the recommendations it is responsible for (with their status breakdown) and the
    progress it reported (approved updates only)."""
    actor = get_object_or_404(Actor, slug=slug)
    responsible = Recommendation.objects.responsibility_of(actor).with_effective_status()
    reports = ProgressUpdate.objects.for_public_list().filter(actor=actor)
    context = {
        "section": "actors",
        "actor": actor,
        "breakdown": breakdowns.breakdown_from_rows(responsible.status_counts(), filters={"actor": actor.slug}),
        "page": paginate(request, responsible.for_list().with_last_update()),
        "reports": reports[:RECENT_REPORTS],
        "report_count": reports.count(),
    }
    return render(request, "tracker/actor_detail.html", context)


def theme_detail(request, slug):
    """A theme: its status breakdown and its recommendations."""
    theme = get_object_or_404(Theme, slug=slug)
    tagged = Recommendation.objects.tagged(theme).with_effective_status()
    context = {
        "section": "themes",
        "theme": theme,
        "breakdown": breakdowns.breakdown_from_rows(tagged.status_counts(), filters={"theme": theme.slug}),
        "page": paginate(request, tagged.for_list().with_last_update()),
    }
    return render(request, "tracker/theme_detail.html", context)
