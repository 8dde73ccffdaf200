"""REST API: /api/v1/ (data), /api/schema/ (OpenAPI 3), /api/docs/ (interactive docs)."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.routers import DefaultRouter

from . import cycles, exceptions, views
from .params import RefusesUnknownParameters
from .schema import AutoSchema
from .webhooks import views as webhook_views


class APIRootView(RefusesUnknownParameters, routers.APIRootView):
    """The API root, described in the schema like every other answer (DRF leaves it out); like every
    API view it refuses query parameters it does not read (tracker.api.params)."""

    schema = AutoSchema()

    @extend_schema(
        operation_id="api_root",
        summary="The resources of the API",
        description="Each resource's name and the absolute URL of its list.",
        responses={200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


router = DefaultRouter(trailing_slash=True)
router.APIRootView = APIRootView
# No ".json" suffix URLs: `?format=` and Accept choose the format, and the schema lists one path each.
router.include_format_suffixes = False
router.register("processes", views.ProcessViewSet, basename="process")
router.register("forums", views.ForumViewSet, basename="forum")
router.register("roundtables", views.RoundtableViewSet, basename="roundtable")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("updates", views.ProgressUpdateViewSet, basename="update")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("objectives", views.FrameworkObjectiveViewSet, basename="objective")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("cycles", cycles.ReportingCycleViewSet, basename="cycle")
router.register("deletions", views.DeletionViewSet, basename="deletion")
router.register("webhooks", webhook_views.WebhookEndpointViewSet, basename="webhook")

v1 = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.RevokeTokenView.as_view(), name="token-revoke"),
    path("auth/token/revoke-all/", views.RevokeTokenView.as_view(every=True), name="token-revoke-all"),
    # The summary of recommendations, also at the top level where DESIGN.md lists it.
    path("summary/", views.RecommendationViewSet.as_view({"get": "summary"}), name="summary"),
    *router.urls,
    # Anything else under /api/v1/ is a 404 in the API's own error format, not an HTML page.
    re_path(r"^[\s\S]*$", exceptions.not_found, name="not-found"),
]

urlpatterns = [
    path("v1/", include((v1, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its initialiser as a script file: the Content Security Policy forbids inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
