"""How pages write figures and dates: the text of the `cc` template filters, for views that prepare table rows."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone


def fixed(value, places):
    """``value`` with ``places`` decimals and comma thousands ("1,234.50"), "—" for None or "".

    Python's own "," grouping, not humanize's intcomma or the locale machinery: the portal has one number
    style whatever the language, and a ledger page formats hundreds of figures. Floats and ints go through
    Decimal so a figure is rounded as written (2.675 → "2.68"), never through binary floating point."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, Decimal):
        try:
            value = Decimal(value) if type(value) is int else Decimal(str(value))
        except InvalidOperation:
            return value
    text = f"{value:,.{places}f}"
    return "0" if text == "-0" else text  # a whole number rounded to zero has no sign


def money_text(value):
    """M 1,234.50 (the `lsl` filter)"""
    text = fixed(value, 2)
    return text if text == "—" else f"M {text}"


def energy_text(value):
    """1,234.500 kWh (the `kwh` filter)"""
    text = fixed(value, 3)
    return text if text == "—" else f"{text} kWh"


def date_text(value, default="—"):
    """2026-11-30, as `|date:"Y-m-d"|default:"—"` writes a date (a moment's date in the current time zone)."""
    if not value:
        return default
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.isoformat()


def datetime_text(value, default="—"):
    """2026-11-30 14:05 in the current time zone, as `|date:"Y-m-d H:i"|default:"—"` writes a moment."""
    if not value:
        return default
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(" ", "minutes")[:16]
