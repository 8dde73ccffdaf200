from django.shortcuts import render

from tracker import breakdowns

from .common import read_as_of


def home(request):
    """The dashboard: totals and status breakdowns overall and per process, forum, theme and GCM
    objective, and the latest approved progress updates; optionally as of a past date."""
    as_of, as_of_form = read_as_of(request)
    context = {
        "section": "home",
        "as_of": as_of,
        "as_of_form": as_of_form,
        "dashboard": breakdowns.dashboard(as_of),
    }
    return render(request, "tracker/home.html", context, status=400 if as_of_form.errors else 200)
