"""Reporting cycles and their asked pairs as the API shows them, and the body that creates a cycle.
States and counts are derived (`ReportingRequest.objects.with_state()`); what a reader may not
see of them (submissions are private) the view leaves out before they get here."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.models import Actor, ReportingCycle, ReportingRequest, RequestState

from .fields import SlugReference, api_url, url_from, url_template
from .reference import ActorBriefSerializer, RecommendationBriefSerializer
from .updates import CleanTextField, RefusesUnexpectedFields


class StateCountsSerializer(serializers.Serializer):
    not_reported = serializers.IntegerField(help_text="Asked pairs with no update in the cycle yet.")
    submitted = serializers.IntegerField(help_text="Waiting for review (0 unless you may see submissions).")
    returned = serializers.IntegerField(help_text="Returned for revision (0 unless you may see submissions).")
    approved = serializers.IntegerField(help_text="With an approved update recorded during the cycle.")
    total = serializers.IntegerField(help_text="Asked (actor, recommendation) pairs.")


EMPTY_COUNTS = {**dict.fromkeys(RequestState.values, 0), "total": 0}


class ReportingCycleSerializer(serializers.ModelSerializer):
    url = api_url("cycle")
    state = serializers.ChoiceField(
        choices=ReportingCycle.State.choices,
        read_only=True,
        help_text="draft (prepared, nothing asked yet), open (asking) or closed.",
    )
    filters = serializers.DictField(
        source="recommendation_filter",
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The filters of /api/v1/recommendations/ that chose its recommendations: {parameter: [values]}.",
    )
    extra_actors = ActorBriefSerializer(
        many=True, help_text="Asked about every recommendation of the cycle, besides its responsible actors."
    )
    counts = serializers.SerializerMethodField(help_text="Asked pairs by state; all 0 for a draft.")
    requests_url = serializers.SerializerMethodField(help_text="Its asked pairs, paginated (absolute URL).")

    class Meta:
        model = ReportingCycle
        fields = [
            "slug",
            "url",
            "name",
            "state",
            "opens_on",
            "deadline",
            "close_after_days",
            "opened_at",
            "closed_at",
            "filters",
            "extra_actors",
            "counts",
            "requests_url",
            "change_key",
            "updated_at",
        ]

    @extend_schema_field(StateCountsSerializer)
    def get_counts(self, obj):
        return self.context.get("counts", {}).get(obj.pk, EMPTY_COUNTS)

    @extend_schema_field(OpenApiTypes.URI)
    def get_requests_url(self, obj):
        return url_from(url_template(self.context.get("request"), "api-v1:cycle-requests", "slug"), obj.slug)


class ReportingCycleCreateSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = ReportingCycleSerializer

    name = CleanTextField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False, help_text="Default: made from the name.")
    opens_on = serializers.DateField()
    deadline = serializers.DateField(help_text="On or after `opens_on`.")
    close_after_days = serializers.IntegerField(
        min_value=0,
        max_value=3650,
        required=False,
        allow_null=True,
        default=None,
        help_text="Days after the deadline the cycle closes by itself; default from the server's settings.",
    )
    filters = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=200), max_length=500),
        required=False,
        default=dict,
        help_text="Filters of /api/v1/recommendations/ choosing its recommendations, each with a list of values "
        "(any of them matches): process, forum, roundtable, theme, objective, actor, status, kind, q. "
        'E.g. {"forum": ["gfmd-2007"], "status": ["not_started", "no_information"]}.',
    )
    extra_actors = SlugReference(
        many=True,
        slug_field="slug",
        queryset=Actor.objects.all(),
        required=False,
        default=list,
        help_text="Slugs of actors asked about every chosen recommendation, besides its responsible actors.",
    )
    notes = CleanTextField(max_length=10000, required=False, allow_blank=True, default="")


class ReportingRequestSerializer(serializers.ModelSerializer):
    recommendation = RecommendationBriefSerializer()
    actor = ActorBriefSerializer(help_text="The actor asked to report.")
    state = serializers.ChoiceField(
        choices=RequestState.choices,
        read_only=True,
        help_text="Derived from the actor's updates recorded during the cycle. Unless you may see the actor's "
        "submissions (the secretariat; a focal point for its own actor), only approved or not_reported.",
    )
    latest_update = serializers.IntegerField(
        source="latest_update_id",
        allow_null=True,
        read_only=True,
        help_text="Id of the actor's latest update of it in the cycle that you may see (/api/v1/updates/<id>/).",
    )

    class Meta:
        model = ReportingRequest
        fields = ["recommendation", "actor", "state", "latest_update"]
