"""The plausible range of every date, moment and number the portal accepts, and the one check of each.

Every door through which a value enters (forms, inline edits, statements, the generation and ACDB imports, API
parameters, services) checks it here, so a year-1 tariff or an amount of 1e30 is refused with a message naming
the field instead of being stored and breaking pages for everyone. `manage.py check_data` lists stored rows
outside these ranges. The outer ends come from settings (CC_DATES_YEARS_AHEAD, CC_CLOCK_SKEW_MINUTES,
CC_MONEY_MAX_LSL, CC_RATE_MAX_LSL, CC_KWH_MAX)."""

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from ccportal import units
from ccportal.spreadsheet import quote

EARLIEST_DATE = date(2000, 1, 1)  # the company's first sites connected after this; older is a typo


class BoundsError(ValueError):
    """A value outside its plausible range or not a finite number; the message names what and the range."""


def _setting(name, default):
    return getattr(settings, name, default)


def years_ahead():
    return int(_setting("CC_DATES_YEARS_AHEAD", 5))


def clock_skew():
    return timedelta(minutes=int(_setting("CC_CLOCK_SKEW_MINUTES", 15)))


def latest_effective_date(today=None):
    """The last date a scheduled or planned value may take: today plus CC_DATES_YEARS_AHEAD years."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + years_ahead())
    except ValueError:  # 29 February
        return today.replace(year=today.year + years_ahead(), day=28)


def latest_event_moment(now=None):
    """The last moment something that has happened (a payment, a reading, a ledger row) may carry."""
    return (now or timezone.now()) + clock_skew()


_EARLIEST_NAIVE = datetime.combine(EARLIEST_DATE, time.min)


@functools.lru_cache(maxsize=16)
def _earliest_moment(zone_name):
    return timezone.make_aware(_EARLIEST_NAIVE)


@dataclass(frozen=True)
class DateRange:
    """A range of dates or moments: ``effective`` ones may lie years ahead, ``event`` ones only up to now."""

    kind: str  # "effective" or "event"

    def earliest(self):
        return EARLIEST_DATE

    def latest_date(self):
        if self.kind == "event":
            return timezone.localdate(latest_event_moment())
        return latest_effective_date()

    def earliest_moment(self):
        return _earliest_moment(str(timezone.get_current_timezone()))

    def latest_moment(self):
        if self.kind == "event":
            return latest_event_moment()
        return timezone.make_aware(datetime.combine(latest_effective_date() + timedelta(days=1), time.min))

    def describe(self):
        if self.kind == "event":
            return f"between {EARLIEST_DATE:%Y-%m-%d} and now"
        return f"between {EARLIEST_DATE:%Y-%m-%d} and {latest_effective_date():%Y-%m-%d}"


EFFECTIVE = DateRange("effective")
EVENT = DateRange("event")


def _date_text(value):
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"  # strftime pads years before 1000 unevenly


def date_check(value, *, label, within=EFFECTIVE):
    """``value`` (a date) if it lies within the range; BoundsError naming ``label`` otherwise. None passes."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return moment_check(value, label=label, within=within)
    if not within.earliest() <= value <= within.latest_date():
        raise BoundsError(f"{label} {_date_text(value)} is not plausible: it must be {within.describe()}.")
    return value


def moment_check(value, *, label, within=EVENT):
    """``value`` (a datetime; naive ones are read in the portal's time zone) if within the range, else BoundsError."""
    if value is None:
        return None
    # The common case, a plausible moment, in one comparison (a statement checks 10,000 of them): a naive value is
    # compared in local wall-clock time, so no time zone is attached to it here. Refusals take the long way below.
    latest = within.latest_moment()
    if value.tzinfo is None:
        if _EARLIEST_NAIVE <= value <= timezone.localtime(latest).replace(tzinfo=None):
            return value
    elif _earliest_moment(str(timezone.get_current_timezone())) <= value <= latest:
        return value
    if not within.earliest() <= value.date() <= within.latest_date() + timedelta(days=1):
        raise BoundsError(f"{label} {_date_text(value)} is not plausible: it must be {within.describe()}.")
    aware = timezone.make_aware(value) if timezone.is_naive(value) else value
    if not within.earliest_moment() <= aware <= within.latest_moment():
        when = timezone.localtime(aware).strftime("%Y-%m-%d %H:%M")
        raise BoundsError(f"{label} {when} is not plausible: it must be {within.describe()}.")
    return value


