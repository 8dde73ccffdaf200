from django.shortcuts import get_object_or_404, render

from tracker import breakdowns
from tracker.models import Actor, Recommendation, ReportingRequest, Theme
from tracker.models.aggregates import Dimension
from tracker.models.assessments import side_by_side
from tracker.opendata.countries import area_name, country_codes

from .common import paginate, read_as_of

RECENT_REPORTS = 30


def actor_detail(request, slug):
    """An actor: the recommendations it is responsible for (with their status breakdown), what it
    reported (its latest approved assessment of each recommendation beside the other actors'
    assessments of it, `tracker.models.assessments`), its response rate in each published
    reporting cycle, and its feed; with `?as_of=` the statuses of that date and the reports made
    by then (an unreadable date: today's page with an error, 400)."""
    actor = get_object_or_404(Actor, slug=slug)
    as_of, as_of_form = read_as_of(request)
    responsible = Recommendation.objects.responsibility_of(actor).with_effective_status(as_of)
    codes = country_codes(actor.kind, actor.country_code)
    context = {
        "section": "actors",
        "actor": actor,
        "country_codes": codes,
        "m49_region": area_name(codes["m49_region"]),
        "m49_subregion": area_name(codes["m49_subregion"]),
        "as_of": as_of,
        "as_of_form": as_of_form,
        "breakdown": breakdowns.breakdown_from_rows(
            breakdowns.group_rows(Dimension.ACTOR, actor, Recommendation.objects.responsibility_of(actor), as_of),
            filters={"actor": actor.slug},
        ),
        "page": paginate(request, responsible.for_list().with_last_update(as_of)),
        "assessments": side_by_side(actor, as_of, limit=RECENT_REPORTS),
        # Each published reporting cycle's response rate over the pairs asked of it: one query.
        "response_rates": ReportingRequest.objects.filter(actor=actor).response_rates(),
    }
    return render(request, "tracker/actor_detail.html", context, status=400 if as_of_form.errors else 200)


def theme_detail(request, slug):
    """A theme: its status breakdown and its recommendations, with `?as_of=` as of that date."""
    theme = get_object_or_404(Theme, slug=slug)
    as_of, as_of_form = read_as_of(request)
    tagged = Recommendation.objects.tagged(theme).with_effective_status(as_of)
    context = {
        "section": "themes",
        "theme": theme,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "breakdown": breakdowns.breakdown_from_rows(
            breakdowns.group_rows(Dimension.THEME, theme, Recommendation.objects.tagged(theme), as_of),
            filters={"theme": theme.slug},
        ),
        "page": paginate(request, tagged.for_list().with_last_update(as_of)),
    }
    return render(request, "tracker/theme_detail.html", context, status=400 if as_of_form.errors else 200)
