"""The indexes of actors, themes and processes, and the process pages.

Each is a fixed number of queries whatever the amount of data; statuses are shown as of `?as_of=`
where the page shows any (themes, processes), as on the forum pages.
"""

from django import forms
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from tracker import breakdowns
from tracker.models import Actor, Forum, Process, Recommendation, StatusCount, Theme
from tracker.opendata.countries import area_name, country_codes

from .common import paginate, read_as_of

ACTORS_PER_PAGE = 100


class ActorKindForm(forms.Form):
    """`?kind=` of the actors index: one of Actor.Kind, or empty for every actor."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Actor.Kind.choices])


def actor_list(request):
    """Every actor, by name, optionally of one kind (`?kind=government`), with how many
    recommendations name it responsible and how many progress updates it reported; states with
    their ISO 3166-1 alpha-2 and alpha-3 and UN M49 codes and their M49 sub-region, named in the
    reader's language. A kind the model does not know is 400.
    Three queries: the count per kind, the page's count and its actors."""
    form = ActorKindForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    # No status here, but a reader who came as of a date keeps it in the links to the actors.
    as_of, as_of_form = read_as_of(request)
    actors = Actor.objects.for_index()
    if kind:
        actors = actors.filter(kind=kind)
    page = paginate(request, actors, ACTORS_PER_PAGE)
    for actor in page.object_list:
        actor.codes = country_codes(actor.kind, actor.country_code)
        actor.region = area_name(actor.codes["m49_subregion"] or actor.codes["m49_region"])
    per_kind = dict(Actor.objects.order_by().values_list("kind").annotate(n=Count("pk")))
    kinds = [(value, label, per_kind.get(value, 0)) for value, label in Actor.Kind.choices if per_kind.get(value)]
    context = {
        "section": "actors",
        "form": form,
        "kind": kind,
        "kind_label": dict(Actor.Kind.choices).get(kind, ""),
        "kinds": kinds,
        "total": sum(per_kind.values()),
        "page": page,
        "as_of": as_of,
        "as_of_form": as_of_form,
    }
    return render(request, "tracker/actor_list.html", context, status=400 if form.errors or as_of_form.errors else 200)


def theme_list(request):
    """Every theme with the status of its recommendations (as of `?as_of=`): two queries, the
    themes and the counts of their recommendations by status and kind."""
    as_of, as_of_form = read_as_of(request)
    rows = breakdowns.status_rows("themes", as_of)
    context = {
        "section": "themes",
        "as_of": as_of,
        "as_of_form": as_of_form,
        "themes": breakdowns.breakdowns_by(rows, "themes", Theme.objects.all(), "theme"),
    }
    return render(request, "tracker/theme_list.html", context, status=400 if as_of_form.errors else 200)


def process_list(request):
    """Every process, GATS Mode 4 included (a trade framework with no forum of its own), with its
    forums' count and the status of its recommendations (as of `?as_of=`): two queries, the
    processes with their forum counts and the status counts per process."""
    as_of, as_of_form = read_as_of(request)
    rows = breakdowns.status_rows("forum__process", as_of)
    processes = Process.objects.with_counts()
    context = {
        "section": "processes",
        "as_of": as_of,
        "as_of_form": as_of_form,
        "processes": breakdowns.breakdowns_by(rows, "forum__process", processes, "process"),
    }
    return render(request, "tracker/process_list.html", context, status=400 if as_of_form.errors else 200)


def process_detail(request, slug):
    """A process: what it is (its description, from the source) and its forums, each with the
    status of its recommendations (as of `?as_of=`). Three queries: the process, its forums in
    date order, the status counts per forum."""
    process = get_object_or_404(Process, slug=slug)
    as_of, as_of_form = read_as_of(request)
    if as_of is None:
        rows = StatusCount.objects.by_process(process)
    else:
        recommendations = Recommendation.objects.filter(forum__process=process).with_effective_status(as_of)
        rows = recommendations.status_counts("forum", "kind")
    forums = breakdowns.breakdowns_by(
        rows,
        "forum",
        Forum.objects.filter(process=process).in_date_order(),
        "forum",
    )
    overall = breakdowns.Breakdown(filters={"process": process.slug}, obj=process)
    for forum in forums:
        for status, n in forum.counts.items():
            overall.counts[status] = overall.counts.get(status, 0) + n
        for kind, n in forum.kinds.items():
            overall.kinds[kind] = overall.kinds.get(kind, 0) + n
    context = {
        "section": "processes",
        "process": process,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "forums": forums,
        "breakdown": overall,
    }
    return render(request, "tracker/process_detail.html", context, status=400 if as_of_form.errors else 200)
