"""Recommendations as the API shows them, in a list and in detail, and their counts by status.

The fields are declared as for any serializer: they are what the OpenAPI schema describes and
what a response holds, in that order. A recommendation is rendered from a row, not a model
instance: a dictionary of `.values()` (`Recommendation.objects.for_api_detail()`, of which a page
of `for_api_list()` is made) with its nested lists added by `with_api_lists()`. Building a page of
instances with their related objects and rendering them field by field through nested
serializers took most of the time of a list request (docs/benchmarks.md). Each URL is filled
into a template reversed once per request.
"""

import functools

from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.models import (
    Basis,
    FollowUpAction,
    FrameworkObjective,
    Recommendation,
    RecommendationLink,
    Status,
)
from tracker.models.api_rows import nested_columns
from tracker.models.status import not_reported_cutoff

from .fields import NS, URL_PLACEHOLDER, HtmlUrlField, api_url, kind_field, url_from, url_template
from .reference import (
    ActorBriefSerializer,
    DocumentBriefSerializer,
    ForumBriefSerializer,
    ObjectiveBriefSerializer,
    ProcessBriefSerializer,
    RecommendationBriefSerializer,
    RoundtableBriefSerializer,
    ThemeBriefSerializer,
)
from .translated import content_language, localized_declarations, localized_fields, nested_fields

# The objects a recommendation links to, and the URL keyword that names each.
LINKED = [
    ("recommendation", "code"),
    ("process", "slug"),
    ("forum", "slug"),
    ("roundtable", "slug"),
    ("theme", "slug"),
    ("actor", "slug"),
    ("objective", "slug"),
    ("document", "slug"),
]
_date = serializers.DateField().to_representation
_datetime = serializers.DateTimeField().to_representation
_LINK_LABELS = dict(RecommendationLink.Kind.choices)


@functools.lru_cache(maxsize=1024)
def _objective_label(framework, number):
    """FrameworkObjective.short_label, which depends on these two fields alone."""
    return FrameworkObjective(framework=framework, number=number).short_label


def _listed(name, columns, lang):
    """{name, name_lang} of an item of a row's list (tracker.models.api_rows.with_lists): its source
    `name`, its `name` in `lang`, its source language and its status in `lang`, in that order."""
    return nested_fields(
        dict(zip(("value", *nested_columns("value", lang)), columns, strict=True)), "", "value", lang, name
    )


BASIS_HELP = "source: the source document says so; editorial: the secretariat's judgement."


class ObjectiveMappingSerializer(ObjectiveBriefSerializer):
    basis = serializers.ChoiceField(choices=Basis.choices, help_text=BASIS_HELP)

    class Meta(ObjectiveBriefSerializer.Meta):
        fields = [*ObjectiveBriefSerializer.Meta.fields, "basis"]


class RecommendationSerializer(serializers.ModelSerializer):
    url = api_url("recommendation", "code")
    html_url = HtmlUrlField()
    process = ProcessBriefSerializer(source="forum.process")
    forum = ForumBriefSerializer()
    roundtable = RoundtableBriefSerializer(allow_null=True)
    kind = kind_field(Recommendation)
    status = serializers.SerializerMethodField(help_text="The current status, or with `as_of` the status on that date.")
    text, text_lang, text_status, source_text, source_lang = localized_declarations("text").values()
    themes = ThemeBriefSerializer(many=True)
    actors = ActorBriefSerializer(many=True, help_text="Responsible actors.")
    objectives = ObjectiveMappingSerializer(
        many=True, help_text="GCM objectives and SDG targets, each with the basis of the mapping."
    )
    source_document = DocumentBriefSerializer(allow_null=True)
    not_reported_since = serializers.DateField(
        allow_null=True,
        read_only=True,
        help_text=(
            "Set when nothing has been reported for longer than the tracker's period (24 months by "
            "default; with `as_of`, counted back from that date): the date its silence counts from "
            "(its last approved report, else its forum's date, else the day it was loaded). Null "
            "otherwise. A flag beside the status, never a change of status."
        ),
    )

    class Meta:
        model = Recommendation
        fields = [
            "code",
            "url",
            "html_url",
            "process",
            "forum",
            "roundtable",
            "order",
            "kind",
            "text",
            "text_lang",
            "text_status",
            "source_text",
            "source_lang",
            "status",
            "status_date",
            "not_reported_since",
            "target_date",
            "themes",
            "actors",
            "objectives",
            "source_document",
            "source_locator",
            "version",
            "updated_at",
            "change_key",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, obj):  # described for the schema; to_representation renders it
        return obj["effective_status"]

    @functools.cached_property
    def not_reported_cutoff(self):
        """The date before which a last report is too old, as of the request's `as_of` or today."""
        view = self.context.get("view")
        as_of = view.as_of_date() if view is not None and hasattr(view, "as_of_date") else None
        return not_reported_cutoff(as_of)

    def _not_reported_since(self, reported_since):
        return _date(reported_since) if reported_since and reported_since < self.not_reported_cutoff else None

    @functools.cached_property
    def content_language(self):
        return content_language(self.context)

    @functools.cached_property
    def urls(self):
        """The URL templates of this request (see `url_template`), one per kind of object linked."""
        request, format = self.context.get("request"), self.context.get("format")
        urls = {name: url_template(request, f"{NS}:{name}-detail", lookup, format) for name, lookup in LINKED}
        html = django_reverse("tracker:recommendation-detail", args=[URL_PLACEHOLDER])
        urls["html"] = request.build_absolute_uri(html) if request else html
        return urls

    def to_representation(self, row):
        """A row of `Recommendation.objects.for_api_detail()` with its `with_api_lists()`, as the
        fields above describe it."""
        urls, lang = self.urls, self.content_language
        code = row["code"]
        process_slug = row["forum__process__slug"]
        roundtable_slug = row["roundtable__slug"]
        return {
            "code": code,
            "url": url_from(urls["recommendation"], code),
            "html_url": url_from(urls["html"], code),
            "process": {
                "slug": process_slug,
                "acronym": row["forum__process__acronym"],
                **nested_fields(row, "forum__process__", "name", lang),
                "url": url_from(urls["process"], process_slug),
            },
            "forum": self._forum(row, "forum__"),
            "roundtable": None
            if roundtable_slug is None
            else {
                "slug": roundtable_slug,
                "code": row["roundtable__code"],
                **nested_fields(row, "roundtable__", "title", lang),
                "url": url_from(urls["roundtable"], roundtable_slug),
            },
            "order": row["order"],
            "kind": row["kind"],
            **localized_fields(row, "text", self.content_language),
            "status": row["effective_status"],
            "status_date": _date(row["last_update"]),
            "not_reported_since": self._not_reported_since(row["reported_since"]),
            "target_date": _date(row["target_date"]),
            "themes": [
                {"slug": slug, **_listed("name", names, lang), "url": url_from(urls["theme"], slug)}
                for slug, *names in row["themes"]
            ],
            "actors": [
                {"slug": slug, **_listed("name", names, lang), "url": url_from(urls["actor"], slug)}
                for slug, *names in row["actors"]
            ],
            "objectives": [
                {
                    "slug": slug,
                    "name": _objective_label(framework, number),
                    **_listed("title", titles, lang),
                    "url": url_from(urls["objective"], slug),
                    "basis": basis,
                }
                for slug, framework, number, *titles, basis in row["objectives"]
            ],
            "source_document": self._document(row, "source_document__"),
            "source_locator": row["source_locator"],
            "version": row["version"],
            "updated_at": _datetime(row["updated_at"]),
            "change_key": row["change_key"],
        }

    def _forum(self, row, prefix):
        slug = row[f"{prefix}slug"]
        if slug is None:
            return None
        return {
            "slug": slug,
            **nested_fields(row, prefix, "title", self.content_language),
            "start_date": _date(row[f"{prefix}start_date"]),
            "url": url_from(self.urls["forum"], slug),
        }

    def _document(self, row, prefix):
        slug = row[f"{prefix}slug"]
        if slug is None:
            return None
        return {
            "slug": slug,
            **nested_fields(row, prefix, "title", self.content_language),
            "symbol": row[f"{prefix}symbol"],
            "url": url_from(self.urls["document"], slug),
        }


