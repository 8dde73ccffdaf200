"""Import of recommendations (with their themes, actors, objective mappings and status) from
the same CSV/XLSX columns the public export writes, so export → edit → import round-trips.

Built on django-import-export: rows are matched by `code` (upsert, never by database id), every
row is validated with the model's rules, a dry run reports new / changed / unchanged / invalid
counts, and any invalid row rejects the whole file. A status that differs from the stored one is
recorded through `tracker.services` as a progress update in the importer's name.

The management command and the admin import take the same two steps, so a file is read and
judged the same way by both:

1. `read_dataset(data, file_format)` turns the bytes of a .csv or .xlsx file into a
   `tablib.Dataset` (the command through `load_dataset` / `import_file`, the admin through the
   `CSVFormat` / `XLSXFormat` import formats). A CSV must be UTF-8 (a BOM is allowed); its
   separator (comma, semicolon or tab) is read from the header line; a cell may be as long as
   the file. A file it cannot read, or whose header lacks a needed column, raises
   `ImportFileError`, whose text is the message for the person who sent the file.
2. `RecommendationResource.import_data` imports a copy of that dataset. Its `before_import`
   drops fully blank rows and takes the formula-escape apostrophe (`tracker.text.escape_formula`)
   off every cell; error rows are numbered as a spreadsheet shows them (the header is row 1).
"""

import csv
import datetime
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import RowResult

from tracker import roles, services
from tracker.columns import EXPORT_COLUMNS
from tracker.models import Actor, Document, Forum, FrameworkObjective, Recommendation, Roundtable, Theme
from tracker.text import unescape_formula

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


def parse_date_cell(value):
    """A date cell as a `datetime.date`, or None for an empty cell.

    Accepts a `date`, a `datetime` at midnight (what openpyxl gives for an XLSX date cell) and
    text "YYYY-MM-DD" (surrounding spaces ignored). Raises ValueError, with a message that names
    the expected format, for anything else, such as "31/12/2010" or a date with a time of day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date()
    elif isinstance(value, datetime.date):
        return value
    else:
        try:
            return datetime.datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValueError(
        _("Use the date format YYYY-MM-DD, e.g. 2010-12-31 (the file has “%(value)s”).") % {"value": value}
    )


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Names separated by ";", each of which must exist: an unknown name is an error, not a silent drop."""

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(self.separator) if name.strip()]
        if not names:
            return self.model.objects.none()
        found = {getattr(obj, self.field): obj for obj in self.model.objects.filter(**{f"{self.field}__in": names})}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(
                _("Unknown %(what)s: %(names)s.")
                % {"what": self.model._meta.verbose_name_plural, "names": ", ".join(unknown)}
            )
        return self.model.objects.filter(pk__in=[obj.pk for obj in found.values()])

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(sorted(str(getattr(item, self.field)) for item in value.all()))


class ObjectiveWidget(StrictManyToManyWidget):
    """Objectives as the export labels them: "GCM 6", "SDG 10.7"."""

    def __init__(self):
        super().__init__(FrameworkObjective, separator=LIST_SEPARATOR, field="slug")

    @staticmethod
    def label(objective):
        return f"{objective.framework.upper()} {objective.number}"

    def clean(self, value, row=None, **kwargs):
        labels = [label.strip() for label in str(value or "").split(self.separator) if label.strip()]
        objectives, unknown = [], []
        for label in labels:
            framework, _space, number = label.partition(" ")
            match = FrameworkObjective.objects.filter(framework=framework.lower(), number=number.strip()).first()
            (objectives.append(match) if match else unknown.append(label))
        if unknown:
            raise ValueError(_("Unknown framework objectives: %(labels)s.") % {"labels": ", ".join(unknown)})
        return FrameworkObjective.objects.filter(pk__in=[o.pk for o in objectives])

    def render(self, value, obj=None, **kwargs):
        return "; ".join(sorted(self.label(item) for item in value.all())) if value is not None else ""


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("No %(what)s %(value)r.") % {"what": self.model._meta.verbose_name, "value": value}
            ) from None


class RoundtableWidget(StrictForeignKeyWidget):
    """A roundtable by its code within the row's forum (codes repeat across forums)."""

    def __init__(self):
        super().__init__(Roundtable, field="code")

    def get_queryset(self, value, row, *args, **kwargs):
        return Roundtable.objects.filter(forum__slug=(row or {}).get("forum", ""))


