"""CSV and JSON exports of a filtered recommendation list, streamed in chunks.

The rows come from one query (`Recommendation.objects.for_export()`, tuples read with `.iterator()`
in chunks), so memory stays flat and the query count is the same for ten rows or a hundred
thousand. A full export is about a hundred thousand rows, so the work per row is kept small:
rows are tuples, unpacked once; the names a row's themes, actors and objectives are joined into
by the query are split, sorted and joined again once per distinct value (`functools.lru_cache`,
bounded, so memory stays flat); status labels are translated once per export; CSV lines are
formatted here exactly as `csv.writer` would (`_csv_chunks` says why) and sent CHUNK_SIZE rows at
a time, JSON likewise, so the server writes a hundred large chunks rather than a hundred thousand
small ones. Every text cell of the CSV goes
through `tracker.text.escape_formula`, so no spreadsheet runs a value as a formula.
"""

import functools
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.columns import EXPORT_COLUMNS
from tracker.models import Status
from tracker.models.querysets import EXPORT_LIST_SEPARATOR
from tracker.models.status import not_reported_cutoff
from tracker.text import escape_formula

# Rows read from the database at a time, and rows per chunk of the response.
CHUNK_SIZE = 1000
# Distinct values a memo of joined names holds: every combination of themes or of objectives,
# and most of the actors', on a full export, in a few megabytes at most.
MEMO_SIZE = 10_000

COLUMNS = EXPORT_COLUMNS


def _sorted_names(joined):
    """The names `for_export()` joined in one string (None if there are none), sorted."""
    return sorted(joined.split(EXPORT_LIST_SEPARATOR)) if joined else []


def _export_rows(request, rows, list_output, as_of=None):
    """Export rows (lists in COLUMNS order) from `for_export()` rows. Themes, actors and
    objectives are their sorted names passed to `list_output`; `not_reported_since` is flagged
    as of `as_of` (today when None)."""
    cutoff = not_reported_cutoff(as_of)
    url_pattern = request.build_absolute_uri(reverse("tracker:recommendation-detail", args=["CODE"]))
    prefix, suffix = url_pattern.rsplit("CODE", 1)
    labels = {status: str(label) for status, label in Status.choices}
    themes, actors, objectives = (
        functools.lru_cache(maxsize=MEMO_SIZE)(lambda joined: list_output(_sorted_names(joined))) for _ in range(3)
    )
    for (
        code,
        kind,
        status,
        text,
        process,
        forum,
        forum_title,
        roundtable,
        roundtable_title,
        theme_names,
        actor_names,
        objective_labels,
        document_symbol,
        document_title,
        source_locator,
        target_date,
        last_update,
        reported_since,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [
            code,
            kind,
            status,
            labels.get(status, status),
            text,
            process,
            forum,
            forum_title,
            roundtable or "",
            roundtable_title or "",
            themes(theme_names),
            actors(actor_names),
            objectives(objective_labels),
            f"{document_symbol} {document_title}"
            if document_symbol and document_title
            else document_symbol or document_title or "",
            source_locator,
            target_date,
            last_update,
            reported_since if reported_since is not None and reported_since < cutoff else None,
            f"{prefix}{code}{suffix}",
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


def _csv_chunks(request, rows, as_of=None):
    """CSV text, CHUNK_SIZE lines at a time, byte for byte what csv.writer writes (the tests
    compare them), every text cell escaped with `escape_formula`.

    Lines are formatted here rather than by csv.writer: on a full export `writerow` took 40% more
    time in-process (550–647 ms against 385–471 ms for 20,000 rows, docs/benchmarks.md), which
    would cost the export its lead over Datasette's. Values that recur from row to row are quoted
    once per distinct value (`functools.lru_cache`)."""
    quoted = functools.lru_cache(maxsize=MEMO_SIZE)(_csv_field)
    lines = [",".join(map(_csv_field, COLUMNS))]
    for (
        code,
        kind,
        status,
        status_label,
        text,
        process,
        forum,
        forum_title,
        roundtable,
        roundtable_title,
        themes,
        actors,
        objectives,
        source_document,
        source_locator,
        target_date,
        last_update,
        not_reported_since,
        url,
    ) in _export_rows(request, rows, "; ".join, as_of):
        lines.append(
            f"{_csv_field(code)},{quoted(kind)},{quoted(status)},{quoted(status_label)},{_csv_field(text)},"
            f"{quoted(process)},{quoted(forum)},{quoted(forum_title)},{quoted(roundtable)},"
            f"{quoted(roundtable_title)},{quoted(themes)},{quoted(actors)},{quoted(objectives)},"
            f"{quoted(source_document)},{quoted(source_locator)},{'' if target_date is None else target_date},"
            f"{'' if last_update is None else last_update},"
            f"{'' if not_reported_since is None else not_reported_since},{_csv_field(url)}"
        )
        if len(lines) == CHUNK_SIZE:
            lines.append("")
            yield "\r\n".join(lines)
            lines = []
    lines.append("")
    yield "\r\n".join(lines)


def _json_chunks(request, rows, as_of):
    """The JSON document, CHUNK_SIZE records at a time; themes, actors and objectives as lists."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    parts = [f'{{"as_of": {encoder.encode(as_of)}, "columns": {encoder.encode(COLUMNS)}, "results": [']
    separator = "\n"
    for row in _export_rows(request, rows, list, as_of):
        parts.append(separator + encoder.encode(dict(zip(COLUMNS, row, strict=True))))
        separator = ",\n"
        if len(parts) == CHUNK_SIZE:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts)


def stream(request, rows, output, as_of):
    """A streamed CSV or JSON response of `rows` (a `for_export()` queryset)."""
    name = f"recommendations-as-of-{as_of.isoformat()}" if as_of else "recommendations"
    if output == "csv":
        response = StreamingHttpResponse(_csv_chunks(request, rows, as_of), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_chunks(request, rows, as_of), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
    return response


def invalid_filters(errors, output):
    """400 with the filter errors, in the format that was asked for."""
    message = _("Some filters are not valid; nothing was exported.")
    if output == "json":
        return JsonResponse({"detail": message, "errors": errors.get_json_data()}, status=400)
    lines = [message] + [f"{field}: {' '.join(messages)}" for field, messages in errors.items()]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
