"""Webhook endpoints and their deliveries as the API shows them (to the secretariat only), and the
bodies that register and change an endpoint. Writes validate their input's shape here; the rules
(which URLs may be reached, which events exist) are `tracker.webhooks.services`'."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from tracker.events import EVENT_TYPES
from tracker.models import WebhookDelivery, WebhookEndpoint

from ..serializers import CleanTextField, RefusesUnexpectedFields
from ..serializers.fields import NS

_EVENTS_HELP = "The event types to receive: " + ", ".join(f"`{event}`" for event in EVENT_TYPES) + "."


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.CharField(help_text="Where each event is POSTed.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES), help_text=_EVENTS_HELP)
    is_active = serializers.BooleanField(
        help_text="False when disabled, by hand or after repeated failures (`disabled_reason` says why)."
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    deliveries_url = serializers.SerializerMethodField(help_text="The log of its deliveries, newest first.")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "created_by",
            "created_at",
            "deliveries_url",
        ]
        read_only_fields = fields

    def get_deliveries_url(self, obj) -> str:
        return reverse(f"{NS}:webhook-deliveries", args=[obj.pk], request=self.context.get("request"))


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_` + base64), shown in this answer only: store it now. "
        "Verify each delivery's `webhook-signature` with it (docs/webhooks.md)."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = WebhookEndpointCreatedSerializer

    url = serializers.CharField(
        max_length=500, help_text="An https URL whose host resolves to public addresses only (docs/webhooks.md)."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False, max_length=20, help_text=_EVENTS_HELP
    )
    description = CleanTextField(max_length=200, required=False, allow_blank=True, default="")


class WebhookEndpointChangeSerializer(RefusesUnexpectedFields, serializers.Serializer):
    answers_with = WebhookEndpointSerializer

    url = serializers.CharField(max_length=500, required=False, help_text="Checked again as on registration.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        max_length=20,
        required=False,
        help_text=_EVENTS_HELP,
    )
    description = CleanTextField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="True re-enables a disabled endpoint (its failure count starts again at 0)."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    message_id = serializers.CharField(help_text="The `webhook-id` header of every attempt at this delivery.")
    event_type = serializers.CharField(help_text="The event: one of the endpoint's event types, or `webhook.test`.")
    payload = serializers.JSONField(help_text='What is POSTed: {"type", "timestamp", "data"}.')
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When the next attempt is due; null while one is under way or when none is left."
    )
    last_status_code = serializers.IntegerField(allow_null=True, help_text="The HTTP status of the last answer.")
    latency_ms = serializers.IntegerField(allow_null=True, help_text="Milliseconds the last answer took.")
    response_excerpt = serializers.CharField(help_text="The first 500 characters of the last answer's body.")
    error = serializers.CharField(help_text="Why the last attempt failed; empty after a success.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "message_id",
            "event_type",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "latency_ms",
            "response_excerpt",
            "error",
            "payload",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields
