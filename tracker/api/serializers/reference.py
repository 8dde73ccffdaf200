"""Processes, forums, roundtables, actors, themes, framework objectives and documents, and the
brief form in which each object appears inside another (slug, name, URL): one form per model,
shared by every resource that nests it."""

from rest_framework import serializers

from tracker.models import (
    Actor,
    Document,
    EditorialFact,
    Forum,
    FrameworkObjective,
    Process,
    Recommendation,
    Roundtable,
    Theme,
)
from tracker.opendata.countries import M49_NAMES, country_codes

from .fields import HtmlUrlField, OptionalURLField, api_url, kind_field
from .translated import localized_model_fields, nested_model_fields

# Briefs: how an object appears inside another one. Its name (a forum's or document's title, an
# objective's title) is in the asked content language, else the source, with its language beside it.


class ProcessBriefSerializer(serializers.ModelSerializer):
    name, name_lang = nested_model_fields("name")
    url = api_url("process")

    class Meta:
        model = Process
        fields = ["slug", "acronym", "name", "name_lang", "url"]


class ForumBriefSerializer(serializers.ModelSerializer):
    name, name_lang = nested_model_fields("title", "name")
    url = api_url("forum")

    class Meta:
        model = Forum
        fields = ["slug", "name", "name_lang", "start_date", "url"]


class RoundtableBriefSerializer(serializers.ModelSerializer):
    name, name_lang = nested_model_fields("title", "name")
    url = api_url("roundtable")

    class Meta:
        model = Roundtable
        fields = ["slug", "code", "name", "name_lang", "url"]


class ActorBriefSerializer(serializers.ModelSerializer):
    name, name_lang = nested_model_fields("name")
    url = api_url("actor")

    class Meta:
        model = Actor
        fields = ["slug", "name", "name_lang", "url"]


class ThemeBriefSerializer(serializers.ModelSerializer):
    name, name_lang = nested_model_fields("name")
    url = api_url("theme")

    class Meta:
        model = Theme
        fields = ["slug", "name", "name_lang", "url"]


class ObjectiveBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="short_label", help_text="e.g. GCM 6 or SDG 10.7.")
    title, title_lang = nested_model_fields("title", "title")
    url = api_url("objective")

    class Meta:
        model = FrameworkObjective
        fields = ["slug", "name", "title", "title_lang", "url"]


class DocumentBriefSerializer(serializers.ModelSerializer):
    name, name_lang = nested_model_fields("title", "name")
    url = api_url("document")

    class Meta:
        model = Document
        fields = ["slug", "name", "name_lang", "symbol", "url"]


class RecommendationBriefSerializer(serializers.ModelSerializer):
    url = api_url("recommendation", "code")

    class Meta:
        model = Recommendation
        fields = ["code", "version", "url"]


# Full representations.


class EditorialFactSerializer(serializers.ModelSerializer):
    field = serializers.CharField(help_text="The field whose value the source document does not give.")
    note = serializers.CharField(help_text="Where the value comes from.")

    class Meta:
        model = EditorialFact
        fields = ["field", "note"]


EDITORIAL_FACTS_HELP = "Fields whose values the secretariat added (editorial): not stated in the source document."


class ProcessSerializer(serializers.ModelSerializer):
    name, name_lang, name_status, source_name, source_lang = localized_model_fields("name")
    description, description_lang, description_status, source_description = localized_model_fields(
        "description", source_lang=False
    )
    url = api_url("process")
    kind = kind_field(Process)
    forum_count = serializers.IntegerField(read_only=True)
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Process
        fields = [
            "slug",
            "url",
            "acronym",
            "name",
            "name_lang",
            "name_status",
            "source_name",
            "kind",
            "description",
            "description_lang",
            "description_status",
            "source_description",
            "established",
            "forum_count",
            "recommendation_count",
            "source_lang",
            "change_key",
            "updated_at",
        ]


class ForumSerializer(serializers.ModelSerializer):
    title, title_lang, title_status, source_title, source_lang = localized_model_fields("title")
    editorial_facts = EditorialFactSerializer(many=True, read_only=True, help_text=EDITORIAL_FACTS_HELP)
    url = api_url("forum")
    html_url = HtmlUrlField()
    process = ProcessBriefSerializer()
    documents = DocumentBriefSerializer(many=True)
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Forum
        fields = [
            "slug",
            "url",
            "html_url",
            "title",
            "title_lang",
            "title_status",
            "source_title",
            "process",
            "city",
            "country",
            "start_date",
            "end_date",
            "host",
            "theme",
            "format",
            "notes",
            "documents",
            "editorial_facts",
            "recommendation_count",
            "source_lang",
            "change_key",
            "updated_at",
        ]


class RoundtableSerializer(serializers.ModelSerializer):
    title, title_lang, title_status, source_title, source_lang = localized_model_fields("title")
    url = api_url("roundtable")
    forum = ForumBriefSerializer()
    parent = RoundtableBriefSerializer(allow_null=True)
    recommendation_count = serializers.IntegerField(
        read_only=True, help_text="Recommendations of the roundtable and its sub-sessions."
    )

    class Meta:
        model = Roundtable
        fields = [
            "slug",
            "url",
            "code",
            "title",
            "title_lang",
            "title_status",
            "source_title",
            "kind",
            "order",
            "forum",
            "parent",
            "recommendation_count",
            "source_lang",
            "change_key",
            "updated_at",
        ]


class ActorSerializer(serializers.ModelSerializer):
    name, name_lang, name_status, source_name, source_lang = localized_model_fields("name")
    description, description_lang, description_status, source_description = localized_model_fields(
        "description", source_lang=False
    )
    url = api_url("actor")
    html_url = HtmlUrlField()
    kind = kind_field(Actor)
    website = OptionalURLField(source="url")
    iso3166_alpha3 = serializers.SerializerMethodField(
        help_text="ISO 3166-1 alpha-3 code of the state, for a government with a country code; else null."
    )
    m49 = serializers.SerializerMethodField(
        help_text="UN M49 code of the state (three digits, zero-padded: ISO 3166-1 numeric), for a government "
        "with a country code; else null."
    )
    m49_region = serializers.SerializerMethodField(
        help_text='UN M49 code of the state\'s region ("150" Europe), for a government in M49; else null.'
    )
    m49_region_name = serializers.SerializerMethodField(help_text="The region's M49 name in English; else null.")
    m49_subregion = serializers.SerializerMethodField(
        help_text='UN M49 code of the state\'s sub-region ("155" Western Europe), for a government in M49; else null.'
    )
    m49_subregion_name = serializers.SerializerMethodField(help_text="The sub-region's M49 name in English; else null.")
    recommendation_count = serializers.IntegerField(read_only=True, help_text="Recommendations it is responsible for.")

    class Meta:
        model = Actor
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "name_lang",
            "name_status",
            "source_name",
            "kind",
            "country_code",
            "iso3166_alpha3",
            "m49",
            "m49_region",
            "m49_region_name",
            "m49_subregion",
            "m49_subregion_name",
            "description",
            "description_lang",
            "description_status",
            "source_description",
            "website",
            "recommendation_count",
            "source_lang",
            "change_key",
            "updated_at",
        ]

    def get_iso3166_alpha3(self, obj) -> str | None:
        return country_codes(obj.kind, obj.country_code)["iso3166_alpha3"]

    def get_m49(self, obj) -> str | None:
        return country_codes(obj.kind, obj.country_code)["m49"]

    def get_m49_region(self, obj) -> str | None:
        return country_codes(obj.kind, obj.country_code)["m49_region"]

    def get_m49_region_name(self, obj) -> str | None:
        return M49_NAMES.get(country_codes(obj.kind, obj.country_code)["m49_region"])

    def get_m49_subregion(self, obj) -> str | None:
        return country_codes(obj.kind, obj.country_code)["m49_subregion"]

    def get_m49_subregion_name(self, obj) -> str | None:
        return M49_NAMES.get(country_codes(obj.kind, obj.country_code)["m49_subregion"])


class ThemeSerializer(serializers.ModelSerializer):
    name, name_lang, name_status, source_name, source_lang = localized_model_fields("name")
    description, description_lang, description_status, source_description = localized_model_fields(
        "description", source_lang=False
    )
    url = api_url("theme")
    html_url = HtmlUrlField()
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "name_lang",
            "name_status",
            "source_name",
            "description",
            "description_lang",
            "description_status",
            "source_description",
            "recommendation_count",
            "source_lang",
            "change_key",
            "updated_at",
        ]


class FrameworkObjectiveSerializer(serializers.ModelSerializer):
    title, title_lang, title_status, source_title, source_lang = localized_model_fields("title")
    url = api_url("objective")
    label = serializers.CharField(source="short_label", help_text="e.g. GCM 6 or SDG 10.7.")
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FrameworkObjective
        fields = [
            "slug",
            "url",
            "framework",
            "number",
            "label",
            "title",
            "title_lang",
            "title_status",
            "source_title",
            "order",
            "recommendation_count",
            "source_lang",
            "change_key",
            "updated_at",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    title, title_lang, title_status, source_title, source_lang = localized_model_fields("title")
    editorial_facts = EditorialFactSerializer(many=True, read_only=True, help_text=EDITORIAL_FACTS_HELP)
    url = api_url("document")
    link = OptionalURLField(source="url", help_text="Where to read the document.")

    class Meta:
        model = Document
        fields = [
            "slug",
            "url",
            "title",
            "title_lang",
            "title_status",
            "source_title",
            "symbol",
            "date",
            "publisher",
            "link",
            "notes",
            "editorial_facts",
            "source_lang",
            "change_key",
            "updated_at",
        ]
