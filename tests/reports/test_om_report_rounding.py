"""The O&M report's own figures (Table 1's total ARPU, the loss %) round half-up like every other figure."""

from datetime import date
from decimal import Decimal

import pytest

from ccportal.quarters import quarter_parse
from reports.om_report import om_report_build
from tests.factories import AccountNumberFactory, CustomerFactory, LedgerRowFactory, aware
from tests.reports.factories import SiteGenerationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    customers = CustomerFactory.create_batch(8, site_code="MAK", date_service_connected=date(2024, 1, 15))
    AccountNumberFactory(customer=customers[0], accountnumber="0001MAK", meter__meterid="M-1")
    LedgerRowFactory(
        accountnumber="0001MAK",
        transaction_date=aware(2024, 2, 10, 9, 0),
        transaction_amount=Decimal("1.00"),
        kwh_value=Decimal("0.200"),
        payment=True,
    )
    LedgerRowFactory(
        accountnumber="0001MAK",
        transaction_date=aware(2024, 2, 20, 9, 0),
        transaction_amount=Decimal("-35.10"),
        kwh_value=Decimal("-7.020"),
        payment=False,
    )
    SiteGenerationFactory(site_id="MAK", day=date(2024, 2, 1), kwh_generated=Decimal("8.000"))
    return om_report_build(quarter=quarter_parse("2024 Q1"))


def test_it_rounds_table_1s_total_arpu_half_up_as_the_sites_arpu(report):
    # 1.00 LSL ÷ 8 active customers = 0.125: half-up 0.13 (the total row rounded half-even to 0.12)
    table = report["site_table"]
    mak = next(row for row in table.rows if row[0] == "MAK")
    assert mak[9] == Decimal("0.13")
    assert table.total[9] == Decimal("0.13")


def test_it_rounds_the_loss_percent_half_up_in_the_rows_and_the_total(report):
    # (8.000 generated − 7.020 metered) ÷ 8.000 = 12.25 %: half-up 12.3 (both rounded half-even to 12.2)
    table = next(figure.table for figure in report["figures"] if figure.key == "generation")
    assert table.rows == [
        ["MAK", "Ha Makebe", Decimal("8.000"), Decimal("0.200"), Decimal("7.020"), Decimal("0.000"), Decimal("12.3")]
    ]
    assert table.total[-1] == Decimal("12.3")
