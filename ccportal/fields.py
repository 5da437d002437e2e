"""Form fields every form uses for dates, moments and amounts: parsed as Django does, then held to ccportal.bounds."""

from decimal import Decimal

from django import forms

from ccportal import bounds

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


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


class PlausibleDateField(_Bounded, forms.DateField):
    """A date from 2000-01-01 up to a few years ahead (``within=bounds.EVENT``: up to today)."""

    widget = DateInput

    def bound_check(self, value):
        bounds.date_check(value, label="The date", within=self.within)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("min", f"{bounds.EARLIEST_DATE:%Y-%m-%d}")
        return attrs


class PlausibleDateTimeField(_Bounded, forms.DateTimeField):
    """A moment from 2000-01-01 up to now (``within=bounds.EFFECTIVE``: up to a few years ahead)."""

    widget = DateTimeLocalInput
    within = bounds.EVENT

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        super().__init__(*args, **kwargs)

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
