"""Request bodies: JSON only, and a body the API cannot take is the client's error, never ours.

DRF's JSONParser turns only a ValueError into a 400: a deeply nested body ("[" * 1000) raises
RecursionError in the decoder and became a 500 with a traceback in the log. Here every body that
is not JSON the API can use is a 400 in the API's error format (tracker.api.exceptions, code
`parse_error`), which Django logs as one "Bad Request" line without a traceback:

- bytes that are not UTF-8 (RFC 8259: JSON between systems is UTF-8; a `charset` parameter is
  ignored, as the application/json registration says it must be),
- text that is not JSON: empty, truncated, NaN or Infinity, anything else the decoder refuses,
- numbers Python will not convert (integers beyond its digit limit) or that overflow a float,
- values nested deeper than MAX_DEPTH (legitimate bodies here are flat objects; deeper ones can
  only exhaust the stack of whatever reads them later),
- a POST, PUT or PATCH whose Content-Type says JSON but that carries no body at all, which DRF
  would otherwise read as an empty object (see ContentNegotiation).

Another media type stays DRF's 415 Unsupported Media Type.
"""

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import negotiation, parsers
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils.mediatypes import media_type_matches

# Containers inside containers: {"a": [1]} is 2 deep. Far beyond any body the API takes, far below
# what the decoder or a later reader's recursion could hit.
MAX_DEPTH = 32

METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class _NotJSON(ValueError):
    """A value JSON has no room for (NaN, Infinity, a float out of range)."""


def _refuse_constant(name):
    raise _NotJSON(_("%(name)s is not a JSON number.") % {"name": name})


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise _NotJSON(_("the number %(number)s is out of range.") % {"number": text[:20]})
    return value


def _deeper_than(value, limit):
    """Whether `value` (parsed JSON) nests dicts and lists more than `limit` deep; no recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(body):
    """The JSON document in `body` (bytes) as Python data: dict, list, str, int, float, bool or None.

    Raises ParseError (400, code parse_error) for bytes that are not UTF-8 (a leading byte order
    mark is allowed), text that is not strict JSON (empty, truncated, NaN, Infinity), a float out of
    range, an integer beyond Python's digit limit, or nesting deeper than MAX_DEPTH.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(_("The body is not valid UTF-8 (byte %(position)d).") % {"position": error.start}) from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise ParseError(
            _("The body is not valid JSON: %(problem)s at line %(line)d, column %(column)d.")
            % {"problem": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    except _NotJSON as error:
        raise ParseError(_("The body is not valid JSON: %(problem)s") % {"problem": error}) from None
    except ValueError:
        # int() refusing a literal beyond sys.get_int_max_str_digits(): the only other ValueError.
        raise ParseError(_("The body holds a number with too many digits.")) from None
    except RecursionError:
        raise ParseError(
            _("The body is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_DEPTH}
        ) from None
    if _deeper_than(data, MAX_DEPTH):
        raise ParseError(_("The body is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_DEPTH})
    return data


class BodyTooLarge(APIException):
    """413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE bytes (Django's own limit for form bodies,
    2.5 MB by default), refused before it is read whole."""

    status_code = 413
    default_detail = "The body is too large."
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser for application/json, with every failure a ParseError (see `loads`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        """The body read from `stream` as Python data (see `loads`).

        Raises ParseError (400) for a body `loads` refuses or a stream that cannot be read (the
        client went away mid-body).
        """
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            body = stream.read() if limit is None else stream.read(limit + 1)
        except OSError:
            raise ParseError(_("The body could not be read.")) from None
        if limit is not None and len(body) > limit:
            raise BodyTooLarge(
                _("The body is larger than %(limit)d bytes; no write of this API needs that much.") % {"limit": limit}
            )
        return loads(body)


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's negotiation, refusing a POST, PUT or PATCH that declares a body of a media type the view
    parses (application/json) but carries none.

    DRF does not call a parser for an empty body (no Content-Length, or 0): it hands the view an
    empty object, so `Content-Type: application/json` with nothing after it would approve an update
    as if `{}` had been sent. Negotiation is the one step DRF runs for every API request before
    the view reads its body, so the refusal comes first: before authentication (400, not 401),
    also on the endpoints that read no body (token revocation).
    """

    def get_accept_list(self, request):
        """The media types of the Accept header, as DRF reads them; a blank header (present but
        empty) means any type, as an absent one does, rather than a 406."""
        accepted = [token for token in super().get_accept_list(request) if token]
        return accepted or ["*/*"]

    def select_renderer(self, request, renderers, format_suffix=None):
        """DRF's choice of renderer, as (renderer, media type).

        Raises ParseError (400) for a POST, PUT or PATCH whose Content-Type one of `request.parsers`
        takes but whose body is empty; NotAcceptable (406) as DRF does.
        """
        if request.method in METHODS_WITH_BODY and request.content_type:
            declares_body = any(
                media_type_matches(parser.media_type, request.content_type) for parser in request.parsers
            )
            if declares_body and request.stream is None:
                raise ParseError(
                    _("The Content-Type says %(media_type)s but the body is empty.")
                    % {"media_type": request.content_type.split(";")[0].strip()}
                )
        return super().select_renderer(request, renderers, format_suffix)
