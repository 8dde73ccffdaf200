"""Public pages (read-only, no login)."""

from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("forums/<slug:slug>/", views.forum_detail, name="forum-detail"),
    path("recommendations/<slug:code>/", views.recommendation_detail, name="recommendation-detail"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
]
