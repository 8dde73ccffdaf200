"""/api/v1/webhooks/: the secretariat's outbound webhook endpoints and the log of their deliveries.

Secretariat tokens only: 401 without credentials, 403 for anyone else. Registering answers 201
with the generated signing `secret`, which no later answer shows. Every change goes through
`tracker.webhooks.services`; its refusals (a URL that may not be reached, an unknown event) are
400s in the API's error format. Answers are never stored by caches (`Cache-Control: no-store`).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from tracker.models import WebhookEndpoint
from tracker.webhooks import services

from ..permissions import IsSecretariat
from ..serializers import NS, ErrorSerializer
from ..views import ConditionalMixin
from .serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointChangeSerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
)


class ManagesWebhooks(IsSecretariat):
    message = _("Only the secretariat may manage webhooks.")


FORBIDDEN = {403: OpenApiResponse(ErrorSerializer, description="Authenticated, but not the secretariat.")}


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints", responses={200: WebhookEndpointSerializer, **FORBIDDEN}),
    retrieve=extend_schema(summary="A webhook endpoint", responses={200: WebhookEndpointSerializer, **FORBIDDEN}),
    create=extend_schema(
        summary="Register a webhook endpoint",
        description="The server generates the signing secret and returns it, as `secret`, in this answer "
        "only. The URL must be https and resolve to public addresses only (unless the server allows "
        "private ones: WEBHOOKS_ALLOW_PRIVATE).",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint",
        description="Its URL (checked again), events, description, or `is_active` (true re-enables it).",
        request=WebhookEndpointChangeSerializer,
        responses=WebhookEndpointSerializer,
    ),
    destroy=extend_schema(summary="Delete a webhook endpoint and its log of deliveries"),
)
class WebhookEndpointViewSet(
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Where the tracker POSTs signed events (docs/webhooks.md)."""

    permission_classes = [IsAuthenticated, ManagesWebhooks]
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.select_related("created_by").order_by("pk")
    lookup_value_regex = r"[0-9]+"
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"  # a secret, and the secretariat's own data
        return response

    def create(self, request, *args, **kwargs):
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.register_endpoint(user=request.user, **serializer.validated_data)
        answer = WebhookEndpointCreatedSerializer(endpoint, context=self.get_serializer_context())
        location = reverse(f"{NS}:webhook-detail", args=[endpoint.pk], request=request)
        return Response(answer.data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise MethodNotAllowed(request.method)
        endpoint = self.get_object()
        serializer = WebhookEndpointChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_endpoint(endpoint, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(endpoint).data)

    def perform_destroy(self, instance):
        services.delete_endpoint(instance, user=self.request.user)

    @extend_schema(
        summary="The deliveries to a webhook endpoint",
        description="Newest first: each event sent (or to be sent) to this endpoint, its state, attempts, "
        "last HTTP status, latency and the start of the last answer.",
        responses={200: WebhookDeliverySerializer(many=True), **FORBIDDEN},
    )
    @action(detail=True, url_path="deliveries", url_name="deliveries")
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(endpoint.deliveries.order_by("-created_at", "-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
