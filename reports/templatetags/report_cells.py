"""{{ value|cell:kind }}: one table cell of a report, formatted by its kind (int, kwh, mwh, lsl, ratio, pct, text)."""

from django import template

from ccportal.templatetags.cc import number

register = template.Library()

PLACES = {"int": 0, "kwh": 3, "mwh": 3, "lsl": 2, "ratio": 4, "pct": 1}


@register.filter
def cell(value, kind):
    if kind in PLACES:
        return number(value, PLACES[kind])
    return "—" if value is None or value == "" and kind != "text" else value


@register.filter
def is_number(kind):
    return kind in PLACES
