"""CSV and JSON exports of a filtered recommendation list, streamed in chunks.

The rows come from one query (`Recommendation.objects.for_export()`, tuples read with `.iterator()`
in chunks), so memory stays flat and the query count is the same for ten rows or a hundred
thousand. A full export is about a hundred thousand rows, so the work per row is kept small:
rows are tuples, unpacked once; the names a row's themes, actors and objectives are joined into
by the query are split, sorted and joined again once per distinct value (`functools.lru_cache`,
bounded, so memory stays flat); status labels are translated once per export; CSV lines are
formatted here exactly as `csv.writer` would (`csv_chunks` says why) and sent CHUNK_SIZE rows at
a time, JSON likewise, so the server writes a hundred large chunks rather than a hundred thousand
small ones. Every text cell of the CSV goes
through `tracker.text.escape_formula`, so no spreadsheet runs a value as a formula.
"""

import datetime
import functools
import re
import tempfile

from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.columns import EXPORT_COLUMNS, blank_source_language
from tracker.http import params
from tracker.models import Status
from tracker.models.querysets import EXPORT_LIST_SEPARATOR, EXPORT_PAIR_SEPARATOR
from tracker.models.status import not_reported_cutoff
from tracker.text import escape_formula, xml_safe

# Rows read from the database at a time, and rows per chunk of the response.
CHUNK_SIZE = 1000
# Distinct values a memo of joined names holds: every combination of themes or of objectives,
# and most of the actors', on a full export, in a few megabytes at most.
MEMO_SIZE = 10_000

COLUMNS = EXPORT_COLUMNS


def _split_pairs(joined):
    """The ("slug", "name") entries `for_export()` joined in one string (None if there are
    none), sorted by name."""
    if not joined:
        return []
    pairs = (entry.partition(EXPORT_PAIR_SEPARATOR) for entry in joined.split(EXPORT_LIST_SEPARATOR))
    return sorted(((slug, name) for slug, _sep, name in pairs), key=lambda pair: (pair[1], pair[0]))


def _split_mappings(joined):
    """The ("slug", "label", "basis") entries of the framework mappings `for_export()` joined in
    one string (None if there are none), sorted by label."""
    if not joined:
        return []
    entries = (entry.split(EXPORT_PAIR_SEPARATOR, 2) for entry in joined.split(EXPORT_LIST_SEPARATOR))
    return sorted(((slug, label, basis) for slug, label, basis in entries), key=lambda entry: (entry[1], entry[0]))


