from django.shortcuts import render

from tracker import breakdowns
from tracker.http.formats import offers_formats
from tracker.models import Basis
from tracker.opendata.descriptor import kept_facts

from .common import read_as_of
from .data import dataset_jsonld


@offers_formats(api="api-v1:summary")  # HTML only; its counts are the API's summary
def home(request):
    """The dashboard: the status shares of all recommendations, who reported most and the latest
    approved progress updates at the top, then the breakdowns per process, forum, theme and GCM
    objective (collapsed); optionally as of a past date (`?as_of=`). `?mappings=source` counts
    the GCM roll-up from source-based mappings only (any other value: every mapping). Its head
    carries the open-data package's schema.org `Dataset` (one query: `tracker.opendata`'s facts, none
    while they are kept)."""
    as_of, as_of_form = read_as_of(request)
    objective_basis = Basis.SOURCE if request.GET.get("mappings") == Basis.SOURCE else ""
    dashboard = breakdowns.dashboard(as_of, objective_basis=objective_basis)
    context = {
        "section": "home",
        "as_of": as_of,
        "as_of_form": as_of_form,
        "dashboard": dashboard,
        # The facts kept while no public change happened (tracker.opendata's KeptFacts).
        "dataset_jsonld": dataset_jsonld(request, kept_facts.get(dashboard.data_key)),
    }
    return render(request, "tracker/home.html", context, status=400 if as_of_form.errors else 200)
