"""The REST API v1: read-only resources for everyone, progress updates written by focal points
and the secretariat through tracker.services, conditional requests throughout."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from knox.models import get_token_model
from knox.settings import knox_settings
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker import services
from tracker.filters import ForumFilterSet, RoundtableFilterSet
from tracker.http import conditional
from tracker.models import (
    Actor,
    Deletion,
    Document,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    Roundtable,
    StatusCount,
    Theme,
)
from tracker.roles import is_secretariat

from .authentication import TokenAuthentication
from .filters import (
    DeletionFilterSet,
    FilterBackend,
    ProgressUpdateAPIFilterSet,
    RecommendationAPIFilterSet,
    sync_filterset,
)
from .params import AnswersInAskedLanguage, RefusesUnknownParameters
from .permissions import CanReport, IsSecretariat
from .schema import IF_MATCH
from .serializers import (
    ActorSerializer,
    DeletionSerializer,
    DocumentSerializer,
    ForumSerializer,
    FrameworkObjectiveSerializer,
    ProcessSerializer,
    ProgressUpdateCreateSerializer,
    ProgressUpdateReviseSerializer,
    ProgressUpdateSerializer,
    RecommendationDetailSerializer,
    RecommendationSerializer,
    ReviewSerializer,
    RoundtableSerializer,
    StatusSummarySerializer,
    ThemeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .serializers.translated import request_language
from .throttling import TokenRequestThrottle

SLUG = r"[-a-zA-Z0-9_]+"


class ConditionalMixin(RefusesUnknownParameters):
    """ETag and Last-Modified on every response; 304 for a GET whose validators still match; a
    400 naming any query parameter the view does not read (tracker.api.params).

    A view that answers about one recommendation sets `etag_version` to its version, which then
    leads the ETag and is what If-Match is checked against.
    """

    etag_version = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            response.render()
            return conditional.finish(request, response, self.etag_version)
        return response


class ReadOnlyViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG


@extend_schema_view(list=extend_schema(summary="List processes"), retrieve=extend_schema(summary="A process"))
class ProcessViewSet(ReadOnlyViewSet):
    """Recurring dialogues and frameworks: GCIM, the HLD, the GFMD, workshops, …"""

    queryset = Process.objects.with_counts()
    serializer_class = ProcessSerializer
    filterset_class = sync_filterset(Process)


@extend_schema_view(list=extend_schema(summary="List forums"), retrieve=extend_schema(summary="A forum"))
class ForumViewSet(ReadOnlyViewSet):
    """Meetings (or reports) of a process, oldest first."""

    queryset = (
        Forum.objects.select_related("process")
        .prefetch_related("documents", "editorial_facts")
        .with_recommendation_count()
    )
    serializer_class = ForumSerializer
    filterset_class = sync_filterset(Forum, ForumFilterSet)


@extend_schema_view(list=extend_schema(summary="List roundtables"), retrieve=extend_schema(summary="A roundtable"))
class RoundtableViewSet(ReadOnlyViewSet):
    """Sessions of forums and their sub-sessions."""

    queryset = Roundtable.objects.select_related("forum", "parent").with_recommendation_count()
    serializer_class = RoundtableSerializer
    filterset_class = sync_filterset(Roundtable, RoundtableFilterSet)


@extend_schema_view(list=extend_schema(summary="List actors"), retrieve=extend_schema(summary="An actor"))
class ActorViewSet(ReadOnlyViewSet):
    """Governments, organisations, secretariats and civil-society bodies."""

    queryset = Actor.objects.with_recommendation_count()
    serializer_class = ActorSerializer
    filterset_class = sync_filterset(Actor)


@extend_schema_view(list=extend_schema(summary="List themes"), retrieve=extend_schema(summary="A theme"))
class ThemeViewSet(ReadOnlyViewSet):
    queryset = Theme.objects.with_recommendation_count()
    serializer_class = ThemeSerializer
    filterset_class = sync_filterset(Theme)


@extend_schema_view(
    list=extend_schema(summary="List framework objectives"), retrieve=extend_schema(summary="A framework objective")
)
class FrameworkObjectiveViewSet(ReadOnlyViewSet):
    """The Global Compact for Migration's objectives and the SDG migration targets."""

    queryset = FrameworkObjective.objects.with_recommendation_count()
    serializer_class = FrameworkObjectiveSerializer
    filterset_class = sync_filterset(FrameworkObjective)


@extend_schema_view(list=extend_schema(summary="List source documents"), retrieve=extend_schema(summary="A document"))
class DocumentViewSet(ReadOnlyViewSet):
    queryset = Document.objects.prefetch_related("editorial_facts")
    serializer_class = DocumentSerializer
    filterset_class = sync_filterset(Document)


