"""English date formats as the public site writes them: "20 November 2026" (DATE_FORMAT, the pages'
long dates) and "20 Nov 2026" (SHORT_DATE_FORMAT: lists, tables and the admin). Input formats stay
Django's (YYYY-MM-DD first). Each other language's module says the same in its own way (docs/i18n.md)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