def _export_rows(request, rows, list_output, as_of=None):
    """Export rows (lists in COLUMNS order) from `for_export()` rows: missing values None, dates
    and datetimes as such. Themes, actors and objectives are their names and, in the next
    column, their slugs, each sorted by name and passed to `list_output`, and the objectives'
    mappings' bases after their slugs; `not_reported_since` is flagged as of `as_of` (today when None)."""
    cutoff = not_reported_cutoff(as_of)
    url_pattern = request.build_absolute_uri(reverse("tracker:recommendation-detail", args=["CODE"]))
    prefix, suffix = url_pattern.rsplit("CODE", 1)
    api_pattern = request.build_absolute_uri(reverse("api-v1:recommendation-detail", args=["CODE"]))
    api_prefix, api_suffix = api_pattern.rsplit("CODE", 1)
    labels = {status: str(label) for status, label in Status.choices}

    def lists(joined):
        pairs = _split_pairs(joined)
        return list_output([name for _slug, name in pairs]), list_output([slug for slug, _name in pairs])

    def mappings(joined):
        entries = _split_mappings(joined)
        return tuple(list_output([entry[i] for entry in entries]) for i in (1, 0, 2))

    themes, actors = (functools.lru_cache(maxsize=MEMO_SIZE)(lists) for _ in range(2))
    objectives = functools.lru_cache(maxsize=MEMO_SIZE)(mappings)
    for (
        code,
        kind,
        status,
        text,
        process,
        forum,
        forum_title,
        forum_date,
        roundtable_slug,
        roundtable,
        roundtable_title,
        theme_pairs,
        actor_pairs,
        objective_pairs,
        document_symbol,
        document_title,
        source_locator,
        target_date,
        last_update,
        reported_since,
        updated_at,
        version,
        *translations,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        theme_names, theme_slugs = themes(theme_pairs)
        actor_names, actor_slugs = actors(actor_pairs)
        objective_names, objective_slugs, objective_bases = objectives(objective_pairs)
        yield [
            code,
            kind,
            status,
            labels.get(status, status),
            text,
            process,
            forum,
            forum_title,
            forum_date,
            roundtable,
            roundtable_slug,
            roundtable_title,
            theme_names,
            theme_slugs,
            actor_names,
            actor_slugs,
            objective_names,
            objective_slugs,
            objective_bases,
            f"{document_symbol} {document_title}"
            if document_symbol and document_title
            else document_symbol or document_title or None,
            source_locator,
            target_date,
            last_update,
            reported_since if reported_since is not None and reported_since < cutoff else None,
            updated_at,
            version,
            f"{prefix}{code}{suffix}",
            f"{api_prefix}{code}{api_suffix}",
            *blank_source_language(translations),
        ]


# The characters that make csv.writer (default dialect) quote a field.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_field(value):
    """A str (or None) as csv.writer writes it in its default dialect, after `escape_formula`:
    None as nothing, and quoted, quotes doubled, if it holds a comma, a quote or a line break."""
    if value is None:
        return ""
    value = escape_formula(value)
    if _NEEDS_QUOTES.search(value) is None:
        return value
    return '"' + value.replace('"', '""') + '"'


def _plain(value):
    """A date, datetime or number cell as text ("" for None): ISO 8601, UTC with a Z."""
    if value is None:
        return ""
    if hasattr(value, "utcoffset") and value.utcoffset() is not None:
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def csv_chunks(request, rows, as_of=None, *, bom=True):
    """CSV text, CHUNK_SIZE lines at a time, byte for byte what csv.writer writes (the tests
    compare them) after a UTF-8 byte-order mark (so that Excel reads accented text right; the
    import accepts files with or without it; `bom=False` leaves it out, as the open-data package's
    recommendations.csv does), every text cell escaped with `escape_formula`.

    Lines are formatted here rather than by csv.writer: on a full export `writerow` took 40% more
    time in-process (550–647 ms against 385–471 ms for 20,000 rows, docs/benchmarks.md), which
    would cost the export its lead over Datasette's. Values that recur from row to row are quoted
    once per distinct value (`functools.lru_cache`)."""
    quoted = functools.lru_cache(maxsize=MEMO_SIZE)(_csv_field)
    lines = [("\ufeff" if bom else "") + ",".join(map(_csv_field, COLUMNS))]
    for (
        code,
        kind,
        status,
        status_label,
        text,
        process,
        forum,
        forum_title,
        forum_date,
        roundtable,
        roundtable_slug,
        roundtable_title,
        themes,
        theme_slugs,
        actors,
        actor_slugs,
        objectives,
        objective_slugs,
        objective_bases,
        source_document,
        source_locator,
        target_date,
        last_update,
        not_reported_since,
        updated_at,
        version,
        url,
        api_url,
        *translations,
    ) in _export_rows(request, rows, "; ".join, as_of):
        code_cell = _csv_field(code)
        if code_cell != code:  # codes are slugs; a stored one that is not gets its URLs quoted too
            url, api_url = _csv_field(url), _csv_field(api_url)
        lines.append(
            f"{code_cell},{quoted(kind)},{quoted(status)},{quoted(status_label)},{_csv_field(text)},"
            f"{quoted(process)},{quoted(forum)},{quoted(forum_title)},{_plain(forum_date)},{quoted(roundtable)},"
            f"{quoted(roundtable_slug)},{quoted(roundtable_title)},{quoted(themes)},{quoted(theme_slugs)},"
            f"{quoted(actors)},{quoted(actor_slugs)},{quoted(objectives)},{quoted(objective_slugs)},"
            f"{quoted(objective_bases)},"
            f"{quoted(source_document)},{quoted(source_locator)},{_plain(target_date)},{_plain(last_update)},"
            f"{_plain(not_reported_since)},{_plain(updated_at)},{version},{url},{api_url},"
            + ",".join(map(quoted, translations))
        )
        if len(lines) == CHUNK_SIZE:
            lines.append("")
            yield "\r\n".join(lines)
            lines = []
    lines.append("")
    yield "\r\n".join(lines)


def _json_chunks(request, rows, as_of):
    """A JSON array of records (one object per recommendation, keyed by COLUMNS), CHUNK_SIZE
    records at a time; names and slugs as lists, missing values null as in the API."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    parts = ["["]
    separator = "\n"
    for row in _export_rows(request, rows, list, as_of):
        parts.append(separator + encoder.encode(dict(zip(COLUMNS, row, strict=True))))
        separator = ",\n"
        if len(parts) == CHUNK_SIZE:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


def _xlsx_file(request, rows, as_of):
    """An XLSX workbook of the export in a temporary file (openpyxl's write-only mode: rows go
    to disk as they come, so memory stays flat), rewound; names and slugs as "; "-joined text,
    dates as dates, every text cell escaped like the CSV's and stored as text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Recommendations")[:31])
    sheet.append(COLUMNS)
    for row in _export_rows(request, rows, "; ".join, as_of):
        cells = []
        for value in row:
            if isinstance(value, datetime.datetime):
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)  # Excel has no time zones
            elif isinstance(value, str):
                value = escape_formula(xml_safe(value))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(handle)
    handle.seek(0)
    return handle


def stream(request, rows, output, as_of):
    """A streamed CSV, JSON or XLSX response of `rows` (a `for_export()` queryset)."""
    name = f"recommendations-as-of-{as_of.isoformat()}" if as_of else "recommendations"
    if output == "xlsx":
        response = FileResponse(
            _xlsx_file(request, rows, as_of),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif output == "csv":
        response = StreamingHttpResponse(csv_chunks(request, rows, as_of), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_chunks(request, rows, as_of), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
    return response


def invalid_filters(errors):
    """400 in the API's error format (tracker.http.params.error_body), whatever format was asked
    for, as the API answers: `errors` ({name: [message, ...]}) names each unknown parameter and
    each filter value that is not valid."""
    message = _("Some parameters are not valid; nothing was exported.")
    return JsonResponse(params.error_body(errors, detail=message), status=400)