# --- numbers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberRange:
    """Finite numbers from ``low`` to ``high`` (``low_open``: strictly above ``low``), written with ``unit``."""

    name: str
    setting: str
    default_high: Decimal
    low: Decimal | None = Decimal("0")
    low_open: bool = False
    unit: str = ""
    negative_ok: bool = False  # a ledger row's kWh and a withdrawal's amount are negative: bound the size

    def high(self):
        return Decimal(str(_setting(self.setting, self.default_high)))

    def describe(self):
        high = f"{self.high():,}{' ' + self.unit if self.unit else ''}"
        if self.negative_ok:
            return f"at most {high} either way"
        return f"{'above' if self.low_open else 'from'} {self.low} up to {high}"

    def contains(self, value):
        if self.negative_ok:
            return abs(value) <= self.high()
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high()


MONEY = NumberRange("amount", "CC_MONEY_MAX_LSL", Decimal("1000000"), unit="LSL")
MONEY_SIGNED = NumberRange("amount", "CC_MONEY_MAX_LSL", Decimal("1000000"), unit="LSL", negative_ok=True)
RATE = NumberRange("rate", "CC_RATE_MAX_LSL", Decimal("100"), low_open=True, unit="LSL/kWh")
RATE_OR_ZERO = NumberRange("rate", "CC_RATE_MAX_LSL", Decimal("100"), unit="LSL/kWh")  # legacy rows may hold 0
KWH = NumberRange("energy", "CC_KWH_MAX", Decimal("1000000"), unit="kWh")
KWH_SIGNED = NumberRange("energy", "CC_KWH_MAX", Decimal("1000000"), unit="kWh", negative_ok=True)
# A site's generation in one day; a mini-grid makes a few MWh, a utility-scale plant a few thousand.
GENERATION_KWH = NumberRange("generation", "CC_GENERATION_KWH_MAX", Decimal("10000000"), unit="kWh")
POWER_KW = NumberRange("power", "CC_POWER_KW_MAX", Decimal("10000"), unit="kW", negative_ok=True)
LATITUDE = NumberRange("latitude", "CC_LATITUDE_MAX", Decimal("90"), negative_ok=True)
LONGITUDE = NumberRange("longitude", "CC_LONGITUDE_MAX", Decimal("180"), negative_ok=True)


def decimal_parse(value, *, label):
    """A finite Decimal from text, a number or a Decimal; BoundsError for 'NaN', 'Infinity', 'sNaN' or non-numbers."""
    try:
        return units.finite_decimal(value)
    except ValueError:
        raise BoundsError(f"{label} {quote(value)} is not a finite number.") from None


def number_check(value, *, label, within):
    """``value`` as a finite Decimal within the range; BoundsError naming ``label`` otherwise. None passes."""
    if value is None:
        return None
    number = decimal_parse(value, label=label)
    if not within.contains(number):
        shown = f"{number:,}" if abs(number.adjusted()) < 16 else f"{number:.3e}"
        raise BoundsError(f"{label} {shown} is out of range: it must be {within.describe()}.")
    return value


def value_check(value, *, label, within):
    """The check that fits ``within`` and the value: a date, a moment or a number."""
    if value is None:
        return None
    if isinstance(within, NumberRange):
        return number_check(value, label=label, within=within)
    if isinstance(value, datetime):
        return moment_check(value, label=label, within=within)
    return date_check(value, label=label, within=within)


def as_validation_error(error, field=None):
    """A BoundsError as the ValidationError services raise (keyed by field when given)."""
    return ValidationError({field: [str(error)]} if field else str(error))


def validator(check, **kwargs):
    """A Django validator running ``check`` (date_check, moment_check, number_check) with ``kwargs``."""

    def validate(value):
        try:
            check(value, **kwargs)
        except BoundsError as error:
            raise ValidationError(str(error), code="out_of_range") from None

    return validate
