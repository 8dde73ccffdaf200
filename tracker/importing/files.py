"""Reading an import file: the bytes of a .csv or .xlsx file into a `tablib.Dataset`, or an
`ImportFileError` whose text says why the file cannot be imported."""

import csv
import io
from collections import Counter, defaultdict

import tablib
from django.utils.translation import gettext as _

# The public export joins several names in one cell with "; ".
LIST_SEPARATOR = ";"
# Columns without which no row can be imported.
REQUIRED_COLUMNS = ("code", "forum", "text")
# The separators a CSV file may use, most usual first: Excel writes ";" where "," is the decimal
# comma (French, German, ...), and "Unicode text" exports are tab-separated.
CSV_DELIMITERS = (",", ";", "\t")
# Rows of a spreadsheet are numbered from 1, and row 1 holds the column names.
FIRST_DATA_ROW = 2


class ImportFileError(ValueError):
    """A file the import refuses as a whole: unreadable, not UTF-8, or without a needed column.
    `str(error)` is the message for the person who sent the file (no codec or Python jargon)."""


def check_columns(headers):
    """Raise ImportFileError if `headers` (a list of column names, or None) lacks a column of
    REQUIRED_COLUMNS."""
    missing = [column for column in REQUIRED_COLUMNS if column not in (headers or [])]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(columns)s. The first row must name the columns as the export does.")
            % {"columns": ", ".join(missing)}
        )


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def and_list(items):
    """Row numbers as a sentence lists them: "2", "2 and 3", "2, 3 and 5"."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def repeated_codes(dataset, sheet_rows):
    """{spreadsheet row: (code, [its spreadsheet rows])} for every row whose code (spaces
    ignored) is on more than one row of `dataset`."""
    rows_of = defaultdict(list)
    for code, number in zip(dataset["code"], sheet_rows, strict=True):
        if not is_blank(code):
            rows_of[str(code).strip()].append(number)
    return {number: (code, numbers) for code, numbers in rows_of.items() if len(numbers) > 1 for number in numbers}


def _header_delimiter(text):
    """The separator of CSV `text`: whichever of CSV_DELIMITERS is most frequent in its first
    line, outside quotes; "," if none is there (a one-column file)."""
    counts = dict.fromkeys(CSV_DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                break
            if char in counts:
                counts[char] += 1
    best = max(CSV_DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _csv_rows(data):
    """The rows (lists of str) of a CSV file given as bytes (or str): UTF-8 with or without a
    BOM, separated by ",", ";" or tab, line breaks inside quoted cells kept as they are.

    Raises the csv module's process-wide field size limit to the length of the text when it is
    lower (it never lowers it), so no cell the export wrote is too long to read back. Raises
    ImportFileError if the bytes are not UTF-8 or the csv module cannot parse them."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file is not in UTF-8: save it as CSV UTF-8 or XLSX and import it again.")
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_header_delimiter(text))
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        raise ImportFileError(
            _("Row %(row)d of the CSV file cannot be read: save the file as CSV UTF-8 or XLSX and import it again.")
            % {"row": len(rows) + 1}
        ) from None
    return rows


def _xlsx_rows(data):
    """The rows (tuples of cell values: str, int, float, datetime, bool or None) of the active
    sheet of an XLSX workbook given as bytes; formulas give their last computed value. Raises
    ImportFileError if the bytes are not a workbook openpyxl can read."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a zip that is not a workbook, or no zip at all: openpyxl raises many kinds
        raise ImportFileError(
            _("The file is not an XLSX workbook: save it as XLSX or CSV UTF-8 and import it again.")
        ) from None
    try:
        sheet = book.active
        # Some writers leave the sheet's stated dimensions out or wrong; read the cells as they are.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def read_dataset(data, file_format):
    """A tablib.Dataset of the rows of a CSV or XLSX file.

    `data` is the file's bytes; `file_format` is "csv" or "xlsx". The first row gives the headers
    (spaces around names ignored, empty names at the end dropped); shorter rows are padded with
    "" (CSV) or None (XLSX). Fully blank rows are kept, so that row N of the dataset is row N + 1
    of the spreadsheet, except at the end of the file, where they are dropped.

    Raises ImportFileError for an unsupported format, bytes that are not a UTF-8 CSV or an XLSX
    workbook, an empty file, a column name given twice, a value in a column without a name, or
    a missing column of REQUIRED_COLUMNS."""
    if file_format == "csv":
        rows, filler = iter(_csv_rows(data)), ""
    elif file_format == "xlsx":
        rows, filler = _xlsx_rows(data), None
    else:
        raise ImportFileError(_("Unsupported file type .%(suffix)s: use .csv or .xlsx.") % {"suffix": file_format})
    header = next(rows, None)
    headers = ["" if name is None else str(name).strip() for name in header or ()]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ImportFileError(_("The file is empty: its first row must name the columns, as the export does."))
    repeated = sorted(name for name, count in Counter(headers).items() if name and count > 1)
    if repeated:
        raise ImportFileError(
            _("The first row names these columns more than once: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    check_columns(headers)
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    blank_rows = 0  # blank rows not yet added: only added if a row with values follows
    for number, row in enumerate(rows, start=FIRST_DATA_ROW):
        row = list(row)
        if any(not is_blank(value) for value in row[width:]):
            raise ImportFileError(
                _("Row %(row)d has a value in a column without a name in the first row.") % {"row": number}
            )
        row = row[:width] + [filler] * (width - len(row))
        if all(is_blank(value) for value in row):
            blank_rows += 1
            continue
        dataset.extend([[filler] * width] * blank_rows)
        blank_rows = 0
        dataset.append(row)
    return dataset
