"""Template tags of the public pages: status badges, stacked status bars, browse links, the
as-of date carried by every internal link, counts by kind and session names."""

import functools
import threading
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.numbers import format_percent
from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.formats import date_format, get_format
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext, to_locale
from django.utils.translation import gettext_lazy as _

from tracker.models import STATUS_COLOURS, Recommendation, Roundtable, Status
from tracker.models.status import not_reported_since
from tracker.models.translations import localize

register = template.Library()

# "18 recommendations", "1 key message", ...: one wording per kind, in Recommendation.Kind's order
# (functions of the number, so ngettext chooses the plural from the number itself).
KIND_COUNT_WORDINGS = {
    Recommendation.Kind.RECOMMENDATION: lambda n: ngettext("%(count)s recommendation", "%(count)s recommendations", n),
    Recommendation.Kind.OUTCOME: lambda n: ngettext("%(count)s outcome", "%(count)s outcomes", n),
    Recommendation.Kind.KEY_MESSAGE: lambda n: ngettext("%(count)s key message", "%(count)s key messages", n),
    Recommendation.Kind.FINDING: lambda n: ngettext("%(count)s finding", "%(count)s findings", n),
}
# "Roundtable 1", "Sub-session 1.a", "Section RP": what the source calls a forum's session.
SESSION_WORDINGS = {
    Roundtable.Kind.ROUNDTABLE: _("Roundtable %(code)s"),
    Roundtable.Kind.SUB_SESSION: _("Sub-session %(code)s"),
    Roundtable.Kind.SECTION: _("Section %(code)s"),
}


def _iso(as_of):
    return as_of.isoformat() if hasattr(as_of, "isoformat") else str(as_of)


def with_as_of(url, as_of):
    """`url` (a path, with or without a query and a #fragment) with `as_of` (a date or
    "YYYY-MM-DD") set in its query, replacing any `as_of` it had; `url` unchanged when `as_of`
    is empty."""
    url = str(url)
    if not as_of:
        return url
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "as_of"]
    query.append(("as_of", _iso(as_of)))
    return urlunsplit(parts._replace(query=urlencode(query)))


@register.simple_tag(takes_context=True)
def as_of_url(context, url):
    """`url` carrying the `as_of` date the page is viewed as of (the context's `as_of`, set by
    the views that honour it), so a reader who looks at the past stays there from link to link;
    `url` as it is on a page of today. The one way templates add `as_of` to an internal link."""
    return with_as_of(url, context.get("as_of"))


@register.simple_tag(takes_context=True)
def today_url(context):
    """The current page's address without `as_of` (nor `page`, as the list it pages through
    changes with the date), every other parameter kept: where "back to today" goes."""
    request = context["request"]
    query = request.GET.copy()
    for key in ("as_of", "page"):
        query.pop(key, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def kind_count_parts(kinds):
    """[(kind, "18 recommendations"), ...] for each kind with a count in `kinds` ({kind: n}), in
    Recommendation.Kind's order."""
    return [
        (kind, wording(kinds[kind]) % {"count": intcomma(kinds[kind])})
        for kind, wording in KIND_COUNT_WORDINGS.items()
        if kinds.get(kind)
    ]


@register.simple_tag(takes_context=True)
def kind_counts(context, source, links=False):
    """A total told by kind: "18 recommendations, 19 key messages, 9 outcomes, 6 findings".

    `source` is a `tracker.breakdowns.Breakdown` (its `kinds` and, for links, its `filters`) or
    a dict {kind: n}. With `links=True` each part links to the browse list of that kind (with the
    breakdown's filters and the page's `as_of`). A breakdown counted without kinds says "52
    items"; nothing counted, "0 items"."""
    kinds = getattr(source, "kinds", source) or {}
    parts = kind_count_parts(kinds)
    if not parts:
        total = getattr(source, "total", 0) or 0
        return ngettext("%(count)s item", "%(count)s items", total) % {"count": intcomma(total)}
    if not links:
        return ", ".join(str(text) for _kind, text in parts)
    filters = getattr(source, "filters", None) or {}
    as_of = context.get("as_of")
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((browse_url(filters, as_of, kind=kind), text) for kind, text in parts)
    )


