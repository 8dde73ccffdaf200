"""Every answer of the API given during the test suite is checked against the API's own OpenAPI
schema (`/api/schema/`, built once per test process), with openapi-core, and the schema itself
with openapi-spec-validator.

`tests/conftest.py` adds `SchemaCheckMiddleware` to the settings and fails any test during which
an answer under /api/v1/ did not validate: a status code the operation does not document, a body
that does not match (a missing required field, a null where none is allowed, an error body not in
the error format). Requests to paths or methods the schema does not have (a 404 for an unknown
path, a 405 for an unsupported method) are not operations and are not checked, nor are HEAD
requests (a GET without its body) and OPTIONS requests (DRF's metadata, not an operation).
"""

import functools
import json

from django.core.exceptions import RequestDataTooBig

FAILURES = []


@functools.cache
def spec():
    """The API's schema (a dict), as /api/schema/ serves it, with None or the error of
    openapi-spec-validator: (spec, error). Built once per process."""
    from drf_spectacular.generators import SchemaGenerator
    from openapi_spec_validator import validate

    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    try:
        validate(document)
    except Exception as error:  # the schema itself is invalid: every API test says so
        return document, f"{type(error).__name__}: {str(error)[:1500]}"
    return document, None


@functools.cache
def openapi():
    """The schema as openapi-core reads it."""
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(spec()[0])


class SchemaCheckMiddleware:
    """Validates each /api/v1/ answer (see the module's docstring); failures go to FAILURES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/v1/") or request.method in ("HEAD", "OPTIONS"):
            return self.get_response(request)
        try:
            request.body  # read now: the view consumes the stream, the validator reads it again  # noqa: B018
        except RequestDataTooBig:
            return self.get_response(request)
        response = self.get_response(request)
        if response.streaming or response.status_code == 304:
            return response
        from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
        from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

        invalid = spec()[1]
        if invalid:
            FAILURES.append(f"The OpenAPI schema itself is invalid: {invalid}")
            return response
        where = f"{request.method} {request.get_full_path()} → {response.status_code}"
        try:
            openapi().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
        except (PathNotFound, OperationNotFound):
            # Not an operation: an unknown path, or a method the resource does not have (refused
            # as 405, or first as 401/403 when the view checks who asks before the method).
            if response.status_code not in (401, 403, 404, 405):
                FAILURES.append(f"{where}: not in the schema")
        except Exception as error:  # every other way of not matching the schema
            details = "; ".join(
                str(cause) for cause in getattr(error, "schema_errors", []) or [error.__cause__ or error]
            )
            FAILURES.append(f"{where}: {type(error).__name__}: {error}. {details[:1500]}")
        return response
