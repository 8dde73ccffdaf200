"""The open-data package's files as streams: each table's CSV, and the zip of them all, produced
piece by piece so that memory stays flat whatever the size of the data.

CSV: RFC 4180 as Python's csv module writes it (comma, double quotes, CRLF), UTF-8 without a
byte-order mark, a header row of field names. Cells: nothing for None; dates as YYYY-MM-DD;
datetimes in UTC as ISO 8601 with a Z; booleans as true/false; every text escaped with
`tracker.text.escape_formula` as the list's CSV export escapes it (a text starting with =, +, -, @,
tab or CR gets a leading apostrophe, so no spreadsheet runs it; the import takes it off again).

Zip: written by the standard library's zipfile to a sink that is emptied after every chunk
(zipfile writes to a stream it cannot seek by putting each entry's sizes after its data), every
entry deflated and dated with the data's last change, so the same data gives the same bytes.
"""

import csv
import datetime
import io
import zipfile

from tracker.text import escape_formula

# Rows per chunk of a CSV stream.
CHUNK_ROWS = 1000
# The earliest date a zip entry can carry (MS-DOS time).
ZIP_EPOCH = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)


def cell(value):
    """A value of any type as a CSV cell of the package: see the module docstring."""
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return _moment(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _moment(value):
    if value.tzinfo is not datetime.UTC and value.utcoffset() is not None:
        value = value.astimezone(datetime.UTC)
    return value.isoformat().replace("+00:00", "Z")


# The first characters after which `escape_formula` may change a text (its triggers and the
# apostrophe it adds): any other text is written as it is without asking it.
_MAY_ESCAPE = frozenset("=+-@\t\r'")


def _text(value):
    if not value:
        return ""
    return escape_formula(value) if value[0] in _MAY_ESCAPE else value


def _number(value):
    return "" if value is None else str(value)


def _date(value):
    return "" if value is None else value.isoformat()


def _datetime(value):
    return "" if value is None else _moment(value)


# How a column of each Table Schema type is written: the same as `cell`, without asking each
# value its type (a million rows of a dozen cells each).
BY_TYPE = {"string": _text, "integer": _number, "date": _date, "datetime": _datetime}


def csv_chunks(header, rows, chunk_rows=CHUNK_ROWS, types=None):
    """CSV text (str) of the `header` row and then `rows` (iterables of values), `chunk_rows`
    lines at a time. `types` (Table Schema types, one per column) choose how each column is
    written; without them each value is written by its own type (`cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    converters = None if types is None else [BY_TYPE.get(kind, cell) for kind in types]
    count = 0
    for row in rows:
        if converters is None:
            writer.writerow([cell(value) for value in row])
        else:
            writer.writerow([convert(value) for convert, value in zip(converters, row, strict=True)])
        count += 1
        if count == chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            count = 0
    yield buffer.getvalue()


def table_chunks(table, urls, chunk_rows=CHUNK_ROWS):
    """The CSV text of one `tracker.opendata.schema.Table` (not the recommendations, which the
    list's export writes), `chunk_rows` lines at a time; its rows are read in one query and each
    column is written as its field's type says."""
    types = [field["type"] for field in table.fields]
    return csv_chunks(table.header, table.rows(urls), chunk_rows, types)


class _Sink:
    """A write-only stream that keeps what is written until `take()` hands it over."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_chunks(entries, modified=None):
    """A zip archive, as bytes chunks, of `entries`: (file name, iterable of str or bytes chunks)
    pairs, in that order; str is written as UTF-8. Every entry is deflated, ZIP64-ready (an entry
    may pass 4 GB) and dated `modified` (an aware datetime, in UTC; 1980-01-01 when None or older)."""
    when = max(modified or ZIP_EPOCH, ZIP_EPOCH).astimezone(datetime.UTC)
    date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # -rw-r--r--
            with archive.open(info, "w", force_zip64=True) as entry:
                for chunk in chunks:
                    entry.write(chunk.encode() if isinstance(chunk, str) else chunk)
                    data = sink.take()
                    if data:
                        yield data
            data = sink.take()
            if data:
                yield data
    yield sink.take()
