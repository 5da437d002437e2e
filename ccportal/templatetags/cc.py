"""Formatting filters shared by every template: money, energy, dates in the portal's style."""

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


def _fixed(value, places):
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    return intcomma(f"{number:.{places}f}")


@register.filter
def lsl(value):
    """M 1,234.50"""
    text = _fixed(value, 2)
    return text if text == "—" else f"M {text}"


@register.filter
def kwh(value):
    """1,234.500 kWh"""
    text = _fixed(value, 3)
    return text if text == "—" else f"{text} kWh"


@register.filter
def number(value, places=0):
    return _fixed(value, int(places))
