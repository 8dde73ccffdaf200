"""What the API shows of each model. Fields are listed explicitly: a new model field is never
published by accident. Related objects are nested briefly (slug, name, URL); counts come from
QuerySet annotations, never a query per row."""

import functools
import re
from collections.abc import Mapping
from urllib.parse import quote

from django.urls import reverse as django_reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from tracker.models import (
    Actor,
    Document,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Roundtable,
    Status,
    Theme,
)
from tracker.roles import can_report_for
from tracker.text import clean_text

NS = "api-v1"


URL_PLACEHOLDER = "0000000000"  # matches both the slug and the integer converters


def url_template(request, view_name, lookup_url_kwarg, format=None):
    """The API URL of one object of `view_name` with URL_PLACEHOLDER for its lookup value, reversed
    once per request rather than for every object: a page of 50 recommendations nests several
    hundred links, and `reverse()` for each was most of the time of a list request."""
    templates = getattr(request, "_tracker_url_templates", None) if request is not None else None
    if templates is None:
        templates = {}
        if request is not None:
            request._tracker_url_templates = templates
    key = (view_name, format)
    if key not in templates:
        templates[key] = reverse(view_name, kwargs={lookup_url_kwarg: URL_PLACEHOLDER}, request=request, format=format)
    return templates[key]


def url_from(template, lookup_value):
    """A URL of `url_template()` for one object; None without a lookup value, as DRF has it."""
    if lookup_value in (None, ""):
        return None
    return template.replace(URL_PLACEHOLDER, quote(str(lookup_value), safe=""), 1)


class TemplatedIdentityField(serializers.HyperlinkedIdentityField):
    """An object's API URL, built from a per-request template (see `url_template`)."""

    def get_url(self, obj, view_name, request, format):
        return url_from(
            url_template(request, view_name, self.lookup_url_kwarg, format), getattr(obj, self.lookup_field)
        )


def _url(name, lookup="slug"):
    return TemplatedIdentityField(view_name=f"{NS}:{name}-detail", lookup_field=lookup)


