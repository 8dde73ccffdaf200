"""gzip for dynamic answers: compressed once, kept compressed by the response cache, never when the
body may hold a secret (BREACH).

Django compresses: `django.utils.text.compress_string`, and `compress_sequence` for streamed
answers (the CSV and JSON exports are compressed as they stream, in flat memory), as Django's
`GZipMiddleware` does. That middleware is not used as it is: it would compress anything (a page
with a CSRF token included), it reads Accept-Encoding with a case-sensitive search for "gzip"
(q=0 included, `*` ignored) and it makes strong ETags weak (see below).

When: the request accepts gzip (`Accept-Encoding`, q-values honoured, `accepts_gzip`), the answer
is text (HTML, JSON, CSV, XML and Atom, YAML, JavaScript, SVG: `compressible`) of 200 bytes or more
that compresses smaller, and it is safe (`may_compress`). Already-compressed bodies (XLSX, zip,
images, PDF) are left alone. Every answer that could be compressed says `Vary: Accept-Encoding`.

BREACH. An attacker who can make a victim's browser send requests that reflect chosen text into a
compressed answer can learn a secret in the same body from its compressed length. So nothing that
may carry a secret is compressed; one rule, `may_compress`:
- only answers to GET and HEAD (an answer to a write may echo a token or secret it just made:
  the API token endpoint, a new webhook's signing secret);
- never for a request that carries credentials (an `Authorization` header, a session cookie) or a
  signed-in user, so nothing of the admin, of a focal point or of the secretariat is compressed;
- never when the view put a CSRF token in the page (`get_token` sets `CSRF_COOKIE_NEEDS_UPDATE`;
  this middleware sits inside CsrfViewMiddleware, so it sees the flag before Django clears it) or
  the answer sets a cookie;
- never for an answer marked `private` or `no-store` (`never_cache`): the follow, confirm and
  unsubscribe pages, whose bodies hold CSRF or signed tokens, and the webhooks API, are marked so;
  a view opts out by marking its answer the same way.
Django's own defence (random bytes in the gzip header, GZipMiddleware's `max_random_bytes`) is not
used: what it protects is never compressed here, and without it the compressed body is the same
bytes every time, which a strong ETag promises.

ETags. RFC 9110 (8.8.3) wants a strong validator to differ between representations, and a gzip
body is another representation, so the ETag of a compressed answer is the identity answer's ETag
with `-gzip` before the closing quote (`"3-5f1c…"` → `"3-5f1c…-gzip"`), still strong. Django's
GZipMiddleware makes the ETag weak instead; that would break the API's writes, whose If-Match
must be strong (a weak tag is 412), for every client that read with gzip (browsers, `requests`).
On the way in, `-gzip` is taken off the tags of If-None-Match (when the request accepts gzip) and
If-Match, so the views and `tracker.http.conditional` compare the identity tags they make; a 304
answers with the tag the client sent. The response cache (tracker.http.cache) sits outside this
middleware and keys by `accepts_gzip`, so it keeps the compressed body, with its ETag: a hit sends
those bytes again and compresses nothing.
"""

import re

from django.conf import settings
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin
from django.utils.text import compress_sequence, compress_string

SUFFIX = "-gzip"
MIN_SIZE = 200
_TEXT_TYPES = {
    "application/json",
    "application/javascript",
    "application/xml",
    "application/yaml",
    "application/x-yaml",
    "application/vnd.oai.openapi",
    "image/svg+xml",
}
_SUFFIXED_TYPES = ("+json", "+xml", "+yaml")
_TAG = re.compile(r'(W/)?"([^"]*)"')


def accepts_gzip(request):
    """Whether `request` accepts gzip: `Accept-Encoding` names `gzip` (or `*`) with a q-value
    above 0 (RFC 9110, 12.5.3)."""
    accepted = {}
    for item in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _sep, parameters = item.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _eq, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[coding.strip().lower()] = quality
    return accepted.get("gzip", accepted.get("x-gzip", accepted.get("*", 0.0))) > 0


def compressible(response):
    """Whether the answer's media type is text that gzip makes smaller (not xlsx, zip, images)."""
    media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith(_SUFFIXED_TYPES)


def may_compress(request, response):
    """Whether the answer may be compressed without exposing a secret to BREACH (the module
    docstring gives the rule)."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "")
    if response.cookies or "private" in cache_control or "no-store" in cache_control:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def gzip_etag(etag):
    """The ETag of the gzip representation: `"x"` → `"x-gzip"`, `W/"x"` → `W/"x-gzip"`."""
    return _TAG.sub(lambda tag: f'{tag[1] or ""}"{tag[2]}{SUFFIX}"', etag, count=1)


def _identity_tags(header):
    """A precondition header with `-gzip` taken off each entity tag."""
    return _TAG.sub(lambda tag: f'{tag[1] or ""}"{tag[2].removesuffix(SUFFIX)}"', header)


def compress(response):
    """Compress `response` in place with gzip, as Django's GZipMiddleware does: a streamed body as it
    streams (its length is then unknown), any other only if that makes it smaller. Returns whether
    it did."""
    if response.streaming:
        if response.is_async:  # none of ours is; left as it is rather than buffered
            return False
        response.streaming_content = compress_sequence(response.streaming_content)
        del response.headers["Content-Length"]
    else:
        compressed = compress_string(response.content)
        if len(compressed) >= len(response.content):
            return False
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
    response.headers["Content-Encoding"] = "gzip"
    return True


class CompressionMiddleware(MiddlewareMixin):
    """gzip for safe text answers, with strong per-encoding ETags (see the module docstring). Sits
    right after CsrfViewMiddleware, inside the response cache."""

    def process_request(self, request):
        sent = {name: request.META.get(name) for name in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")}
        request.preconditions_as_sent = sent
        if sent["HTTP_IF_MATCH"]:
            request.META["HTTP_IF_MATCH"] = _identity_tags(sent["HTTP_IF_MATCH"])
        if sent["HTTP_IF_NONE_MATCH"] and accepts_gzip(request):
            request.META["HTTP_IF_NONE_MATCH"] = _identity_tags(sent["HTTP_IF_NONE_MATCH"])

    def process_response(self, request, response):
        sent = getattr(request, "preconditions_as_sent", {})
        for name, value in sent.items():  # as the client sent them, for the middleware around this one
            if value is not None:
                request.META[name] = value
        etag = response.get("ETag")
        if response.status_code == 304 and etag and gzip_etag(etag) in (sent.get("HTTP_IF_NONE_MATCH") or ""):
            response["ETag"] = gzip_etag(etag)  # the client holds the gzip representation
            return response
        if not response.streaming and len(response.content) < MIN_SIZE:
            return response
        if response.has_header("Content-Encoding") or not compressible(response) or not may_compress(request, response):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if accepts_gzip(request) and compress(response) and etag:
            response["ETag"] = gzip_etag(etag)
        return response
