"""Money and energy as Decimals: LSL with 2 places, kWh with 3, rates with 4 (ROUND_HALF_UP)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONEY_PLACES = Decimal("0.01")
ENERGY_PLACES = Decimal("0.001")
RATE_PLACES = Decimal("0.0001")


def _decimal(value):
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None


def money(value):
    return _decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def energy(value):
    return _decimal(value).quantize(ENERGY_PLACES, rounding=ROUND_HALF_UP)


def rate(value):
    return _decimal(value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def kwh_for_amount(amount, rate_lsl):
    """kWh bought by ``amount`` LSL at ``rate_lsl`` LSL/kWh, rounded half-up to 3 places."""
    rate_lsl = _decimal(rate_lsl)
    if rate_lsl <= 0:
        raise ValueError("a rate must be positive")
    return energy(_decimal(amount) / rate_lsl)