class LinkSerializer(serializers.Serializer):
    relation = serializers.CharField(help_text="e.g. restates, or refined by for a link from a later recommendation.")
    recommendation = RecommendationBriefSerializer()
    note = serializers.CharField()
    basis = serializers.ChoiceField(choices=Basis.choices, help_text=BASIS_HELP)
    basis_note = serializers.CharField(help_text="Where the source says so, or why the secretariat judged so.")


class FollowUpSerializer(serializers.ModelSerializer):
    forum = ForumBriefSerializer(allow_null=True)
    document = DocumentBriefSerializer(allow_null=True)

    class Meta:
        model = FollowUpAction
        fields = ["forum", "document", "date", "description"]


class RecommendationDetailSerializer(RecommendationSerializer):
    links = serializers.SerializerMethodField(help_text="Earlier and later recommendations this one is linked with.")
    follow_ups = FollowUpSerializer(many=True, help_text="Later forums or documents that acted on it.")
    updates_url = serializers.SerializerMethodField(help_text="Its progress updates, newest first.")

    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "links", "follow_ups", "updates_url"]

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, obj):  # described for the schema; to_representation renders them
        return obj["links_out"] + obj["links_in"]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_updates_url(self, obj):  # described for the schema; to_representation renders it
        return updates_url(self.context.get("request"), obj["code"])

    def to_representation(self, row):
        """A row of `Recommendation.objects.for_api_detail()` with its `with_api_lists()` and
        `with_api_detail_lists()`: the list's fields, then links out, links in, follow-ups."""
        return super().to_representation(row) | {
            "links": [self._link(_LINK_LABELS.get(link["kind"], link["kind"]), link) for link in row["links_out"]]
            + [self._link(RecommendationLink.INVERSE_LABELS[link["kind"]], link) for link in row["links_in"]],
            "follow_ups": [
                {
                    "forum": self._forum(follow_up, "forum__"),
                    "document": self._document(follow_up, "document__"),
                    "date": _date(follow_up["date"]),
                    "description": follow_up["description"],
                }
                for follow_up in row["follow_ups"]
            ],
            "updates_url": updates_url(self.context.get("request"), row["code"]),
        }

    def _link(self, relation, link):
        return {
            "relation": str(relation),
            "recommendation": {
                "code": link["code"],
                "version": link["version"],
                "url": url_from(self.urls["recommendation"], link["code"]),
            },
            "note": link["note"],
            "basis": link["basis"],
            "basis_note": link["basis_note"],
        }


def updates_url(request, code):
    """Where the progress updates of the recommendation `code` are listed."""
    url = django_reverse(f"{NS}:update-list") + f"?recommendation={code}"
    return request.build_absolute_uri(url) if request else url


class StatusCountsSerializer(serializers.Serializer):
    """One count per status, every status present (zeros included), in display order."""

    def get_fields(self):
        return {status.value: serializers.IntegerField(label=status.label) for status in Status}


class StatusSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