class DocumentWidget(StrictForeignKeyWidget):
    """A source document as the export writes it: "<symbol> <title>", or just the title."""

    def __init__(self):
        super().__init__(Document, field="title")

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()  # an XLSX cell may hold a number or a date
        if not value:
            return None
        for document in Document.objects.filter(title__in=[value, value.partition(" ")[2]]):
            if value in (document.title, str(document)):
                return document
        raise ValueError(_("No document titled %(value)r.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class IsoDateWidget(widgets.DateWidget):
    """A date written YYYY-MM-DD, as the export writes it. An XLSX date cell is compared as the
    date it holds, not as text, so re-importing it is no change (see `parse_date_cell`)."""

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        return parse_date_cell(value)


class RecommendationResource(resources.ModelResource):
    """Columns as in the public CSV export; export-only columns are ignored on import."""

    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=widgets.CharWidget())
    status = fields.Field(attribute="status", column_name="status", widget=widgets.CharWidget())
    status_label = fields.Field(column_name="status_label", readonly=True)
    text = fields.Field(attribute="text", column_name="text", widget=widgets.CharWidget())
    process = fields.Field(column_name="process", readonly=True)
    forum = fields.Field(attribute="forum", column_name="forum", widget=StrictForeignKeyWidget(Forum, field="slug"))
    forum_title = fields.Field(column_name="forum_title", readonly=True)
    roundtable = fields.Field(attribute="roundtable", column_name="roundtable", widget=RoundtableWidget())
    roundtable_title = fields.Field(column_name="roundtable_title", readonly=True)
    themes = fields.Field(
        attribute="themes", column_name="themes", widget=StrictManyToManyWidget(Theme, LIST_SEPARATOR, "name")
    )
    actors = fields.Field(
        attribute="actors", column_name="actors", widget=StrictManyToManyWidget(Actor, LIST_SEPARATOR, "name")
    )
    objectives = fields.Field(attribute="objectives", column_name="objectives", widget=ObjectiveWidget())
    source_document = fields.Field(attribute="source_document", column_name="source_document", widget=DocumentWidget())
    source_locator = fields.Field(attribute="source_locator", column_name="source_locator", widget=widgets.CharWidget())
    target_date = fields.Field(attribute="target_date", column_name="target_date", widget=IsoDateWidget())
    last_update = fields.Field(attribute="status_date", column_name="last_update", readonly=True)
    url = fields.Field(column_name="url", readonly=True)

    class Meta:
        model = Recommendation
        import_id_fields = ["code"]
        fields = EXPORT_COLUMNS
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # --- export ---------------------------------------------------------------------------

    def get_export_queryset(self, request=None):
        return (
            Recommendation.objects.for_list().prefetch_related("actors", "objectives").select_related("source_document")
        )

    def dehydrate_status_label(self, obj):
        return str(obj.get_status_display())

    def dehydrate_process(self, obj):
        return obj.forum.process.slug

    def dehydrate_forum_title(self, obj):
        return obj.forum.title

    def dehydrate_roundtable_title(self, obj):
        return obj.roundtable.title if obj.roundtable else ""

    def dehydrate_url(self, obj):
        return obj.get_absolute_url()

    # --- import ---------------------------------------------------------------------------

    def import_data(self, dataset, *args, **kwargs):
        """Import a copy of `dataset` (a tablib.Dataset with headers), so that `before_import`,
        which rewrites its rows, leaves the caller's dataset as it was read: the same dataset can
        be imported twice (a dry run, then for real) with the same result."""
        headers = list(dataset.headers) if dataset.headers is not None else None
        copy = tablib.Dataset(*dataset, headers=headers, title=dataset.title)
        return super().import_data(copy, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        """Check the importer and the columns, then prepare the rows for validation: fully blank
        rows (every cell empty or spaces) are dropped, and one formula-escape apostrophe is taken
        off every cell (`tracker.text.unescape_formula`). Remembers each remaining row's
        spreadsheet row number (`sheet_rows`) and the rows that repeat a code (`repeated_codes`).

        Raises PermissionDenied (not secretariat) or ImportFileError (a needed column missing);
        django-import-export reports either as an error of the whole file. The rows are removed
        first, so a file refused as a whole reports that one reason, not one error per row."""
        self.sheet_rows = []
        self.repeated_codes = {}
        user = self.user or kwargs.get("user")
        try:
            if not roles.is_secretariat(user):
                raise PermissionDenied(_("Only the secretariat may import recommendations."))
            check_columns(dataset.headers)
        except (PermissionDenied, ImportFileError):
            del dataset[:]
            raise
        self.user = user
        rows = []
        for number, row in enumerate(dataset, start=FIRST_DATA_ROW):
            if not all(_is_blank(value) for value in row):
                rows.append([unescape_formula(value) for value in row])
                self.sheet_rows.append(number)
        del dataset[:]
        dataset.extend(rows)
        self.repeated_codes = _repeated_codes(dataset, self.sheet_rows)

    def after_import(self, dataset, result, **kwargs):
        """Number the rows of `result` that failed as a spreadsheet does (header = row 1, blank
        rows counted), so the admin and the command name the row the person sees."""
        super().after_import(dataset, result, **kwargs)
        for invalid in result.invalid_rows:
            invalid.number = self.sheet_row(invalid.number)
        for error_row in result.error_rows:
            error_row.number = self.sheet_row(error_row.number)
            for error in error_row.errors:
                if error.number is not None:
                    error.number = self.sheet_row(error.number)

    def sheet_row(self, row_number):
        """The spreadsheet row number of the dataset's row `row_number` (counted from 1)."""
        if 0 < row_number <= len(self.sheet_rows):
            return self.sheet_rows[row_number - 1]
        return row_number + 1

    def import_instance(self, instance, row, **kwargs):
        """Import plain fields, and check many-to-many names too, so an unknown theme, actor or
        objective is a validation error of its column rather than a silent drop. Also refuses a
        code that is on another row of the file, and a status change by an importer without an
        actor (a status change is recorded as that actor's progress update)."""
        errors = {}
        stored_status = instance.status if instance.pk else Recommendation.Status.NO_INFORMATION
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for import_field in self.get_import_fields():
            if isinstance(import_field.widget, widgets.ManyToManyWidget) and import_field.column_name in row:
                try:
                    import_field.clean(row, **kwargs)
                except ValueError as exc:
                    errors[import_field.attribute] = ValidationError(str(exc), code="invalid")
        repeated = self.repeated_codes.get(self.sheet_row(kwargs.get("row_number", 0)))
        if repeated:
            code, numbers = repeated
            errors["code"] = ValidationError(
                _("The code %(code)s is on rows %(rows)s: a code may be on one row only.")
                % {"code": code, "rows": _and_list(numbers)},
                code="duplicate",
            )
        if row.get("status") not in (None, "") and row["status"] not in Recommendation.Status.values:
            errors["status"] = ValidationError(
                _("Unknown status %(status)r; use one of: %(known)s.")
                % {"status": row["status"], "known": ", ".join(Recommendation.Status.values)},
                code="invalid",
            )
        elif self.user.actor_id is None and (instance.status or Recommendation.Status.NO_INFORMATION) != stored_status:
            # Only a status change needs an actor (its progress update is that actor's report).
            errors["status"] = ValidationError(
                _("Your account has no actor: status changes from an import need one."), code="no_actor"
            )
        try:
            parse_date_cell(row.get("last_update"))
        except ValueError as exc:
            errors["last_update"] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Save through the service: field edits with a history entry, a status change as a
        progress update in the importer's name (one history entry each)."""
        stored = None if is_create else Recommendation.objects.get(pk=instance.pk)
        new_status = instance.status or Recommendation.Status.NO_INFORMATION
        old_status = stored.status if stored else Recommendation.Status.NO_INFORMATION
        status_change = None
        if new_status != old_status:
            status_change = {
                "actor": self.user.actor,
                "status": new_status,
                "summary": _("Status set by import."),
                "reported_on": parse_date_cell(row.get("last_update")),
            }
        changed = None
        if stored is not None:
            changed = [
                f.name
                for f in Recommendation._meta.concrete_fields
                if f.editable and getattr(stored, f.attname) != getattr(instance, f.attname)
            ]
        if stored is not None and not changed and status_change is None:
            # The row differs only in its themes, actors or objectives (skip_unchanged let it
            # through): save it anyway, so the change leaves its one history entry.
            changed = None
        instance.status = old_status
        services.save_recommendation(instance, user=self.user, changed_fields=changed, status_change=status_change)
        instance.refresh_from_db()


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), and why a rejected file was rejected."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list = field(default_factory=list)  # "row N, column C: reason", or a sentence about the file
    dry_run: bool = False

    @property
    def rejected(self):
        return bool(self.errors)

    def summary(self):
        prefix = _("Dry run: ") if self.dry_run else ""
        return prefix + _("%(new)d new, %(changed)d changed, %(unchanged)d unchanged, %(invalid)d invalid.") % {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
        }


def check_columns(headers):
    """Raise ImportFileError if `headers` (a list of column names, or None) lacks a column of
    REQUIRED_COLUMNS."""
    missing = [column for column in REQUIRED_COLUMNS if column not in (headers or [])]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(columns)s. The first row must name the columns as the export does.")
            % {"columns": ", ".join(missing)}
        )


