"""Atom feed of approved progress updates, for everything or for any browse filter.

`/feeds/updates/` takes the same query string as `/recommendations/` (forum, status, theme, ...)
and lists the updates of the recommendations that list shows, so any view can be followed.
"""

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tracker.filters import RecommendationFilterSet
from tracker.models import ProgressUpdate, Recommendation
from tracker.templatetags.tracker_tags import browse_query
from tracker.text import xml_safe

FEED_SIZE = 50


def _xml_safe(value):
    """`value` with every string in it (also in lists and tuples) passed through `xml_safe`."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_xml_safe(item) for item in value)
    return value


class XmlSafeAtom1Feed(Atom1Feed):
    """An Atom feed that drops the characters XML 1.0 cannot carry from every field, so a
    stored text with a control character (pasted from Word, or stored before text was cleaned on
    the way in) never makes the feed fail: Django's XML writer raises on them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_xml_safe(args), **{name: _xml_safe(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_xml_safe(args), **{name: _xml_safe(value) for name, value in kwargs.items()})


class UpdatesFeed(Feed):
    feed_type = XmlSafeAtom1Feed

    def get_object(self, request):
        filterset = RecommendationFilterSet(request.GET, queryset=Recommendation.objects.all())
        if not filterset.is_valid():
            raise BadRequest(_("Some filters are not valid: %(errors)s") % {"errors": filterset.errors.as_text()})
        filters = {
            name: value
            for name, value in request.GET.items()
            if name in filterset.filters and name not in {"ordering", "as_of"} and value
        }
        return {"filterset": filterset, "filters": filters, "as_of": filterset.form.cleaned_data.get("as_of")}

    def title(self, obj):
        if obj["filters"]:
            return _("Migration Dialogues Tracker: progress updates (filtered)")
        return _("Migration Dialogues Tracker: progress updates")

    def subtitle(self, obj):
        return _("Approved progress reports on recommendations of intergovernmental migration dialogues.")

    def link(self, obj):
        query = browse_query(obj["filters"], obj["as_of"])
        return reverse("tracker:recommendation-list") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        query = browse_query(obj["filters"], obj["as_of"])
        return reverse("tracker:feed-updates") + (f"?{query}" if query else "")

    def items(self, obj):
        return (
            ProgressUpdate.objects.reported_by_on(obj["as_of"])
            .of_recommendations(obj["filterset"].qs)
            .for_feed()[:FEED_SIZE]
        )

    def item_title(self, item):
        return _("%(code)s: %(status)s, reported by %(actor)s") % {
            "code": item.recommendation.code,
            "status": item.get_status_display(),
            "actor": item.actor.name,
        }

    def item_description(self, item):
        evidence = ""
        if item.evidence_url.startswith(("http://", "https://")):
            evidence = format_html(' <a href="{}">{}</a>', item.evidence_url, _("Evidence"))
        return format_html(
            "<p>{}</p><p>{}</p><p>{}{}</p>",
            item.recommendation.text,
            item.summary,
            _("Reported on %(date)s.") % {"date": item.reported_on.isoformat()},
            evidence,
        )

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.actor.name

    def item_pubdate(self, item):
        return item.reviewed_at or item.recorded_at

    def item_updateddate(self, item):
        return item.reviewed_at or item.recorded_at

    def item_categories(self, item):
        return [item.get_status_display()]
