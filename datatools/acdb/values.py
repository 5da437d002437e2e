"""Values of ACDB rows coerced to the portal's types (the MDBTools driver returns some numbers and dates as text);
a value that cannot be read raises RowRejected with the reason shown in the import report."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from ccportal import bounds
from ccportal.normalize import NormalisationError, account_number_normalise, phone_normalise
from datatools.acdb import reader

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
)


class RowRejected(ValueError):
    """A source row that cannot be imported; the message is the reason shown in the report."""


def text(row, column, max_length, *, required=False):
    value = reader.as_text(row.get(column))
    if value.endswith(".0") and value[:-2].isdigit() and isinstance(row.get(column), float):
        value = value[:-2]
    if required and not value:
        raise RowRejected(f"{column} is empty")
    if len(value) > max_length:
        raise RowRejected(f"{column} is longer than {max_length} characters")
    return value


def phone(row, column):
    try:
        return phone_normalise(row.get(column))
    except NormalisationError as exc:
        raise RowRejected(f"{column}: {exc}") from None


def account(row, column, *, required=True):
    value = reader.as_text(row.get(column))
    if not value:
        if required:
            raise RowRejected(f"{column} is empty")
        return ""
    try:
        return account_number_normalise(value)
    except NormalisationError as exc:
        raise RowRejected(f"{column}: {exc}") from None


def integer(row, column, *, required=False):
    try:
        value = reader.as_int(row.get(column))
    except ValueError as exc:
        raise RowRejected(f"{column}: {exc}") from None
    if value is None and required:
        raise RowRejected(f"{column} is empty")
    return value


def number(row, column, quantize=None, *, max_digits=14, required=False, default=None, within=None):
    try:
        value = reader.as_decimal(row.get(column))
    except ValueError as exc:
        raise RowRejected(f"{column}: {exc}") from None
    if value is None:
        if required:
            raise RowRejected(f"{column} is empty")
        return default
    if not value.is_finite():
        raise RowRejected(f"{column}: {row.get(column)!r} is not a number")
    if quantize is not None:
        try:
            value = quantize(value)
        except (ValueError, ArithmeticError):
            raise RowRejected(f"{column}: {str(row.get(column))[:40]!r} is out of range") from None
        if len(value.as_tuple().digits) > max_digits:
            raise RowRejected(f"{column}: {value} is out of range")
    if within is not None and not within.contains(value):
        raise RowRejected(f"{column}: {value} is out of range; it must be {within.describe()}")
    return value


def floating(row, column):
    value = number(row, column)
    return None if value is None else float(value)


def moment(row, column, *, required=False, within=bounds.EFFECTIVE):
    value = row.get(column)
    if isinstance(value, str):
        text = value.strip()
        value = None
        for fmt in DATETIME_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None and text:
            raise RowRejected(f"{column}: {text!r} is not a date")
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    elif value is not None and not isinstance(value, datetime):
        raise RowRejected(f"{column}: {value!r} is not a date")
    if value is None:
        if required:
            raise RowRejected(f"{column} is empty")
        return None
    try:
        bounds.moment_check(value, label=column, within=within)
    except bounds.BoundsError as exc:
        raise RowRejected(str(exc)) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def day(row, column):
    value = moment(row, column)
    return None if value is None else timezone.localtime(value, timezone.get_default_timezone()).date()


def yes_no(row, column):
    value = row.get(column)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        return value != 0  # Access stores True as -1
    text = str(value).strip().lower()
    if text in ("1", "-1", "true", "yes", "y", "t", "on"):
        return True
    if text in ("0", "false", "no", "n", "f", "off"):
        return False
    raise RowRejected(f"{column}: {value!r} is not yes/no")
