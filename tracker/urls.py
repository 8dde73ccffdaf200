"""Public pages (read-only, no login). Paths are a contract: see DESIGN.md, "Public surface"."""

from django.urls import path

from tracker import views
from tracker.feeds import UpdatesFeed

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("forums/", views.forum_list, name="forum-list"),
    path("forums/<slug:slug>/", views.forum_detail, name="forum-detail"),
    path("recommendations/", views.recommendation_list, name="recommendation-list"),
    path("recommendations/<slug:code>/", views.recommendation_detail, name="recommendation-detail"),
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("processes/", views.process_list, name="process-list"),
    path("processes/<slug:slug>/", views.process_detail, name="process-detail"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("updates/<int:update_id>/files/<int:file_id>/<str:name>", views.evidence_file, name="evidence-file"),
    path("feeds/updates/", UpdatesFeed(), name="feed-updates"),
    # The open-data package (docs/data-package.md).
    path("data/", views.data_page, name="data"),
    path("data/datapackage.json", views.datapackage, name="data-package"),
    path("data/dcat.jsonld", views.dcat_description, name="data-dcat"),
    path("data/package.zip", views.package_zip, name="data-zip"),
    path("data/<slug:name>.csv", views.table_csv, name="data-table"),
    # Follow by e-mail, without an account (docs/follows.md).
    path("follow/", views.follow, name="follow"),
    path("follow/requested/", views.follow_requested, name="follow-requested"),
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path("follow/unsubscribe/<str:token>/", views.follow_unsubscribe, name="follow-unsubscribe"),
]
