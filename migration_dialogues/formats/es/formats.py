"""Spanish: "20 de noviembre de 2026" and "20 nov. 2026"; the rest is Django's."""

DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y H:i"
