"""Template tags of the public pages: status badges, stacked status bars and browse links."""

from urllib.parse import urlencode, urlsplit

from django import template
from django.urls import reverse
from django.utils.formats import date_format

from tracker.models import STATUS_COLOURS, Recommendation, Status
from tracker.models.status import not_reported_since

register = template.Library()


def browse_query(filters, as_of=None, **extra):
    """The query string of the browse list for `filters` (plus `as_of` and `extra`), keys sorted."""
    params = dict(filters or {})
    params.update({key: value for key, value in extra.items() if value not in (None, "")})
    if as_of:
        params["as_of"] = as_of.isoformat() if hasattr(as_of, "isoformat") else as_of
    return urlencode(sorted(params.items()))


@register.simple_tag
def browse_url(filters=None, as_of=None, **extra):
    """/recommendations/ filtered by `filters` (a dict of browse filters) and `extra`."""
    query = browse_query(filters, as_of, **extra)
    return reverse("tracker:recommendation-list") + (f"?{query}" if query else "")


@register.simple_tag
def feed_url(filters=None, as_of=None, **extra):
    """The Atom feed of updates to the recommendations the same filters select; `extra` adds the
    feed's own filters (`recommendation=<code>`, `reporting_actor=<slug>`)."""
    query = browse_query(filters, as_of, **extra)
    return reverse("tracker:feed-updates") + (f"?{query}" if query else "")


@register.inclusion_tag("tracker/includes/status_badge.html")
def status_badge(value):
    status = Status(value) if value in Status.values else Status.NO_INFORMATION
    return {"status": status}


@register.inclusion_tag("tracker/includes/not_reported.html")
def not_reported_flag(reported_since, as_of=None):
    """ "Not reported since <date>" beside a status, when `reported_since` (a date: the last
    approved report, else the forum's date, else the day the recommendation was loaded) is older
    than the tracker's period as of `as_of` (today when empty); nothing otherwise."""
    return {"since": not_reported_since(reported_since or None, as_of or None)}


@register.filter
def status_label(value):
    return Status(value).label if value in Status.values else value


@register.filter
def status_colour(value):
    return STATUS_COLOURS.get(value, STATUS_COLOURS[Status.NO_INFORMATION])


@register.inclusion_tag("tracker/includes/status_bar.html", takes_context=True)
def status_bar(context, breakdown, legend="nonzero", label=""):
    """A stacked bar of `breakdown` with a legend whose numbers link to the list they count.

    `legend` is "nonzero" (only statuses that occur), "all" or "none"; `label` names the group
    for screen readers ("Brussels 2007: 12 recommendations ...").
    """
    as_of = context.get("as_of")
    if legend == "all":
        segments = breakdown.segments
    elif legend == "none":
        segments = []
    else:
        segments = breakdown.nonzero_segments
    return {
        "breakdown": breakdown,
        "bar_segments": breakdown.nonzero_segments,
        "legend": [
            (segment, browse_url(breakdown.filters, as_of, status=segment.status.value)) for segment in segments
        ],
        "total_url": browse_url(breakdown.filters, as_of),
        "label": label or breakdown.label,
    }


@register.filter
def http_url(value):
    """The URL if it is an http(s) link, else "": data loaded from fixtures is not validated,
    and a `javascript:` link must never become clickable."""
    if value and urlsplit(str(value)).scheme in {"http", "https"}:
        return value
    return ""


@register.filter
def notable_kind(recommendation):
    """The kind's label unless it is a plain recommendation (the default, not worth a label)."""
    if recommendation.kind == Recommendation.Kind.RECOMMENDATION:
        return ""
    return recommendation.get_kind_display()


@register.simple_tag(takes_context=True)
def sort_state(context, key):
    """ "ascending", "descending" or "" for a sortable column, from the request's `ordering`."""
    current = context["request"].GET.get("ordering", "")
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return ""


@register.filter
def date_range(start, end=None):
    """ "9–11 July 2007", "30 September – 2 October 2008", or one date."""
    if not start:
        return ""
    if not end or end == start:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} – {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"
