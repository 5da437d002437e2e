"""Factories and the small hand-computed dataset of the reports tests."""

from datetime import date
from decimal import Decimal

import factory

from reports.models import SiteGeneration
from tests.factories import (
    AccountNumberFactory,
    CustomerFactory,
    LedgerRowFactory,
    MeterReadingFactory,
    aware,
)


class SiteGenerationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteGeneration

    site_id = "MAK"
    day = date(2024, 2, 1)
    kwh_generated = Decimal("100.000")
    source = "test"


def build_report_dataset():
    """Four customers on MAK and MAS, payments in 2024 Q1, Q2 and 2025 Q1, two consumption rows, one legacy
    payment of an account that has no tblaccountnumbers row, three readings and two days of generation.
    The expected figures in the tests are worked out by hand from these rows."""
    c1 = CustomerFactory(site_code="MAK", customer_type="HH", date_service_connected=date(2024, 1, 15))
    c2 = CustomerFactory(site_code="MAK", customer_type="SME", date_service_connected=date(2024, 5, 10))
    c3 = CustomerFactory(
        site_code="MAS",
        customer_type="HH",
        date_service_connected=date(2024, 2, 1),
        date_service_terminated=date(2024, 6, 30),
    )
    c4 = CustomerFactory(site_code="MAS", customer_type="HH", date_service_connected=date(2024, 11, 20))
    a1 = AccountNumberFactory(customer=c1, accountnumber="0001MAK", meter__meterid="M-HH-1", meter__customer_type="HH")
    a2 = AccountNumberFactory(customer=c2, accountnumber="0002MAK", meter__meterid="M-SME-1", meter__customer_type="SME")
    AccountNumberFactory(customer=c3, accountnumber="0001MAS", meter__meterid="M-HH-2", meter__customer_type="HH")
    AccountNumberFactory(customer=c4, accountnumber="0002MAS", meter__meterid="M-HH-3", meter__customer_type="HH")

    def pay(account, when, lsl, kwh, payment=True):
        LedgerRowFactory(
            accountnumber=account,
            transaction_date=aware(*when),
            transaction_amount=Decimal(lsl),
            kwh_value=Decimal(kwh),
            payment=payment,
        )

    pay("0001MAK", (2024, 2, 10, 9, 0), "50.00", "10.000")
    pay("0001MAK", (2024, 4, 5, 9, 0), "100.00", "20.000")
    pay("0002MAK", (2024, 5, 20, 9, 0), "25.50", "5.100")
    pay("0001MAS", (2024, 3, 1, 9, 0), "30.00", "6.000")
    pay("0002MAS", (2025, 1, 10, 9, 0), "40.00", "8.000")
    pay("9999XYZ", (2024, 4, 10, 9, 0), "10.00", "2.000")
    pay("0001MAK", (2024, 2, 20, 9, 0), "-20.00", "-4.000", payment=False)
    pay("0001MAS", (2024, 3, 10, 9, 0), "-10.00", "-2.000", payment=False)

    MeterReadingFactory(meterid=a1.meter_id, whdatetime=aware(2025, 1, 10, 18, 0), power_kw=Decimal("0.5"), community="MAK")
    MeterReadingFactory(meterid=a1.meter_id, whdatetime=aware(2025, 1, 10, 18, 10), power_kw=Decimal("1.5"), community="MAK")
    MeterReadingFactory(meterid=a2.meter_id, whdatetime=aware(2025, 1, 10, 9, 0), power_kw=Decimal("2.0"), community="MAK")
    MeterReadingFactory(meterid="GHOST-1", whdatetime=aware(2025, 1, 10, 9, 0), power_kw=Decimal("9.0"), community="MAS")

    SiteGenerationFactory(site_id="MAK", day=date(2024, 2, 1), kwh_generated=Decimal("100.000"))
    SiteGenerationFactory(site_id="MAK", day=date(2024, 2, 2), kwh_generated=Decimal("50.000"))
