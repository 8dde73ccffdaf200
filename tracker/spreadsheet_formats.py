"""The file formats the admin offers for exporting and importing recommendations
(django-import-export formats), made safe for spreadsheets.

CSV, TSV and XLSX exports pass every cell through `tracker.text.escape_formula` (a cell that
starts with `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe, so no spreadsheet runs it as
a formula) and `tracker.text.xml_safe` (openpyxl refuses control characters); XLSX cells are
written as text, never as formulas. The import removes exactly that apostrophe again
(`tracker.importing`), so export → import round-trips. JSON is written as stored.

We do not use django-import-export's `IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`: it deletes a
leading `=` and so loses data.
"""

import tablib
from import_export.formats import base_formats

from tracker.text import escape_formula, xml_safe


def spreadsheet_safe(dataset):
    """A copy of a tablib Dataset (headers and rows) with every cell escaped for spreadsheets."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([escape_formula(xml_safe(cell)) for cell in row])
    return safe


class _SpreadsheetSafe:
    def export_data(self, dataset, **kwargs):
        return super().export_data(spreadsheet_safe(dataset), **kwargs)


class CSV(_SpreadsheetSafe, base_formats.CSV):
    pass


class TSV(_SpreadsheetSafe, base_formats.TSV):
    pass


class XLSX(_SpreadsheetSafe, base_formats.XLSX):
    pass


EXPORT_FORMATS = [CSV, TSV, XLSX, base_formats.JSON]
