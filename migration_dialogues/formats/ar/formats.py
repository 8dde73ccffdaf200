"""Arabic: "20 نوفمبر 2026" for both (Arabic month names have no abbreviations); the rest is Django's."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y H:i"
