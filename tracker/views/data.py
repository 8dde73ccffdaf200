"""/data/: the open-data package (docs/data-package.md), built by `tracker.opendata`.

- `/data/`: the page that describes it (what it holds, licence, citation, downloads, how to validate);
- `/data/datapackage.json`: the Frictionless Tabular Data Package descriptor;
- `/data/<table>.csv`: one table, streamed (recommendations.csv is the list's CSV export without its
  byte-order mark, the format `manage.py import_recommendations` reads);
- `/data/package.zip`: the descriptor and every CSV, streamed as a zip;
- `/data/dcat.jsonld`: a DCAT description for data catalogues.

Streams read each table in one query with `.iterator()` and build the zip piece by piece, so memory
stays flat; nothing is read before the first chunk is asked for, so a 304 costs only the data
version's query. Anonymous answers get their ETag from the response cache's key (data version, day,
host, path and query: `tracker.http.cache`), never from the body; CORS comes from settings
(`CORS_URLS_REGEX`). The machine-readable files read no query parameter: any other than the
reserved `lang` is answered 400 naming it, in the API's error format, as the exports answer
(`tracker.http.params`); the page ignores them, as pages do.
"""

import json

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tracker.http import params
from tracker.models import Recommendation
from tracker.opendata import descriptor as about
from tracker.opendata import writers
from tracker.opendata.schema import Urls
from tracker.opendata.tables import BY_NAME, TABLES

from . import export

# What json_script escapes, so that no text in the data can close the <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
RECOMMENDATIONS = "recommendations"
NO_PARAMETERS = frozenset()
DCAT_NAME = "dcat.jsonld"


def _urls(request):
    return Urls(request.build_absolute_uri("/"))


def _refuse_parameters(request):
    """A 400 naming the query parameters of a request for a file of the package, which reads none
    (but the reserved `lang`), in the API's error format as the exports answer; None if there are none."""
    unknown = params.unknown_parameters(request.GET, NO_PARAMETERS)
    if not unknown:
        return None
    errors = params.unknown_parameter_errors(unknown, NO_PARAMETERS)
    detail = _("The data package's files take no parameters: %(names)s.") % {"names": ", ".join(unknown)}
    return JsonResponse(params.error_body(errors, detail=detail), status=400)


def descriptor_bytes(facts, urls):
    """datapackage.json as served and as put in the zip: the same bytes for the same data."""
    return (json.dumps(about.package(facts, urls), ensure_ascii=False, indent=2) + "\n").encode()


def _recommendation_chunks(request):
    """recommendations.csv: the list's CSV export of every recommendation, without the byte-order mark."""
    rows = Recommendation.objects.with_effective_status().with_last_update().for_export()
    return export.csv_chunks(request, rows, bom=False)


def _table_chunks(request, table, urls):
    if table.name == RECOMMENDATIONS:
        return _recommendation_chunks(request)
    return writers.table_chunks(table, urls)


def jsonld(data):
    """`data` as the text of a <script type="application/ld+json"> element (escaped as json_script does)."""
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 (JSON with <, > and & escaped: it cannot leave the element)


def dataset_jsonld(request, facts=None):
    """The schema.org `Dataset` of the package as a page's JSON-LD text; one query unless `facts` is given."""
    return jsonld(about.schema_org(facts or about.read_facts(), _urls(request)))


def data_page(request):
    """/data/: what the package holds (each table with its key and row count), the licence, the
    citation, the downloads and the commands that validate it. Two queries: the facts, with each
    table's row count, in one."""
    facts = about.read_facts(counts=True)
    urls = _urls(request)
    data_url = urls.absolute(reverse("tracker:data"))
    tables = [
        {
            "name": table.name,
            "title": table.title,
            "description": table.description,
            "path": table.path,
            "key": ", ".join(table.primary_key),
            "rows": facts.counts[table.name],
            "references": sorted({resource or table.name for _field, resource, _key in table.foreign_keys}),
        }
        for table in TABLES
    ]
    context = {
        "section": "data",
        "facts": facts,
        "tables": tables,
        "license": about.license_descriptor(),
        "citation": about.citation(facts, urls),
        "data_url": data_url,
        "descriptor_name": about.DESCRIPTOR_NAME,
        "dcat_name": DCAT_NAME,
        "commands": commands(data_url),
        "dataset_jsonld": dataset_jsonld(request, facts),
    }
    return render(request, "tracker/data.html", context)


def commands(data_url):
    """The shell commands the page shows: validate the package online and offline, re-import it."""
    folder = "migration-dialogues-data"
    return {
        "validate_online": f"pip install frictionless\nfrictionless validate {data_url}{about.DESCRIPTOR_NAME}",
        "validate_offline": (
            f"unzip {about.ZIP_DOWNLOAD_NAME} -d {folder}\nfrictionless validate {folder}/{about.DESCRIPTOR_NAME}"
        ),
        "reimport": "python manage.py import_recommendations recommendations.csv --user <username> --dry-run",
    }


def datapackage(request):
    """/data/datapackage.json: the descriptor (one query: the facts)."""
    refused = _refuse_parameters(request)
    if refused:
        return refused
    return HttpResponse(descriptor_bytes(about.read_facts(), _urls(request)), content_type="application/json")


def dcat_description(request):
    """/data/dcat.jsonld: the DCAT description (one query: the facts)."""
    refused = _refuse_parameters(request)
    if refused:
        return refused
    body = json.dumps(about.dcat(about.read_facts(), _urls(request)), ensure_ascii=False, indent=2) + "\n"
    return HttpResponse(body.encode(), content_type="application/ld+json")


def table_csv(request, name):
    """/data/<name>.csv: one table of the package, streamed (one query, when the first chunk is
    asked for). 404 for a name that is not a table."""
    table = BY_NAME.get(name)
    if table is None:
        raise Http404(_("The data package has no table %(name)s.") % {"name": name})
    refused = _refuse_parameters(request)
    if refused:
        return refused
    response = StreamingHttpResponse(
        _table_chunks(request, table, _urls(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{table.path}"'
    return response


def _zip_entries(request, facts, urls):
    yield about.DESCRIPTOR_NAME, [descriptor_bytes(facts, urls)]
    for table in TABLES:
        yield table.path, _table_chunks(request, table, urls)


def _zip_stream(request):
    # The facts are read when the first chunk is asked for, so a 304 reads nothing.
    facts = about.read_facts()
    urls = _urls(request)
    yield from writers.zip_chunks(_zip_entries(request, facts, urls), facts.modified)


def package_zip(request):
    """/data/package.zip: datapackage.json and every table's CSV, streamed as one zip (one query
    for the facts and one per table)."""
    refused = _refuse_parameters(request)
    if refused:
        return refused
    response = StreamingHttpResponse(_zip_stream(request), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{about.ZIP_DOWNLOAD_NAME}"'
    return response
