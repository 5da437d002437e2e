"""Money and energy as Decimals: LSL with 2 places, kWh with 3, rates with 4 (ROUND_HALF_UP); finite only
(the plausible ranges are in ccportal.bounds)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ccportal.spreadsheet import quote

MONEY_PLACES = Decimal("0.01")
ENERGY_PLACES = Decimal("0.001")
RATE_PLACES = Decimal("0.0001")
# tblmeterdata1 holds one power reading (kW) per meter every 10 minutes: a reading stands for 1/6 h of energy.
READING_INTERVAL_HOURS = Decimal(10) / Decimal(60)


def finite_decimal(value):
    """A finite Decimal; ValueError for text that is no number and for NaN, sNaN and Infinity."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{quote(value)} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{quote(value)} is not a finite number")
    return number


def _quantize(value, places):
    try:
        return finite_decimal(value).quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds, e.g. 1e30 to 2 places
        raise ValueError(f"{quote(value)} is too large") from None


def money(value):
    return _quantize(value, MONEY_PLACES)


def energy(value):
    return _quantize(value, ENERGY_PLACES)


def rate(value):
    return _quantize(value, RATE_PLACES)


def kwh_for_amount(amount, rate_lsl):
    """kWh bought by ``amount`` LSL at ``rate_lsl`` LSL/kWh, rounded half-up to 3 places."""
    rate_lsl = finite_decimal(rate_lsl)
    if rate_lsl <= 0:
        raise ValueError("a rate must be positive")
    try:
        return energy(finite_decimal(amount) / rate_lsl)
    except InvalidOperation:
        raise ValueError(f"{amount} LSL at {rate_lsl} LSL/kWh is too large") from None
