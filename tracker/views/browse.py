from django.shortcuts import render

from tracker import breakdowns
from tracker.http import params
from tracker.http.formats import format_not_offered, offers_formats, requested_format
from tracker.models import Recommendation

from . import export
from .common import BrowseFilterSet, paginate

EXPORTS = ("csv", "json", "xlsx")
# The filters drawn as drop-down lists, in the order of the form.
SELECT_FILTERS = ("process", "forum", "roundtable", "theme", "objective", "actor", "kind", "not_reported")


@offers_formats(*EXPORTS)
def recommendation_list(request):
    """/recommendations/: the browse list, filtered by the shared FilterSet, sorted, paged;
    `?format=csv`, `?format=json` and `?format=xlsx` export exactly the filtered list (every page).
    Another `format` is 406 (tracker.http.formats). An export refuses, as the API does, a parameter
    that is not one of the filters (400 naming it, with any filter value that is not valid); the
    page ignores such parameters (`utm_source`, ...)."""
    output = requested_format(request)
    if output != "html" and output not in EXPORTS:
        return format_not_offered(request)
    base = Recommendation.objects.all() if output != "html" else Recommendation.objects.for_list()
    filterset = BrowseFilterSet(request.GET, queryset=base)
    valid = filterset.is_valid()
    as_of = filterset.form.cleaned_data.get("as_of")
    if output != "html":
        known = export_parameters()
        unknown = params.unknown_parameters(request.GET, known)
        if unknown or not valid:
            return export.invalid_filters(
                {**params.unknown_parameter_errors(unknown, known), **params.form_errors(filterset.form)}
            )
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
        # The filtered list counted by kind ("18 recommendations, 19 key messages, ..."): one GROUP BY.
        "kinds": breakdowns.breakdown_from_rows(filterset.qs.status_counts("kind")).kinds if valid else {},
    }
    return render(request, "tracker/recommendation_list.html", context, status=200 if valid else 400)


def export_parameters():
    """The query parameters an export reads: the filters and `format`."""
    return params.filterset_parameters(BrowseFilterSet) | {"format"}


def filter_query(request):
    """The request's filters without paging, format or parameters that are not filters (which an
    export would refuse), to build sort, page, export and feed links."""
    query = request.GET.copy()
    filters = params.filterset_parameters(BrowseFilterSet)
    for key in list(query):
        if key not in filters:
            del query[key]
    return query
