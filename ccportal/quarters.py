"""Calendar quarters as the reports write them ("2025 Q4"): parsing, validating, ordering and date bounds."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ccportal import bounds
from ccportal.spreadsheet import quote

QUARTER_FORM = 'YYYY QN, e.g. "2025 Q4" (Q1 to Q4)'
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class QuarterError(ValueError):
    """A quarter string that is not of the form QUARTER_FORM."""

    def __init__(self, text, problem=None):
        super().__init__(problem or f"{quote(text)} is not a quarter; expected {QUARTER_FORM}.")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; instances order by time (never as text)."""

    year: int
    number: int

    def __str__(self):
        return f"{self.year} Q{self.number}"

    @property
    def label(self):
        return str(self)

    @property
    def first_day(self):
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self):
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self):
        return (self.last_day - self.first_day).days + 1

    def next(self):
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def start_moment(self):
        """The first moment of the quarter in the portal's time zone (inclusive)."""
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    def end_moment(self):
        """The first moment of the next quarter (exclusive)."""
        return self.next().start_moment()

    def days_elapsed(self, today=None):
        """Days of the quarter up to ``today`` (all of them for a past quarter, at least 1)."""
        today = today or timezone.localdate()
        if today >= self.last_day:
            return self.days
        return max(1, (today - self.first_day).days + 1)


def quarter_parse(text):
    """'2025 Q4' (also '2025Q4', '2025-Q4', any case) -> Quarter; raises QuarterError otherwise."""
    match = _QUARTER_RE.match(text or "")
    if not match:
        raise QuarterError(text)
    quarter = Quarter(int(match.group(1)), int(match.group(2)))
    try:
        bounds.date_check(quarter.first_day, label="The quarter", within=bounds.EFFECTIVE)
    except ValueError:  # also year 0, which no date can hold
        latest = bounds.latest_effective_date().year
        raise QuarterError(text, f"{quarter} is not a quarter with data: the year must be from 2000 to {latest}.") from None
    return quarter


def quarter_parse_optional(text):
    """None or blank -> None; otherwise as quarter_parse."""
    if text is None or not str(text).strip():
        return None
    return quarter_parse(str(text))


def quarter_of(value):
    """The quarter holding a date or datetime (a datetime is read in the portal's time zone)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return Quarter(value.year, (value.month - 1) // 3 + 1)


def quarter_current(today=None):
    return quarter_of(today or timezone.localdate())


def quarters_between(first, last):
    """Every quarter from ``first`` to ``last`` inclusive, in time order (empty if first > last)."""
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters
