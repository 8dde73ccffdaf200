"""CSV and JSON exports of a filtered recommendation list, streamed row by row.

The rows come from one query (`Recommendation.objects.for_export()`, read with `.iterator()` in
chunks), so memory stays flat and the query count is the same for ten rows or a hundred thousand.
"""

import csv

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.columns import EXPORT_COLUMNS, LIST_COLUMNS
from tracker.models import Status
from tracker.models.recommendations import EXPORT_LIST_SEPARATOR

CHUNK_SIZE = 500

COLUMNS = EXPORT_COLUMNS


def _split(joined):
    return sorted(joined.split(EXPORT_LIST_SEPARATOR)) if joined else []


def _records(request, rows):
    """Export records (dicts in COLUMNS order) from `for_export()` rows."""
    url_pattern = request.build_absolute_uri(reverse("tracker:recommendation-detail", args=["CODE"]))
    prefix, suffix = url_pattern.rsplit("CODE", 1)
    labels = dict(Status.choices)
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        document = " ".join(filter(None, [row["source_document_symbol"], row["source_document_title"]]))
        yield {
            "code": row["code"],
            "kind": row["kind"],
            "status": row["effective_status"],
            "status_label": str(labels.get(row["effective_status"], row["effective_status"])),
            "text": row["text"],
            "process": row["process"],
            "forum": row["forum_slug"],
            "forum_title": row["forum_title"],
            "roundtable": row["roundtable_code"] or "",
            "roundtable_title": row["roundtable_title"] or "",
            "themes": _split(row["theme_names"]),
            "actors": _split(row["actor_names"]),
            "objectives": _split(row["objective_labels"]),
            "source_document": document,
            "source_locator": row["source_locator"],
            "target_date": row["target_date"],
            "last_update": row["last_update"],
            "url": f"{prefix}{row['code']}{suffix}",
        }


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def _csv_lines(records):
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for record in records:
        yield writer.writerow(
            [
                "; ".join(record[column])
                if column in LIST_COLUMNS
                else ("" if record[column] is None else record[column])
                for column in COLUMNS
            ]
        )


def _json_chunks(records, as_of):
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    yield f'{{"as_of": {encoder.encode(as_of)}, "columns": {encoder.encode(COLUMNS)}, "results": ['

    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + encoder.encode(record)
    yield "\n]}\n"


def stream(request, rows, output, as_of):
    """A streamed CSV or JSON response of `rows` (a `for_export()` queryset)."""
    name = f"recommendations-as-of-{as_of.isoformat()}" if as_of else "recommendations"
    records = _records(request, rows)
    if output == "csv":
        response = StreamingHttpResponse(_csv_lines(records), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(_json_chunks(records, as_of), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
    return response


def invalid_filters(errors, output):
    """400 with the filter errors, in the format that was asked for."""
    message = _("Some filters are not valid; nothing was exported.")
    if output == "json":
        return JsonResponse({"detail": message, "errors": errors.get_json_data()}, status=400)
    lines = [message] + [f"{field}: {' '.join(messages)}" for field, messages in errors.items()]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
