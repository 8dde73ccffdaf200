"""Which language a visitor gets: the URL's, and on a first visit the browser's.

The language of a page is its URL's (tracker.languages): `/fr/forums/` is French, `/forums/` is
English, whatever the browser says, so a link or a cached answer means one thing. Two exceptions,
both answered here with a redirect before the response cache is asked, so the cache never holds
one and never serves an answer in a language nobody chose:

- A public page asked for without a prefix by a visitor with no language cookie whose
  Accept-Language prefers another of the site's languages is redirected (302) to that language's
  prefix, query string kept. A visitor with a cookie goes where the cookie says: nowhere for
  English, its prefix otherwise. Without Accept-Language (bots, benchmarks) nothing changes. Every
  answer that could have been such a redirect says `Vary: Accept-Language, Cookie`.
- The language switch's links carry `?language=<code>`: the answer sets the language cookie to
  that code and redirects to the same address without the parameter. Choosing English thus stops
  the first-visit redirect from sending the visitor back.

Files, feeds, the health check, the API and the admin are never redirected: only pages a person
reads (the `tracker` namespace, less the names below, and no `?format=`).
"""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request

from tracker import languages

# The query parameter of the switch's links.
CHOICE_PARAMETER = "language"
# Addresses outside the languages' prefixes (migration_dialogues/urls.py): `?language=` means nothing there.
UNPREFIXED = ("/api/", "/static/")
# Answers of the `tracker` namespace that are not pages a person reads (files, feeds, probes).
NOT_PAGES = {
    "healthz",
    "evidence-file",
    "feed-updates",
    "data-package",
    "data-dcat",
    "data-zip",
    "data-table",
}


def _query_without(request, name):
    query = [(key, value) for key, values in request.GET.lists() for value in values if key != name]
    return f"?{urlencode(query)}" if query else ""


def _script(request):
    """The script prefix the site is mounted under ("" at the root)."""
    return request.path.removesuffix(request.path_info)


@functools.lru_cache(maxsize=4096)
def _is_page_path(path_info, urlconf):
    """Whether `path_info` (unprefixed) is a public page. Remembered: a cached answer is served in a
    few hundred microseconds, and resolving its path again on every request would add a tenth."""
    try:
        match = resolve(path_info, urlconf)
    except Resolver404:
        return False
    return match.namespace == "tracker" and match.url_name not in NOT_PAGES


def _is_page(request):
    if "format" in request.GET or request.path_info.startswith(UNPREFIXED):
        return False
    return _is_page_path(request.path_info, get_urlconf() or settings.ROOT_URLCONF)


def may_redirect(request):
    """Whether the answer to `request` depends on its Accept-Language and cookies: an unprefixed
    GET or HEAD of a public page."""
    return (
        request.method in ("GET", "HEAD")
        and languages.language_of_path(request.path_info) is None
        and _is_page(request)
    )


def _set_language_cookie(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    """The first-visit redirect and the switch's cookie (see the module docstring). Makes no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and CHOICE_PARAMETER in request.GET
            and not request.path_info.startswith(UNPREFIXED)
        ):
            return self._choose(request)
        if not may_redirect(request):
            return self.get_response(request)
        # Cookie first, then Accept-Language, then English (Django's order of preference).
        wanted = get_language_from_request(request)
        if wanted != settings.LANGUAGE_CODE:
            target = languages.path_in(request.path_info, wanted)
            query = request.META.get("QUERY_STRING", "")
            response = HttpResponseRedirect(_script(request) + target + (f"?{query}" if query else ""))
        else:
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def _choose(self, request):
        """`?language=<code>`: the cookie set to a known code and back to the address without it."""
        chosen = request.GET[CHOICE_PARAMETER]
        path = request.path_info
        if chosen in languages.codes():
            path = languages.path_in(path, chosen)
        response = HttpResponseRedirect(_script(request) + path + _query_without(request, CHOICE_PARAMETER))
        if chosen in languages.codes():
            _set_language_cookie(response, chosen)
        response["Cache-Control"] = "no-store"
        return response
