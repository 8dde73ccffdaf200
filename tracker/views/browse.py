from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tracker.models import Recommendation

from . import export
from .common import BrowseFilterSet, paginate

FORMATS = {"html", "csv", "json", "xlsx"}
# The filters drawn as drop-down lists, in the order of the form.
SELECT_FILTERS = ("process", "forum", "roundtable", "theme", "objective", "actor", "kind", "not_reported")


def recommendation_list(request):
    """/recommendations/: the browse list, filtered by the shared FilterSet, sorted, paged;
    `?format=csv`, `?format=json` and `?format=xlsx` export exactly the filtered list (every page)."""
    output = request.GET.get("format", "html") or "html"
    if output not in FORMATS:
        return HttpResponse(
            _("Unknown format %(format)s: use csv, json or xlsx.") % {"format": output},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    base = Recommendation.objects.all() if output != "html" else Recommendation.objects.for_list()
    filterset = BrowseFilterSet(request.GET, queryset=base)
    valid = filterset.is_valid()
    as_of = filterset.form.cleaned_data.get("as_of")
    if output != "html":
        if not valid:
            return export.invalid_filters(filterset.errors, output)
        rows = filterset.qs.with_last_update(as_of).for_export()
        return export.stream(request, rows, output, as_of)

    # Filters that do not validate are not applied: the page says which and answers 400, so a
    # shared link that went stale shows a message rather than a silently wider list.
    page = paginate(request, filterset.qs.with_last_update(as_of) if valid else base.none())
    active = {
        name: value
        for name, value in request.GET.lists()
        if name in filterset.filters and name != "as_of" and any(value)
    }
    context = {
        "section": "recommendations",
        "filterset": filterset,
        "form": filterset.form,
        "select_fields": [filterset.form[name] for name in SELECT_FILTERS],
        "page": page,
        "as_of": as_of,
        "valid": valid,
        "has_filters": bool(active),
        "filter_query": filter_query(request),
        "current_status_url": current_status_url(request),
    }
    return render(request, "tracker/recommendation_list.html", context, status=200 if valid else 400)


def filter_query(request):
    """The request's filters without paging and format, to build sort, page, export and feed links."""
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    return query


def current_status_url(request):
    """The same list without `as_of`: what "show the current status" links to."""
    query = filter_query(request)
    query.pop("as_of", None)
    return f"?{query.urlencode()}" if query else request.path
