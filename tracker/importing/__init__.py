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

Modules: `files` reads a file into a dataset, `widgets` turns cells into values, `resource` is
the resource the admin and the command import with, `report` says what an import did. This
module holds the entry points both use; `read_dataset` is looked up here at each call, so the
command and the admin reach the one reader through the same name.
"""

from pathlib import Path

from django.utils.translation import gettext as _
from import_export.formats import base_formats

from tracker import roles

from .files import (
    CSV_DELIMITERS,
    FIRST_DATA_ROW,
    LIST_SEPARATOR,
    REQUIRED_COLUMNS,
    ImportFileError,
    check_columns,
    read_dataset,
)
from .report import ImportReport, log_rejection, report_from_result
from .resource import RecommendationResource
from .widgets import (
    DocumentWidget,
    IsoDateWidget,
    ObjectiveWidget,
    RoundtableWidget,
    StrictForeignKeyWidget,
    StrictManyToManyWidget,
    parse_date_cell,
)

__all__ = [
    "CSV_DELIMITERS",
    "FIRST_DATA_ROW",
    "IMPORT_FORMATS",
    "LIST_SEPARATOR",
    "REQUIRED_COLUMNS",
    "CSVFormat",
    "DocumentWidget",
    "ImportFileError",
    "ImportReport",
    "IsoDateWidget",
    "ObjectiveWidget",
    "RecommendationResource",
    "RoundtableWidget",
    "StrictForeignKeyWidget",
    "StrictManyToManyWidget",
    "XLSXFormat",
    "check_columns",
    "import_file",
    "import_recommendations",
    "load_dataset",
    "log_rejection",
    "parse_date_cell",
    "read_dataset",
    "report_from_result",
]


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