@extend_schema_view(
    list=extend_schema(
        summary="List deletions",
        description="Records that left the API (deleted, or their slug or code changed), in the order of "
        "`change_key`. A sync client deletes its copy of `key` in `resource` when this `change_key` is larger "
        "than its copy's.",
    )
)
class DeletionViewSet(ConditionalMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Deletions of every resource type, for incremental sync (`?updated_since=`, `?cursor=`)."""

    queryset = Deletion.objects.order_by("change_key", "id")
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Show the status on this date (YYYY-MM-DD) instead of the current one."
)


def page_or_refusal(view, rows):
    """The page of `rows` the request asks for; when it is empty (or past the end), the 400 of a
    filter naming an object that does not exist (`refuse_unknown_references()`), if there is one:
    an empty list must not hide a mistyped slug or code."""
    try:
        page = view.paginate_queryset(rows)
    except exceptions.NotFound:  # past the last page: a filter naming nothing is the reason to give
        view.filterset.refuse_unknown_references()
        raise
    if not page:
        view.filterset.refuse_unknown_references()
    return page


@extend_schema_view(
    list=extend_schema(summary="List recommendations", description="Filters are those of the browse page."),
    retrieve=extend_schema(summary="A recommendation, by code", parameters=[AS_OF]),
)
class RecommendationViewSet(ReadOnlyViewSet):
    """Recommendations, outcomes, key messages and findings, with their current status."""

    lookup_field = "code"
    filter_backends = [FilterBackend]
    filterset_class = RecommendationAPIFilterSet
    # The list and the detail are rows (`for_api_list()`, `for_api_detail()`, with the columns of
    # their nested names in the asked language: tracker.models.api_rows), which their serializers
    # render.
    queryset = Recommendation.objects.all()

    def get_serializer_class(self):
        return RecommendationDetailSerializer if self.action == "retrieve" else RecommendationSerializer

    def as_of_date(self):
        """The valid `as_of` date the filters just read, or None (call after filter_queryset)."""
        return self.filterset.form.cleaned_data.get("as_of")

    def list(self, request, *args, **kwargs):
        # COUNT; the page's rows; their themes, actors and objectives (a query each).
        queryset = self.filter_queryset(self.get_queryset())
        rows = queryset.for_api_list(self.as_of_date(), request_language(request))
        return self.get_paginated_response(self.get_serializer(page_or_refusal(self, rows), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # The row; its themes, actors and objectives; its links in both directions; its follow-ups.
        lang = request_language(request)
        queryset = self.filter_queryset(self.get_queryset())
        rows = queryset.for_api_detail(self.as_of_date(), lang)
        try:
            row = get_object_or_404(rows, code=self.kwargs[self.lookup_field])
        except Http404:
            self.filterset.refuse_unknown_references()
            raise
        self.etag_version = row["version"]
        queryset.with_api_lists([row], lang)
        queryset.with_api_detail_lists(row, lang)
        return Response(self.get_serializer(row).data)

    @extend_schema(
        summary="Counts by status",
        description="How many of the recommendations the same filters select have each status, and the total.",
        responses=StatusSummarySerializer,
        filters=True,
    )
    @action(detail=False, pagination_class=None)
    def summary(self, request):
        # One query: without any filter (today, all recommendations) the sums of the maintained
        # counts (tracker.models.aggregates: a few thousand rows whatever the data size), else a
        # GROUP BY of the selected rows: SELECT effective_status, COUNT(id) … GROUP BY effective_status.
        queryset = self.filter_queryset(self.get_queryset())
        if any(value not in (None, "", []) for value in self.filterset.form.cleaned_data.values()):
            counts = queryset.count_by_status()
        else:
            counts = StatusCount.objects.status_totals()
        if not any(counts.values()):
            self.filterset.refuse_unknown_references()
        return Response({"total": sum(counts.values()), "by_status": counts})


@extend_schema_view(
    list=extend_schema(
        summary="List progress updates",
        description="Approved updates for everyone; signed-in focal points also see their own actor's "
        "submitted and returned ones, the secretariat every update.",
    ),
    retrieve=extend_schema(summary="A progress update"),
    create=extend_schema(
        summary="Report progress",
        description="A focal point reports for its own actor; the update waits for review (`submitted`). "
        "What the secretariat reports is approved at once and changes the recommendation: send If-Match "
        "with the recommendation's ETag (optional for a focal point, checked when sent).",
        request=ProgressUpdateCreateSerializer,
        responses={201: ProgressUpdateSerializer},
        parameters=[IF_MATCH],
    ),
    partial_update=extend_schema(
        summary="Revise a progress update",
        description="A focal point may revise its actor's submitted or returned updates (they go back to "
        "`submitted`); the secretariat any update. Send If-Match with the ETag of the update "
        "(`GET /api/v1/updates/<id>/`): required.",
        request=ProgressUpdateReviseSerializer,
        responses=ProgressUpdateSerializer,
        parameters=[IF_MATCH],
    ),
    destroy=extend_schema(
        summary="Delete a progress update",
        description="Secretariat only. Send If-Match with the ETag of the update: required.",
        parameters=[IF_MATCH],
    ),
)
class ProgressUpdateViewSet(
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Dated assessments of recommendations by actors."""

    serializer_class = ProgressUpdateSerializer
    filterset_class = ProgressUpdateAPIFilterSet
    filter_backends = [FilterBackend]
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("approve", "return_", "destroy"):
            return [IsAuthenticated(), IsSecretariat()]
        return [permission() for permission in self.permission_classes] + [CanReport()]

    def get_queryset(self):
        return ProgressUpdate.objects.readable_by(self.request.user).for_api().timeline()

    def list(self, request, *args, **kwargs):
        # COUNT; the page of updates (joined); their public evidence files.
        page = page_or_refusal(self, self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _respond(self, update, status_code=status.HTTP_200_OK, headers=None):
        update = self.get_queryset().get(pk=update.pk)
        self.etag_version = update.version
        return Response(self.get_serializer(update).data, status=status_code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        update = self.get_object()
        self.etag_version = update.version
        return Response(self.get_serializer(update).data)

    def create(self, request, *args, **kwargs):
        serializer = ProgressUpdateCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        # Who may report for which actor is tracker.services' to decide (PermissionDenied, 403).
        # The secretariat's updates are approved at once and change the recommendation: If-Match
        # names the recommendation's version (required then; checked when a focal point sends it).
        expected = conditional.expected_version(request, required=is_secretariat(user))
        update = services.record_progress(
            data["recommendation"],
            user=user,
            actor=data.get("actor") or services.acting_actor(user),
            status=data["status"],
            summary=data["summary"],
            source_lang=data.get("source_lang"),  # else the content language, which is active here
            reported_on=data.get("reported_on"),
            evidence_url=data.get("evidence_url", ""),
            source_document=data.get("source_document"),
            expected_version=expected,
        )
        location = request.build_absolute_uri(reverse("api-v1:update-detail", args=[update.pk]))
        return self._respond(update, status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        update = self.get_object()
        serializer = ProgressUpdateReviseSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        # Always: two people revising one update must not overwrite each other. If-Match names
        # the update's own version.
        expected = conditional.expected_version(request, required=True)
        services.revise_update(update, user=request.user, changes=serializer.validated_data, expected_version=expected)
        return self._respond(update)

    def destroy(self, request, *args, **kwargs):
        update = self.get_object()
        expected = conditional.expected_version(request, required=True)
        services.delete_update(update, user=request.user, expected_version=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _review(self, request, service, *, required):
        update = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expected = conditional.expected_version(request, required=required)
        service(update, user=request.user, note=serializer.validated_data["note"], expected_version=expected)
        return self._respond(update)

    @extend_schema(
        summary="Approve a submitted update",
        description="Secretariat only. The update becomes public and may change the recommendation's "
        "status: send If-Match with this update's ETag.",
        request=ReviewSerializer,
        responses=ProgressUpdateSerializer,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, services.approve_update, required=True)

    @extend_schema(
        summary="Return a submitted update for revision",
        description="Secretariat only. The update stays private; If-Match (this update's ETag) is "
        "optional, checked when sent.",
        request=ReviewSerializer,
        responses=ProgressUpdateSerializer,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(request, services.return_update, required=False)


class TokenView(AnswersInAskedLanguage, APIView):
    """Exchange a username and password for an API token (knox: stored hashed, revocable)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRequestThrottle]

    @extend_schema(summary="Get an API token", request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):
            # The login lockout (django-axes) after repeated failures for this username and address.
            cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
            raise exceptions.Throttled(
                wait=cooloff.total_seconds() if cooloff else None,
                detail=_("Too many failed attempts for this username from this address; try again later."),
            )
        if user is None:
            raise exceptions.ValidationError({"non_field_errors": [_("Unknown username or wrong password.")]})
        instance, token = get_token_model().objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        return Response({"token": token, "expiry": instance.expiry})


class RevokeTokenView(AnswersInAskedLanguage, APIView):
    """Revoke the token this request is made with, or (`all/`) every token of its user."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    every = False

    @extend_schema(summary="Revoke API tokens", request=None, responses={204: None})
    def post(self, request):
        if self.every:
            request.user.auth_token_set.all().delete()
        else:
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
