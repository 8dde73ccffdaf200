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
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("updates/<int:update_id>/files/<int:file_id>/<str:name>", views.evidence_file, name="evidence-file"),
    path("feeds/updates/", UpdatesFeed(), name="feed-updates"),
    # Follow by e-mail, without an account (docs/follows.md).
    path("follow/", views.follow, name="follow"),
    path("follow/requested/", views.follow_requested, name="follow-requested"),
    path("follow/confirm/<str:token>/", views.follow_confirm, name="follow-confirm"),
    path("follow/unsubscribe/<str:token>/", views.follow_unsubscribe, name="follow-unsubscribe"),
]
