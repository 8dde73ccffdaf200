"""Atom feed of approved progress updates, for everything or for any browse filter.

`/feeds/updates/` takes the same query string as `/recommendations/` (forum, status, theme,
`actor` = the responsible actor, ...) and lists the updates of the recommendations that list
shows, so any view can be followed; besides, `recommendation=<code>` keeps one recommendation's
updates and `reporting_actor=<slug>` those one actor reported. Each feed is titled for what it holds.

A feed is in the language of its address (`/fr/feeds/updates/`: `<feed xml:lang="fr">`), its
content too (docs/i18n.md, "Content translation"): the recommendation's text, the actor's name and
the names in the feed's title are in that language, else in their source language. A source text
shown in a feed of another language is marked: its paragraph in the entry's HTML carries `lang` and
`dir`, the entry's `<author><name>` carries `xml:lang`. Titles are plain text, where no part can be
marked: a name in them falls back unmarked. The update's summary is in the feed's language too, else
its source language, marked the same way.
"""

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tracker.filters import RecommendationFilterSet
from tracker.languages import html_lang, text_direction
from tracker.models import Actor, Forum, FrameworkObjective, Process, ProgressUpdate, Recommendation, Roundtable, Theme
from tracker.models.translations import current_lang, localize
from tracker.templatetags.tracker_tags import browse_query
from tracker.text import xml_safe

FEED_SIZE = 50
# The translated field that names each kind of object a feed's title can name.
NAMED_BY = {
    Process: "name",
    Forum: "title",
    Roundtable: "title",
    Theme: "name",
    FrameworkObjective: "title",
    Actor: "name",
}


def _named(obj):
    """`str(obj)` with its name in the active language, else the source's (plain text)."""
    field = NAMED_BY.get(type(obj))
    source = getattr(obj, field, "") if field else ""
    return str(obj).replace(source, localize(obj, field).value, 1) if source else str(obj)


def _lang_attributes(language):
    """The `lang` and `dir` of a text in `language` (a Django code) shown in a feed of another."""
    return html_lang(language), text_direction(language)


def _paragraph(shown):
    """A `<p>` of `shown` (a `Localized`): marked with `lang` and `dir` when it is the source text
    in a feed of another language."""
    if shown.lang == current_lang():
        return format_html("<p>{}</p>", shown.value)
    return format_html('<p lang="{}" dir="{}">{}</p>', *_lang_attributes(shown.lang), shown.value)


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

    def add_item_elements(self, handler, item):
        """Django's entry, but an author's name in another language than the feed's (the source
        name where it has no translation) says so with `xml:lang`."""
        author_lang = item.get("author_lang")
        if not author_lang or item["author_name"] is None:
            return super().add_item_elements(handler, item)
        super().add_item_elements(handler, {**item, "author_name": None})
        handler.startElement("author", {})
        handler.addQuickElement("name", item["author_name"], {"xml:lang": author_lang})
        handler.endElement("author")


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
        own = {}
        for name, model, field in (("recommendation", Recommendation, "code"), ("reporting_actor", Actor, "slug")):
            value = request.GET.get(name)
            if value:
                own[name] = model.objects.filter(**{field: value}).first()
                if own[name] is None:
                    raise BadRequest(_("%(name)s: nothing is named %(value)s.") % {"name": name, "value": value})
                filters[name] = value
        return {
            "filterset": filterset,
            "filters": filters,
            "as_of": filterset.form.cleaned_data.get("as_of"),
            **own,
        }

    def title(self, obj):
        """ "Migration Dialogues Tracker: progress updates", then what the feed holds, e.g.
        "on GFMD-2007-RT1-01", "in Brussels 2007", "on Remittances", "reported by Belgium"."""
        cleaned = obj["filterset"].form.cleaned_data
        parts = []
        if obj.get("recommendation"):
            parts.append(_("on %(code)s") % {"code": obj["recommendation"].code})
        wordings = {
            "process": _("in %(name)s"),
            "forum": _("in %(name)s"),
            "roundtable": _("in %(name)s"),
            "theme": _("on %(name)s"),
            "objective": _("on %(name)s"),
            "actor": _("for which %(name)s is responsible"),
        }
        for name, wording in wordings.items():
            if cleaned.get(name) is not None:
                parts.append(wording % {"name": _named(cleaned[name])})
        if obj.get("reporting_actor"):
            parts.append(_("reported by %(name)s") % {"name": _named(obj["reporting_actor"])})
        if set(obj["filters"]) - {"recommendation", "reporting_actor", *wordings}:
            parts.append(_("(filtered)"))
        title = _("Migration Dialogues Tracker: progress updates")
        return f"{title} {' '.join(str(part) for part in parts)}" if parts else title

    def subtitle(self, obj):
        return _("Approved progress reports on recommendations of intergovernmental migration dialogues.")

    def link(self, obj):
        # The page the feed follows: the recommendation's or the actor's own, else the list.
        if obj.get("recommendation"):
            return obj["recommendation"].get_absolute_url()
        if obj.get("reporting_actor"):
            return obj["reporting_actor"].get_absolute_url()
        query = browse_query(obj["filters"], obj["as_of"])
        return reverse("tracker:recommendation-list") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        query = browse_query(obj["filters"], obj["as_of"])
        return reverse("tracker:feed-updates") + (f"?{query}" if query else "")

    def items(self, obj):
        updates = ProgressUpdate.objects.reported_by_on(obj["as_of"])
        if obj.get("recommendation"):
            updates = updates.filter(recommendation=obj["recommendation"])
        if obj.get("reporting_actor"):
            updates = updates.filter(actor=obj["reporting_actor"])
        return updates.of_recommendations(obj["filterset"].qs).for_feed()[:FEED_SIZE]

    def item_title(self, item):
        return _("%(code)s: %(status)s, reported by %(actor)s") % {
            "code": item.recommendation.code,
            "status": item.get_status_display(),
            "actor": localize(item.actor, "name").value,
        }

    def item_description(self, item):
        evidence = ""
        if item.evidence_url.startswith(("http://", "https://")):
            evidence = format_html(' <a href="{}">{}</a>', item.evidence_url, _("Evidence"))
        return format_html(
            "{}{}<p>{}{}</p>",
            _paragraph(localize(item.recommendation, "text")),
            _paragraph(localize(item, "summary")),
            _("Reported on %(date)s.") % {"date": item.reported_on.isoformat()},
            evidence,
        )

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return localize(item.actor, "name").value

    def item_extra_kwargs(self, item):
        name = localize(item.actor, "name")
        return {"author_lang": html_lang(name.lang) if name.lang != current_lang() else None}

    def item_pubdate(self, item):
        return item.reviewed_at or item.recorded_at

    def item_updateddate(self, item):
        return item.reviewed_at or item.recorded_at

    def item_categories(self, item):
        return [item.get_status_display()]
