"""The REST API's settings (Django REST framework, drf-spectacular), imported by settings.py.

Kept apart from settings.py, which holds the rest of the project's settings, because they are
long and read only by the API. The throttle rates come from environment variables (README.md).
"""

import os

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate challenge is what turns "not logged in" into 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.SyncPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only; any body that is not JSON the API can take is a 400 (415 for another media
    # type), never a 500: tracker/api/parsers.py.
    "DEFAULT_PARSER_CLASSES": ["tracker.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tracker.api.parsers.ContentNegotiation",
    "EXCEPTION_HANDLER": "tracker.api.exceptions.exception_handler",
    # Rates are read per request (so tests can change them); counters live in the default cache,
    # shared between processes when CACHE_URL is set.
    "DEFAULT_THROTTLE_CLASSES": [
        "tracker.api.throttling.AnonRateThrottle",
        "tracker.api.throttling.UserRateThrottle",
    ],
    # Clients are counted by tracker.http.client_address (tracker/api/throttling.py), the address the
    # login lockout and the audit log use too; DRF's NUM_PROXIES is not read.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "1000/hour"),
        "user": os.environ.get("API_THROTTLE_USER", "5000/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Migration Dialogues Tracker API",
    "DESCRIPTION": "Recommendations of intergovernmental migration dialogues and their implementation.",
    "VERSION": "1.0.0",
    # OpenAPI 3.1: a nullable reference is `oneOf: [{$ref}, {type: "null"}]`, which validators and
    # client generators read as nullable (3.0's `allOf` + `nullable` is not).
    "OAS_VERSION": "3.1.0",
    # Operations are named and tagged after the resource (`recommendations_list`, tag `recommendations`),
    # not after the version every path shares: generated clients group them as api.recommendations.*.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # A base class's docstring (the write serializers' mixin) is not the description of each body.
    "GET_LIB_DOC_EXCLUDES": "tracker.api.schema.doc_excludes",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker.api.schema.require_answer_fields",
        "tracker.api.schema.for_generated_clients",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    # The languages and statuses of every translated field share one enum each (docs/i18n.md).
    "ENUM_NAME_OVERRIDES": {
        "ContentLanguageEnum": "tracker.models.translations.LANGUAGES",
        "ServedTranslationStatusEnum": "tracker.models.translations.SERVED_STATUSES",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
