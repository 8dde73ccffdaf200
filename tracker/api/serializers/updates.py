"""Progress updates as the API shows them, and every write serializer: each validates input only
and refuses fields it does not write; saving goes through tracker.services."""

import functools
from collections.abc import Mapping

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tracker.models import Actor, Document, EvidenceFile, ProgressUpdate, Recommendation, Status
from tracker.models.translations import LANGUAGES
from tracker.roles import can_report_for
from tracker.text import clean_text

from .fields import OptionalURLField, SlugReference, api_url
from .reference import ActorBriefSerializer, DocumentBriefSerializer, RecommendationBriefSerializer
from .translated import localized_model_fields


class EvidenceFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", help_text="The title, or the file name.")
    url = serializers.SerializerMethodField(help_text="Where the file is downloaded (absolute URL).")
    size = serializers.IntegerField(help_text="In bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the content, hexadecimal.")
    content_type = serializers.CharField(help_text="MIME type detected from the content.")

    class Meta:
        model = EvidenceFile
        fields = ["name", "url", "content_type", "size", "sha256", "uploaded_at"]

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ProgressUpdateSerializer(serializers.ModelSerializer):
    url = api_url("update", "pk")
    recommendation = RecommendationBriefSerializer()
    actor = ActorBriefSerializer(help_text="Whose assessment this is.")
    summary, summary_lang, summary_status, source_summary, source_lang = localized_model_fields("summary")
    evidence_url = OptionalURLField()
    source_document = DocumentBriefSerializer(allow_null=True)
    review_note = serializers.SerializerMethodField(
        help_text="The secretariat's note to the reporting actor; empty for everyone else."
    )
    files = EvidenceFileSerializer(
        source="public_files", many=True, read_only=True, help_text="Its public evidence files, oldest first."
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
            "summary_lang",
            "summary_status",
            "source_summary",
            "source_lang",
            "evidence_url",
            "source_document",
            "files",
            "reported_on",
            "recorded_at",
            "review_state",
            "reviewed_at",
            "review_note",
            "version",
            "updated_at",
            "change_key",
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


SOURCE_LANG_HELP = (
    "The language `summary` is written in (its source language); default: the request's content language "
    "(`?lang=`, else Accept-Language, else en)."
)


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
    source_lang = serializers.ChoiceField(choices=LANGUAGES, required=False, help_text=SOURCE_LANG_HELP)
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    reported_on = serializers.DateField(required=False, help_text="The date the assessment refers to; default today.")
    source_document = SlugReference(
        slug_field="slug", queryset=Document.objects.all(), required=False, allow_null=True, default=None
    )


class ProgressUpdateReviseSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = ProgressUpdateSerializer

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    summary = CleanTextField(max_length=10000, required=False)
    source_lang = serializers.ChoiceField(
        choices=LANGUAGES, required=False, help_text="The language `summary` is written in; unchanged if not sent."
    )
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