def _is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _and_list(items):
    """Row numbers as a sentence lists them: "2", "2 and 3", "2, 3 and 5"."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _repeated_codes(dataset, sheet_rows):
    """{spreadsheet row: (code, [its spreadsheet rows])} for every row whose code (spaces
    ignored) is on more than one row of `dataset`."""
    rows_of = defaultdict(list)
    for code, number in zip(dataset["code"], sheet_rows, strict=True):
        if not _is_blank(code):
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
        if any(not _is_blank(value) for value in row[width:]):
            raise ImportFileError(
                _("Row %(row)d has a value in a column without a name in the first row.") % {"row": number}
            )
        row = row[:width] + [filler] * (width - len(row))
        if all(_is_blank(value) for value in row):
            blank_rows += 1
            continue
        dataset.extend([[filler] * width] * blank_rows)
        blank_rows = 0
        dataset.append(row)
    return dataset


def load_dataset(path):
    """`read_dataset` of the .csv or .xlsx file at `path` (a str or Path; the suffix gives the
    format). Raises ImportFileError as `read_dataset` does, OSError if the file cannot be read."""
    path = Path(path)
    return read_dataset(path.read_bytes(), path.suffix.lower().removeprefix("."))


class CSVFormat(base_formats.CSV):
    """The admin's CSV import format: the file's bytes go through `read_dataset`, as the
    command's do (binary, so the admin does not decode them first)."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_dataset(in_stream, "csv")