@register.inclusion_tag("tracker/includes/kind_total.html", takes_context=True)
def kind_total(context, breakdown):
    """A breakdown's total told by kind, each number linking to the browse list it counts (with
    the breakdown's filters and the page's `as_of`): "52 items: 18 recommendations, 19 key
    messages, 9 outcomes, 6 findings"; one kind alone, "22 recommendations"; none, "0 items"."""
    as_of = context.get("as_of")
    parts = [
        (text, browse_url(breakdown.filters, as_of, kind=kind)) for kind, text in kind_count_parts(breakdown.kinds)
    ]
    total = breakdown.total
    return {
        "parts": parts,
        "total_label": ngettext("%(count)s item", "%(count)s items", total) % {"count": intcomma(total)},
        "total_url": browse_url(breakdown.filters, as_of),
    }


@register.filter
def session_label(roundtable):
    """ "Roundtable 1", "Sub-session 1.a" or "Section RP": the session's kind, as its source
    calls it (Roundtable.kind), and its code."""
    wording = SESSION_WORDINGS.get(roundtable.kind, SESSION_WORDINGS[Roundtable.Kind.ROUNDTABLE])
    return wording % {"code": roundtable.code}


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


# Rendered status bars and breakdown rows, keyed by everything they show (the language, the as-of
# date, the label, the counts and the filters their links carry): each is a pure function of its
# key, so an entry can never be out of date, and a page re-renders only the bars whose counts changed.
_RENDERED = OrderedDict()
_RENDERED_LOCK = threading.Lock()
MAX_RENDERED = 2048


def _memo(key, render):
    """The HTML rendered for `key`, rendering it with `render()` the first time (bounded LRU)."""
    with _RENDERED_LOCK:
        html = _RENDERED.get(key)
        if html is not None:
            _RENDERED.move_to_end(key)
            return html
    html = render()
    with _RENDERED_LOCK:
        _RENDERED[key] = html
        while len(_RENDERED) > MAX_RENDERED:
            _RENDERED.popitem(last=False)
    return html


def _breakdown_key(breakdown, as_of):
    return (
        get_language(),
        _iso(as_of) if as_of else "",
        tuple(sorted(breakdown.counts.items())),
        tuple(sorted(breakdown.kinds.items())),
        tuple(sorted((name, str(value)) for name, value in breakdown.filters.items())),
    )


_RECT = '<rect x="{}" y="0" width="{}" height="10" fill="{}"><title>{}: {} ({})</title></rect>'
_LEGEND_ITEM = (
    '<li><a href="{}"><span class="swatch status-{}" aria-hidden="true"></span>{} <strong>{}</strong> '
    '<span class="pct">({})</span></a></li>'
)


