"""ccportal.links and ccportal.display: the row links and figures pages prepare without `{% url %}` or filters."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse, set_script_prefix

from ccportal.display import date_text, datetime_text, energy_text, fixed, money_text
from ccportal.links import link_maker


@pytest.mark.parametrize("value", [1, 12345, "0045MAK", "a b", "ü%?#", "x&y"])
def test_it_links_as_reverse_does(value):
    assert link_maker("billing:account_data")(value) == reverse("billing:account_data", args=[value])
    assert link_maker("customers:field", 7)(value) == reverse("customers:field", args=[7, value])
    if isinstance(value, int):
        assert link_maker("customers:detail")(value) == reverse("customers:detail", args=[value])


def test_it_links_under_the_script_prefix():
    set_script_prefix("/portal/")
    try:
        assert link_maker("customers:detail")(5) == reverse("customers:detail", args=[5]) == "/portal/customers/5/"
    finally:
        set_script_prefix("/")
    assert link_maker("customers:detail")(5) == "/customers/5/"


@pytest.mark.parametrize(
    "value, places, text",
    [
        (Decimal("1234567.5"), 2, "1,234,567.50"),
        (Decimal("-1234.5678"), 3, "-1,234.568"),
        (Decimal("999.995"), 2, "1,000.00"),
        (1234, 0, "1,234"),
        (10**18 + 1, 0, "1,000,000,000,000,000,001"),
        (2.675, 2, "2.68"),
        (Decimal("-0.4"), 0, "0"),
        ("12.5", 1, "12.5"),
        ("n/a", 2, "n/a"),
        (None, 2, "—"),
        ("", 2, "—"),
    ],
)
def test_it_writes_figures_with_comma_thousands(value, places, text):
    assert fixed(value, places) == text


def test_money_energy_and_dates():
    assert money_text(Decimal("-184")) == "M -184.00" and money_text(None) == "—"
    assert energy_text(Decimal("1234.5")) == "1,234.500 kWh"
    assert date_text(date(2021, 3, 4)) == "2021-03-04" and date_text(None) == "—"
    moment = datetime(2026, 11, 29, 23, 30, tzinfo=ZoneInfo("UTC"))  # 01:30 the next day in Maseru
    assert datetime_text(moment) == "2026-11-30 01:30" and date_text(moment) == "2026-11-30"
    assert datetime_text(None, default="") == ""
