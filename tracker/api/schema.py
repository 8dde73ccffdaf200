"""The OpenAPI description: every operation documents the errors it can answer with, all in the
one error format (`ErrorSerializer`), and the headers of conditional requests."""

from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import ResolvedComponent, get_lib_doc_excludes
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer, RefusesUnexpectedFields

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        'The ETag of the recommendation (or of one of its updates) as you read it, e.g. `"3-5f1c…"`, '
        'or its version in quotes, e.g. `"3"`. Required (428 without it) when the write changes the '
        "recommendation, and for every revision or deletion; 412 when someone else changed it since."
    ),
)

_ERRORS = {
    "400": "Invalid query parameter or body field; `errors` names each one.",
    "401": "Not authenticated: no credentials on a write, or an invalid or expired token.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "No such object, or a page past the end.",
    "409": "The update is not in a state that allows this (e.g. already reviewed).",
    "412": "If-Match does not match: the recommendation changed since you read it.",
    "413": "The request body is larger than the server accepts.",
    "415": "The request body is not JSON.",
    "428": "This write needs If-Match (the ETag you read the recommendation or the update with).",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}

_HEADERS = {
    "ETag": "A validator for If-None-Match, and on a recommendation's responses for If-Match.",
    "Last-Modified": "When this server first served this representation.",
    "Retry-After": "Seconds to wait before the next request.",
    "WWW-Authenticate": "The authentication scheme to use: Token.",
}


def _headers(*names):
    return {name: {"schema": {"type": "string"}, "description": _HEADERS[name]} for name in names}


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        model = getattr(field, "kind_of", None)
        if model is None:
            return super()._map_serializer_field(field, direction, bypass_extensions)
        choices = model.Kind.choices
        component = ResolvedComponent(
            name=f"{model.__name__}Kind",
            type=ResolvedComponent.SCHEMA,
            object=model.Kind,
            schema={
                "type": "string",
                "enum": [value for value, _label in choices],
                "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
            },
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        safe = self.method in ("GET", "HEAD")
        authenticates = bool(self.view.get_authenticators())
        takes_if_match = any(getattr(p, "name", None) == "If-Match" for p in self.get_override_parameters())
        codes = ["400", "404", "429"]
        if authenticates:
            codes.append("401")
        if not safe:
            codes += ["413", "415"]
        if not safe and authenticates:
            codes.append("403")
        if takes_if_match:
            codes += ["412", "428"]
        if getattr(self.view, "action", None) in ("approve", "return_"):
            codes.append("409")
        for code in sorted(codes):
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, media_types=["application/json"])
            response["description"] = _ERRORS[code]
            if code == "429":
                response["headers"] = _headers("Retry-After")
            elif code == "401":
                response["headers"] = _headers("WWW-Authenticate")
            responses[code] = response
        for code, response in responses.items():
            if code in ("200", "201") and "content" in response:
                names = ("ETag", "Last-Modified") if safe else ("ETag",)
                response.setdefault("headers", {}).update(_headers(*names))
        if safe:
            responses["304"] = {
                "description": "Not modified: the If-None-Match (or If-Modified-Since) validator still holds.",
                "headers": _headers("ETag", "Last-Modified"),
            }
        return dict(sorted(responses.items()))


class FilterExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter support, except that a filter choosing a related object by
    slug (`to_field_name`) takes a string, not the related model's integer key."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            if filter_field.extra.get("to_field_name"):
                parameter["schema"] = {"type": "string"}
            # A filter whose type is given by extend_schema_field (`updated_since`) keeps its help text.
            if not parameter.get("description") and filter_field.extra.get("help_text"):
                parameter["description"] = str(filter_field.extra["help_text"])
        return parameters


def doc_excludes():
    """drf-spectacular's GET_LIB_DOC_EXCLUDES: the classes whose docstrings never describe a
    component, the library's own and the mixin of the write serializers (a body with no docstring
    of its own gets no description rather than the mixin's)."""
    return [*get_lib_doc_excludes(), RefusesUnexpectedFields]


def _refs(node):
    """The component names `node` (part of a schema document) refers to, directly."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        found = {ref.rsplit("/", 1)[-1]} if ref.startswith("#/components/schemas/") else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node)) if node else set()
    return set()


# Answers with a field that is sometimes absent: an error's `errors` is only on a 400.
OPTIONAL_IN_ANSWERS = frozenset({"Error"})


def require_answer_fields(result, generator, request, public):
    """Postprocessing hook: in every component that only describes answers (none that a request
    body refers to, directly or through others), mark every property required. The API always
    writes every field of an answer (null when there is nothing), so a generated client need not
    treat them as optional; request bodies keep their own optional fields."""
    schemas = result.get("components", {}).get("schemas", {})
    in_requests = set()
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                in_requests |= _refs(operation["requestBody"])
    pending = list(in_requests)
    while pending:
        for name in _refs(schemas.get(pending.pop(), {})) - in_requests:
            in_requests.add(name)
            pending.append(name)
    for name, schema in schemas.items():
        if name in OPTIONAL_IN_ANSWERS:
            continue
        if name not in in_requests and schema.get("type") == "object" and schema.get("properties"):
            schema["required"] = sorted(schema["properties"])
    return result


def for_generated_clients(result, generator, request, public):
    """Postprocessing hook, for what generated clients make of the operations:

    - a path parameter the URL matches only as digits (`lookup_value_regex` `[0-9]+`: the ids of
      progress updates and webhook endpoints) is an integer, as the answer's `id` is (drf-spectacular
      describes the pattern as a string, so a client would have to send `str(update.id)`);
    - an `ordering` value names its enum member with `x-enum-varnames` (`-status` is `STATUS_DESC`),
      which openapi-python-client and openapi-generator read; otherwise `-status` becomes `VALUE_4`;
    - every request body is required. A body whose fields are all optional (a review's `note`, a
      PATCH) was described as optional, and a client that leaves it out still sends
      `Content-Type: application/json`, which the API refuses without a body (tracker.api.parsers:
      it must not approve as if `{}` had been sent). `{}` is the body that takes every default.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema == {"type": "string", "pattern": "^[0-9]+$"}:
                    parameter["schema"] = {"type": "integer", "minimum": 0}
                values = schema.get("items", schema).get("enum") or []
                if parameter.get("name") == "ordering" and values:
                    schema.get("items", schema)["x-enum-varnames"] = [
                        f"{value[1:]}_desc" if value.startswith("-") else value for value in values
                    ]
    return result