def draw_status_bar(breakdown, segments, label, as_of):
    """The HTML of a status bar (see `status_bar`) with a legend of `segments`, written out in
    Python: the dashboard draws one per forum, ~400, and a template took 1-2 ms each, so a worker's
    first dashboard took most of a second. Every value is escaped (`escape`, as a template's
    autoescape does); the output is the template's, byte for byte (tests/test_public_dashboard.py)."""
    if not breakdown.total:
        return format_html('<div class="breakdown"><p class="empty">{}</p></div>\n', gettext("No recommendations."))
    labels = {status: escape(status.label) for status in Status}  # each translated once, not per use
    drawn = [
        (s, escape(formats.localize(s.count)), escape(percent(s.percent_label))) for s in breakdown.nonzero_segments
    ]
    parts = [
        '<div class="breakdown"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">',
        *(_RECT.format(s.offset, s.width, escape(s.colour), labels[s.status], n, pct) for s, n, pct in drawn),
        "</svg>",
    ]
    if segments:
        list_url = reverse("tracker:recommendation-list")  # once, not per segment (browse_url)
        # As {% blocktranslate %} does: the message as translated, its variables escaped.
        parts.append(f'<ul class="legend" aria-label="{gettext("Status of %(label)s") % {"label": escape(label)}}">')
        numbers = {s.status: (n, pct) for s, n, pct in drawn}
        for s in segments:  # with legend="all", the statuses without a recommendation too
            n, pct = numbers.get(s.status) or (escape(formats.localize(s.count)), escape(percent(s.percent_label)))
            url = escape(f"{list_url}?{browse_query(breakdown.filters, as_of, status=s.status.value)}")
            parts.append(_LEGEND_ITEM.format(url, escape(s.status.value), labels[s.status], n, pct))
        parts.append("</ul>")
    parts.append("</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


@register.simple_tag(takes_context=True)
def status_bar(context, breakdown, legend="nonzero", label=""):
    """A stacked bar of `breakdown` with a legend whose numbers link to the list they count.

    `legend` is "nonzero" (only statuses that occur), "all" or "none"; `label` names the group
    for screen readers ("Brussels 2007: 12 recommendations ..."). Drawn by `draw_status_bar`,
    once per distinct bar (`_memo`).
    """
    as_of = context.get("as_of")
    label = str(label or breakdown.label)

    def render():
        if legend == "all":
            segments = breakdown.segments
        elif legend == "none":
            segments = []
        else:
            segments = breakdown.nonzero_segments
        return draw_status_bar(breakdown, segments, label, as_of)

    return _memo(("bar", legend, label, *_breakdown_key(breakdown, as_of)), render)


@register.simple_tag(takes_context=True)
def breakdown_row(context, row):
    """One row of a breakdown table: the group's name linking to its page, its total told by kind
    linking to the list, its status bar (written out in Python, as `draw_status_bar`). Once per
    distinct row."""
    as_of = context.get("as_of")
    obj = row.obj
    identity = (obj._meta.label, obj.pk, getattr(obj, "slug", "")) if obj is not None else ()
    key = ("row", str(row.label), identity, *_breakdown_key(row, as_of))

    def render():
        url = obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
        name = format_html('<a href="{}">{}</a>', with_as_of(url, as_of), row.label) if url else row.label
        counted = kind_counts(context, row)
        aria = gettext("%(counted)s: %(label)s") % {
            "counted": conditional_escape(counted),
            "label": conditional_escape(row.label),
        }
        return format_html(
            '<tr><th scope="row">{}</th><td class="num"><a href="{}" aria-label="{}">{}</a></td><td>{}</td></tr>\n',
            name,
            browse_url(row.filters, as_of),
            mark_safe(aria),  # noqa: S308 (the message as translated, its variables escaped)
            intcomma(row.total),
            status_bar(context, row),
        )

    return _memo(key, render)


@register.simple_tag(takes_context=True)
def breakdown_rows(context, rows):
    """The rows of a breakdown table, one `breakdown_row` each, joined: a row a breakdown already
    holds for this language and as-of date (`Breakdown.rendered`: a forum's breakdown kept between
    dashboards) costs a lookup, so a dashboard after a write draws the row of that write's forum
    only, not ~400."""
    as_of = context.get("as_of")
    key = (get_language(), _iso(as_of) if as_of else "")
    parts = []
    for row in rows:
        html = row.rendered.get(key)
        if html is None:
            html = row.rendered[key] = breakdown_row(context, row)
        parts.append(html)
    return mark_safe("".join(parts))  # noqa: S308 (each part is a rendered template)


@register.simple_tag(takes_context=True)
def recommendation_item(context, recommendation):
    """One recommendation of a forum page's list (tracker/includes/recommendation_item.html: its
    code linking to its page, status, kind, text and theme tags), rendered once per distinct
    content: the key holds everything the item shows (`_memo`). `recommendation` comes from
    `for_forum_page()` (its `theme_list`)."""
    as_of = context.get("as_of")
    themes = tuple((theme.pk, theme.slug, localize(theme, "name")) for theme in recommendation.theme_list)
    key = (
        "item",
        get_language(),
        _iso(as_of) if as_of else "",
        recommendation.pk,
        recommendation.code,
        recommendation.effective_status,
        recommendation.kind,
        localize(recommendation, "text"),
        themes,
    )
    context = {"recommendation": recommendation, "as_of": as_of}
    return _memo(key, lambda: render_to_string("tracker/includes/recommendation_item.html", context))


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
        return date_format(start, "DATE_FORMAT")
    # The short forms drop what the start shares with the end; only for languages that write the
    # day first (DATE_FORMAT "j ...": not Chinese's "Y年n月j日", which gets both dates in full).
    long_format = get_format("DATE_FORMAT")
    if long_format.startswith("j ") and (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}–{date_format(end, 'DATE_FORMAT')}"
    if long_format.startswith("j ") and start.year == end.year:
        return f"{date_format(start, 'MONTH_DAY_FORMAT')} – {date_format(end, 'DATE_FORMAT')}"
    return f"{date_format(start, 'DATE_FORMAT')} – {date_format(end, 'DATE_FORMAT')}"


@register.filter
def percent(label):
    """A whole percentage ("12", "<1", as `Segment.percent_label` gives it) written the way the current
    language writes percentages: "12%" in English, "12 %" in French, Spanish and Russian (Babel's CLDR data)."""
    return _percent_pattern(get_language() or "en").replace("0", str(label), 1)


@functools.lru_cache(maxsize=32)
def _percent_pattern(language):
    """Zero as a percentage in `language` ("0%", "0 %"): Babel's CLDR data, read once per language."""
    return format_percent(0, locale=to_locale(language))
