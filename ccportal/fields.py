"""Form fields every form uses for dates, moments and amounts: parsed in the portal's formats (ISO or day-first,
whatever the browser's locale), then held to ccportal.bounds."""

from datetime import datetime
from decimal import Decimal

from django import forms

from ccportal import bounds

# Dates are typed, never picked from <input type="date">: a browser shows that one in its own locale's order
# (MM/DD/YYYY in en-US), and an agent reading 03/04 cannot tell April from March. The portal writes ISO and reads
# ISO or day-first, whatever the browser; a month-first date is refused, never guessed.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
]
# The browser's hint only (forms are novalidate; the server decides). No character classes: Chrome compiles
# pattern with the "v" flag, where "-" and "/" inside [] must be escaped.
DATE_PATTERN = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}-\d{1,2}-\d{4})"
DATETIME_PATTERN = DATE_PATTERN + r"((T| )\d{1,2}:\d{2}(:\d{2})?)?"
DATE_INVALID = "Enter the date as YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-03-31 or 31/03/2026."
DATETIME_INVALID = "Enter the date and time as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, e.g. 2026-03-31 14:05."


def date_read(text):
    """The date typed in ``text`` (one of DATE_INPUT_FORMATS) for code that reads a query string itself;
    ValueError with DATE_INVALID otherwise."""
    text = str(text or "").strip()
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(DATE_INVALID)


class DateInput(forms.DateInput):
    """A text box showing YYYY-MM-DD (see DATE_INPUT_FORMATS for why not the browser's date picker). No
    inputmode=numeric: an iPhone's numeric keypad has no '-' or '/'."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "placeholder": "YYYY-MM-DD",
            "pattern": DATE_PATTERN,
            "autocomplete": "off",
            "title": "YYYY-MM-DD or DD/MM/YYYY",
            "size": "10",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A text box showing YYYY-MM-DD HH:MM (24-hour; the browser's datetime-local would follow its locale)."""

    input_type = "text"

    def __init__(self, attrs=None):
        defaults = {
            "placeholder": "YYYY-MM-DD HH:MM",
            "pattern": DATETIME_PATTERN,
            "autocomplete": "off",
            "title": "YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM",
            "size": "16",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%Y-%m-%d %H:%M")


class DateField(forms.DateField):
    """A date typed as YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY, with no range (filters); PlausibleDateField adds one."""

    widget = DateInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {"invalid": DATE_INVALID}


class _Bounded:
    """Adds the range's check after Django's own parsing, and the range to the browser's input (min/max)."""

    within = bounds.EFFECTIVE

    def __init__(self, *args, within=None, **kwargs):
        if within is not None:
            self.within = within
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        try:
            self.bound_check(value)
        except bounds.BoundsError as error:
            raise forms.ValidationError(str(error), code="out_of_range") from None


class PlausibleDateField(_Bounded, DateField):
    """A date from 2000-01-01 up to a few years ahead (``within=bounds.EVENT``: up to today)."""

    def bound_check(self, value):
        bounds.date_check(value, label="The date", within=self.within)


class PlausibleDateTimeField(_Bounded, forms.DateTimeField):
    """A moment from 2000-01-01 up to now (``within=bounds.EFFECTIVE``: up to a few years ahead)."""

    widget = DateTimeInput
    input_formats = DATETIME_INPUT_FORMATS
    default_error_messages = {"invalid": DATETIME_INVALID}
    within = bounds.EVENT

    def bound_check(self, value):
        bounds.moment_check(value, label="The date and time", within=self.within)


class BoundedDecimalField(_Bounded, forms.DecimalField):
    """A finite Decimal within a bounds.NumberRange (Django's own field already refuses NaN and Infinity)."""

    within = bounds.MONEY

    def bound_check(self, value):
        bounds.number_check(value, label="The value", within=self.within)


def money_field(**kwargs):
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("min_value", Decimal("0"))
    return BoundedDecimalField(within=bounds.MONEY, **kwargs)


def kwh_field(**kwargs):
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 3)
    kwargs.setdefault("min_value", Decimal("0"))
    return BoundedDecimalField(within=bounds.KWH, **kwargs)


def rate_field(**kwargs):
    kwargs.setdefault("max_digits", 10)
    kwargs.setdefault("decimal_places", 4)
    kwargs.setdefault("min_value", Decimal("0.0001"))
    return BoundedDecimalField(within=bounds.RATE, **kwargs)


def form_errors_add(form, error):
    """A service's ValidationError shown on ``form``: each message on its field, or above the form."""
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, messages in problems.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
