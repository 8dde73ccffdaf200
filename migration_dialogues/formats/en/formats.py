"""English date formats as the public site writes them ("20 Nov 2026"), for the admin and every
`date` filter without an explicit format. Input formats stay Django's (YYYY-MM-DD first)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
