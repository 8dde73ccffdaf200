from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
]

# Every refused permission leaves one structured audit line.
handler403 = "tracker.audit.permission_denied"
handler500 = "tracker.http.middleware.server_error"
