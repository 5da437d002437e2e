"""The demo's tariff schedule and the arithmetic of its ledger: the rate in force, month ends, rounding."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from billing.models import TariffRate
from datatools.demo.population import SITE_RATES


def rate_steps(schedule, site_code):
    """The tariff in force for ``site_code`` as a step function: (start times, rates in 1/10,000 LSL)."""
    starts = sorted({row.effective_from for row in schedule if row.scope == "global" or row.scope_key == site_code})
    return starts, [int(rate_at(schedule, site_code, start) * 10000) for start in starts]


def month_last_day(day):
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def half_up(numerator, denominator):
    """numerator / denominator rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def half_even(numerator, denominator):
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


def tariff_schedule(today, tz):
    """Global 5.00 from 2019, a CPI step to 5.30 in July 2025, site rates, a few customer rates later."""
    start = datetime(2019, 1, 1, tzinfo=tz)
    rows = [
        TariffRate(scope="global", scope_key="", rate_lsl=Decimal("5.0000"), effective_from=start, note="Launch tariff"),
        TariffRate(
            scope="global",
            scope_key="",
            rate_lsl=Decimal("5.3000"),
            effective_from=datetime(2025, 7, 1, tzinfo=tz),
            note="CPI adjustment 2025",
        ),
    ]
    for code, rate_lsl in SITE_RATES.items():
        rows.append(
            TariffRate(scope="site", scope_key=code, rate_lsl=Decimal(rate_lsl), effective_from=start, note="Site tariff")
        )
    return rows


def rate_at(schedule, site_code, when):
    """Site rate, else global rate, in force at ``when`` (mirrors billing.selectors.tariff_rate_for)."""
    best = {}
    for row in schedule:
        if row.effective_from <= when and (row.scope == "global" or row.scope_key == site_code):
            if row.scope not in best or row.effective_from > best[row.scope].effective_from:
                best[row.scope] = row
    return (best.get("site") or best["global"]).rate_lsl
