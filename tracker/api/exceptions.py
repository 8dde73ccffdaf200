"""One error format for every API error:

    {"detail": "<what went wrong>", "code": "<machine-readable>", "errors": {"<parameter>": ["..."]}}

`errors` is present on 400 only and names each offending query parameter or body field.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.http import conditional
from tracker.services import InvalidTransition, StaleVersion

from .params import AnswersInAskedLanguage


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The recommendation was changed by someone else; fetch it again.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy("This write needs If-Match: the ETag you read the recommendation or update with.")
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The update is not in a state that allows this.")
    default_code = "conflict"


def _flatten(detail, prefix=""):
    """{name: [message, ...]} from DRF's nested error detail (lists of dicts for list fields)."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        flat[prefix or "non_field_errors"] = [str(item) for item in items]
    return flat


# Refusals worth an audit line (tracker.audit), as the admin writes them.
_AUDITED = {403: "forbidden", 409: "conflict", 412: "stale_write"}


def _audit(response, context):
    from tracker.audit import log_denied

    request, view = context.get("request"), context.get("view")
    log_denied(
        _AUDITED[response.status_code],
        user=getattr(request, "user", None),
        request=request,
        obj=" ".join(str(value) for value in getattr(view, "kwargs", {}).values()),
        reason=response.data["detail"],
    )


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, StaleVersion | conditional.PreconditionFailed):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, conditional.PreconditionRequired):
        exc = PreconditionRequired()
    elif isinstance(exc, InvalidTransition):
        exc = Conflict(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        response.data = {
            "detail": _("Invalid input: %(names)s.") % {"names": ", ".join(errors)},
            "code": "invalid",
            "errors": errors,
        }
    else:
        response.data = {"detail": str(exc.detail), "code": getattr(exc.detail, "code", exc.default_code)}
    if response.status_code in _AUDITED:
        _audit(response, context)
    return response


@extend_schema(exclude=True)
class NotFoundView(AnswersInAskedLanguage, APIView):
    """Anything else under /api/v1/: a 404 in the API's error format and the asked language."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    head = post = put = patch = delete = options = get


not_found = NotFoundView.as_view()
