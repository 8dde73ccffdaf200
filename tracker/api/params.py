"""Every API view refuses a query parameter it does not read: 400 in the API's error format,
naming each unknown parameter, and with them any filter value that names nothing (an unknown
slug or code), so one answer lists everything wrong with the query (tracker.http.params says why;
docs/api.md, "Unknown parameters").

What a view reads is derived from the view, never listed per view:
- on every request: `format` (DRF's URL_FORMAT_OVERRIDE) and `lang`, the content language
  (`tracker.http.content_language`; a value naming none of the six languages is refused here too);
- GET and HEAD of a collection (a list, `summary/`): the filters of its FilterSet (django-filter's
  backend) and the `search_param`/`ordering_param` of DRF's SearchFilter/OrderingFilter if it uses
  them;
- GET and HEAD of any action but `retrieve`, where the view has a paginator and the action did not
  turn it off (`@action(pagination_class=None)`): the paginator's query parameters
  (`page_query_param`, `page_size_query_param`, and `cursor_query_param`, `limit_query_param`,
  `offset_query_param` where it has them);
- `retrieve`: `as_of` where the view's FilterSet has it (the date whose status is shown);
- an action's own parameters: the OpenApiParameters it documents, given to the action as well,
  `@action(..., query_parameters=PARAMETERS)` beside `extend_schema(parameters=PARAMETERS)`, so the
  schema and the check cannot drift apart.
Writes (POST, PATCH, DELETE) read only `format` and `lang`. OPTIONS, and methods the view does
not have (405), are not checked.
"""

from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from tracker.http import content_language, params

PAGINATION_PARAMS = (
    "page_query_param",
    "page_size_query_param",
    "cursor_query_param",
    "limit_query_param",
    "offset_query_param",
)
BACKEND_PARAMS = ("search_param", "ordering_param")
READS = ("GET", "HEAD")


def _filterset_class(view):
    if any(issubclass(backend, DjangoFilterBackend) for backend in getattr(view, "filter_backends", ())):
        return getattr(view, "filterset_class", None)
    return None


def _paginates(view):
    """Whether this request's action pages its answer: the view has a paginator and the action
    was not declared with `pagination_class=None`."""
    if getattr(view, "paginator", None) is None or getattr(view, "action", None) == "retrieve":
        return False
    handler = getattr(view, getattr(view, "action", None) or "", None)
    return getattr(handler, "kwargs", {}).get("pagination_class", True) is not None


def known_parameters(view, request):
    """The query parameters `view` reads on `request` (a set of names), as the module docstring
    derives them."""
    known = {api_settings.URL_FORMAT_OVERRIDE} - {None}
    if request.method not in READS:
        return known
    known |= {getattr(parameter, "name", parameter) for parameter in getattr(view, "query_parameters", ())}
    filterset_class = _filterset_class(view)
    if not getattr(view, "detail", False):
        if filterset_class is not None:
            known |= params.filterset_parameters(filterset_class)
        for backend in getattr(view, "filter_backends", ()):
            known |= {getattr(backend, name) for name in BACKEND_PARAMS if getattr(backend, name, None)}
    elif getattr(view, "action", None) == "retrieve" and filterset_class is not None:
        known |= params.filterset_parameters(filterset_class) & {"as_of"}
    if _paginates(view):
        paginator = view.paginator
        known |= {getattr(paginator, name) for name in PAGINATION_PARAMS if getattr(paginator, name, None)}
    return known


def _filter_errors(view, request):
    """The errors of the view's filters on this request ({name: [message]}), unknown slugs and
    codes included; {} where the view has no filters or they do not apply (a detail)."""
    if getattr(view, "detail", False) or _filterset_class(view) is None:
        return {}
    backend = next(backend for backend in view.filter_backends if issubclass(backend, DjangoFilterBackend))
    filterset = backend().get_filterset(request, view.get_queryset(), view)
    if filterset.is_valid() and hasattr(filterset.form, "check_references"):
        filterset.form.check_references()  # lazy references are looked up only now (tracker.api.filters)
    return params.form_errors(filterset.form)


def refuse_unknown_parameters(view, request):
    """Raise ValidationError (400) naming every query parameter `view` does not read, with the
    errors of its filters; return None when there is none."""
    method = request.method.lower()
    if method == "options" or method not in view.http_method_names or not hasattr(view, method):
        return  # OPTIONS is DRF's metadata; a method the view does not have is its 405
    known = known_parameters(view, request)
    unknown = params.unknown_parameters(request.query_params, known)
    _language, refused = content_language.requested_language(request)
    language_errors = {content_language.PARAMETER: [content_language.refusal_message(refused)]} if refused else {}
    if unknown:
        errors = params.unknown_parameter_errors(unknown, known)
        raise ValidationError({**errors, **language_errors, **_filter_errors(view, request)})
    if language_errors:
        raise ValidationError(language_errors)


class AnswersInAskedLanguage:
    """An API view mixin: the request is handled, and its answer written, in the language it asks
    for (`content_language.answer_language`: `?lang=`, else Accept-Language, else English), so
    DRF's messages (from its catalogues), ours and those of tracker.services (gettext) come in that
    language, as do the page links (`html_url`: /fr/...); `Content-Language` names it. The API is
    not under a language prefix, so LocaleMiddleware has English active for it."""

    def dispatch(self, request, *args, **kwargs):
        language = content_language.answer_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        return response


class RefusesUnknownParameters(AnswersInAskedLanguage):
    """An API view mixin: after authentication, permissions and throttling, refuse any query
    parameter the view does not read (`refuse_unknown_parameters`). An action that reads parameters
    of its own names them: `@action(..., query_parameters=[OpenApiParameter(...), ...])`."""

    query_parameters = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_unknown_parameters(self, request)

    def finalize_response(self, request, response, *args, **kwargs):
        # Translated texts follow Accept-Language where `lang` is not given (tracker.http.content_language).
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Language"])
        return response
