"""Formatting filters shared by every template: money, energy, dates in the portal's style."""

from django import template

from ccportal.display import energy_text, fixed, money_text
from ccportal.fields import DateInput, DateTimeInput
from ccportal.normalize import control_characters_shown

register = template.Library()


@register.filter
def lsl(value):
    """M 1,234.50"""
    return money_text(value)


@register.filter
def kwh(value):
    """1,234.500 kWh"""
    return energy_text(value)


@register.filter
def number(value, places=0):
    return fixed(value, int(places))


@register.filter
def controls_visible(value):
    """A kept outside text with its control characters and bidirectional overrides shown (⟦U+001B⟧); the
    result is still escaped by the template."""
    return control_characters_shown(str(value or ""))


@register.simple_tag
def date_input(name, value="", moment=False, **attrs):
    """The portal's date box (ccportal.fields.DateInput, or DateTimeInput with moment=True) where a template
    writes its own form: {% date_input "from" filters.from id="export-from" %}."""
    widget = DateTimeInput() if moment else DateInput()
    return widget.render(name, value or None, attrs=attrs)
