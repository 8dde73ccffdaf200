"""`?format=` on the public pages: a page answers in the formats it offers, and a format it does
not offer is 406 Not Acceptable (docs/api.md, "Formats of the pages").

Every page is HTML; the browse list also exports its filtered list (`?format=csv`, `json`,
`xlsx`). Any other `format` on any page (`/forums/<slug>/?format=json`) answers 406 with a page in
the site's style that names the formats the page has and links the same data in the API, rather
than silently sending HTML to a client that asked for something else. 406 rather than a 303 to
the API: the API answers in its own shape (pages of results, slugs instead of names), so a
client should choose it knowingly, and `format=csv` has no API equivalent to redirect to.

A page declares the formats it offers besides HTML, and its API equivalent when that is not the
API's URL of the same name (`tracker:forum-detail` → `api-v1:forum-detail`, same arguments), with
`offers_formats`. `PageFormatMiddleware` applies the rule to every HTML answer of a page (URL
namespace `tracker`), so a new page follows it without doing anything; answers that are not HTML
(feeds, exports, evidence files, the health check) are left alone, as are the API and the admin.
"""

from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

FORMAT = "format"
HTML = "html"
PAGE_NAMESPACE = "tracker"
API_NAMESPACE = "api-v1"


def offers_formats(*formats, api=None):
    """Decorate a page view: the formats it answers in besides HTML (`offers_formats("csv")`),
    and `api`, the URL name of its API equivalent (taking the page's URL arguments) when it is not
    the API's URL of the same name."""

    def decorate(view):
        view.page_formats = (HTML, *formats)
        if api is not None:
            view.api_equivalent = api
        return view

    return decorate


def offered_formats(request):
    """The formats the page answering `request` offers (a tuple, HTML first)."""
    match = request.resolver_match
    return getattr(match.func, "page_formats", (HTML,)) if match else (HTML,)


def requested_format(request):
    """The `format` the request asks for; HTML when it names none."""
    return request.GET.get(FORMAT, "") or HTML


def api_equivalent(request):
    """The absolute URL of the API's answer with the same data as this page, or None."""
    match = request.resolver_match
    if match is None:
        return None
    name = getattr(match.func, "api_equivalent", None) or f"{API_NAMESPACE}:{match.url_name}"
    try:
        return request.build_absolute_uri(reverse(name, kwargs=match.kwargs))
    except NoReverseMatch:
        return None


def format_not_offered(request):
    """406 Not Acceptable in the site's style: the format asked for, the formats this page has
    (each a link), and the API's URL for the same data when there is one."""
    offered = offered_formats(request)
    links = []
    for output in offered:
        query = request.GET.copy()
        query.pop(FORMAT, None)
        if output != HTML:
            query[FORMAT] = output
        links.append((output.upper(), f"{request.path}?{query.urlencode()}" if query else request.path))
    context = {"requested": requested_format(request), "formats": links, "api_url": api_equivalent(request)}
    response = TemplateResponse(request, "format_not_offered.html", context, status=406)
    return response.render()


class PageFormatMiddleware:
    """Turn a page's HTML answer (200, or 400 for a form error) to a request whose `format` the
    page does not offer into 406 (`format_not_offered`). Placed inside the response cache, so a 406
    is never cached, and inside the security-header middleware, so the 406 has them too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            requested_format(request) != HTML
            and response.status_code in (200, 400)
            and response.get("Content-Type", "").startswith("text/html")
            and request.resolver_match is not None
            and PAGE_NAMESPACE in request.resolver_match.namespaces
            and requested_format(request) not in offered_formats(request)
        ):
            return format_not_offered(request)
        return response
