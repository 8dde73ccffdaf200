"""French: "20 novembre 2026" and "20 nov. 2026"; the rest (numbers: "1 234,5") is Django's."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y H:i"
