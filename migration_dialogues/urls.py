from django.contrib import admin
from django.urls import include, path

from tracker.languages import language_patterns

# The API answers in the language a request asks for (Accept-Language or ?lang=), at one address.
# The pages and the admin are in each language under its prefix (/fr/, /zh/, ...; English
# unprefixed, /admin/ in English): tracker.languages, docs/i18n.md.
urlpatterns = [
    path("api/", include("tracker.api.urls")),
    *language_patterns(
        path("admin/", admin.site.urls),
        path("", include("tracker.urls")),
    ),
]

# Every refused permission leaves one structured audit line.
handler403 = "tracker.audit.permission_denied"
handler500 = "tracker.http.middleware.server_error"