class XLSXFormat(base_formats.XLSX):
    """The admin's XLSX import format: the file's bytes go through `read_dataset`."""

    def create_dataset(self, in_stream, **kwargs):
        return read_dataset(in_stream, "xlsx")


IMPORT_FORMATS = [CSVFormat, XLSXFormat]


def _message(error):
    """The text of an exception for a person: a ValidationError's messages, not their list."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def report_from_result(result, dry_run):
    """Counts and row messages from the Result of `RecommendationResource.import_data`, whose
    row numbers are already the spreadsheet's (the header is row 1)."""
    report = ImportReport(dry_run=dry_run)
    for error in result.base_errors:
        report.errors.append(_message(error.error))
    for row_number, row_errors in result.row_errors():
        for error in row_errors:
            number = error.number if error.number is not None else row_number + 1
            report.errors.append(_("row %(row)d: %(reason)s") % {"row": number, "reason": _message(error.error)})
    for invalid in result.invalid_rows:
        for column, messages in invalid.field_specific_errors.items():
            column = {"status_date": "last_update", "reported_on": "last_update"}.get(column, column)
            for message in messages:
                report.errors.append(
                    _("row %(row)d, column %(column)s: %(reason)s")
                    % {"row": invalid.number, "column": column, "reason": message}
                )
        for message in invalid.non_field_specific_errors:
            report.errors.append(_("row %(row)d: %(reason)s") % {"row": invalid.number, "reason": message})
    totals = result.totals
    report.new = totals.get(RowResult.IMPORT_TYPE_NEW, 0)
    report.changed = totals.get(RowResult.IMPORT_TYPE_UPDATE, 0)
    report.unchanged = totals.get(RowResult.IMPORT_TYPE_SKIP, 0)
    report.invalid = totals.get(RowResult.IMPORT_TYPE_INVALID, 0) + totals.get(RowResult.IMPORT_TYPE_ERROR, 0)
    return report


def import_recommendations(dataset, *, user, dry_run=False):
    """Import a tablib.Dataset (as `read_dataset` gives) in `user`'s name and return an
    ImportReport. A dry run writes nothing, and neither does a dataset with any invalid row
    (the whole file is rejected). The dataset itself is left as it is."""
    if not roles.is_secretariat(user):
        report = ImportReport(dry_run=dry_run)
        report.errors = [_("Only the secretariat may import recommendations.")]
        return report
    result = RecommendationResource(user=user).import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    return report_from_result(result, dry_run)


def import_file(path, *, user, dry_run=False):
    """`import_recommendations` of the file at `path`. A file `read_dataset` refuses gives a
    rejected ImportReport with that one message; OSError (no such file, ...) is raised."""
    try:
        dataset = load_dataset(path)
    except ImportFileError as exc:
        return ImportReport(errors=[str(exc)], dry_run=dry_run)
    return import_recommendations(dataset, user=user, dry_run=dry_run)


def log_rejection(user, source, report):
    """One structured audit line for a rejected import."""
    from tracker.audit import log_denied

    log_denied(
        "import_rejected",
        user=user,
        route=f"import:{source}",
        obj="recommendations",
        reason="; ".join(report.errors[:5]),
    )
