"""What an import did, or in a dry run would do, and why a rejected file was rejected."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.results import RowResult


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