class HtmlUrlField(serializers.ReadOnlyField):
    """The public page of the object, as an absolute URL."""

    def __init__(self, **kwargs):
        super().__init__(source="get_absolute_url", **kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        return request.build_absolute_uri(value) if request else value


extend_schema_field({"type": "string", "format": "uri"})(HtmlUrlField)


class OptionalURLField(serializers.URLField):
    """A link that may be missing: null rather than "" (which is not a URI)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class SlugReference(serializers.SlugRelatedField):
    """A related object named by its slug (or code). A value that cannot be a slug is invalid
    before any query: PostgreSQL refuses some characters (NUL) outright."""

    _slug = re.compile(r"[-a-zA-Z0-9_]{1,200}")

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self._slug.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:50])
        return super().to_internal_value(data)


def _kind(model):
    """`kind` of `model`. Three models have a `kind`, each with its own choices: the schema names
    each set after its model (see tracker.api.schema.AutoSchema)."""
    # An attribute of the class: DRF copies a serializer's fields by re-creating them.
    field_class = type(f"{model.__name__}KindField", (serializers.ChoiceField,), {"kind_of": model})
    return field_class(choices=model.Kind.choices, read_only=True)


# Briefs: how an object appears inside another one.


class ProcessBriefSerializer(serializers.ModelSerializer):
    url = _url("process")

    class Meta:
        model = Process
        fields = ["slug", "acronym", "name", "url"]


class ForumBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="title")
    url = _url("forum")

    class Meta:
        model = Forum
        fields = ["slug", "name", "start_date", "url"]


class RoundtableBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="title")
    url = _url("roundtable")

    class Meta:
        model = Roundtable
        fields = ["slug", "code", "name", "url"]


class ActorBriefSerializer(serializers.ModelSerializer):
    url = _url("actor")

    class Meta:
        model = Actor
        fields = ["slug", "name", "url"]


class ThemeBriefSerializer(serializers.ModelSerializer):
    url = _url("theme")

    class Meta:
        model = Theme
        fields = ["slug", "name", "url"]


class ObjectiveBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="short_label")
    url = _url("objective")

    class Meta:
        model = FrameworkObjective
        fields = ["slug", "name", "title", "url"]


class DocumentBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="title")
    url = _url("document")

    class Meta:
        model = Document
        fields = ["slug", "name", "symbol", "url"]


class RecommendationBriefSerializer(serializers.ModelSerializer):
    url = _url("recommendation", "code")

    class Meta:
        model = Recommendation
        fields = ["code", "version", "url"]


# Full representations.


class ProcessSerializer(serializers.ModelSerializer):
    url = _url("process")
    kind = _kind(Process)
    forum_count = serializers.IntegerField(read_only=True)
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Process
        fields = [
            "slug",
            "url",
            "acronym",
            "name",
            "kind",
            "description",
            "established",
            "forum_count",
            "recommendation_count",
        ]


class ForumSerializer(serializers.ModelSerializer):
    url = _url("forum")
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
            "recommendation_count",
        ]


class RoundtableSerializer(serializers.ModelSerializer):
    url = _url("roundtable")
    forum = ForumBriefSerializer()
    parent = RoundtableBriefSerializer(allow_null=True)
    recommendation_count = serializers.IntegerField(
        read_only=True, help_text="Recommendations of the roundtable and its sub-sessions."
    )

    class Meta:
        model = Roundtable
        fields = ["slug", "url", "code", "title", "order", "forum", "parent", "recommendation_count"]


class ActorSerializer(serializers.ModelSerializer):
    url = _url("actor")
    html_url = HtmlUrlField()
    kind = _kind(Actor)
    website = OptionalURLField(source="url")
    recommendation_count = serializers.IntegerField(read_only=True, help_text="Recommendations it is responsible for.")

    class Meta:
        model = Actor
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "kind",
            "country_code",
            "description",
            "website",
            "recommendation_count",
        ]


class ThemeSerializer(serializers.ModelSerializer):
    url = _url("theme")
    html_url = HtmlUrlField()
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["slug", "url", "html_url", "name", "description", "recommendation_count"]


class FrameworkObjectiveSerializer(serializers.ModelSerializer):
    url = _url("objective")
    label = serializers.CharField(source="short_label", help_text="e.g. GCM 6 or SDG 10.7.")
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FrameworkObjective
        fields = ["slug", "url", "framework", "number", "label", "title", "order", "recommendation_count"]


class DocumentSerializer(serializers.ModelSerializer):
    url = _url("document")
    link = OptionalURLField(source="url", help_text="Where to read the document.")

    class Meta:
        model = Document
        fields = ["slug", "url", "title", "symbol", "date", "publisher", "link", "notes"]


class RecommendationSerializer(serializers.ModelSerializer):
    url = _url("recommendation", "code")
    html_url = HtmlUrlField()
    process = ProcessBriefSerializer(source="forum.process")
    forum = ForumBriefSerializer()
    roundtable = RoundtableBriefSerializer(allow_null=True)
    kind = _kind(Recommendation)
    status = serializers.SerializerMethodField(help_text="The current status, or with `as_of` the status on that date.")
    themes = ThemeBriefSerializer(many=True)
    actors = ActorBriefSerializer(many=True, help_text="Responsible actors.")
    objectives = ObjectiveBriefSerializer(many=True)
    source_document = DocumentBriefSerializer(allow_null=True)

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
            "status",
            "status_date",
            "target_date",
            "themes",
            "actors",
            "objectives",
            "source_document",
            "source_locator",
            "version",
            "updated_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, obj):
        return getattr(obj, "effective_status", obj.status)


class LinkSerializer(serializers.Serializer):
    relation = serializers.CharField(help_text="e.g. restates, or refined by for a link from a later recommendation.")
    recommendation = RecommendationBriefSerializer()
    note = serializers.CharField()


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
    def get_links(self, obj):
        links = [
            {"relation": link.get_kind_display(), "recommendation": link.to_recommendation, "note": link.note}
            for link in obj.links_out.all()
        ] + [
            {"relation": RecommendationLink.INVERSE_LABELS[link.kind], "recommendation": link.from_recommendation}
            | {"note": link.note}
            for link in obj.links_in.all()
        ]
        return LinkSerializer(links, many=True, context=self.context).data

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_updates_url(self, obj):
        return updates_url(self.context.get("request"), obj.code)


def updates_url(request, code):
    """Where the progress updates of the recommendation `code` are listed."""
    url = django_reverse(f"{NS}:update-list") + f"?recommendation={code}"
    return request.build_absolute_uri(url) if request else url


@functools.lru_cache(maxsize=1024)
def _objective_label(framework, number):
    """FrameworkObjective.short_label, which depends on these two fields alone."""
    return FrameworkObjective(framework=framework, number=number).short_label


class RecommendationRows:
    """Renders rows of tracker.api.queries exactly as RecommendationSerializer (a list row) and
    RecommendationDetailSerializer (a detail) render model instances: the same fields in the same
    order, the same nested lists, the same URLs.

    Plain dictionaries built from plain rows, each URL filled into a template reversed once per
    request: DRF's nested serializers, field by field for every related object, took most of the
    time of a list request. The serializers still describe the answer to the OpenAPI schema, and
    tests/test_api_queries.py holds both renderings to the same output.
    """

    _date = serializers.DateField().to_representation
    _datetime = serializers.DateTimeField().to_representation
    _kind_labels = dict(RecommendationLink.Kind.choices)

    def __init__(self, context):
        self.request = context["request"]
        format = context.get("format")
        self.urls = {
            name: url_template(self.request, f"{NS}:{name}-detail", lookup, format)
            for name, lookup in [
                ("recommendation", "code"),
                ("process", "slug"),
                ("forum", "slug"),
                ("roundtable", "slug"),
                ("theme", "slug"),
                ("actor", "slug"),
                ("objective", "slug"),
                ("document", "slug"),
            ]
        }
        self.html_url = self.request.build_absolute_uri(
            django_reverse("tracker:recommendation-detail", args=[URL_PLACEHOLDER])
        )

    def recommendation(self, row):
        """A row of `recommendation_rows()` as RecommendationSerializer renders its recommendation."""
        urls = self.urls
        code = row["code"]
        process_slug = row["forum__process__slug"]
        roundtable_slug = row["roundtable__slug"]
        return {
            "code": code,
            "url": url_from(urls["recommendation"], code),
            "html_url": url_from(self.html_url, code),
            "process": {
                "slug": process_slug,
                "acronym": row["forum__process__acronym"],
                "name": row["forum__process__name"],
                "url": url_from(urls["process"], process_slug),
            },
            "forum": self._forum(row, "forum__"),
            "roundtable": None
            if roundtable_slug is None
            else {
                "slug": roundtable_slug,
                "code": row["roundtable__code"],
                "name": row["roundtable__title"],
                "url": url_from(urls["roundtable"], roundtable_slug),
            },
            "order": row["order"],
            "kind": row["kind"],
            "text": row["text"],
            "status": row["effective_status"],
            "status_date": self._date(row["last_update"]),
            "target_date": self._date(row["target_date"]),
            "themes": [
                {"slug": slug, "name": name, "url": url_from(urls["theme"], slug)} for slug, name in row["theme_list"]
            ],
            "actors": [
                {"slug": slug, "name": name, "url": url_from(urls["actor"], slug)} for slug, name in row["actor_list"]
            ],
            "objectives": [
                {
                    "slug": slug,
                    "name": _objective_label(framework, number),
                    "title": title,
                    "url": url_from(urls["objective"], slug),
                }
                for slug, framework, number, title in row["objective_list"]
            ],
            "source_document": self._document(row, "source_document__"),
            "source_locator": row["source_locator"],
            "version": row["version"],
            "updated_at": self._datetime(row["updated_at"]),
        }

    def detail(self, row, links, follow_ups):
        """A row with its `links_of()` and `follow_ups_of()` as RecommendationDetailSerializer renders them."""
        outgoing, incoming = links
        return self.recommendation(row) | {
            "links": [self._link(self._kind_labels.get(link["kind"], link["kind"]), link) for link in outgoing]
            + [self._link(RecommendationLink.INVERSE_LABELS[link["kind"]], link) for link in incoming],
            "follow_ups": [
                {
                    "forum": self._forum(follow_up, "forum__"),
                    "document": self._document(follow_up, "document__"),
                    "date": self._date(follow_up["date"]),
                    "description": follow_up["description"],
                }
                for follow_up in follow_ups
            ],
            "updates_url": updates_url(self.request, row["code"]),
        }

    def _forum(self, row, prefix):
        slug = row[f"{prefix}slug"]
        if slug is None:
            return None
        return {
            "slug": slug,
            "name": row[f"{prefix}title"],
            "start_date": self._date(row[f"{prefix}start_date"]),
            "url": url_from(self.urls["forum"], slug),
        }

    def _document(self, row, prefix):
        slug = row[f"{prefix}slug"]
        if slug is None:
            return None
        return {
            "slug": slug,
            "name": row[f"{prefix}title"],
            "symbol": row[f"{prefix}symbol"],
            "url": url_from(self.urls["document"], slug),
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
        }


class StatusCountsSerializer(serializers.Serializer):
    """One count per status, every status present (zeros included), in display order."""

    def get_fields(self):
        return {status.value: serializers.IntegerField(label=status.label) for status in Status}


class StatusSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()


class ProgressUpdateSerializer(serializers.ModelSerializer):
    url = _url("update", "pk")
    recommendation = RecommendationBriefSerializer()
    actor = ActorBriefSerializer(help_text="Whose assessment this is.")
    evidence_url = OptionalURLField()
    source_document = DocumentBriefSerializer(allow_null=True)
    review_note = serializers.SerializerMethodField(
        help_text="The secretariat's note to the reporting actor; empty for everyone else."
    )

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "url",
            "recommendation",
            "actor",
            "status",
            "summary",
            "evidence_url",
            "source_document",
            "reported_on",
            "recorded_at",
            "review_state",
            "reviewed_at",
            "review_note",
            "version",
        ]

    def get_review_note(self, obj) -> str:
        request = self.context.get("request")
        return obj.review_note if request and can_report_for(request.user, obj.actor) else ""


# Writes. Each serializer validates input only; saving goes through tracker.services.


class CleanTextField(serializers.CharField):
    """Free text from a client, cleaned as every stored text is (`tracker.text.clean_text`:
    vertical tab and form feed become newlines, other control characters are removed) before
    it is validated, so a pasted NUL is dropped rather than refused."""

    def to_internal_value(self, data):
        return clean_text(super().to_internal_value(data))


@functools.cache
def _names_of(serializer_class):
    """The field names of `serializer_class` and of its Meta.model, if it has one (a frozenset)."""
    names = set(serializer_class().fields)
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if model is not None:
        names.update(field.name for field in model._meta.get_fields() if field.concrete)
    return frozenset(names)


class RefusesUnexpectedFields:
    """Mixin for every write serializer: a body field it does not write is refused, never dropped.

    A body name that is a field of `answers_with` (the serializer of what the write answers with)
    or of its model, or a read-only field of this serializer, is read-only here; any other name is
    unknown. Each is named in the errors, alongside the other fields' errors:
    {"review_state": ["This field is read-only."], "colour": ["Unknown field."]}.
    """

    answers_with = None  # a serializer class, or None
    default_error_messages = {
        "read_only_field": gettext_lazy("This field is read-only."),
        "unknown_field": gettext_lazy("Unknown field."),
    }

    def refused_fields(self, data):
        """{name: [ErrorDetail]} for each key of `data` this serializer does not write, in sorted
        order; {} when there is none or `data` is not a mapping (the serializer refuses that itself)."""
        if not isinstance(data, Mapping):
            return {}
        writable = {name for name, field in self.fields.items() if not field.read_only}
        read_only = set(self.fields) | (_names_of(self.answers_with) if self.answers_with else frozenset())
        refused = {}
        for name in sorted(str(key) for key in data):
            if name not in writable:
                code = "read_only_field" if name in read_only else "unknown_field"
                refused[name] = [serializers.ErrorDetail(self.error_messages[code], code=code)]
        return refused

    def to_internal_value(self, data):
        """The validated values (a dict), as the serializer's own to_internal_value returns them.

        Raises ValidationError naming each refused field (see `refused_fields`) together with the
        errors of the other fields.
        """
        refused = self.refused_fields(data)
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return values


class ProgressUpdateCreateSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = ProgressUpdateSerializer

    recommendation = SlugReference(
        slug_field="code", queryset=Recommendation.objects.all(), help_text="The recommendation's code."
    )
    actor = SlugReference(
        slug_field="slug",
        queryset=Actor.objects.all(),
        required=False,
        help_text="Whose assessment this is; defaults to your own actor. A focal point may only name its own.",
    )
    status = serializers.ChoiceField(choices=Status.choices)
    summary = CleanTextField(max_length=10000, help_text="What happened and why the status is what it is.")
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    reported_on = serializers.DateField(required=False, help_text="The date the assessment refers to; default today.")
    source_document = SlugReference(
        slug_field="slug", queryset=Document.objects.all(), required=False, allow_null=True, default=None
    )


class ProgressUpdateReviseSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = ProgressUpdateSerializer

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    summary = CleanTextField(max_length=10000, required=False)
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    reported_on = serializers.DateField(required=False)
    source_document = SlugReference(slug_field="slug", queryset=Document.objects.all(), required=False, allow_null=True)


class ReviewSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = ProgressUpdateSerializer

    note = CleanTextField(max_length=10000, required=False, allow_blank=True, default="")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown once: only a digest is stored."
    )
    expiry = serializers.DateTimeField(allow_null=True)


class TokenRequestSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = TokenSerializer

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="What went wrong, for programs: invalid, not_found, not_authenticated, …")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On 400: messages per query parameter or body field.",
    )
