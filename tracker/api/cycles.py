"""Reporting cycles in the API: `/api/v1/cycles/` (list, detail by slug, create) with the actions
`open/` and `close/`, and each cycle's asked pairs at `/api/v1/cycles/<slug>/requests/`.

Everyone reads open and closed cycles; drafts and every write are the secretariat's. Each pair's
state is derived (tracker.models.cycles); submissions are private, so a reader who may not see an
actor's submissions (the public; a focal point, for other actors) gets only `approved` or
`not_reported` for its pairs and counts. Writes go through tracker.cycles.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tracker import cycles
from tracker.models import Actor, ReportingCycle, ReportingRequest, RequestState
from tracker.roles import is_secretariat

from .filters import sync_filterset
from .permissions import IsSecretariat
from .serializers.cycles import ReportingCycleCreateSerializer, ReportingCycleSerializer, ReportingRequestSerializer
from .views import SLUG, ConditionalMixin

MISSING = "missing"
REQUEST_FILTERS = [
    OpenApiParameter("actor", OpenApiTypes.STR, description="Only the pairs of this actor (slug)."),
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        enum=[*RequestState.values, MISSING],
        description="Only pairs in this state; `missing` is not_reported or returned.",
    ),
]


def _private_for(user):
    """Whose submissions `user` may see, as `ReportingRequestQuerySet.with_state()` takes it."""
    if is_secretariat(user):
        return "all"
    return user.actor_id if user.is_authenticated and user.actor_id else None


@extend_schema_view(
    list=extend_schema(
        summary="List reporting cycles",
        description="Open and closed cycles, newest first (drafts too for the secretariat), each with its "
        "counts of asked pairs by state.",
    ),
    retrieve=extend_schema(summary="A reporting cycle"),
    create=extend_schema(
        summary="Create a reporting cycle (a draft)",
        description="Secretariat only. Its recommendations are those the filters choose when it opens; each is "
        "asked of its responsible actors and of `extra_actors`.",
        request=ReportingCycleCreateSerializer,
        responses={201: ReportingCycleSerializer},
    ),
)
class ReportingCycleViewSet(
    ConditionalMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Reporting cycles ("calls for updates") and the (actor, recommendation) pairs each one asks."""

    serializer_class = ReportingCycleSerializer
    filterset_class = sync_filterset(ReportingCycle)
    lookup_field = "slug"
    lookup_value_regex = SLUG
    http_method_names = ["get", "post", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "open", "close"):
            return [IsAuthenticated(), IsSecretariat()]
        return super().get_permissions()

    def get_queryset(self):
        return (
            ReportingCycle.objects.visible_to(self.request.user)
            .prefetch_related("extra_actors")
            .order_by("-opens_on", "-id")
        )

    def _context(self, cycles_):
        requests = ReportingRequest.objects.filter(cycle__in=[cycle.pk for cycle in cycles_])
        counts = requests.with_state(_private_for(self.request.user)).counts_by_cycle() if cycles_ else {}
        return {**self.get_serializer_context(), "counts": counts}

    def _respond(self, cycle, status_code=status.HTTP_200_OK, headers=None):
        cycle = self.get_queryset().get(pk=cycle.pk)
        return Response(
            ReportingCycleSerializer(cycle, context=self._context([cycle])).data, status_code, headers=headers
        )

    def list(self, request, *args, **kwargs):
        # COUNT; the page of cycles; their extra actors; their pairs counted by cycle and state.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = ReportingCycleSerializer(page, many=True, context=self._context(page))
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        cycle = self.get_object()
        return Response(ReportingCycleSerializer(cycle, context=self._context([cycle])).data)

    def create(self, request, *args, **kwargs):
        serializer = ReportingCycleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cycle = cycles.create_cycle(user=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(reverse("api-v1:cycle-detail", args=[cycle.slug]))
        return self._respond(cycle, status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Open a draft reporting cycle",
        description="Secretariat only. Fixes the asked pairs from the filters and actors as they choose now; "
        "400 if it is not a draft, its deadline has passed or it would ask nobody anything.",
        request=None,
        responses=ReportingCycleSerializer,
    )
    @action(detail=True, methods=["post"])
    def open(self, request, slug=None):
        cycle = self.get_object()
        cycles.open_cycle(cycle, user=request.user)
        return self._respond(cycle)

    @extend_schema(
        summary="Close an open reporting cycle",
        description="Secretariat only. Updates recorded afterwards no longer count for it; 400 if it is not open.",
        request=None,
        responses=ReportingCycleSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, slug=None):
        cycle = self.get_object()
        cycles.close_cycle(cycle, user=request.user)
        return self._respond(cycle)

    @extend_schema(
        summary="A reporting cycle's asked pairs",
        description="Each asked (actor, recommendation) pair with its derived state and latest update, by "
        "recommendation code, then actor.",
        parameters=REQUEST_FILTERS,
        responses=ReportingRequestSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="requests", url_name="requests", query_parameters=REQUEST_FILTERS)
    def requests(self, request, slug=None):
        # The cycle; COUNT; the page of pairs with their state, latest update, recommendation and actor.
        cycle = get_object_or_404(self.get_queryset().prefetch_related(None), slug=slug)
        private_for = _private_for(request.user)
        pairs = (
            cycle.requests.with_state(private_for)
            .with_latest_update(private_for)
            .select_related("recommendation", "actor")
            .order_by("recommendation__code", "actor__slug", "id")
        )
        errors = {}
        actor_slug, state = request.query_params.get("actor"), request.query_params.get("state")
        if actor_slug:
            actor = Actor.objects.filter(slug=actor_slug[:200]).only("pk").first() if "\x00" not in actor_slug else None
            if actor is None:
                errors["actor"] = ["No actor has this slug."]
            else:
                pairs = pairs.filter(actor=actor)
        if state:
            if state == MISSING:
                pairs = pairs.missing()
            elif state in RequestState.values:
                pairs = pairs.filter(state=state)
            else:
                errors["state"] = [f"Use one of: {', '.join([*RequestState.values, MISSING])}."]
        if errors:
            raise exceptions.ValidationError(errors)
        page = self.paginate_queryset(pairs)
        return self.get_paginated_response(
            ReportingRequestSerializer(page, many=True, context=self.get_serializer_context()).data
        )
