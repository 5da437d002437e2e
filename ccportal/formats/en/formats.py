"""The portal's dates in English pages: ISO to show, ISO or day-first to read (Django's own "en" would show
"Jan. 5, 2026" and read 03/04/2026 as the 4th of March)."""

from ccportal.fields import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401 (read by Django by name)

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
