"""Russian: "20 ноября 2026 г." and "20 ноября 2026" in lists: the genitive month (E), which the
abbreviations (N) and F do not give; the rest is Django's."""

DATE_FORMAT = "j E Y г."
SHORT_DATE_FORMAT = "j E Y"
SHORT_DATETIME_FORMAT = "j E Y H:i"
MONTH_DAY_FORMAT = "j E"
