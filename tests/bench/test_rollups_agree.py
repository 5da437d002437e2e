"""The figures the portal reads from its rollups equal what hand-written SQL over the ACDB tables gives (the bench's
anchors), on seeded demo data: the rollups are the same figures, only cheaper to read."""

from datetime import datetime
from decimal import Decimal

import pytest

from bench import anchors
from datatools import demo
from reports import selectors


@pytest.fixture
def seeded(db):
    demo.seed_demo(scale=0.02, today=datetime(2026, 6, 30).date())


def _per_site(rows):
    totals = {}
    for site, _, value in rows:
        totals[site.upper()] = totals.get(site.upper(), Decimal(0)) + Decimal(str(value))
    return totals


@pytest.mark.parametrize(
    "column, selector, key",
    [
        ("transaction amount", selectors.om_report_sales_by_site, "total_lsl"),
        ("kwh value", selectors.om_report_consumption_by_site, "total_kwh"),
    ],
)
def test_sales_and_energy_per_site_equal_the_ledger(seeded, column, selector, key):
    expected = _per_site(anchors.sales_by_site_quarter(column))
    got = {site["site"]: site[key] for site in selector()["sites"]}
    assert set(got) == set(expected)
    for site, value in expected.items():
        assert abs(got[site] - value) < Decimal("0.01"), site


def test_customer_counts_equal_the_customers_table(seeded):
    expected = {site: total for site, total, _, _ in anchors.customer_stats()}
    got = {row["concession"]: row["total"] for row in selectors.om_report_customer_stats()["sites"]}
    assert got == expected


def test_load_profile_readings_equal_the_readings_table(seeded):
    rows = anchors.daily_load_profiles()
    assert rows, "the seed writes readings"
    assert selectors.om_report_daily_load_profiles()["total_readings"] == sum(count for _, _, _, count, _ in rows)
