"""The rollups of customers.rollup and reports.rollup (customers per site and quarter, readings per meter and hour) follow every
write, and the report figures read them."""

from datetime import date

import pytest
from django.core.management import call_command

from ccportal.quarters import Quarter
from customers.models import Customer, CustomerTally
from customers.rollup import CUSTOMER_ROLLUP, NOT_YET, active_customers_per_quarter
from customers.services import customer_delete, customer_terminate, customer_update
from reports import selectors
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def tally():
    return {(c.site_code, c.connected_quarter, c.terminated_on): c.customers for c in CustomerTally.objects.all() if c.customers}


def test_it_counts_customers_per_site_connection_quarter_and_termination_day():
    CustomerFactory.create_batch(2, site_code="MAK", date_service_connected=date(2024, 2, 29))
    CustomerFactory(site_code="SHG", date_service_connected=None)
    CustomerFactory(site_code="SHG", date_service_connected=date(2024, 6, 30), date_service_terminated=date(2025, 1, 5))
    assert tally() == {
        ("MAK", date(2024, 1, 1), NOT_YET): 2,
        ("SHG", NOT_YET, NOT_YET): 1,
        ("SHG", date(2024, 4, 1), date(2025, 1, 5)): 1,
    }


def test_it_follows_the_customer_services(onm):
    customer = CustomerFactory(site_code="MAK", date_service_connected=date(2024, 1, 15))
    customer_update(customer=customer, changes={"date_service_connected": date(2024, 4, 2)}, by=onm, reason="typo")
    assert tally() == {("MAK", date(2024, 4, 1), NOT_YET): 1}
    customer_terminate(customer=Customer.objects.get(), on=date(2025, 3, 1), by=onm, reason="moved away")
    assert tally() == {("MAK", date(2024, 4, 1), date(2025, 3, 1)): 1}
    other = CustomerFactory(site_code="MAK", date_service_connected=None)
    customer_delete(customer=other, by=onm, reason="registered twice")
    assert tally() == {("MAK", date(2024, 4, 1), date(2025, 3, 1)): 1}
    assert CUSTOMER_ROLLUP.differences() == []


def test_active_counts_follow_spec_definition():
    # Active in 2025 Q1: connected on or before 31 March, not terminated before 1 January.
    CustomerFactory(date_service_connected=date(2025, 3, 31))  # active
    CustomerFactory(date_service_connected=date(2025, 4, 1))  # not yet
    CustomerFactory(date_service_connected=date(2023, 1, 1), date_service_terminated=date(2025, 1, 1))  # active
    CustomerFactory(date_service_connected=date(2023, 1, 1), date_service_terminated=date(2024, 12, 31))  # gone
    CustomerFactory(date_service_connected=None)  # never connected
    q1 = Quarter(2025, 1)
    assert active_customers_per_quarter([q1]) == {q1: 2}
    assert active_customers_per_quarter([q1], by_site=True) == {"MAK": {q1: 2}}


@pytest.mark.skip_rollup_check
def test_it_is_rebuilt_after_writes_past_it():
    CustomerFactory.create_batch(3)
    Customer.objects.update(site_code="SHG")  # as SQL or Access would, without signals
    assert CUSTOMER_ROLLUP.differences() != []
    call_command("ledger_rollup")
    assert CUSTOMER_ROLLUP.differences() == []
    assert tally() == {("SHG", date(2024, 1, 1), NOT_YET): 3}


def test_the_reports_count_on_the_tally():
    CustomerFactory()
    CUSTOMER_ROLLUP.rebuild()
    CustomerTally.objects.update(customers=7)  # only the tally says 7
    counts = {s["abbreviation"]: s["customer_count"] for s in selectors.om_report_site_overview()["sites"]}
    assert counts["MAK"] == 7
    assert selectors.om_report_overview()["total_customers"] == 7
    CustomerTally.objects.update(customers=1)


def test_readings_are_summed_per_meter_site_local_month_and_hour():
    from decimal import Decimal

    from reports.models import ReadingHour
    from tests.factories import MeterReadingFactory, aware

    # 23:30 on 31 January in Maseru: January, hour 23, although it is 21:30 UTC.
    MeterReadingFactory(meterid="M1", community="MAK", whdatetime=aware(2025, 1, 31, 23, 30), power_kw=Decimal("1.5000"))
    MeterReadingFactory(meterid="M1", community="MAK", whdatetime=aware(2025, 1, 31, 23, 40), power_kw=Decimal("0.5000"))
    MeterReadingFactory(meterid="M1", community="MAK", whdatetime=aware(2025, 2, 1, 0, 0), power_kw=Decimal("2.0000"))
    cells = {(c.meter_id, c.community, c.month, c.hour): (c.readings, c.kw_sum) for c in ReadingHour.objects.all()}
    assert cells == {
        ("M1", "MAK", date(2025, 1, 1), 23): (2, Decimal("2.0000")),
        ("M1", "MAK", date(2025, 2, 1), 0): (1, Decimal("2.0000")),
    }
